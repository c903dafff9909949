"""Config flow: add an appliance with its household key, pair it, or pick it up by discovery."""

from __future__ import annotations

from contextlib import suppress
import ipaddress
from typing import TYPE_CHECKING, Any

from homeassistant.config_entries import (
    SOURCE_REAUTH,
    ConfigEntry,
    ConfigFlow,
    ConfigFlowResult,
    OptionsFlowWithReload,
)
from homeassistant.const import CONF_HOST
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.device_registry import format_mac
from homeassistant.helpers.selector import (
    BooleanSelector,
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    SelectOptionDict,
    SelectSelector,
    SelectSelectorConfig,
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)
import probatio as vol

from . import get_manager
from .const import (
    CONF_DEVICE_ID,
    CONF_GROUP_ID,
    CONF_GROUP_KEY,
    CONF_PUSH,
    CONF_PUSH_PORT,
    CONF_RETRIES,
    CONF_SCAN_INTERVAL,
    CONF_TIMEOUT,
    DEFAULT_PUSH_PORT,
    DEFAULT_RETRIES,
    DEFAULT_SCAN_INTERVAL,
    DEFAULT_TIMEOUT,
    DOMAIN,
    LOGGER,
)
from .miele.client import MieleClient
from .miele.credentials import (
    GroupCredentials,
    validate_group_id,
    validate_group_key,
    validate_host,
)
from .miele.exceptions import (
    MieleAuthError,
    MieleCommissioningError,
    MieleConfigError,
    MieleError,
    MieleProtocolError,
)
from .miele.models import DeviceType, Ident
from .miele.supervision import LISTENER_DEVICE_TYPE

if TYPE_CHECKING:
    from collections.abc import Mapping

    from homeassistant.helpers.service_info.dhcp import DhcpServiceInfo
    from homeassistant.helpers.service_info.zeroconf import ZeroconfServiceInfo

CONF_PAIRING_KEY = "pairing_key"
NEW_KEY = "new"
APPLIANCE_PORT = 80
"""Port of the appliance's HTTP API, assumed for an address learnt over DHCP."""

_PASSWORD = TextSelector(TextSelectorConfig(type=TextSelectorType.PASSWORD))


