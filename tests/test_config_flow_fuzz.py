"""
Config-flow input fuzzing: host, GroupID and GroupKey fields.

Every input ends in a translated form error (the form is shown again), the pairing step or
an entry for the simulated appliance; never in a crash. The client constructor is patched
only to observe the host it is given, which must be the validated one; name resolution is
refused (no DNS here), so no request leaves 127.0.0.1.
"""

from __future__ import annotations

import ipaddress
from typing import TYPE_CHECKING, Any
from unittest.mock import patch

from aiohttp.abc import AbstractResolver, ResolveResult
from homeassistant.config_entries import SOURCE_RECONFIGURE, SOURCE_USER
from homeassistant.const import CONF_HOST
from homeassistant.data_entry_flow import FlowResultType
from hypothesis import HealthCheck, assume, given, settings, strategies as st
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.miele_local.const import CONF_GROUP_ID, CONF_GROUP_KEY, DOMAIN
from mielelocal.client import MieleClient
from mielelocal.credentials import (
    GroupCredentials,
    validate_group_id,
    validate_group_key,
    validate_host,
)
from mielelocal.exceptions import MieleConfigError

from .conftest import TEST_GROUP_ID, TEST_GROUP_KEY, entry_data

if TYPE_CHECKING:
    from collections.abc import Generator

    from homeassistant.core import HomeAssistant

    from simulator import SimulatedAppliance

pytestmark = pytest.mark.usefixtures("socket_enabled")

FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
CREDENTIALS = GroupCredentials(TEST_GROUP_ID, TEST_GROUP_KEY)
"""The simulator's key (not a test argument: hypothesis would print its bytes on failure)."""
SIM_HOST = "<simulator>"
"""Placeholder replaced by the simulated appliance's ``127.0.0.1:<port>``."""

PREFIXES = ("", "http://", "https://", "//", "user@", "user:pw@", "evil.example@",
            " ", "\t", "\u200b", "[", "ftp://evil.example/")  # fmt: skip
BASES = (SIM_HOST, "127.0.0.1", "evil.example", "[::1]", "::1", "bücher.example",
         "xn--bcher-kva.example", "a" * 300, "-bad-.example", "127.0.0.1.", "")  # fmt: skip
SUFFIXES = ("", "/", "/Devices/", "?q=1", "#frag", ":0", ":65536", ":-1", ": 80", " ",
            "\n", "\\evil", "@evil.example", ":80/x", "%2F", "\x00")  # fmt: skip

decorated_hosts = st.builds(
    "".join,
    st.tuples(
        st.sampled_from(PREFIXES), st.sampled_from(BASES), st.sampled_from(SUFFIXES)
    ),
)
hosts = decorated_hosts | st.text(max_size=300)
hex_like = st.text(alphabet="0123456789abcdefABCDEF", max_size=140)
key_texts = (
    st.just("")
    | hex_like
    | st.text(max_size=200)
    | st.builds(
        lambda pad, text: pad + text + pad,
        st.sampled_from([" ", "\t", "\n", "\u00a0", "\u3000"]),
        hex_like,
    )
)


class LoopbackOnlyResolver(AbstractResolver):
    """Refuses every name (there is no DNS here) and records what was asked."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    async def resolve(
        self, host: str, port: int = 0, family: int = 0
    ) -> list[ResolveResult]:
        self.asked.append(host)
        raise OSError(f"name resolution refused in this test: {host!r}")

    async def close(self) -> None:
        """Nothing to release."""

    async def real_close(self) -> None:
        """Home Assistant closes its resolver with this on shutdown."""


@pytest.fixture
def resolver() -> Generator[LoopbackOnlyResolver]:
    """Home Assistant's HTTP session resolves names with this resolver."""
    refusing = LoopbackOnlyResolver()
    with patch(
        "homeassistant.helpers.aiohttp_client._async_make_resolver",
        return_value=refusing,
    ):
        yield refusing


@pytest.fixture
def client_hosts() -> Generator[list[str]]:
    """Every host a MieleClient is constructed with (the real constructor still runs)."""
    seen: list[str] = []
    real_init = MieleClient.__init__

    def observing_init(self: MieleClient, host: str, *args: Any, **kwargs: Any) -> None:
        seen.append(host)
        real_init(self, host, *args, **kwargs)

    with patch.object(MieleClient, "__init__", observing_init):
        yield seen


@pytest.fixture(autouse=True)
def no_setup() -> Generator[None]:
    """Created entries are not set up: only the flow is under test."""
    with (
        patch("custom_components.miele_local.async_setup_entry", return_value=True),
        patch("custom_components.miele_local.async_unload_entry", return_value=True),
    ):
        yield


def validated(validate: Any, value: str) -> Any:
    """The validator's result, or None when it refuses the value."""
    try:
        return validate(value)
    except MieleConfigError:
        return None


