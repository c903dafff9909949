"""The soak: faults, actions and recovery of many appliances in real time.

Simulated appliances switch between faults at random while the integration polls them
inside a Home Assistant test instance and random actions are sent.

Run by ``scripts/soak`` (``-m soak``); ``scripts/test`` never collects this directory.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path
import random
import sys
import tracemalloc
from typing import TYPE_CHECKING
from unittest.mock import patch

from homeassistant.setup import async_setup_component
import pytest
from zeroconf import IPVersion
from zeroconf.asyncio import AsyncZeroconf

from custom_components.miele_local.const import DOMAIN
from mielelocal.credentials import GroupCredentials
from simulator.device import SimulatedAppliance
from simulator.mdns import MdnsAdvertiser

from .faults import FaultCampaign
from .home import SCAN_INTERVAL, TIMEOUT, Home, stress_pace
from .observe import ActionLedger, LogWatch, LoopWatch, Resources, is_wake
from .report import ActionCounts, SoakReport

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Callable, Iterator

    from homeassistant.core import HomeAssistant

pytestmark = [
    pytest.mark.soak,
    pytest.mark.usefixtures("socket_enabled", "enable_custom_integrations"),
]

KINDS = ("washer", "tumble_dryer", "dishwasher", "oven", "fridge_freezer", "hood",
         "coffee_machine")  # fmt: skip
WARM_UP_BOUND = 60.0
SAMPLE_PERIOD = 0.5
LOOPBACK = "127.0.0.1"


def loopback_zeroconf() -> AsyncZeroconf:
    """Return an mDNS stack on the loopback interface only: nothing leaves the machine."""
    return AsyncZeroconf(interfaces=[LOOPBACK], ip_version=IPVersion.V4Only)


@pytest.fixture
def loopback_mdns() -> Iterator[None]:
    """Home Assistant's zeroconf on the loopback interface, as the simulators' announcer."""
    with (
        patch(
            "homeassistant.components.zeroconf._async_get_zc_args",
            return_value={"interfaces": [LOOPBACK], "ip_version": IPVersion.V4Only},
        ),
        patch("homeassistant.components.zeroconf.install_multiple_zeroconf_catcher"),
    ):
        yield


@pytest.fixture
async def fleet(
    soak_option: Callable[[str], object], loopback_mdns: None
) -> AsyncIterator[list[SimulatedAppliance]]:
    """Paired appliances of mixed types, each with its own household key, on 127.0.0.1.

    Every other one announces itself over mDNS (on the loopback interface), so a reset is
    told from a changed key for those (the repair) and not for the others
    (re-authentication).
    """
    count = int(str(soak_option("appliances")))
    sims = [
        SimulatedAppliance(
            KINDS[index % len(KINDS)],
            credentials=GroupCredentials.generate(),
            host=LOOPBACK,
            speed=20.0,
            wake_delay=1.0,
        )
        for index in range(count)
    ]
    async with MdnsAdvertiser(LOOPBACK, zeroconf_factory=loopback_zeroconf) as mdns:
        for sim in sims:
            await sim.start()
        for sim in sims[::2]:
            await mdns.add(sim)
        yield sims
        for sim in sims:
            await sim.stop()


async def wait_until_healthy(home: Home, since: datetime, bound: float) -> list[str]:
    """Wait up to ``bound`` s for every appliance to be healthy; return those that are not."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + bound
    while True:
        home.note_reauth_flows()
        pending = [d for d in home.entries if not home.healthy_since(d, since)]
        if not pending or loop.time() >= deadline:
            return [home.describe(device_id) for device_id in pending]
        await asyncio.sleep(SAMPLE_PERIOD)


async def watch(home: Home, campaign: FaultCampaign) -> None:
    """Until cancelled: note successful reads and re-authentication."""
    while True:
        for device_id in home.appliances:
            if (success := home.last_success(device_id)) is not None:
                campaign.note_success(device_id, success)
        home.note_reauth_flows()
        await asyncio.sleep(SAMPLE_PERIOD)


