"""Instagram connector."""
