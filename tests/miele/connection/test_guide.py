"""
The asyncmiele connection optimisation guide, snippet by snippet, against the simulator.

Each test is one section of the guide, in its order, with ``from asyncmiele import ...``
replaced by ``from mielelocal import ...`` and nothing else changed
in the calls (only values the guide leaves open, such as a short ``retry_delay``, differ).
The examples of the library's README (shipped in the package) run as scripts at the end.
"""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path
import re
import sys
from typing import TYPE_CHECKING

import pytest

import mielelocal
from mielelocal import (
    ConnectionManager,
    ConnectionState,
    DeviceProfile,
    DeviceResetter,
    MieleConfigError,
    State,
    load_connection_config,
)
from mielelocal.exceptions import (
    ConnectionLostError,
    DeviceResetError,
    ReconnectionError,
)

if TYPE_CHECKING:
    from mielelocal import GroupCredentials
    from simulator import SimulatedAppliance
    from tests.miele.conftest import SimulatorFactory

README = Path(mielelocal.__file__).with_name("README.md")

GUIDE_CONFIG = {
    "devices": [
        {
            "id": "000123456789",
            "host": "192.168.1.100",
            "group_id": "11223344556677889900aabbccddeeff",
            "group_key": "00112233445566778899aabbccddeeff"
            "00112233445566778899aabbccddeeff",
        }
    ],
    "connection_settings": {
        "max_connections": 5,
        "connection_timeout": 10.0,
        "health_check_interval": 30.0,
        "retry_count": 3,
        "retry_delay": 2.0,
    },
}


@pytest.fixture
async def sim(
    simulator_factory: SimulatorFactory, credentials: GroupCredentials
) -> SimulatedAppliance:
    return await simulator_factory(credentials=credentials, fab_number="000123456789")


@pytest.fixture
def profile(sim: SimulatedAppliance, credentials: GroupCredentials) -> DeviceProfile:
    """The guide's configuration example, pointed at the simulator with its real key."""
    device = {
        **GUIDE_CONFIG["devices"][0],  # type: ignore[index]
        "host": sim.host,
        "group_id": credentials.group_id,
        "group_key": credentials.group_key_hex,
    }
    config = load_connection_config({**GUIDE_CONFIG, "devices": [device]})
    return config.devices[0]


@pytest.fixture
def device_id(profile: DeviceProfile) -> str:
    return profile.device_id


async def test_setting_up_the_connection_manager(
    profile: DeviceProfile, device_id: str
) -> None:
    # Create a connection manager
    connection_manager = ConnectionManager(
        max_connections=10,  # Maximum concurrent connections
        connection_timeout=10.0,  # Connection timeout in seconds
        health_check_interval=60.0,  # Health check interval in seconds
        retry_count=3,  # Number of retries for failed operations
        retry_delay=2.0,  # Delay between retries in seconds
    )

    # Use as async context manager
    async with connection_manager:
        # Get a client for a device
        client = await connection_manager.get_client(device_id, profile)

        # Use the client...
        result = await connection_manager.execute_with_retry(
            device_id, lambda: client.get_device_state(device_id)
        )
    assert isinstance(result, State)
    assert client.get_device_state == client.get_state  # one implementation
    assert connection_manager.settings.retry_delay == 2.0


async def test_automatic_retry_and_recovery(
    sim: SimulatedAppliance, profile: DeviceProfile, device_id: str
) -> None:
    printed: list[str] = []
    connection_manager = ConnectionManager(retry_count=3, retry_delay=0.01)
    async with connection_manager:
        client = await connection_manager.get_client(device_id, profile)
        for fault in ("none", "offline"):
            sim.set_fault(fault)
            # Execute an operation with automatic retry
            try:
                result = await connection_manager.execute_with_retry(
                    device_id, lambda: client.get_device_ident(device_id)
                )
                printed.append(f"Operation succeeded: {result.fab_number}")
            except ConnectionLostError as e:
                printed.append(f"Connection lost and could not be recovered: {e}")
    assert printed[0] == "Operation succeeded: 000123456789"
    assert printed[1].startswith(
        "Connection lost and could not be recovered: 000123456789: no answer after "
        "4 attempt(s)"
    )


