"""entities stage."""
