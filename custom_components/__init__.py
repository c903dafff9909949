"""Custom components (for tests)."""
