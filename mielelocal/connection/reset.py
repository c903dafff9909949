"""Detecting and recovering from an appliance's factory (network) reset.

After a reset the appliance drops its pairing: the host still answers, but signed requests
with the old key are refused with 401/403 (or 404, from a module that has no household key at
all: the client raises :class:`MieleAuthError` for it too), and its mDNS TXT ``group``
becomes empty. A timeout
is never evidence of a reset. An mDNS advertisement counts only while it is newer than the
last successful exchange and at most ``advertisement_max_age`` old. Recovery commissions the
stored key again, only when the last evidence says the pairing was lost, and works only while
the appliance is unpaired.

There is no documented local endpoint that resets an appliance, so :meth:`initiate_reset`
never sends a request: it forgets our side of the pairing and returns instructions for a reset
from the appliance's panel.

``DeviceResetter()`` works on its own (its own health bookkeeping, clients built from the
profile); the :class:`ConnectionManager`'s resetter shares the manager's clients and health.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
import logging
import time
from typing import TYPE_CHECKING

from mielelocal.client import MieleClient
from mielelocal.exceptions import (
    DeviceResetError,
    MieleAuthError,
    MieleCommissioningError,
    MieleError,
)

from .health import ConnectionHealthMonitor, error_kind

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from .profile import DeviceProfile

_LOGGER = logging.getLogger(__name__)

ADVERTISEMENT_MAX_AGE = (
    900.0  # seconds an mDNS ``group`` is believed without a newer one
)

RESET_INSTRUCTIONS = (
    "Our pairing with the appliance was forgotten. To reset the appliance itself, use its "
    "control panel: open Settings, then 'Miele@home' (or 'Networking'), and choose "
    "'Reset' / 'Restore network settings' (the exact wording depends on the model; see its "
    "manual). Afterwards pair it again with a new or the stored key."
)


@dataclass(frozen=True, slots=True)
class ResetEvidence:
    """What the last detection or recovery found out about one appliance."""

    device_id: str
    host_answers: bool = False
    ident_refused: bool = False
    state_refused: bool = False
    advertised_group: str | None = None
    advertised_unpaired: bool = False
    advertised_foreign: bool = False
    reset_detected: bool = False
    needs_new_key: bool = False
    recovered: bool = False
    reasons: tuple[str, ...] = ()


class DeviceResetter:
    """Gathers reset evidence and re-commissions appliances after a reset.

    Without arguments it keeps its own :class:`ConnectionHealthMonitor` and builds a
    client (with its own HTTP session, ``connection_timeout``) from the profile for each
    recovery; a recovered client belongs to the caller, a failed one is closed.
    """

    def __init__(
        self,
        monitor: ConnectionHealthMonitor | None = None,
        *,
        get_client: Callable[[str, DeviceProfile], Awaitable[MieleClient]]
        | None = None,
        forget_device: Callable[[str], Awaitable[None]] | None = None,
        connection_timeout: float = 10.0,
        advertisement_max_age: float = ADVERTISEMENT_MAX_AGE,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._monitor = monitor or ConnectionHealthMonitor(clock=clock)
        self._owns_clients = get_client is None
        self._get_client = get_client or self._client_from_profile
        self._forget_device = forget_device or self._monitor.clear_history
        self._connection_timeout = connection_timeout
        self._advertisement_max_age = advertisement_max_age
        self._clock = clock
        self._evidence: dict[str, ResetEvidence] = {}
        self._advertised: dict[str, tuple[str, float]] = {}  # group, when it was seen
        # Devices warned about; kept across forget() so setup retries warn only once.
        self._warned: set[str] = set()

    async def _client_from_profile(
        self, device_id: str, profile: DeviceProfile
    ) -> MieleClient:
        """Build a standalone client for ``profile`` (it owns its HTTP session)."""
        return MieleClient(
            profile.host, profile.credentials, timeout=self._connection_timeout
        )

    def last_evidence(self, device_id: str) -> ResetEvidence | None:
        """Return the evidence of the last detection or recovery, if any."""
        return self._evidence.get(device_id)

    def note_advertised_group(self, device_id: str, group: str | None) -> None:
        """Remember the mDNS TXT ``group`` seen now (empty: unpaired; ``None``: forget it)."""
        if group is None:
            self._advertised.pop(device_id, None)
        else:
            self._advertised[device_id] = (group.strip().upper(), self._clock())

    def forget(self, device_id: str) -> None:
        """Forget the appliance's evidence and advertised group (it was removed)."""
        self._evidence.pop(device_id, None)
        self._advertised.pop(device_id, None)

    def _current_advertisement(self, device_id: str, reasons: list[str]) -> str | None:
        """Return the advertised group unless it is stale (then it is dropped)."""
        advertised = self._advertised.get(device_id)
        if advertised is None:
            return None
        group, seen_at = advertised
        last_success = self._monitor.last_success_at(device_id)
        if last_success is not None and seen_at < last_success:
            reasons.append(
                "mDNS advertisement predates the last successful exchange: ignored"
            )
        elif self._clock() - seen_at > self._advertisement_max_age:
            reasons.append(
                f"mDNS advertisement older than {self._advertisement_max_age:g} s: "
                "ignored"
            )
        else:
            return group
        del self._advertised[device_id]
        return None

    async def detect_factory_reset(self, client: MieleClient, device_id: str) -> bool:
        """Return whether the appliance lost its pairing, recording :class:`ResetEvidence`.

        Concludes a reset only when the host answers and both signed Ident and State reads
        are refused with 401/403/404 (and a current mDNS advertisement does not show our own
        group); then the health state becomes ``pairing_lost``.
        """
        reasons: list[str] = []
        try:
            status = await client.probe()
        except MieleError as err:
            reasons.append(
                f"host does not answer ({error_kind(err)}): a network problem, "
                "not evidence of a reset"
            )
            return await self._conclude(
                ResetEvidence(device_id, reasons=tuple(reasons))
            )
        reasons.append(f"host answers (HTTP {status})")
        ident_refused = await self._refused(
            client.get_ident(device_id), "Ident", reasons
        )
        state_refused = await self._refused(
            client.get_state(device_id), "State", reasons
        )
        group = self._current_advertisement(device_id, reasons)
        unpaired = group == ""
        foreign = bool(group) and group != client.group_id
        ours = group == client.group_id
        if unpaired:
            reasons.append("mDNS advertises no group: the appliance is unpaired")
        elif foreign:
            reasons.append("mDNS advertises the group of another household")
        elif ours:
            reasons.append(
                "mDNS still advertises our group: the stored key may be wrong"
            )
        evidence = ResetEvidence(
            device_id,
            host_answers=True,
            ident_refused=ident_refused,
            state_refused=state_refused,
            advertised_group=group,
            advertised_unpaired=unpaired,
            advertised_foreign=foreign,
            reset_detected=ident_refused and state_refused and not ours,
            reasons=tuple(reasons),
        )
        return await self._conclude(evidence)

    @staticmethod
    async def _refused(read: Awaitable[object], name: str, reasons: list[str]) -> bool:
        try:
            await read
        except MieleAuthError as err:
            reasons.append(f"signed {name} read refused (HTTP {err.status})")
            return True
        except MieleError as err:
            reasons.append(
                f"signed {name} read failed ({error_kind(err)}): inconclusive"
            )
            return False
        reasons.append(f"signed {name} read succeeded: still paired")
        return False

    async def _conclude(self, evidence: ResetEvidence) -> bool:
        self._evidence[evidence.device_id] = evidence
        if not evidence.reset_detected:
            self._warned.discard(evidence.device_id)
        else:
            already_known = evidence.device_id in self._warned
            self._warned.add(evidence.device_id)
            _LOGGER.log(
                logging.DEBUG if already_known else logging.WARNING,
                "Appliance %s lost its pairing: %s",
                evidence.device_id,
                "; ".join(evidence.reasons),
            )
            await self._monitor.mark_pairing_lost(evidence.device_id)
        return evidence.reset_detected

    async def recover_from_reset(
        self, device_id: str, profile: DeviceProfile
    ) -> tuple[bool, MieleClient | None]:
        """Commission the profile's stored key again and verify it with a signed Ident read.

        Only done when the last evidence (gathered now if there is none) says the pairing
        was lost and it was not recovered since: the key is never sent to just any host.
        Returns ``(True, client)`` on success (health back to ``healthy``, one reconnect
        counted), ``(False, None)`` otherwise, with the reason in :meth:`last_evidence`.
        """
        client = await self._get_client(device_id, profile)
        recovered = False
        try:
            recovered = await self._recover(device_id, profile, client)
        finally:
            if self._owns_clients and not recovered:
                await client.close()
        return (True, client) if recovered else (False, None)

    async def _recover(
        self, device_id: str, profile: DeviceProfile, client: MieleClient
    ) -> bool:
        if device_id not in self._evidence:
            await self.detect_factory_reset(client, device_id)
        evidence = self._evidence[device_id]
        if not evidence.reset_detected or evidence.recovered:
            return self._failed(
                evidence, f"no evidence that {profile.host} lost its pairing"
            )
        try:
            await client.commission(profile.credentials)
        except MieleCommissioningError:
            return self._failed(
                evidence,
                "commissioning refused: the appliance is paired to something else; "
                "it needs a new key (pair it again)",
                needs_new_key=True,
            )
        except MieleError as err:
            return self._failed(evidence, f"commissioning failed ({error_kind(err)})")
        try:
            await client.get_ident(device_id)
        except MieleError as err:
            return self._failed(
                evidence, f"verification after commissioning failed ({error_kind(err)})"
            )
        self._evidence[device_id] = replace(
            evidence,
            recovered=True,
            reasons=(*evidence.reasons, "stored key commissioned and verified"),
        )
        self._advertised.pop(device_id, None)
        self._warned.discard(device_id)
        self._monitor.record_reconnect(device_id)
        await self._monitor.mark_recovered(device_id)
        _LOGGER.debug("Appliance %s paired again with the stored key", device_id)
        return True

    def _failed(
        self, evidence: ResetEvidence, reason: str, *, needs_new_key: bool = False
    ) -> bool:
        self._evidence[evidence.device_id] = replace(
            evidence,
            needs_new_key=needs_new_key,
            reasons=(*evidence.reasons, reason),
        )
        _LOGGER.debug("Recovery of %s failed: %s", evidence.device_id, reason)
        return False

    async def initiate_reset(
        self, client: MieleClient, device_id: str, *, confirm: bool = False
    ) -> str:
        """Forget our pairing (cached client, health history) and return reset instructions.

        No request is sent through ``client`` or otherwise: there is no documented local
        reset endpoint, and guessed URLs could do anything. Raises
        :class:`DeviceResetError` unless ``confirm`` is true.
        """
        if not confirm:
            raise DeviceResetError(
                f"Not resetting {device_id}: an appliance can only be reset from its own "
                "control panel, and this would forget our pairing with it. Call "
                "initiate_reset(client, device_id, confirm=True) to forget the pairing "
                "and get the instructions."
            )
        await self._forget_device(device_id)
        self.forget(device_id)
        _LOGGER.debug("Forgot the pairing of %s at %s", device_id, client.host)
        return RESET_INSTRUCTIONS
