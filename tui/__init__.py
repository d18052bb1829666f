"""The gailab terminal app (Textual) and the gailab command line."""
