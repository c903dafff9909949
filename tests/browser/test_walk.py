"""
A person's walk through `scripts/develop` in Chromium, from onboarding to a removed appliance.

Each appliance added (by host, from its Discovered card, by pairing) leaves Discovered, and
the removed one comes back there. Selectors prefer Home Assistant's form field names and element names over English labels
(flow texts change); Home Assistant's own buttons are found by their (stable) names.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

from playwright.async_api import Error as PlaywrightError, Locator, Page, expect
import pytest

from tests.e2e.conftest import COMPONENT, wait_for

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable
    from pathlib import Path

    from .conftest import ConsoleErrors, DevHousehold

DOMAIN = "miele_local"
OWNER = {
    "name": "Dev Owner",
    "username": "dev",
    "password": "dev-password",
    "password_confirm": "dev-password",
}
FLOW_DIALOG = "dialog-data-entry-flow"
SUBMIT = re.compile(r"^(Submit|Next|OK)$")
FINISH = re.compile(r"^(Finish|Close|OK)$")


def step_text(step_id: str, key: str) -> str:
    """One text of a config flow step, as `strings.json` has it (English)."""
    strings = json.loads((COMPONENT / "strings.json").read_text())
    return str(strings["config"]["step"][step_id][key])


async def call_ws(page: Page, message: dict[str, Any]) -> Any:
    """A websocket command through the page's own connection (reads only)."""
    await page.wait_for_function(
        "() => document.querySelector('home-assistant')?.hass?.connected"
    )
    return await page.evaluate(
        "(msg) => document.querySelector('home-assistant').hass.callWS(msg)", message
    )


async def onboard(
    page: Page, url: str, shots: Path, console_errors: ConsoleErrors
) -> None:
    """Create the owner account and click through the remaining onboarding steps."""
    console_errors.expected_outage = True
    await page.goto(url)
    await page.get_by_role("button", name="Create my smart home").click()
    for name, value in OWNER.items():
        await page.locator(f"input[name={name}]").fill(value)
    await page.screenshot(path=shots / "01-onboarding.png")
    await page.get_by_role("button", name="Create account").click()
    for _ in range(6):
        if "/onboarding" not in page.url:
            break
        step = page.get_by_role("button", name="Next").or_(
            page.get_by_role("button", name="Finish")
        )
        await step.first.click()
        await page.wait_for_timeout(500)
    await page.wait_for_url(lambda u: "/onboarding" not in u)
    await page.goto(
        url
    )  # a fresh page: the onboarding page's lost connection is behind
    await call_ws(page, {"type": "get_config"})
    await page.wait_for_timeout(3000)  # late reports of the lost connection
    console_errors.expected_outage = False


async def submit_flow(page: Page, dialog: str = FLOW_DIALOG) -> None:
    """Press the flow dialog's own submit button (Home Assistant's label, not ours)."""
    await page.locator(dialog).get_by_role("button", name=SUBMIT).click()


async def close_flow(page: Page, dialog: str = FLOW_DIALOG) -> None:
    """Finish the flow's last page (the "created" page with its area picker)."""
    finish = page.locator(dialog).get_by_role("button", name=FINISH).last  # not the X
    await finish.click()
    await expect(finish).to_be_hidden()


async def entries(page: Page) -> list[dict[str, Any]]:
    """The integration's config entries."""
    result = await call_ws(page, {"type": "config_entries/get", "domain": DOMAIN})
    return list(result)


async def device_of(page: Page, fab_number: str) -> dict[str, Any]:
    """The registered device of one appliance (by FabNumber), waiting until it exists."""

    async def probe() -> dict[str, Any] | None:
        devices = await call_ws(page, {"type": "config/device_registry/list"})
        for device in devices:
            if [DOMAIN, fab_number] in device["identifiers"]:
                return dict(device)
        return None

    return await wait_for(probe, within=60, what=f"the device {fab_number}")


async def entry_of(page: Page, fab_number: str) -> dict[str, Any]:
    """The config entry of one appliance."""
    device = await device_of(page, fab_number)
    return next(
        entry
        for entry in await entries(page)
        if entry["entry_id"] in device["config_entries"]
    )


async def discovery_of(page: Page, host: str) -> dict[str, Any] | None:
    """The integration's flow in progress for the appliance at `host`, if any."""
    flows = await call_ws(page, {"type": "config_entries/flow/progress"})
    return next(
        (
            flow
            for flow in flows
            if flow["handler"] == DOMAIN
            and flow["context"].get("title_placeholders", {}).get("host") == host
        ),
        None,
    )


