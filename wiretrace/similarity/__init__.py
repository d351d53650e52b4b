"""similarity stage."""