async def test_connection_health_monitoring(
    sim: SimulatedAppliance, profile: DeviceProfile, device_id: str
) -> None:
    printed: list[str] = []
    recovery_actions: list[str] = []
    async with ConnectionManager(retry_count=3, retry_delay=0.01) as connection_manager:
        client = await connection_manager.get_client(device_id, profile)
        # Get the health monitor
        health_monitor = connection_manager.get_health_monitor()

        # Register a callback for state changes
        async def on_state_change(device_id: str, new_state: ConnectionState) -> None:
            printed.append(f"Connection state for {device_id} changed to {new_state}")

            if new_state == ConnectionState.UNHEALTHY:
                # Take recovery action
                recovery_actions.append(device_id)

        # Register the callback
        health_monitor.register_state_callback(device_id, on_state_change)

        await connection_manager.execute_with_retry(
            device_id, lambda: client.get_device_state(device_id)
        )
        sim.set_fault("offline")
        with pytest.raises(ConnectionLostError):
            await connection_manager.execute_with_retry(
                device_id, lambda: client.get_device_state(device_id)
            )
    assert printed == [
        "Connection state for 000123456789 changed to healthy",
        "Connection state for 000123456789 changed to degraded",
        "Connection state for 000123456789 changed to unhealthy",
    ]
    assert recovery_actions == [device_id]


async def test_handling_device_resets(
    sim: SimulatedAppliance, profile: DeviceProfile, device_id: str
) -> None:
    async with ConnectionManager() as connection_manager:
        client = await connection_manager.get_client(device_id, profile)

        # Create a device resetter
        resetter = DeviceResetter()

        # Detect if a device has been reset (it has not: the else branch)
        is_reset = await resetter.detect_factory_reset(client, device_id)
        assert not is_reset
        requests_before = sim.requests.total
        with pytest.raises(DeviceResetError, match="confirm=True"):
            # Optionally initiate a reset
            await resetter.initiate_reset(client, device_id)
        assert sim.requests.total == requests_before  # no guessed reset URL is sent

        sim.set_fault("reset")  # reset from the appliance's panel
        is_reset = await resetter.detect_factory_reset(client, device_id)
        assert is_reset
        if is_reset:
            # Recover from reset
            success, new_client = await resetter.recover_from_reset(device_id, profile)
            assert success
            assert new_client is not None
            assert new_client is not client  # built from the profile by the resetter
            async with new_client:
                assert (await new_client.get_device_ident(device_id)).fab_number == (
                    device_id
                )
        # The standalone resetter kept its own books; the manager's are untouched.
        assert resetter.last_evidence(device_id) is not None
        manager_resetter = connection_manager.get_device_resetter()
        assert manager_resetter.last_evidence(device_id) is None
        assert await connection_manager.execute_with_retry(
            device_id, lambda: client.get_device_state(device_id)
        )


async def test_custom_health_checks(
    sim: SimulatedAppliance, profile: DeviceProfile, device_id: str
) -> None:
    async with ConnectionManager() as connection_manager:
        client = await connection_manager.get_client(device_id, profile)
        health_monitor = connection_manager.get_health_monitor()

        async def custom_health_check() -> bool:
            try:
                # Perform a custom health check operation
                await client.get_device_ident(device_id)
                return True  # noqa: TRY300 (the guide's snippet)
            except Exception:  # noqa: BLE001 (the guide's snippet)
                return False

        # Register the custom health check
        health_monitor.register_health_check(device_id, custom_health_check)

        requests_before = sim.requests.total
        assert await health_monitor.check_device(device_id)
        assert sim.requests[-1].path == "/Devices/000123456789/Ident"
        assert sim.requests.total == requests_before + 1
        assert health_monitor.get_health(device_id).state is ConnectionState.HEALTHY
        sim.set_fault("offline")
        assert not await health_monitor.check_device(device_id)
        assert health_monitor.get_health(device_id).last_error_kind == "check"


async def test_connection_pool_management(
    profile: DeviceProfile, device_id: str
) -> None:
    async with ConnectionManager() as connection_manager:
        client = await connection_manager.get_client(device_id, profile)
        await client.get_device_state(device_id)

        # Get the connection pool
        pool = connection_manager.get_connection_pool()

        # Get pool statistics
        lines = [
            f"Total connections: {len(pool)}",
            f"Active connections: {pool.active_connections}",
            f"Idle connections: {pool.idle_connections}",
        ]
    assert lines == [
        "Total connections: 1",
        "Active connections: 0",
        "Idle connections: 1",
    ]


