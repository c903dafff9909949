"""
Harness of the browser test: `scripts/develop`'s household on free ports, and Chromium.

The browser is Debian's `chromium` (installed by `scripts/setup`) driven by Playwright, which
brings no browser of its own here. Every console error of the page fails the test, and so does
an error that Home Assistant logs from `custom_components.miele_local`. Screenshots go to
`.artifacts/browser/` (git-ignored).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field, replace
import logging
import os
import re
import secrets
import shutil
from typing import TYPE_CHECKING, Any

import aiohttp
from playwright.async_api import ConsoleMessage, Error, Page, Request, async_playwright
import pytest

from tests.e2e.conftest import REPO, free_port, load_develop, wait_for_develop

if TYPE_CHECKING:
    from collections.abc import AsyncIterator
    from pathlib import Path

develop = load_develop()
_LOGGER = logging.getLogger(__name__)

ARTIFACTS = REPO / ".artifacts" / "browser"
START_TIMEOUT = 180.0
VIEWPORT = {"width": 1280, "height": 860}
# Home Assistant's log lines that name the integration at ERROR or worse, except the
# DataUpdateCoordinator's own once-per-outage "Error fetching ... data" and "Authentication
# failed while fetching ... data" (the walk takes an appliance offline and resets one on purpose).
INTEGRATION_ERROR = re.compile(
    r"^\S+ \S+ (ERROR|CRITICAL) \([^)]*\) \[custom_components\.miele_local[^\]]*\]"
    r"(?! (Error|Authentication failed while) fetching .* data: ).*$",
    re.MULTILINE,
)


# Images Home Assistant fetches from the internet on the page's behalf (brand icons, map
# tiles): this machine has no internet, so they fail here whatever the integration does.
OFFLINE_ONLY = re.compile(r"/api/(brands|map_tiles)/")
# A promise the frontend leaves unhandled is reported as a bare "Object" page error: this
# script puts what it was (a websocket error's code and message) on the console as well.
EXPLAIN_REJECTIONS = """
window.addEventListener("unhandledrejection", (event) => {
  if (!(event.reason instanceof Error)) {
    console.error("unhandled rejection: " + JSON.stringify(event.reason));
  }
});
"""
# Selector engine `flow-host=<host>`: elements that hold (as Home Assistant's Discovered
# items' Add buttons do) the config flow of the appliance at <host>. Other runs of
# `scripts/develop` on this machine are discovered too, under the same names.
FLOW_HOST_ENGINE = """({
  queryAll(root, host) {
    const found = [];
    const walk = (node) => {
      for (const element of node.querySelectorAll("*")) {
        if (element.flow?.context?.title_placeholders?.host === host) found.push(element);
        if (element.shadowRoot) walk(element.shadowRoot);
      }
    };
    walk(root);
    return found;
  },
  query(root, host) {
    return this.queryAll(root, host)[0] ?? null;
  },
})"""
# The websocket error of a request the frontend had in flight when its page went away.
CONNECTION_LOST = '"code":3,"message":"Connection lost"'
# A European household: metric units, Central European time.
LOCALE = "en-GB"
TIME_ZONE = "Europe/Berlin"


def chromium_path() -> str:
    """Debian's chromium (scripts/setup installs it); fails clearly when it is missing."""
    for name in ("chromium", "chromium-browser"):
        if path := shutil.which(name):
            return path
    raise AssertionError("chromium is not installed: run scripts/setup")


@dataclass(slots=True)
class DevHousehold:
    """The running `scripts/develop` household: its setup, key and appliances by kind."""

    setup: Any
    credentials: Any
    appliances: dict[str, Any]

    @property
    def url(self) -> str:
        """Home Assistant's base URL."""
        return str(self.setup.hass_url)

    def hass_log(self) -> str:
        """What Home Assistant logged so far."""
        log = self.setup.config_dir / "home-assistant.log"
        return log.read_text(errors="replace") if log.exists() else ""

    async def fault(self, kind: str, mode: str) -> None:
        """Switch an appliance's fault through its control API, as the README shows."""
        port = self.appliances[kind].control_port
        async with (
            aiohttp.ClientSession() as session,
            session.post(
                f"http://{develop.HOST}:{port}/fault", json={"mode": mode}
            ) as response,
        ):
            assert response.status == 200, await response.text()


