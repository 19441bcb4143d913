"""What the browser tests share: tool locations, the accounts, signing in, watching the console."""
from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("E2E_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
ARTIFACTS = ROOT / "test-artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"

PASSWORD = "e2e-geslo-2024"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 740}

HOST_NAME = "Knjižnica Kamnik (e2e)"


@dataclass(frozen=True)
class Account:
    email: str
    name: str
    role: str  # a coordination.accounts.models.Role value
    organisation: str  # short name, municipality name, or HOST_NAME


# one account per role, named by the role, plus an official whose language the language test may change
ACCOUNTS = {
    "admin": Account("admin@e2e.si", "Ana Administratorka", "admin", "MDP"),
    "ministry": Account("ministrstvo@e2e.si", "Marko Ministrski", "ministry", "MDP"),
    "association": Account("sos@e2e.si", "Sara Združenjska", "association", "SOS"),
    "municipal": Account("kamnik@e2e.si", "Črt Občinski", "municipal", "Kamnik"),
    "host": Account("tocka@e2e.si", "Žiga Gostitelj", "host", HOST_NAME),
    "language": Account("ljubljana@e2e.si", "Špela Šuštar", "municipal", "Ljubljana"),
}


def missing_tools() -> list[str]:
    """Names of the tools the browser suite needs and cannot find; the suite fails (never skips) on them."""
    missing = []
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        missing.append(f"Chromium ({CHROMIUM}; install the Debian package 'chromium')")
    if shutil.which("java") is None:
        missing.append("java (install 'default-jre-headless'; the Nu HTML Checker runs on it)")
    if not AXE.is_file():
        missing.append(f"axe-core ({AXE.relative_to(ROOT)}; run `npm ci`)")
    if not VNU.is_file():
        missing.append(f"vnu-jar ({VNU.relative_to(ROOT)}; run `npm ci`)")
    return missing


def login(page, role: str, password: str = PASSWORD, *, expect_success: bool = True) -> None:
    """Sign in as ACCOUNTS[role] through the real form at /prijava (the context carries the base_url)."""
    email = ACCOUNTS[role].email
    page.goto("/prijava")
    form = page.locator("main form")
    form.locator("[name=email]").fill(email)
    form.locator("[name=password]").fill(password)
    form.locator("button[type=submit]").click()
    if expect_success:
        page.wait_for_url(lambda url: not url.split("?")[0].endswith("/prijava"))
    else:
        page.wait_for_load_state()


@dataclass
class BrowserProblems:
    """Console errors, uncaught exceptions, CSP violations, failed and third-party requests of a page."""

    base_url: str
    problems: list[str] = field(default_factory=list)
    _documents: set[str] = field(default_factory=set)

    def watch(self, page) -> BrowserProblems:
        page.on("console", self._console)
        page.on("pageerror", lambda exc: self.problems.append(f"uncaught exception: {exc}"))
        page.on("request", self._request)
        page.on("requestfailed", self._failed)
        page.on("response", self._response)
        return self

    def _console(self, message) -> None:
        if message.type not in ("error", "warning"):
            return
        text = message.text
        # Chromium reports a page that answers 4xx as a failed resource; the status of documents is
        # checked by the tests themselves, only sub-resources and htmx calls count here
        if text.startswith("Failed to load resource") and message.location.get("url", "") in self._documents:
            return
        self.problems.append(f"console {message.type}: {text} ({message.location.get('url', '')})")

    def _request(self, request) -> None:
        if request.resource_type == "document" and request.frame.parent_frame is None:
            self._documents.add(request.url)
        if not request.url.startswith(self.base_url) and not request.url.startswith(("data:", "about:")):
            self.problems.append(f"third-party request: {request.url}")

    def _failed(self, request) -> None:
        if request.failure != "net::ERR_ABORTED":  # aborted: the page moved on before it arrived (favicon)
            self.problems.append(f"request failed: {request.url} ({request.failure})")

    def _response(self, response) -> None:
        request = response.request
        if response.status >= 500 or (response.status >= 400 and request.resource_type != "document"):
            self.problems.append(f"HTTP {response.status} for {request.method} {response.url}")

    def assert_none(self) -> None:
        assert not self.problems, "the browser reported problems:\n  " + "\n  ".join(self.problems)


# How wide the document is, and which elements stick out of the screen (scrolling inside .table-wrap is
# fine). Evaluated in the page: {scroll, viewport, widest}.
OVERFLOW = """() => ({
    scroll: document.documentElement.scrollWidth, viewport: window.innerWidth,
    widest: [...document.body.querySelectorAll('*')]
        .filter(el => el.getBoundingClientRect().right > window.innerWidth + 1
                      && !(el.parentElement && el.parentElement.closest('.table-wrap'))
                      && !el.closest('.visually-hidden, .skip-link'))
        .slice(0, 5).map(el => el.tagName.toLowerCase() + (el.className ? '.' + el.className : '')
                               + ' right=' + Math.round(el.getBoundingClientRect().right)),
})"""

HEADER_MOST = 120  # px a phone's header may take

# The phone layout of a page: the header's height, and every box that scrolls sideways (a wide table)
# that is not a named region a keyboard can reach: {header, unlabelled}.
PHONE_LAYOUT = """() => {
    const header = document.querySelector('.site-header');
    const scrolls = [...document.querySelectorAll('main *')].filter(el => {
        const style = getComputedStyle(el);
        return ['auto', 'scroll'].includes(style.overflowX) && el.scrollWidth > el.clientWidth + 1;
    });
    const unlabelled = scrolls.filter(el => !(el.getAttribute('role') === 'region'
        && (el.getAttribute('aria-label') || el.getAttribute('aria-labelledby'))
        && el.getAttribute('tabindex') === '0'));
    return {
        header: header ? Math.round(header.getBoundingClientRect().height) : 0,
        unlabelled: unlabelled.slice(0, 5).map(el => el.tagName.toLowerCase() + (el.className ? '.' + el.className : '')
            + ' (' + (el.querySelector('caption, table') || el).className + ')'),
    };
}"""


def watched_page(new_context, base_url, role: str):
    """A page signed in as `role` in a fresh context, and the BrowserProblems that watch it."""
    page = new_context(role).new_page()
    return page, BrowserProblems(base_url).watch(page)
