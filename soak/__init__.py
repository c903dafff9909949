"""A bounded soak of the integration with injected faults (run by ``scripts/soak``)."""
