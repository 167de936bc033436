"""Page views of the web interface, one module per section."""
