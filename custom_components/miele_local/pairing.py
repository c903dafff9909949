"""Pairing shared by the config flow, reauthentication and the repair: keys, reads, commissioning.

Also the retry of a refused key that an event (the appliance announcing our group) asks for.

Commissioning is plain text by protocol: the household key is sent unencrypted. It is sent
only from a step the user confirmed, and `async_pair_again` sends a stored key only to the
appliance at the entry's address, after checking that an advertised identity is the entry's.
"""

from __future__ import annotations

from contextlib import suppress
import ipaddress
from typing import TYPE_CHECKING, Any

from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import CONF_HOST
from homeassistant.exceptions import ConfigEntryError
from homeassistant.helpers.selector import (
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)
import probatio as vol

from mielelocal.credentials import (
    GroupCredentials,
    validate_group_id,
    validate_group_key,
)
from mielelocal.exceptions import (
    MieleAuthError,
    MieleCommissioningError,
    MieleConfigError,
    MieleError,
    MieleProtocolError,
)
from mielelocal.models import DeviceType, Ident, Status

from .advertisement import async_lookup
from .const import CONF_DEVICE_ID, CONF_GROUP_ID, CONF_GROUP_KEY, DOMAIN, LOGGER
from .coordinator import key_try_allowed, open_key_prompt
from .manager import create_client, entry_profile

if TYPE_CHECKING:
    from collections.abc import Mapping

    from homeassistant.core import HomeAssistant

    from .coordinator import MieleLocalConfigEntry

PASSWORD = TextSelector(TextSelectorConfig(type=TextSelectorType.PASSWORD))


class WrongApplianceError(MieleError):
    """The appliance at the address is not the one the key belongs to."""


def key_fields(
    group_id: str | None = None, *, key_optional: bool = False
) -> dict[Any, Any]:
    """Return schema fields for GroupID (prefilled when known) and GroupKey."""
    key_marker = vol.Optional if key_optional else vol.Required
    return {
        vol.Required(CONF_GROUP_ID, default=group_id or vol.UNDEFINED): str,
        key_marker(CONF_GROUP_KEY): PASSWORD,
    }


def type_title(device_type: object) -> str:
    """Name an appliance type code ("1" or 1 -> "Miele washing machine")."""
    try:
        code = DeviceType.parse(int(str(device_type)))
    except ValueError:
        code = 0
    if isinstance(code, DeviceType):
        return f"Miele {code.name.replace('_', ' ').lower()}"
    return "Miele appliance"


def appliance_title(ident: Ident) -> str:
    """Return a config entry title: the appliance's own name, else its type."""
    return ident.device_name or type_title(ident.device_type)


def discovered_host(address: str, port: int | None) -> str:
    """Format a discovered address (and a non-default port) as a `validate_host` value."""
    ip = ipaddress.ip_address(address)
    host = f"[{ip}]" if ip.version == 6 else str(ip)
    return host if port in (None, 80) else f"{host}:{port}"


async def async_read_ident(
    hass: HomeAssistant, host: str, credentials: GroupCredentials
) -> Ident:
    """Identify the (first) appliance at `host` with signed reads using `credentials`.

    Two reads: the `/Devices/` listing (links on real modules) and that appliance's Ident.
    """
    client = create_client(hass, host, credentials)
    device_ids = await client.list_devices()
    if not device_ids:
        raise MieleProtocolError("no appliance listed")
    return await client.get_ident(device_ids[0])


async def async_confirm_if_waiting(
    hass: HomeAssistant, host: str, credentials: GroupCredentials, device_id: str
) -> bool:
    """Send the signed commissioning confirmation to an appliance left waiting for it.

    Some appliances stay in Status 12 ("waiting for app") after commissioning until the
    pairing body arrives again, signed. One State read tells; the confirmation repeats the
    same body, so sending it is harmless. Returns whether it was sent. A failure is logged
    and left to the user: the appliance is paired either way.
    """
    client = create_client(hass, host, credentials)
    try:
        state = await client.get_state(device_id)
        if state.status != Status.SERVICE:  # 12: "waiting for app" right after pairing
            return False
        await client.confirm_commissioning()
    except MieleError as err:
        LOGGER.warning(
            "Could not confirm the pairing of the appliance at %s: %s", host, err
        )
        return False
    LOGGER.debug("Confirmed the pairing of the appliance at %s", host)
    return True


async def async_commission(
    hass: HomeAssistant, host: str, credentials: GroupCredentials
) -> None:
    """Pair an appliance in setup mode with `credentials` (verify with `async_read_ident`)."""
    await create_client(hass, host, credentials).commission(credentials)


def parse_credentials(
    user_input: Mapping[str, Any], errors: dict[str, str], fallback_key: str = ""
) -> GroupCredentials | None:
    """Validate GroupID and GroupKey from a form; record a per-field error when invalid."""
    try:
        group_id = validate_group_id(user_input.get(CONF_GROUP_ID, ""))
    except MieleConfigError:
        errors[CONF_GROUP_ID] = "invalid_group_id"
    try:
        group_key = validate_group_key(user_input.get(CONF_GROUP_KEY) or fallback_key)
    except MieleConfigError:
        errors[CONF_GROUP_KEY] = "invalid_group_key"
    if errors:
        return None
    return GroupCredentials(group_id, group_key)


