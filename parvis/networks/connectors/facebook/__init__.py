"""Facebook Pages connector."""
