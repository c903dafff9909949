"""End-to-end tests: the simulator and a real `hass` process, driven over HTTP and websocket."""