def error_key(err: Exception) -> str:
    """Map a failure while talking to an appliance to a translated form error."""
    if isinstance(err, WrongApplianceError):
        return "wrong_device"
    if isinstance(err, MieleAuthError):
        return "invalid_auth"
    if isinstance(err, MieleCommissioningError):
        return "already_paired" if err.status == 403 else "not_in_setup_mode"
    if isinstance(err, MieleError):
        return "cannot_connect"
    LOGGER.exception("Unexpected error while talking to the appliance")
    return "unknown"


def entry_data(
    host: str, credentials: GroupCredentials, ident: Ident
) -> dict[str, str]:
    """Return what a config entry stores: address, household key and FabNumber."""
    return {
        CONF_HOST: host,
        CONF_GROUP_ID: credentials.group_id,
        CONF_GROUP_KEY: credentials.group_key_hex,
        CONF_DEVICE_ID: ident.fab_number,
    }


def stored_credentials(entry: MieleLocalConfigEntry) -> GroupCredentials:
    """Return the household key stored in `entry` (MieleConfigError when invalid)."""
    return GroupCredentials.from_hex(
        entry.data[CONF_GROUP_ID], entry.data[CONF_GROUP_KEY]
    )


async def async_pair_again(hass: HomeAssistant, entry: MieleLocalConfigEntry) -> Ident:
    """Commission the entry's stored key on its appliance again, then verify the FabNumber.

    Before the key is sent, mDNS is asked for the appliance at the entry's address: when it
    advertises another module identity, nothing is sent (`WrongApplianceError`).
    """
    credentials = stored_credentials(entry)
    host, fab_number = entry.data[CONF_HOST], entry.data[CONF_DEVICE_ID]
    advertisement = await async_lookup(hass, host)
    if advertisement is not None and advertisement.is_other_appliance(fab_number):
        raise WrongApplianceError("another appliance answers at this address")
    await async_commission(hass, host, credentials)
    ident = await async_read_ident(hass, host, credentials)
    if ident.fab_number != fab_number:
        raise WrongApplianceError("another appliance answers at this address")
    await async_confirm_if_waiting(hass, host, credentials, fab_number)
    return ident


class Commissioning:
    """One config flow's pairing of a new appliance, safe to retry.

    The generated key is made once and reused on every retry; a key that was commissioned
    is only verified again, and when commissioning is refused, a key this flow sent before
    may have been accepted with its answer lost: a signed read with it tells.
    """

    def __init__(self) -> None:
        """Start with no key generated or sent."""
        self._new_key: GroupCredentials | None = None
        self._sent_keys: list[GroupCredentials] = []
        self._commissioned: GroupCredentials | None = None

    def generated_key(self) -> GroupCredentials:
        """Return the new household key: generated once, reused on every retry."""
        if self._new_key is None:
            self._new_key = GroupCredentials.generate()
        return self._new_key

    async def async_pair(
        self, hass: HomeAssistant, host: str, chosen: GroupCredentials
    ) -> tuple[GroupCredentials, Ident]:
        """Commission `chosen` unless an earlier submit did, then verify with a signed read."""
        commissioned = self._commissioned
        if commissioned is None:
            sent_before = list(self._sent_keys)
            if chosen not in sent_before:
                self._sent_keys.append(chosen)
            try:
                await async_commission(hass, host, chosen)
            except MieleCommissioningError:
                for credentials in sent_before:
                    with suppress(MieleError):
                        ident = await async_read_ident(hass, host, credentials)
                        return credentials, ident
                raise
            commissioned = self._commissioned = chosen
        try:
            ident = await async_read_ident(hass, host, commissioned)
        except MieleAuthError:
            # The appliance was reset again meanwhile: commission on the next submit.
            self._commissioned = None
            raise
        await async_confirm_if_waiting(hass, host, commissioned, ident.fab_number)
        return commissioned, ident


async def async_key_may_work_again(
    hass: HomeAssistant, entry: MieleLocalConfigEntry | None
) -> bool:
    """Try an entry's refused key once more: an event says the appliance may accept it again.

    For the discovery flow (the appliance announces our GroupID over mDNS again). Only an
    entry waiting for the user on a refused key is tried (its lost-pairing repair or
    re-authentication is open), with one signed State read, at most once per
    `KEY_RETRY_COOLDOWN`. When the appliance answers, the prompt closes: a loaded entry
    polls again, one whose setup failed on the key is reloaded. Returns whether it answered.
    """
    if entry is None or entry.domain != DOMAIN:
        return False
    if entry.state is ConfigEntryState.LOADED:
        return await entry.runtime_data.coordinator.async_key_may_work_again()
    if open_key_prompt(hass, entry) is None or not key_try_allowed(
        hass, entry.entry_id
    ):
        return False
    try:
        profile = entry_profile(entry)
    except ConfigEntryError:
        return False
    client = create_client(hass, profile.host, profile.credentials)
    try:
        await client.get_state(profile.device_id)
    except MieleError as err:
        LOGGER.debug("%s: the stored key is still refused (%s)", entry.title, err)
        return False
    LOGGER.debug("%s: the household key works again: reloading", entry.title)
    hass.config_entries.async_schedule_reload(entry.entry_id)
    return True
