"""Reproducible benchmarks of the Miele Local library (run with ``scripts/bench``)."""
