"""Reader pages of the crisis content, one module per kind of page."""
