"""End to end in headless Chromium (Playwright driving the distribution's chromium).

Sign in, upload a register, fix its broken row in the page, make the plan quick in the scenario
form, plan the week while watching the stages go by, see the week map and download a packet; then
read a driver's page on a phone-sized screen, signed in and by its driver link from a browser that
never signed in.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from routing.progress import STAGES
from routing.service.server import free_port
from tests.service_factory import (
    CHROMIUM,
    CHROMIUM_FLAGS,
    FIX_LAT,
    FIX_LON,
    broken_row_number,
    small_register,
    start_server,
)

PASSWORD = "e2e secret password"
pytestmark = pytest.mark.slow


@pytest.fixture
def browser():
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is absent: `make test` installs Debian's chromium for this test")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is in the test extra")
    with sync_api.sync_playwright() as p:
        launched = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        yield launched
        launched.close()


@pytest.fixture
def server(tmp_path: Path):
    port = free_port()
    process = start_server(tmp_path / "data", port, password=PASSWORD)
    yield f"http://127.0.0.1:{port}"
    process.terminate()
    process.wait(timeout=30)


def _watch(page, timeout_s: float = 240) -> list[tuple[str, tuple[str, ...]]]:
    """Each new stage seen running, with every stage's state shown at that moment, then the final status.

    The page refreshes its progress once a second, so on a small plan fast stages may come and go
    between two looks: what is asserted is that a stage is shown running with the ones before it done
    and the ones after it still to come, not how many stages a poll happens to catch.
    """
    seen: list[tuple[str, tuple[str, ...]]] = []
    deadline = time.monotonic() + timeout_s
    script = """() => {
        const current = document.querySelector("li.stage.current");
        const status = document.querySelector("#status");
        const states = Array.from(document.querySelectorAll("li.stage"), (li) =>
            li.dataset.stage + ":" + (li.classList.contains("done") ? "done"
                : li.classList.contains("current") ? "current" : "pending"));
        return [current ? current.dataset.stage : "", status ? status.textContent : "", states];
    }"""
    while time.monotonic() < deadline:
        try:
            key, status, states = page.evaluate(script)
        except Exception:  # the page reloading itself when the plan is done: look again
            page.wait_for_timeout(200)
            continue
        if key and (not seen or seen[-1][0] != key):
            seen.append((key, tuple(states)))
        if status in ("done", "failed", "cancelled", "interrupted"):
            return [*seen, (status, ())]
        page.wait_for_timeout(200)
    raise AssertionError(f"the plan did not finish; stages seen {seen}")


def _check_stage_by_stage(seen: list[tuple[str, tuple[str, ...]]]) -> None:
    """Every stage seen running was shown after the ones before it were done, in the stages' order."""
    running = seen[:-1]
    assert running, f"no stage was shown running before the plan finished: {seen}"
    order = [key for key, _ in running]
    assert order == sorted(order, key=STAGES.index), f"stages shown out of order: {order}"
    for key, states in running:
        keys = [state.split(":")[0] for state in states]
        assert keys == list(STAGES), states
        at = keys.index(key)
        assert all(s.endswith(":done") for s in states[:at]), states
        assert states[at].endswith(":current"), states
        assert all(s.endswith(":pending") for s in states[at + 1 :]), states


def test_manager_uploads_fixes_plans_and_downloads(browser, server, tmp_path: Path) -> None:
    page = browser.new_page()
    page.goto(server + "/lang/en")
    assert "/login" in page.url
    page.fill("input[name=username]", "admin")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    assert page.url.rstrip("/") == server
    page.goto(server + "/scenarios/1")
    page.set_input_files("input[type=file]", str(small_register(tmp_path / "register.csv")))
    page.click("form[enctype] button[type=submit]")
    row = broken_row_number()
    assert page.locator(f'tr[data-row="{row}"]').is_visible()
    page.fill(f'input[name="fix.{row}.lat"]', FIX_LAT)
    page.fill(f'input[name="fix.{row}.lon"]', FIX_LON)
    page.click("#save-fixes")
    assert page.locator(f'tr[data-row="{row}"]').count() == 0
    assert page.locator("#located").inner_text().startswith("61 of 61")
    page.click("text=Back to the scenario")
    page.fill('input[name="solver.time_limit_s"]', "1")
    page.click("#save")
    assert page.locator("#scenario-saved").is_visible()
    page.click("form[action$='/plan'] button")
    assert "/plans/" in page.url
    seen = _watch(page)
    assert seen[-1][0] == "done", seen
    _check_stage_by_stage(seen)
    page.wait_for_selector("#week-map")  # the page reloads itself when the plan is done
    week = page.frame_locator("#week-map")
    week.locator(".leaflet-container").first.wait_for(timeout=30_000)
    with page.expect_download() as info:
        page.locator("a.packet").first.click()
    assert Path(info.value.path()).read_bytes().startswith(b"%PDF")
    driver_url = page.locator("#packets a[href*='/driver/']").first.get_attribute("href")
    phone = browser.new_page(viewport={"width": 390, "height": 844})
    phone.context.add_cookies(page.context.cookies())
    phone.goto(server + str(driver_url))
    assert phone.locator("#stops li").count() > 2
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 392, f"the driver's page fits a phone's width ({width} px)"
    _a_driver_link_opens_in_a_browser_that_never_signed_in(browser, page)


def _a_driver_link_opens_in_a_browser_that_never_signed_in(browser, page) -> None:
    """The tokened link (what the sheet's QR code holds) in a fresh browser context: the day's
    stops and its GPX, no sign-in; a tampered token gets the refusal, not the sign-in page."""
    link = str(page.locator("#packets a.driver-link").first.get_attribute("href"))
    assert "?t=" in link and link.startswith("http://127.0.0.1:")
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="ru-RU")
    try:
        phone = context.new_page()
        answer = phone.goto(link)
        assert answer is not None and answer.status == 200 and "/login" not in phone.url
        assert answer.headers["referrer-policy"] == "no-referrer"
        assert phone.locator("#stops li").count() > 2
        assert phone.locator("header a[href='/plans']").count() == 0, "no manager's pages"
        with phone.expect_download() as info:
            phone.locator("#downloads a", has_text="GPX").click()
        assert b"<gpx" in Path(info.value.path()).read_bytes()
        token = link.split("?t=")[1]
        tampered = link.replace(token, ("A" if token[0] != "A" else "B") + token[1:])
        refused = phone.goto(tampered)
        assert refused is not None and refused.status == 403 and "/login" not in phone.url
        assert "Ссылка набрана с ошибкой" in phone.locator("#refused").inner_text()
    finally:
        context.close()