def test_the_guides_configuration_example_is_refused_naming_group_id() -> None:
    # The guide's sample GroupID has 32 hex digits (and its key 64): both are placeholders.
    with pytest.raises(MieleConfigError) as err:
        load_connection_config(GUIDE_CONFIG)
    assert err.value.field == "devices[0].group_id"
    assert str(err.value) == ("devices[0].group_id: must be 16 hex characters, got 32")


async def test_the_configuration_format_loads_and_its_settings_are_used(
    profile: DeviceProfile, credentials: GroupCredentials
) -> None:
    device = {
        **GUIDE_CONFIG["devices"][0],  # type: ignore[index]
        "group_id": credentials.group_id,
        "group_key": credentials.group_key_hex,
    }
    config = load_connection_config({**GUIDE_CONFIG, "devices": [device]})
    assert config.devices[0].device_id == "000123456789"
    assert config.devices[0].host == "192.168.1.100"
    manager = ConnectionManager.from_settings(config.settings)
    assert manager.settings == config.settings
    assert manager.settings.max_connections == 5
    assert manager.settings.health_check_interval == 30.0
    assert manager.get_connection_pool().max_connections == 5
    with pytest.raises(MieleConfigError, match=r"^devices\[0\]\.name: is not a known"):
        load_connection_config({"devices": [{**device, "name": "washer"}]})
    with pytest.raises(
        MieleConfigError, match=r"^connection_settings\.retries: is not a known"
    ):
        load_connection_config({"connection_settings": {"retries": 3}})


async def test_error_handling(
    sim: SimulatedAppliance, profile: DeviceProfile, device_id: str
) -> None:
    printed: list[str] = []
    connection_manager = ConnectionManager(retry_delay=0.01)
    async with connection_manager:
        client = await connection_manager.get_client(device_id, profile)
        sim.set_fault("offline")

        async def operation() -> State:
            return await client.get_device_state(device_id)

        try:
            await connection_manager.execute_with_retry(device_id, operation)
        except ConnectionLostError as e:
            printed.append(f"Connection permanently lost: {e}")
        except ReconnectionError as e:
            printed.append(f"Failed to reconnect: {e}")
    try:
        await connection_manager.get_client(device_id, profile)
    except ReconnectionError as e:
        printed.append(f"Failed to reconnect: {e}")
    assert printed == [
        (
            "Connection permanently lost: 000123456789: no answer after 4 "
            "attempt(s) (connection)"
        ),
        "Failed to reconnect: the connection manager is closed",
    ]


def _readme_blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", README.read_text(), re.DOTALL)


async def _run_script(path: Path) -> str:
    """Run ``path`` with this interpreter and the library this test imported."""
    library = str(Path(mielelocal.__file__).parents[1])
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        str(path),
        cwd=path.parent,
        env={**os.environ, "PYTHONPATH": library},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await process.communicate()
    assert process.returncode == 0, stderr.decode()
    return stdout.decode()


async def test_the_readmes_examples_run(
    sim: SimulatedAppliance, credentials: GroupCredentials, tmp_path: Path
) -> None:
    client_example, guide_example = _readme_blocks("python")
    [config_example] = _readme_blocks("json")
    script = tmp_path / "client_example.py"
    script.write_text(client_example.replace('"192.168.1.50"', repr(sim.host)))
    assert (await _run_script(script)).startswith(f"{sim.device_id} 1 ")

    config = json.loads(config_example.replace("<128 hex digits>", "00" * 64))
    config["devices"][0] |= {
        "host": sim.host,
        "group_id": credentials.group_id,
        "group_key": credentials.group_key_hex,
    }
    (tmp_path / "connection_config.json").write_text(json.dumps(config))
    script = tmp_path / "guide_example.py"
    script.write_text(f"import asyncio\n{guide_example}\nasyncio.run(main())\n")
    assert (await _run_script(script)).splitlines() == [
        f"Connection state for {sim.device_id} changed to healthy",
        "5",
        "1 0 1",
    ]
    sim.set_fault("reset")
    out = (await _run_script(script)).splitlines()
    assert out[0].startswith("Key refused: ")
    assert out[1:] == ["Recovered: True", "1 0 1"]
