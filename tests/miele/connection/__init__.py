"""Tests for the connection layer: profiles, pool, health, reset handling and the manager."""
