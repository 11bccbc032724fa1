"""The web pages in a real browser: Debian's chromium driven by Playwright (no browser download).

Logs in, opens a group, a history, a diff between two chosen versions, a blame, and restores a
version, asserting on what is shown and failing on any console error (a CSP refusal of an inline
script or style is one). Screenshots of each page are saved under ``REGISTRY_ARTIFACTS`` (else
the test's tmp folder); docs/ui.md shows some of them.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.client import Client
from tests.support.server import Server

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
if not Path(CHROMIUM).exists() and not os.environ.get("CI"):
    pytest.skip(
        "chromium is not installed (apt-get install chromium); CI installs it", allow_module_level=True
    )

from playwright.sync_api import ConsoleMessage, Page, expect, sync_playwright  # noqa: E402

V1 = "# Customers and their orders\nCustomer:\n  id: number\n  name: string\n"
V2 = V1 + "  email: string\nOrder:\n  id: number\n  customer: $Customer.id\n  total: number\n"
V3 = V2.replace("  total: number\n", "  total: string\n  note: string\n")


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    srv = Server(tmp_path_factory.mktemp("browser") / "data").start()
    api = Client(srv.url, srv.admin_key())
    group = api.post("/project-group", {"name": "shop"}).json
    made = api.post("/project", {"project_group_id": group["id"], "name": "customers", "data": V1})
    pid = made.json["id"]
    api.put(f"/project/{pid}", {"data": V2, "message": "Orders reference customers"})
    api.patch(f"/project/{pid}", {"name": "crm"})
    api.put(f"/project/{pid}", {"data": V3, "message": "Totals as text, with a note"})
    sql = "CREATE TABLE invoice (\n  id INT PRIMARY KEY,\n  amount DECIMAL(10, 2) NOT NULL\n);\n"
    api.post("/project", {"project_group_id": group["id"], "name": "invoices", "format": "sql", "data": sql})
    yield srv
    srv.stop()


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("REGISTRY_ARTIFACTS", tmp_path)) / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def test_a_person_browses_compares_blames_and_restores(registry: Server, shots: Path) -> None:
    problems: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type in ("error", "warning"):
            problems.append(f"{message.type}: {message.text}")

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 800})
            page.on("console", on_console)
            page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
            _walk(page, registry, shots)
            phone = browser.new_page(
                viewport={"width": 390, "height": 800}, storage_state=page.context.storage_state()
            )
            phone.on("console", on_console)
            _phone(phone, registry, shots)
        finally:
            browser.close()
    assert problems == [], "\n".join(problems)


def _walk(page: Page, registry: Server, shots: Path) -> None:
    page.goto(f"{registry.url}/ui/shop")
    expect(page).to_have_url(f"{registry.url}/ui/_login?next=/ui/shop")
    page.get_by_label("API key").fill(registry.admin_key())
    page.screenshot(path=shots / "login.png")
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(f"{registry.url}/ui/shop")  # back where the visitor wanted to go
    expect(page.get_by_role("heading", level=1)).to_have_text("shop")
    expect(page.get_by_role("link", name="crm")).to_be_visible()
    expect(page.get_by_role("button", name="Copy the clone URL")).to_be_visible()  # the script ran
    page.screenshot(path=shots / "group.png", full_page=True)

    page.get_by_role("link", name="crm").click()
    expect(page.locator(".highlight")).to_contain_text("note: string")
    expect(page.locator("#entity-Order")).to_contain_text("reference to Customer.id")
    page.screenshot(path=shots / "project.png", full_page=True)

    page.get_by_role("link", name="History", exact=True).click()
    versions = page.locator("table.history tbody tr")
    expect(versions).to_have_count(4)
    expect(versions.first).to_contain_text("Totals as text, with a note")
    expect(versions.nth(1)).to_contain_text("rename to crm")
    page.screenshot(path=shots / "history.png", full_page=True)
    oldest = versions.last.locator("code").inner_text()

    page.get_by_role("link", name="Diff", exact=True).click()
    page.get_by_label("From").select_option(index=3)  # the second version, before the rename (0: "nothing")
    page.get_by_label("To").select_option(index=0)  # the newest
    page.get_by_role("button", name="Compare").click()
    expect(page.locator("table.code.split")).to_be_visible()
    expect(page.locator("p.meta").filter(has_text="customers (yaml)")).to_contain_text("crm (yaml)")
    expect(page.locator("table.code ins").first).to_have_text("string")  # the changed word, marked
    page.screenshot(path=shots / "diff.png", full_page=True)
    page.get_by_label("View").select_option("unified")
    page.get_by_role("button", name="Compare").click()
    expect(page.locator("table.code.unified")).to_be_visible()
    page.screenshot(path=shots / "diff-unified.png", full_page=True)

    page.get_by_role("link", name="Blame", exact=True).click()
    first_line = page.locator("table.blame tbody tr").first
    expect(first_line).to_contain_text(oldest)  # unchanged since the first version, through the rename
    expect(page.locator("table.blame tbody tr")).to_have_count(V3.count("\n"))
    page.screenshot(path=shots / "blame.png", full_page=True)

    page.get_by_role("link", name="History", exact=True).click()
    page.locator("table.history tbody tr").last.get_by_role("link", name=oldest, exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("past version")
    page.get_by_role("link", name="Restore this version…").click()
    expect(page.locator("table.code.split")).to_be_visible()  # the diff it will make, before it commits
    page.screenshot(path=shots / "restore.png", full_page=True)
    page.get_by_role("button", name="Restore this version").click()
    expect(page.locator("table.history tbody tr").first).to_contain_text("restore")
    page.get_by_role("link", name="Schema", exact=True).click()
    expect(page.locator(".highlight")).not_to_contain_text("email")  # the first version's text again
    expect(page.get_by_role("heading", level=1)).to_contain_text("customers")  # and its name


def _phone(page: Page, registry: Server, shots: Path) -> None:
    page.goto(f"{registry.url}/ui/shop/invoices/history")
    expect(page.locator("table.history tbody tr")).to_have_count(1)
    page.goto(f"{registry.url}/ui/shop/customers/diff")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the diff page is {width}px wide on a 390px screen"
    page.screenshot(path=shots / "phone-diff.png", full_page=True)