def reachable_only_on_loopback(host: str | None) -> bool:
    """Whether connecting to a validated host stays on 127.0.0.1 (names never resolve)."""
    if host is None:
        return True
    if host.startswith("["):
        address = host[1 : host.index("]")]
    else:
        address = host.partition(":")[0] if host.count(":") == 1 else host
    try:
        return str(ipaddress.ip_address(address)) == "127.0.0.1"
    except ValueError:
        return True  # a host name: the resolver refuses it


def host_name(host: str | None) -> str | None:
    """The name part of a validated ``host[:port]`` (what a resolver would be asked)."""
    if host is None or host.startswith("["):
        return None
    return host.partition(":")[0]


def expected_field_errors(
    host_ok: bool, group_id: str, group_key: str
) -> dict[str, str]:
    """The per-field errors the form must show for these inputs."""
    errors = {} if host_ok else {CONF_HOST: "invalid_host"}
    if host_ok and (group_id or group_key):
        if validated(validate_group_id, group_id) is None:
            errors[CONF_GROUP_ID] = "invalid_group_id"
        if validated(validate_group_key, group_key) is None:
            errors[CONF_GROUP_KEY] = "invalid_group_key"
    return errors


async def finish(hass: HomeAssistant, result: Any) -> None:
    """Abort a flow still showing a form and remove an entry it created."""
    if result["type"] in (FlowResultType.FORM, FlowResultType.MENU):
        hass.config_entries.flow.async_abort(result["flow_id"])
    elif result["type"] is FlowResultType.CREATE_ENTRY:
        await hass.config_entries.async_remove(result["result"].entry_id)


@FUZZ
@given(host=hosts, group_id=key_texts, group_key=key_texts, use_real_keys=st.booleans())
async def test_user_step_fuzzed(
    hass: HomeAssistant,
    simulator: SimulatedAppliance,
    resolver: LoopbackOnlyResolver,
    client_hosts: list[str],
    host: str,
    group_id: str,
    group_key: str,
    use_real_keys: bool,
) -> None:
    host = host.replace(SIM_HOST, simulator.host)
    if use_real_keys:
        group_id, group_key = CREDENTIALS.group_id, CREDENTIALS.group_key_hex
    expected_host = validated(validate_host, host)
    assume(reachable_only_on_loopback(expected_host))
    client_hosts.clear()
    resolver.asked.clear()

    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {CONF_HOST: host, CONF_GROUP_ID: group_id, CONF_GROUP_KEY: group_key},
    )
    await finish(hass, result)

    assert set(client_hosts) <= {expected_host}
    assert set(resolver.asked) <= {host_name(expected_host)}
    field_errors = expected_field_errors(expected_host is not None, group_id, group_key)
    if field_errors:
        assert result["type"] is FlowResultType.FORM
        assert result["errors"] == field_errors
        assert not client_hosts
    elif not (group_id or group_key):
        assert result["type"] is FlowResultType.FORM
        assert result["step_id"] == "pair"
        assert not client_hosts
    elif expected_host == simulator.host and use_real_keys:
        assert result["type"] is FlowResultType.CREATE_ENTRY
        assert result["data"][CONF_HOST] == simulator.host
    else:
        assert client_hosts == [expected_host]
        assert result["type"] is FlowResultType.FORM
        assert result["errors"] in (
            {"base": "cannot_connect"},
            {"base": "invalid_auth"},
        )


@FUZZ
@given(host=hosts, group_id=key_texts, group_key=key_texts)
async def test_reconfigure_step_fuzzed(
    hass: HomeAssistant,
    simulator: SimulatedAppliance,
    resolver: LoopbackOnlyResolver,
    client_hosts: list[str],
    host: str,
    group_id: str,
    group_key: str,
) -> None:
    host = host.replace(SIM_HOST, simulator.host)
    expected_host = validated(validate_host, host)
    assume(reachable_only_on_loopback(expected_host))
    entry = MockConfigEntry(
        domain=DOMAIN,
        unique_id=simulator.device_id,
        data=entry_data(simulator.host, simulator.device_id, CREDENTIALS),
    )
    entry.add_to_hass(hass)
    client_hosts.clear()

    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_RECONFIGURE, "entry_id": entry.entry_id}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {CONF_HOST: host, CONF_GROUP_ID: group_id, CONF_GROUP_KEY: group_key},
    )
    await finish(hass, result)
    await hass.config_entries.async_remove(entry.entry_id)

    assert set(client_hosts) <= {expected_host}
    errors = {} if expected_host else {CONF_HOST: "invalid_host"}
    if validated(validate_group_id, group_id) is None:
        errors[CONF_GROUP_ID] = "invalid_group_id"
    if group_key and validated(validate_group_key, group_key) is None:
        errors[CONF_GROUP_KEY] = "invalid_group_key"
    if errors:
        assert result["type"] is FlowResultType.FORM
        assert result["errors"] == errors
        assert not client_hosts
        return
    assert client_hosts == [expected_host]
    if result["type"] is FlowResultType.ABORT:
        assert expected_host == simulator.host
        assert result["reason"] == "reconfigure_successful"
    else:
        assert result["errors"] in (
            {"base": "cannot_connect"},
            {"base": "invalid_auth"},
        )
