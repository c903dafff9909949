"""Tests for the Miele protocol library."""