async def open_integration_page(page: Page, household: DevHousehold) -> None:
    """Load the integration page; a load the frontend's own navigation aborted is redone."""
    url = f"{household.url}/config/integrations/integration/{DOMAIN}"

    async def loaded() -> bool | None:
        try:
            await page.goto(url)
        except PlaywrightError as err:
            if "net::ERR_ABORTED" not in err.message:
                raise
            return None
        return True

    await wait_for(loaded, within=30, what="the integration page to load")


def discovered_item(page: Page, host: str) -> Locator:
    """
    The integration page's Discovered item of the appliance at `host`.

    Its Add button holds the flow (the item shows the flow's name, not always the host).
    """
    return page.locator("ha-list-item-base.discovered").filter(
        has=page.locator(f"flow-host={host}")
    )


async def expect_not_discovered(page: Page, household: DevHousehold, kind: str) -> None:
    """
    The configured appliance has no Discovered card: no flow left, none on the page.

    The fridge-freezer, never added, still shows there: the list is rendered.
    """
    appliance = household.appliances[kind]

    async def gone() -> bool | None:
        return True if await discovery_of(page, appliance.host) is None else None

    await wait_for(gone, within=60, what=f"the discovery of {appliance.host} to end")
    await discovered_card(page, household, "fridge_freezer")
    await expect(discovered_item(page, appliance.host)).to_have_count(0)


async def add_with_key(page: Page, household: DevHousehold, shots: Path) -> None:
    """Add the washer by hand (host, GroupID, GroupKey): its Discovered card goes."""
    washer = household.appliances["washer"]
    await discovered_card(page, household, "washer")
    await page.goto(
        f"{household.url}/config/integrations/dashboard/add?domain={DOMAIN}"
    )
    await page.get_by_role("button", name="OK").click()  # "set up Miele Local?"
    # The appliances were discovered already: Home Assistant offers them first.
    await page.get_by_text("Set up another instance of Miele Local").click()
    dialog = page.locator(FLOW_DIALOG)
    await dialog.locator("input[name=host]").fill(washer.host)
    await dialog.locator("input[name=group_id]").fill(household.credentials.group_id)
    await dialog.locator("input[name=group_key]").fill(
        household.credentials.group_key_hex
    )
    await page.screenshot(path=shots / "02-add-appliance.png")
    await submit_flow(page)
    await close_flow(page)
    await device_of(page, washer.fab_number)
    await expect_not_discovered(page, household, "washer")


async def device_page(
    page: Page, household: DevHousehold, kind: str, shots: Path, name: str
) -> None:
    """Open an appliance's device page; states are translated and entities have icons."""
    appliance = household.appliances[kind]
    device = await device_of(page, appliance.fab_number)
    await page.goto(f"{household.url}/config/devices/device/{device['id']}")
    await expect(page.locator("ha-device-entities-card").first).to_be_visible()
    await page.wait_for_timeout(1500)
    text = await page.locator("ha-config-device-page").inner_text()
    assert "component." not in text, "an untranslated key shows on the device page"
    assert f"{DOMAIN}." not in text
    # A European household (see the browser's locale) onboarded with metric units.
    await expect(page.get_by_text("°C").first).to_be_visible()
    assert await page.get_by_text("°F").count() == 0
    icons = page.locator("ha-device-entities-card ha-state-icon")
    assert await icons.count() > 0
    await page.screenshot(path=shots / name, full_page=True)


async def restart_home_assistant(
    page: Page, household: DevHousehold, console_errors: ConsoleErrors
) -> None:
    """Restart from the UI's service call; `scripts/develop` starts it again (exit 100)."""
    console_errors.expected_outage = True
    await page.evaluate(
        "() => document.querySelector('home-assistant').hass"
        ".callService('homeassistant', 'restart')"
    )
    await page.wait_for_timeout(3000)

    async def back() -> bool | None:
        try:
            await page.goto(f"{household.url}/config/integrations/integration/{DOMAIN}")
            await expect(page.locator("home-assistant")).to_be_attached(timeout=2000)
            await call_ws(page, {"type": "get_config"})
        except Exception:  # noqa: BLE001  # not back yet
            return None
        return True

    await wait_for(back, within=120, what="Home Assistant after its restart")
    await page.wait_for_timeout(3000)  # late reports of the lost connection
    console_errors.expected_outage = False


