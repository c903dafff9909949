"""Tests for Miele Local."""