async def act(home: Home, rng: random.Random, seconds: float) -> list[str]:
    """Random actions every 0.5-2 s for ``seconds``; return the ones that crashed."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    pending: list[asyncio.Task[None]] = []
    while loop.time() < deadline:
        await asyncio.sleep(rng.uniform(0.5, 2.0))
        pending.append(loop.create_task(home.random_action(rng)))
    results = await asyncio.gather(*pending, return_exceptions=True)
    return [repr(result) for result in results if isinstance(result, BaseException)]


def count_actions(home: Home, ledger: ActionLedger) -> ActionCounts:
    """Compare actions asked, PUTs sent and actions applied, per appliance."""
    counts = ActionCounts()
    for device_id, sim in home.appliances.items():
        sent = ledger.sent.get(device_id, [])
        received = [dict(a) for a in sim.actions if not is_wake(a)]
        requested = ledger.requested[device_id]
        counts.requested += requested
        counts.sent += len(sent)
        counts.received += len(received)
        counts.acknowledged += ledger.acknowledged[device_id]
        counts.refused += ledger.refused[device_id]
        unmatched = iter(sent)
        in_order = all(any(payload == s for s in unmatched) for payload in received)
        counts.duplicates += max(0, len(sent) - requested) + (0 if in_order else 1)
    return counts


async def test_soak(
    hass: HomeAssistant,
    fleet: list[SimulatedAppliance],
    soak_option: Callable[[str], object],
) -> None:
    """Faults, actions and recovery; see docs/reliability.md for what is checked."""
    seconds = float(str(soak_option("duration")))
    bound = float(str(soak_option("recovery")))
    seed_option = soak_option("seed")
    seed = (
        random.SystemRandom().randrange(2**32)
        if seed_option is None
        else int(str(seed_option))
    )
    rng = random.Random(seed)  # noqa: S311  # a reproducible schedule, not a secret
    home = Home.of(hass, fleet)
    logs, loop_watch, ledger = LogWatch(home.keys.values()), LoopWatch(), ActionLedger()
    tracemalloc.start()
    with (
        stress_pace(),
        logs.attached(),
        loop_watch.attached(hass.loop),
        ledger.observing(),
    ):
        home.add_entries()
        for domain in ("repairs", DOMAIN):
            if not await async_setup_component(hass, domain, {}):
                pytest.fail(f"{domain} did not set up")
        await hass.async_block_till_done()
        if not_ready := await wait_until_healthy(
            home, datetime.min.replace(tzinfo=UTC), WARM_UP_BOUND
        ):
            pytest.fail(f"not healthy before any fault: {not_ready}")
        start = Resources.sample()

        campaign = FaultCampaign(fleet, home.pair_again, rng)
        watcher = hass.loop.create_task(watch(home, campaign))
        actions = hass.loop.create_task(act(home, rng, seconds))
        await campaign.run(seconds)
        action_crashes = await actions
        await campaign.calm()
        calm_at = datetime.now(UTC)
        stuck = await wait_until_healthy(home, calm_at, bound)
        recovered_after = (datetime.now(UTC) - calm_at).total_seconds()
        await asyncio.sleep(2 * SAMPLE_PERIOD)
        watcher.cancel()
        await asyncio.wait([watcher])
        for device_id in home.entries:
            if (success := home.last_success(device_id)) is not None:
                campaign.note_success(device_id, success)
        end = Resources.sample()
        for entry in home.entries.values():
            await hass.config_entries.async_unload(entry.entry_id)
        await hass.async_block_till_done()
    tracemalloc.stop()

    report = SoakReport(
        command=str(soak_option("command")) or " ".join(sys.argv),
        seconds=seconds,
        appliances=len(fleet),
        announced=len(fleet[::2]),
        scan_interval=SCAN_INTERVAL,
        timeout=TIMEOUT,
        seed=seed,
        episodes=campaign.episodes,
        recoveries=campaign.recoveries,
        actions=count_actions(home, ledger),
        start=start,
        end=end,
        log_records=logs.records,
        log_levels=logs.by_level,
        errors_with_traceback=logs.errors_with_traceback,
        setup_errors=logs.setup_errors,
        loop_exceptions=loop_watch.contexts,
        action_crashes=action_crashes,
        key_leaks=logs.key_leaks,
        stuck=stuck,
        recovery_bound=bound,
        recovery_seconds=recovered_after,
        requests_served=sum(sim.requests.total for sim in home.appliances.values()),
        overlapping_requests=sum(sim.overlapping_requests for sim in fleet),
        reauth_entries=len(home.reauth_entries),
    )
    sys.stdout.write("\n" + report.markdown())
    if path := str(soak_option("report")):
        report.write_into(Path(path))
    if failures := report.failures():
        pytest.fail("; ".join(failures))