async def discovered_card(page: Page, household: DevHousehold, kind: str) -> Locator:
    """The one Discovered card of an appliance, with its Add button."""
    host = household.appliances[kind].host
    await wait_for(
        lambda: discovery_of(page, host), within=60, what=f"the discovery of {host}"
    )
    await open_integration_page(page, household)
    card = discovered_item(page, host)
    await expect(card).to_have_count(1)
    await expect(card.get_by_role("button", name="Add", exact=True)).to_be_visible()
    return card


async def add_discovered_with_known_key(
    page: Page, household: DevHousehold, shots: Path
) -> None:
    """One click: the discovered oven answers to the key of the washer added before."""
    await expect_not_discovered(page, household, "washer")  # not back after the restart
    card = await discovered_card(page, household, "oven")
    await page.screenshot(path=shots / "04-discovered.png")
    await card.get_by_role("button", name="Add", exact=True).click()
    dialog = page.locator(FLOW_DIALOG)
    await expect(dialog.locator("step-flow-form")).to_be_visible()
    await page.screenshot(path=shots / "05-discovered-confirm.png")
    await submit_flow(page)
    await close_flow(page)
    await device_of(page, household.appliances["oven"].fab_number)
    await expect_not_discovered(page, household, "oven")


async def pair_setup_mode_appliance(
    page: Page, household: DevHousehold, shots: Path
) -> None:
    """The setup-mode dishwasher's card: pair it (with the household key already known)."""
    card = await discovered_card(page, household, "dishwasher")
    await card.get_by_role("button", name="Add", exact=True).click()
    dialog = page.locator(FLOW_DIALOG)
    await expect(dialog.locator("step-flow-menu")).to_be_visible()
    # The description is rendered as Markdown, a moment after the menu itself.
    await expect(
        dialog.get_by_text(step_text("discovered", "description"))
    ).to_be_visible()
    await page.screenshot(path=shots / "06-discovered-menu.png")
    await dialog.locator(
        "step-flow-menu [data-step=pair], step-flow-menu ha-md-list-item, step-flow-menu ha-list-item"
    ).last.click()
    await expect(dialog.locator("ha-form")).to_be_visible()
    await page.screenshot(path=shots / "07-pair.png")
    await submit_flow(page)
    await close_flow(page)
    await device_of(page, household.appliances["dishwasher"].fab_number)
    # Paired, it announces its new pairing: discovered again, not offered again.
    await expect_not_discovered(page, household, "dishwasher")


async def options(page: Page, household: DevHousehold, shots: Path) -> None:
    """Open the washer's options and save them unchanged."""
    entry = await entry_of(page, household.appliances["washer"].fab_number)
    await page.goto(f"{household.url}/config/integrations/integration/{DOMAIN}")
    row = page.locator("ha-config-entry-row").filter(has_text=entry["title"])
    await row.get_by_role("button", name="Configure").first.click()
    dialog = page.locator(FLOW_DIALOG)
    await expect(dialog.locator("ha-form")).to_be_visible()
    await page.screenshot(path=shots / "08-options.png")
    await submit_flow(page)
    await expect(dialog.locator("ha-form")).to_be_hidden()


async def unavailable_entities(page: Page, device_id: str) -> int:
    """How many of a device's entities are unavailable right now."""
    registry = await call_ws(page, {"type": "config/entity_registry/list"})
    ours = {
        e["entity_id"]
        for e in registry
        if e["device_id"] == device_id and not e["disabled_by"]
    }
    states = await call_ws(page, {"type": "get_states"})
    return sum(
        1 for s in states if s["entity_id"] in ours and s["state"] == "unavailable"
    )


async def offline_and_back(page: Page, household: DevHousehold, shots: Path) -> None:
    """The oven goes offline: its entities become unavailable, then recover."""
    device = await device_of(page, household.appliances["oven"].fab_number)
    healthy = await unavailable_entities(page, device["id"])  # some may be, by design
    await household.fault("oven", "offline")
    await page.goto(f"{household.url}/config/devices/device/{device['id']}")

    async def offline() -> bool | None:
        return (
            True if await unavailable_entities(page, device["id"]) > healthy else None
        )

    await wait_for(offline, within=180, what="the oven to turn unavailable")
    await page.wait_for_timeout(1000)
    await page.screenshot(path=shots / "09-offline.png", full_page=True)
    await household.fault("oven", "none")

    async def back() -> bool | None:
        return (
            True if await unavailable_entities(page, device["id"]) <= healthy else None
        )

    await wait_for(back, within=180, what="the oven to come back")