def key_fields(
    group_id: str | None = None, *, key_optional: bool = False
) -> dict[Any, Any]:
    """Return schema fields for GroupID (prefilled when known) and GroupKey."""
    key_marker = vol.Optional if key_optional else vol.Required
    return {
        vol.Required(CONF_GROUP_ID, default=group_id or vol.UNDEFINED): str,
        key_marker(CONF_GROUP_KEY): _PASSWORD,
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


def _client(
    hass: HomeAssistant, host: str, credentials: GroupCredentials
) -> MieleClient:
    """
    Create a client on Home Assistant's session, serialised with the host's pollers.

    The client and the pool slot both use the normalised host, so a user's spelling
    (" Washer.local ") shares the one slot of the pollers and never overlaps them.
    """
    pool = get_manager(hass).get_connection_pool()
    validated = validate_host(host)
    return MieleClient(
        validated,
        credentials,
        session=async_get_clientsession(hass),
        timeout=DEFAULT_TIMEOUT,
        limiter=lambda: pool.slot(validated),
    )


async def _async_first_ident(client: MieleClient) -> Ident:
    """Read `/Devices/` and the full Ident of the (first) appliance behind the host."""
    devices = await client.get_devices()
    if not devices:
        raise MieleProtocolError(f"{client.host}/Devices/: no appliance listed")
    return await client.get_ident(next(iter(devices)))


async def async_read_ident(
    hass: HomeAssistant, host: str, credentials: GroupCredentials
) -> Ident:
    """Identify the appliance at `host` with signed reads using `credentials`."""
    return await _async_first_ident(_client(hass, host, credentials))


async def async_commission(
    hass: HomeAssistant, host: str, credentials: GroupCredentials
) -> None:
    """Pair an appliance in setup mode with `credentials` (verify with `async_read_ident`)."""
    await _client(hass, host, credentials).commission(credentials)


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
    if isinstance(err, MieleAuthError):
        return "invalid_auth"
    if isinstance(err, MieleCommissioningError):
        return "not_in_setup_mode"
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


def _discovered_host(address: str, port: int | None) -> str:
    """Format a discovered address (and a non-default port) as a `validate_host` value."""
    ip = ipaddress.ip_address(address)
    host = f"[{ip}]" if ip.version == 6 else str(ip)
    return host if port in (None, 80) else f"{host}:{port}"


class MieleLocalConfigFlow(ConfigFlow, domain=DOMAIN):
    """Add one Miele appliance (one host) per config entry."""

    VERSION = 1

    _ident: Ident
    _credentials: GroupCredentials

    def __init__(self) -> None:
        """Start with nothing known about the appliance."""
        self._host = ""
        self._advertised_group = ""
        self._new_key: GroupCredentials | None = None
        self._sent_keys: list[GroupCredentials] = []
        self._commissioned: GroupCredentials | None = None

    @staticmethod
    @callback
    def async_get_options_flow(config_entry: ConfigEntry) -> MieleLocalOptionsFlow:
        """Scan interval, timeout and retries."""
        return MieleLocalOptionsFlow()

    async def _async_validate(
        self, host: str, credentials: GroupCredentials, errors: dict[str, str]
    ) -> Ident | None:
        """Read the appliance's Ident with a signed request; record a form error on failure."""
        try:
            return await async_read_ident(self.hass, host, credentials)
        except Exception as err:  # noqa: BLE001  # error_key logs unexpected errors
            errors["base"] = error_key(err)
        return None

    async def _async_create_or_update(
        self, host: str, credentials: GroupCredentials, ident: Ident
    ) -> ConfigFlowResult:
        """Create the entry, or refresh host and key of the entry for this appliance."""
        data = entry_data(host, credentials, ident)
        await self.async_set_unique_id(ident.fab_number, raise_on_progress=False)
        self._abort_if_unique_id_configured(updates=data)
        return self.async_create_entry(title=appliance_title(ident), data=data)

    async def async_step_user(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for the host and the household key (no key: pair a new appliance)."""
        errors: dict[str, str] = {}
        if user_input is not None:
            try:
                self._host = validate_host(user_input[CONF_HOST])
            except MieleConfigError:
                errors[CONF_HOST] = "invalid_host"
            else:
                if not (
                    user_input.get(CONF_GROUP_ID) or user_input.get(CONF_GROUP_KEY)
                ):
                    return await self.async_step_pair()
                if (credentials := parse_credentials(user_input, errors)) and (
                    ident := await self._async_validate(self._host, credentials, errors)
                ):
                    return await self._async_create_or_update(
                        self._host, credentials, ident
                    )
        return self.async_show_form(
            step_id="user",
            data_schema=self.add_suggested_values_to_schema(
                vol.Schema(
                    {
                        vol.Required(CONF_HOST): str,
                        vol.Optional(CONF_GROUP_ID): str,
                        vol.Optional(CONF_GROUP_KEY): _PASSWORD,
                    }
                ),
                user_input,
            ),
            errors=errors,
        )

    def _known_groups(self) -> dict[str, GroupCredentials]:
        """Household keys of the configured entries, by GroupID."""
        return {
            entry.data[CONF_GROUP_ID]: GroupCredentials.from_hex(
                entry.data[CONF_GROUP_ID], entry.data[CONF_GROUP_KEY]
            )
            for entry in self._async_current_entries(include_ignore=False)
        }

    async def async_step_pair(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Commission an appliance in setup mode with a new or an existing household key."""
        errors: dict[str, str] = {}
        known = self._known_groups()
        if user_input is not None:
            choice = user_input[CONF_PAIRING_KEY]
            try:
                credentials, ident = await self._async_pair(
                    known.get(choice) or self._generated_key()
                )
            except Exception as err:  # noqa: BLE001  # error_key logs unexpected errors
                errors["base"] = error_key(err)
            else:
                return await self._async_create_or_update(
                    self._host, credentials, ident
                )
        options = [SelectOptionDict(value=NEW_KEY, label=NEW_KEY)] + [
            SelectOptionDict(value=group_id, label=group_id) for group_id in known
        ]
        default = self._advertised_group if self._advertised_group in known else NEW_KEY
        return self.async_show_form(
            step_id="pair",
            data_schema=vol.Schema(
                {
                    vol.Required(CONF_PAIRING_KEY, default=default): SelectSelector(
                        SelectSelectorConfig(
                            options=options, translation_key=CONF_PAIRING_KEY
                        )
                    )
                }
            ),
            description_placeholders={CONF_HOST: self._host},
            errors=errors,
        )

    def _generated_key(self) -> GroupCredentials:
        """Return this flow's new household key: generated once, reused on every retry."""
        if self._new_key is None:
            self._new_key = GroupCredentials.generate()
        return self._new_key

    async def _async_pair(
        self, chosen: GroupCredentials
    ) -> tuple[GroupCredentials, Ident]:
        """
        Commission `chosen` unless an earlier submit did, then verify with a signed read.

        When the appliance refuses commissioning, a key this flow sent before may have been
        accepted with its answer lost: a signed read with it tells.
        """
        commissioned = self._commissioned
        if commissioned is None:
            sent_before = list(self._sent_keys)
            if chosen not in sent_before:
                self._sent_keys.append(chosen)
            try:
                await async_commission(self.hass, self._host, chosen)
            except MieleCommissioningError:
                for credentials in sent_before:
                    with suppress(MieleError):
                        ident = await async_read_ident(
                            self.hass, self._host, credentials
                        )
                        return credentials, ident
                raise
            commissioned = self._commissioned = chosen
        try:
            return commissioned, await async_read_ident(
                self.hass, self._host, commissioned
            )
        except MieleAuthError:
            # The appliance was reset again meanwhile: commission on the next submit.
            self._commissioned = None
            raise

    async def async_step_zeroconf(
        self, discovery_info: ZeroconfServiceInfo
    ) -> ConfigFlowResult:
        """Handle an appliance advertised over mDNS (TXT: group, devicetype, pairing)."""
        if discovery_info.properties.get("devicetype") == str(LISTENER_DEVICE_TYPE):
            return self.async_abort(reason="push_listener")
        host = _discovered_host(str(discovery_info.ip_address), discovery_info.port)
        group = str(discovery_info.properties.get("group", "")).strip().upper()
        self._advertised_group = group
        resetter = get_manager(self.hass).get_device_resetter()
        for entry in self._async_current_entries(include_ignore=False):
            if entry.data[CONF_HOST] == host:
                resetter.note_advertised_group(entry.data[CONF_DEVICE_ID], group)
        known = self._known_groups()
        return await self._async_discovered(
            host,
            type_title(discovery_info.properties.get("devicetype")),
            [known[group]] if group in known else [],
            discovery_info.hostname.lower().removesuffix(".").removesuffix(".local"),
        )

    async def async_step_dhcp(
        self, discovery_info: DhcpServiceInfo
    ) -> ConfigFlowResult:
        """Handle an address handed out to a device with Miele's MAC prefix."""
        return await self._async_discovered(
            _discovered_host(discovery_info.ip, APPLIANCE_PORT),
            discovery_info.hostname or type_title(None),
            list(self._known_groups().values()),
            format_mac(discovery_info.macaddress),
        )

    async def _async_discovered(
        self,
        host: str,
        name: str,
        candidates: list[GroupCredentials],
        provisional_id: str,
    ) -> ConfigFlowResult:
        """
        Learn the FabNumber with a known key, update a known appliance or offer setup.

        Without a working key the flow is known by `provisional_id` (MAC or mDNS host name)
        until the FabNumber replaces it, so that ignoring the discovery sticks.
        """
        self._host = host
        self.context["title_placeholders"] = {"name": name, CONF_HOST: host}
        for credentials in candidates:
            try:
                ident = await async_read_ident(self.hass, host, credentials)
            except MieleError:
                continue
            await self.async_set_unique_id(ident.fab_number)
            self._abort_if_unique_id_configured(updates={CONF_HOST: host})
            self._ident, self._credentials = ident, credentials
            return await self.async_step_discovery_confirm()
        await self.async_set_unique_id(provisional_id)
        self._abort_if_unique_id_configured()
        self._async_abort_entries_match({CONF_HOST: host})
        if any(
            flow["context"].get("title_placeholders", {}).get(CONF_HOST) == host
            for flow in self._async_in_progress()
        ):
            return self.async_abort(reason="already_in_progress")
        return self.async_show_menu(
            step_id="discovery",
            menu_options=["discovery_keys", "pair"],
            description_placeholders={"name": name, CONF_HOST: host},
        )

    async def async_step_discovery_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Confirm adding a discovered appliance that already answers to a known key."""
        if user_input is not None:
            return self.async_create_entry(
                title=appliance_title(self._ident),
                data=entry_data(self._host, self._credentials, self._ident),
            )
        self._set_confirm_only()
        return self.async_show_form(
            step_id="discovery_confirm",
            description_placeholders={
                "name": appliance_title(self._ident),
                CONF_HOST: self._host,
                CONF_GROUP_ID: self._credentials.group_id,
            },
        )

    async def async_step_discovery_keys(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask the household key of a discovered appliance."""
        errors: dict[str, str] = {}
        if (
            user_input is not None
            and (credentials := parse_credentials(user_input, errors))
            and (ident := await self._async_validate(self._host, credentials, errors))
        ):
            return await self._async_create_or_update(self._host, credentials, ident)
        return self.async_show_form(
            step_id="discovery_keys",
            data_schema=vol.Schema(key_fields(self._advertised_group)),
            description_placeholders={CONF_HOST: self._host},
            errors=errors,
        )

    async def async_step_reauth(
        self, entry_data: Mapping[str, Any]
    ) -> ConfigFlowResult:
        """Start when the appliance refuses the stored key."""
        return await self.async_step_reauth_confirm()

    async def async_step_reauth_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask a new household key for the same appliance."""
        entry = self._get_reauth_entry()
        return await self._async_update_keys(
            "reauth_confirm", entry, entry.data[CONF_HOST], user_input
        )

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Change the host and, optionally, the household key of an appliance."""
        entry = self._get_reconfigure_entry()
        host = entry.data[CONF_HOST]
        errors: dict[str, str] = {}
        if user_input is not None:
            try:
                host = validate_host(user_input[CONF_HOST])
            except MieleConfigError:
                errors[CONF_HOST] = "invalid_host"
        return await self._async_update_keys(
            "reconfigure", entry, host, user_input, errors, ask_host=True
        )

    async def _async_update_keys(
        self,
        step_id: str,
        entry: ConfigEntry,
        host: str,
        user_input: dict[str, Any] | None,
        errors: dict[str, str] | None = None,
        *,
        ask_host: bool = False,
    ) -> ConfigFlowResult:
        """Validate new settings against the same appliance, then update and reload."""
        errors = errors if errors is not None else {}
        if user_input is not None:
            credentials = parse_credentials(
                user_input, errors, fallback_key=entry.data[CONF_GROUP_KEY]
            )
            if credentials:
                ident = await self._async_validate(host, credentials, errors)
                if ident:
                    await self.async_set_unique_id(ident.fab_number)
                    self._abort_if_unique_id_mismatch(reason="wrong_device")
                    return self.async_update_reload_and_abort(
                        entry, data_updates=entry_data(host, credentials, ident)
                    )
        fields: dict[Any, Any] = (
            {vol.Required(CONF_HOST, default=host): str} if ask_host else {}
        )
        fields |= key_fields(
            entry.data[CONF_GROUP_ID], key_optional=self.source != SOURCE_REAUTH
        )
        return self.async_show_form(
            step_id=step_id,
            data_schema=vol.Schema(fields),
            description_placeholders={"name": entry.title, CONF_HOST: host},
            errors=errors,
        )


def _count(minimum: int, maximum: int) -> NumberSelector:
    """Return a selector for a whole number in a box."""
    return NumberSelector(
        NumberSelectorConfig(
            min=minimum, max=maximum, step=1, mode=NumberSelectorMode.BOX
        )
    )


def _seconds(minimum: int, maximum: int) -> NumberSelector:
    """Whole seconds in a box."""
    return NumberSelector(
        NumberSelectorConfig(
            min=minimum,
            max=maximum,
            step=1,
            mode=NumberSelectorMode.BOX,
            unit_of_measurement="s",
        )
    )


class MieleLocalOptionsFlow(OptionsFlowWithReload):
    """Polling interval, request timeout and read retries; the entry reloads on change."""

    async def async_step_init(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Show and store the options."""
        if user_input is not None:
            return self.async_create_entry(
                data={
                    key: value if isinstance(value, bool) else int(value)
                    for key, value in user_input.items()
                }
            )
        options = self.config_entry.options
        return self.async_show_form(
            step_id="init",
            data_schema=vol.Schema(
                {
                    vol.Required(
                        CONF_SCAN_INTERVAL,
                        default=options.get(CONF_SCAN_INTERVAL, DEFAULT_SCAN_INTERVAL),
                    ): _seconds(5, 3600),
                    vol.Required(
                        CONF_TIMEOUT, default=options.get(CONF_TIMEOUT, DEFAULT_TIMEOUT)
                    ): _seconds(1, 60),
                    vol.Required(
                        CONF_RETRIES, default=options.get(CONF_RETRIES, DEFAULT_RETRIES)
                    ): _count(0, 10),
                    vol.Required(
                        CONF_PUSH, default=options.get(CONF_PUSH, False)
                    ): BooleanSelector(),
                    vol.Required(
                        CONF_PUSH_PORT,
                        default=options.get(CONF_PUSH_PORT, DEFAULT_PUSH_PORT),
                    ): _count(1024, 65535),
                }
            ),
        )
