"""X connector."""
