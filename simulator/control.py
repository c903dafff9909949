"""The JSON control API of a simulated appliance, served on its own port."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiohttp import web

if TYPE_CHECKING:
    from .device import SimulatedAppliance

_SIM: web.AppKey[SimulatedAppliance] = web.AppKey("simulated_appliance")


def status_document(sim: SimulatedAppliance) -> dict[str, Any]:
    """Describe the appliance for ``GET /status`` (the group key is never included)."""
    credentials = sim.credentials
    return {
        "appliance": sim.appliance,
        "device_id": sim.device_id,
        "host": sim.host,
        "fault": sim.fault.value,
        "variants": sorted(variant.value for variant in sim.variants),
        "latency": sim.latency,
        "paired": sim.paired,
        "group_id": None if credentials is None else credentials.group_id,
        "counters": {
            "requests": sim.requests.total,
            "actions": sim.actions.total,
            "held_actions": sim.held_actions.total,
            "shortened_signatures": sim.shortened_signatures,
            "max_concurrent": sim.max_concurrent,
            "overlapping_requests": sim.overlapping_requests,
        },
        "state": sim.state,
    }


async def _json_object(request: web.Request) -> dict[str, Any]:
    try:
        document = await request.json()
    except ValueError:
        raise web.HTTPBadRequest(text="body must be a JSON object") from None
    if not isinstance(document, dict):
        raise web.HTTPBadRequest(text="body must be a JSON object")
    return document


async def _get_status(request: web.Request) -> web.Response:
    return web.json_response(status_document(request.app[_SIM]))


async def _post_fault(request: web.Request) -> web.Response:
    sim = request.app[_SIM]
    mode = (await _json_object(request)).get("mode")
    if not isinstance(mode, str):
        raise web.HTTPBadRequest(text='body must be {"mode": "<fault>"}')
    try:
        sim.set_fault(mode)
    except ValueError as err:
        raise web.HTTPBadRequest(text=str(err)) from None
    return web.json_response(status_document(sim))


async def _post_state(request: web.Request) -> web.Response:
    sim = request.app[_SIM]
    fields = await _json_object(request)
    try:
        sim.update_state(**fields)
    except ValueError as err:
        raise web.HTTPBadRequest(text=str(err)) from None
    return web.json_response(status_document(sim))


async def _post_variant(request: web.Request) -> web.Response:
    sim = request.app[_SIM]
    document = await _json_object(request)
    name, on = document.get("name"), document.get("on", True)
    if not isinstance(name, str) or not isinstance(on, bool):
        raise web.HTTPBadRequest(text='body must be {"name": "<variant>", "on": true}')
    try:
        sim.set_variant(name, on)
    except ValueError as err:
        raise web.HTTPBadRequest(text=str(err)) from None
    return web.json_response(status_document(sim))


async def _post_latency(request: web.Request) -> web.Response:
    sim = request.app[_SIM]
    seconds: Any = (await _json_object(request)).get("seconds")
    try:
        sim.latency = seconds
    except ValueError as err:
        raise web.HTTPBadRequest(text=f'{err}: {{"seconds": 3.5}}') from None
    return web.json_response(status_document(sim))


class ControlServer:
    """The control API of one appliance.

    ``GET /status``; ``POST /fault {"mode": ...}``, ``/state {...}``,
    ``/variant {"name": ..., "on": ...}`` and ``/latency {"seconds": ...}``.
    """

    def __init__(self, sim: SimulatedAppliance, host: str, port: int) -> None:
        self._sim = sim
        self._host = host
        self._port = port
        self._runner: web.AppRunner | None = None

    @property
    def port(self) -> int:
        """The port (the real one once started with port 0)."""
        return self._port

    async def start(self) -> None:
        """Start serving the control API."""
        app = web.Application()
        app[_SIM] = self._sim
        app.router.add_get("/status", _get_status)
        app.router.add_post("/fault", _post_fault)
        app.router.add_post("/state", _post_state)
        app.router.add_post("/variant", _post_variant)
        app.router.add_post("/latency", _post_latency)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        try:
            await web.TCPSite(runner, self._host, self._port).start()
        except OSError:
            await runner.cleanup()
            raise
        self._runner = runner
        self._port = runner.addresses[0][1]

    async def stop(self) -> None:
        """Stop serving the control API."""
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()