async def reset_and_repair(page: Page, household: DevHousehold, shots: Path) -> None:
    """
    The paired dishwasher is reset: a repair appears, and its fix flow pairs it again.

    Depends on how a refused key is diagnosed (reset -> repair issue `pairing_lost`).
    """
    await household.fault("dishwasher", "reset")

    async def issue() -> dict[str, Any] | None:
        issues = await call_ws(page, {"type": "repairs/list_issues"})
        return next((i for i in issues["issues"] if i["domain"] == DOMAIN), None)

    found = await wait_for(issue, within=180, what="the repair issue")
    await page.goto(f"{household.url}/config/repairs")
    # The issue's row names the integration ("... by Miele Local"): click it.
    await page.get_by_text(re.compile(r"\bby Miele Local\b")).first.click()
    submit = page.get_by_role("button", name=SUBMIT)
    await expect(submit).to_be_visible()
    await page.wait_for_timeout(1000)  # the dialog's opening animation
    await page.screenshot(path=shots / "10-repair.png")
    await submit.click()
    finish = page.get_by_role("button", name=FINISH).last
    await finish.click()
    await expect(finish).to_be_hidden()

    async def fixed() -> bool | None:
        issues = await call_ws(page, {"type": "repairs/list_issues"})
        return (
            True
            if all(i["issue_id"] != found["issue_id"] for i in issues["issues"])
            else None
        )

    await wait_for(fixed, within=60, what="the repair to be fixed")


async def remove_and_rediscover(
    page: Page, household: DevHousehold, shots: Path
) -> None:
    """
    Delete the washer's entry: its Discovered card comes back, the others stay gone.

    Home Assistant's zeroconf discovers it again (the entry kept its discovery key).
    """
    for kind in ("oven", "dishwasher", "washer"):
        await expect_not_discovered(page, household, kind)
    washer = household.appliances["washer"]
    entry = await entry_of(page, washer.fab_number)
    row = page.locator("ha-config-entry-row").filter(has_text=entry["title"]).first
    await row.get_by_role("button", name="Menu").first.click()
    await row.locator("ha-dropdown-item[value=delete]").first.click()
    confirm = page.locator("dialog-box").get_by_role("button", name="Delete")
    await confirm.click()
    await expect(confirm).to_be_hidden()
    await expect(row).to_have_count(0)

    async def removed() -> bool | None:
        ids = {e["entry_id"] for e in await entries(page)}
        return True if entry["entry_id"] not in ids else None

    await wait_for(removed, within=60, what="the washer's entry to be deleted")
    await discovered_card(page, household, "washer")
    await page.screenshot(path=shots / "11-rediscovered.png")
    for kind in ("oven", "dishwasher"):
        await expect(
            discovered_item(page, household.appliances[kind].host)
        ).to_have_count(0)


@pytest.mark.e2e
@pytest.mark.timeout(900)
async def test_a_person_walks_through_develop(
    household: DevHousehold,
    page: Page,
    screenshots: Path,
    console_errors: ConsoleErrors,
) -> None:
    steps: list[tuple[str, Callable[[], Awaitable[None]]]] = [
        ("onboard", lambda: onboard(page, household.url, screenshots, console_errors)),
        ("add_with_key", lambda: add_with_key(page, household, screenshots)),
        (
            "device_page",
            lambda: device_page(
                page, household, "washer", screenshots, "03-device.png"
            ),
        ),
        ("restart", lambda: restart_home_assistant(page, household, console_errors)),
        (
            "add_discovered",
            lambda: add_discovered_with_known_key(page, household, screenshots),
        ),
        ("pair", lambda: pair_setup_mode_appliance(page, household, screenshots)),
        ("options", lambda: options(page, household, screenshots)),
        ("offline_and_back", lambda: offline_and_back(page, household, screenshots)),
        ("reset_and_repair", lambda: reset_and_repair(page, household, screenshots)),
        (
            "remove_and_rediscover",
            lambda: remove_and_rediscover(page, household, screenshots),
        ),
    ]
    try:
        for name, step in steps:
            console_errors.step = name
            await step()
    finally:
        await page.screenshot(path=screenshots / "last.png", full_page=True)
        (screenshots / "entries.json").write_text(
            json.dumps(await entries(page), indent=2)
        )
        (screenshots / "flows.json").write_text(
            json.dumps(
                await call_ws(page, {"type": "config_entries/flow/progress"}), indent=2
            )
        )