def _household_appliances() -> tuple[Any, ...]:
    """The development appliances on free ports, with FabNumbers of their own.

    Other runs of `scripts/develop` on this machine announce the fixed FabNumbers over mDNS
    as well; fresh ones keep this run's appliances apart.
    """
    return tuple(
        replace(
            appliance,
            port=free_port(),
            control_port=free_port(),
            fab_number=f"0009{secrets.randbelow(10**8):08d}",
        )
        for appliance in develop.APPLIANCES
    )


@pytest.fixture
async def household(
    socket_enabled: None, tmp_path: Path
) -> AsyncIterator[DevHousehold]:
    """`scripts/develop`'s `run` on free ports in a throw-away folder; stopped at the end."""
    setup = develop.DevSetup(tmp_path, free_port(), _household_appliances())
    stop = asyncio.Event()
    run = asyncio.create_task(develop.run(stop, setup))
    try:
        async with aiohttp.ClientSession() as session:
            await wait_for_develop(run, setup, session, START_TIMEOUT)
        credentials = develop.load_household(setup.group_id_file, setup.group_key_file)
        yield DevHousehold(setup, credentials, {a.kind: a for a in setup.appliances})
    finally:
        stop.set()
        code = await run
        log = setup.config_dir / "home-assistant.log"
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        if log.exists():
            shutil.copy(log, ARTIFACTS / "home-assistant.log")
    assert code == 0
    text = log.read_text(errors="replace")
    errors = [match.group(0) for match in INTEGRATION_ERROR.finditer(text)]
    assert not errors, "Home Assistant logged errors of miele_local:\n" + "\n".join(
        errors
    )


@dataclass  # no slots: Playwright keeps a note on bound-method handlers
class ConsoleErrors:
    """Errors the page reported on its console or threw."""

    messages: list[str] = field(default_factory=list)
    during_outage: list[str] = field(default_factory=list)
    expected_outage: bool = False
    loading: bool = False
    step: str = ""

    def _record(self, text: str, *, dropped_by_load: bool = False) -> None:
        text = f"[{self.step}] {text}"
        expected = self.expected_outage or (dropped_by_load and self.loading)
        (self.during_outage if expected else self.messages).append(text)

    def console(self, message: ConsoleMessage) -> None:
        if message.type == "error" and not OFFLINE_ONLY.search(
            message.location.get("url", "")
        ):
            self._record(
                f"console: {message.text} ({message.location})",
                dropped_by_load=CONNECTION_LOST in message.text,
            )

    def page_error(self, error: Error) -> None:
        self._record(
            f"page error: {error.name}: {error.message} {error.stack}",
            dropped_by_load=not error.name and error.message == "Object",
        )

    def request(self, request: Request) -> None:
        """
        A new document loads (the test opens an address): the old one goes.

        With it goes its websocket, and the frontend rejects the requests still in flight
        as "Connection lost" without handling them: the load's doing, logged, not failed.
        """
        if request.is_navigation_request() and request.frame.parent_frame is None:
            self.loading = True

    def loaded(self, _: Page) -> None:
        self.loading = False


@pytest.fixture
def console_errors() -> ConsoleErrors:
    """What the page reports; set `expected_outage` while onboarding ends or HA restarts."""
    return ConsoleErrors()


@pytest.fixture
async def page(console_errors: ConsoleErrors) -> AsyncIterator[Page]:
    """A Chromium page; the test fails on any console error it reports after onboarding."""
    errors = console_errors
    async with async_playwright() as playwright:
        await playwright.selectors.register("flow-host", FLOW_HOST_ENGINE)
        browser = await playwright.chromium.launch(
            executable_path=chromium_path(),
            args=["--no-sandbox"] if os.geteuid() == 0 else [],
        )
        try:
            context = await browser.new_context(
                viewport=VIEWPORT, locale=LOCALE, timezone_id=TIME_ZONE
            )
            await context.add_init_script(EXPLAIN_REJECTIONS)
            browser_page = await context.new_page()
            browser_page.set_default_timeout(30_000)
            browser_page.on("console", errors.console)
            browser_page.on("pageerror", errors.page_error)
            browser_page.on("request", errors.request)
            browser_page.on("domcontentloaded", errors.loaded)
            yield browser_page
        finally:
            await browser.close()
    if errors.during_outage:
        # The page loses its websocket when onboarding ends and while Home Assistant
        # restarts, and says so on its console: expected, logged, not failed.
        _LOGGER.warning("while disconnected: %s", "\n".join(errors.during_outage))
    assert not errors.messages, "\n".join(errors.messages)


@pytest.fixture
def screenshots() -> Path:
    """The artefact folder, emptied for this run."""
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    ARTIFACTS.mkdir(parents=True)
    return ARTIFACTS
