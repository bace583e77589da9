"""The week map: layers, stops, legend and attribution, and a truly offline page in a real browser."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from routing.i18n import day_name
from routing.maps import write_week_map
from routing.plan import Plan
from routing.screenshots import find_chromium, load_page, screenshot_html
from tests.plan_factory import make_plan

REMOTE = re.compile(r"""<(?:script|link)[^>]*(?:src|href)="(https?://[^"]+)\"""")


@pytest.fixture(scope="module")
def plan() -> Plan:
    return make_plan(days=("mon", "thu"), vehicles=2, stops_per_day=10, language="ru")


@pytest.fixture(scope="module")
def offline_map(plan: Plan, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_week_map(
        plan, tmp_path_factory.mktemp("map") / "week.html", language="ru", offline=True
    )


def _stop_layers(page: str) -> list[dict]:
    """The stop FeatureCollections embedded in the page (one per vehicle-day)."""
    out = []
    for blob in re.findall(r"var data = (\{.*?\});\n", page):
        data = json.loads(blob)
        if data["features"] and "n" in data["features"][0]["properties"]:
            out.append(data)
    return out


def test_offline_page_refers_only_to_files_beside_it(offline_map: Path) -> None:
    page = offline_map.read_text(encoding="utf-8")
    assert REMOTE.findall(page) == []
    assert "tile.openstreetmap.org" not in page
    local = re.findall(r"""<(?:script|link)[^>]*(?:src|href)="([^"]+)\"""", page)
    assert "week_files/leaflet/leaflet.js" in local
    for ref in local:
        assert (offline_map.parent / ref).is_file(), ref
    assert (offline_map.parent / "week_files" / "leaflet" / "LICENSE").is_file()
    assert (offline_map.parent / "week_files" / "leaflet" / "images" / "layers.png").is_file()


def test_every_collection_stop_is_numbered_with_its_popup(plan: Plan, offline_map: Path) -> None:
    layers = _stop_layers(offline_map.read_text(encoding="utf-8"))
    assert len(layers) == len(plan.vehicle_days)
    for data, vd in zip(layers, plan.vehicle_days, strict=True):
        numbered = [f for f in data["features"] if f["properties"]["c"] == "taza-stop"]
        landfills = [f for f in data["features"] if f["properties"]["c"] == "taza-landfill"]
        assert [f["properties"]["n"] for f in numbered] == [
            str(i) for i in range(1, len(vd.collect_stops) + 1)
        ]
        assert len(landfills) == vd.landfill_trips
        first = vd.collect_stops[0]
        popup = numbered[0]["properties"]["p"]
        assert first.street in popup and "Прибытие" in popup and "07:" in popup
        assert numbered[0]["geometry"]["coordinates"] == [round(first.lon, 6), round(first.lat, 6)]


def test_online_map_uses_osm_tiles_and_attribution(plan: Plan, tmp_path: Path) -> None:
    page = write_week_map(plan, tmp_path / "week.html", language="en").read_text(encoding="utf-8")
    assert "tile.openstreetmap.org" in page
    assert "© OpenStreetMap contributors" in page
    assert "Synthetic stand-in streets" in page
    assert not (tmp_path / "week_files").exists()


def test_real_data_map_has_no_synthetic_note(tmp_path: Path) -> None:
    plan = make_plan(days=("mon",), stops_per_day=4, synthetic=False, language="en")
    page = write_week_map(plan, tmp_path / "w.html", language="en").read_text(encoding="utf-8")
    assert "© OpenStreetMap contributors" in page
    assert "Synthetic stand-in" not in page


@pytest.fixture(scope="module")
def browser() -> str:
    exe = find_chromium()
    if exe is None:
        pytest.skip("chromium is not installed (apt-get install chromium): browser checks skipped")
    return exe


def test_offline_map_loads_in_a_browser_with_no_network_request(
    plan: Plan, offline_map: Path, browser: str
) -> None:
    seen = load_page(offline_map, chromium=browser)
    assert seen.console == []  # no script error, every bundled plugin loaded
    assert seen.remote_requests == []
    # the layer control lists the network, each day and each vehicle-day, in Russian
    labels = re.findall(r"<span> (.*?)</span>", seen.dom)
    assert "Дорожная сеть" in labels
    assert any(label.startswith(day_name("mon", "ru")) for label in labels)
    assert any(label.startswith(day_name("thu", "ru")) for label in labels)
    assert "Пн · Трактор 1" in labels and "Чт · Трактор 2" in labels
    assert any(label.startswith("Необслуженные домохозяйства") for label in labels)
    # only Monday is shown at first: its numbered stops are on the page, Thursday's are not
    monday = sum(len(vd.collect_stops) for vd in plan.vehicle_days if vd.day == "mon")
    assert len(re.findall(r'class="leaflet-marker-icon taza-stop', seen.dom)) == monday
    assert "<textPath" in seen.dom  # direction arrows along the routes
    assert "© OpenStreetMap contributors" in seen.dom
    assert "Условные (синтетические) улицы" in seen.dom


def test_browser_check_does_see_requests_of_an_online_map(
    plan: Plan, tmp_path: Path, browser: str
) -> None:
    # the same check on the online page must catch its CDN and tile requests
    seen = load_page(write_week_map(plan, tmp_path / "w.html", language="ru"), chromium=browser)
    assert any("leaflet" in url for url in seen.remote_requests)


def test_screenshot_of_the_map_is_a_picture(
    offline_map: Path, browser: str, tmp_path: Path
) -> None:
    from PIL import Image

    png = screenshot_html(
        offline_map, tmp_path / "week.png", width=900, height=600, chromium=browser
    )
    image = Image.open(png).convert("L")
    assert image.size == (900, 600)
    dark = sum(image.histogram()[:80])
    assert dark > 2000  # the black-bordered stops, route lines and legend text are drawn


def test_each_route_carries_its_day_summary(plan: Plan, offline_map: Path) -> None:
    page = offline_map.read_text(encoding="utf-8")
    popups = [json.loads(p) for p in re.findall(r"\.bindPopup\((\".*?\"), \{maxWidth", page)]
    summaries = [p for p in popups if "Расстояние" in p]
    # one per vehicle-day line style drawn (collection, and the dashed legs to the landfill)
    assert len(summaries) >= len(plan.vehicle_days)
    vd = plan.vehicle_days[-1]
    assert any(f"{vd.km:.1f} км" in p and vd.vehicle in p for p in summaries)


def test_unserved_households_show_their_reason_in_the_map_language(
    plan: Plan, tmp_path: Path
) -> None:
    import dataclasses

    households = plan.households.copy()
    unserved = households["status"] == "unserved"
    households.loc[unserved, "reason"] = "not collected on tue: no time in the shift"
    ru_plan = dataclasses.replace(plan, households=households)
    page = write_week_map(ru_plan, tmp_path / "week.html", language="ru", offline=True)
    text = page.read_text(encoding="utf-8")
    assert "не вывезен (Вторник): не хватает времени смены" in text
    assert "no time in the shift" not in text
