"""provenance stage."""
