"""Screenshots kept after a run: the map through Chromium, the first packet through pdftoppm."""

from __future__ import annotations

from pathlib import Path

import pytest

from routing.maps import write_week_map
from routing.screenshots import (
    PageLoad,
    find_chromium,
    find_pdftoppm,
    keep_screenshots,
    render_pdf_page,
)
from routing.sheets import write_driver_sheets
from tests.plan_factory import make_plan


def test_browser_housekeeping_is_not_counted_as_page_requests() -> None:
    seen = PageLoad(
        dom="",
        requests=[
            "file:///tmp/week_files/leaflet/leaflet.js",
            "https://accounts.google.com/ListAccounts?x=1",
            "http://clients2.google.com/time/1/current",
            "https://tile.openstreetmap.org/14/1/2.png",
            "https://tile.openstreetmap.org/14/1/2.png",
        ],
    )
    assert seen.remote_requests == ["https://tile.openstreetmap.org/14/1/2.png"]


def test_keep_screenshots_pictures_the_map_and_the_first_packet_of_the_week(
    tmp_path: Path,
) -> None:
    if find_chromium() is None or find_pdftoppm() is None:
        pytest.skip(
            "chromium and poppler-utils are needed (apt-get install chromium poppler-utils)"
        )
    from PIL import Image

    plan = make_plan(days=("tue", "mon"), stops_per_day=6)
    write_week_map(plan, tmp_path / "week.html", language="ky", offline=True)
    sheets = write_driver_sheets(plan, tmp_path / "sheets", language="ky")
    assert [p.name for p in sheets] == ["tue-traktor-1.pdf", "mon-traktor-1.pdf"]
    written = keep_screenshots(tmp_path)
    assert written == [tmp_path / "week.png", tmp_path / "sheet.png"]
    assert Image.open(tmp_path / "week.png").size == (1400, 900)
    # Monday comes first in the week, whatever the plan's order
    monday = render_pdf_page(
        tmp_path / "sheets" / "mon-traktor-1.pdf", tmp_path / "mon.png", dpi=90
    )
    assert Image.open(monday).tobytes() == Image.open(tmp_path / "sheet.png").tobytes()


def test_an_empty_folder_gives_no_screenshot_and_no_error(tmp_path: Path) -> None:
    assert keep_screenshots(tmp_path) == []  # nothing written yet: nothing to picture
