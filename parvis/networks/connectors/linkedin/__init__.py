"""LinkedIn connector."""
