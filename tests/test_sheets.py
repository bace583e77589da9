"""Driver packets: read back as a person would (text extracted, pages rendered), in Kyrgyz and Russian."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader

from routing.errors import InputError
from routing.exports import file_stem
from routing.i18n import format_clock
from routing.plan import Plan
from routing.screenshots import find_pdftoppm
from routing.sheets import STRIP_STOPS, qr_payload, write_driver_sheets
from tests.plan_factory import make_plan
from tests.qr_reader import read_qr_codes


@pytest.fixture(scope="module")
def plan() -> Plan:
    # 26 stops: more than one strip map's worth, three landfill visits and a lunch break
    return make_plan(days=("mon", "tue"), stops_per_day=26, rows=6, cols=7, lunch_at_s=8 * 3600)


@pytest.fixture(scope="module")
def sheets(plan: Plan, tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return write_driver_sheets(plan, tmp_path_factory.mktemp("sheets"), language="ky")


def _text(path: Path) -> tuple[int, str]:
    reader = PdfReader(path)
    return len(reader.pages), "\n".join(page.extract_text() or "" for page in reader.pages)


def test_one_pdf_per_vehicle_day_named_by_day_and_vehicle(plan: Plan, sheets: list[Path]) -> None:
    assert [p.name for p in sheets] == [f"{file_stem(vd)}.pdf" for vd in plan.vehicle_days]
    assert [p.name for p in sheets] == ["mon-traktor-1.pdf", "tue-traktor-1.pdf"]
    for path in sheets:
        assert path.read_bytes().startswith(b"%PDF")
        page = PdfReader(path).pages[0]
        assert (
            round(float(page.mediabox.width)) == 595 and round(float(page.mediabox.height)) == 842
        )


def test_kyrgyz_text_extracts_as_written(plan: Plan, sheets: list[Path]) -> None:
    pages, text = _text(sheets[0])
    vd = plan.vehicle_days[0]
    assert "Каттам баракчасы: Дүйшөмбү 2026-11-30" in text
    assert vd.driver in text and "Асан Үсөнов" in text
    assert "Трактор 1" in text and format_clock(vd.start_s) in text
    for letter in "ңөү":
        assert letter in text
    for stop in vd.collect_stops:
        assert stop.label in text  # every house range of the stop list
    assert "Өзгөрүү көчөсү" in text and "Жеңиш көчөсү" in text
    # the stop list says where the route enters each village
    assert "Айыл: Терек-Суу" in text and "Айыл: Үч-Терек" in text
    assert "Солго буруңуз:" in text  # turn-by-turn directions
    assert "☐" in text  # tick boxes
    lunch = next(s for s in vd.stops if s.kind == "lunch")
    assert f"Түшкү тыныгуу – {format_clock(lunch.departure_s)}" in text
    # header, stop list, strip maps, directions: more than one page, numbered on every page
    assert pages >= 4
    assert f"1/{pages}-бет" in text and f"{pages}/{pages}-бет" in text


def test_attribution_and_synthetic_note_on_every_page(sheets: list[Path]) -> None:
    for page in PdfReader(sheets[0]).pages:
        text = page.extract_text() or ""
        assert "© OpenStreetMap contributors" in text
        assert "Шарттуу (синтетикалык) көчөлөр" in text


def test_landfill_visits_show_the_load_brought_there(plan: Plan, sheets: list[Path]) -> None:
    vd = plan.vehicle_days[0]
    _, text = _text(sheets[0])
    loads = []
    previous = None
    for s in vd.stops:
        if s.kind == "landfill":
            loads.append(previous.load_kg)
        previous = s
    assert len(loads) == vd.landfill_trips == 3
    assert "Полигонго каттамдар" in text
    for load in loads:
        assert f"{load:.0f} кг" in text


def test_long_routes_get_strip_maps(plan: Plan, sheets: list[Path]) -> None:
    _, text = _text(sheets[0])
    chunks = -(-len(plan.vehicle_days[0].collect_stops) // STRIP_STOPS)
    assert chunks == 2
    assert "Бөлүк карта 1/2" in text and "Бөлүк карта 2/2" in text
    short = make_plan(days=("mon",), stops_per_day=5)
    [path] = write_driver_sheets(short, sheets[0].parent / "short", language="ky")
    _, short_text = _text(path)
    assert "Бөлүк карта" not in short_text
    assert "Жалпы карта" in short_text


def test_fonts_are_embedded(sheets: list[Path]) -> None:
    embedded = set()
    for page in PdfReader(sheets[0]).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendant = font.get("/FontDescriptor")
            if descendant is not None and "/FontFile2" in descendant.get_object():
                embedded.add(str(font["/BaseFont"]).split("+")[-1])
    assert {"DejaVuSans", "DejaVuSans-Bold"} <= embedded


@pytest.mark.parametrize(
    ("language", "title", "words", "note"),
    [
        ("ru", "Маршрутный лист: Пятница", ("Поверните", "Остановки"), "синтетические"),
        ("en", "Route sheet: Friday", ("Turn left onto", "Stops"), "Synthetic"),
    ],
)
def test_russian_and_english_packets_for_real_data_have_no_synthetic_note(
    tmp_path: Path, language: str, title: str, words: tuple[str, str], note: str
) -> None:
    plan = make_plan(days=("fri",), stops_per_day=6, synthetic=False, language=language)
    [path] = write_driver_sheets(plan, tmp_path, language=language)
    _, text = _text(path)
    assert title in text
    assert all(w in text for w in words)
    assert "© OpenStreetMap contributors" in text
    assert note not in text


def test_qr_names_the_gpx_file(plan: Plan) -> None:
    vd = plan.vehicle_days[1]
    payload = qr_payload(plan, vd)
    assert payload.splitlines()[0] == "gpx/tue-traktor-1.gpx"
    assert "26 stops" in payload and f"{vd.km:.1f} km" in payload
    assert len(payload.encode()) < 400  # small enough for a code a phone reads off paper


def test_the_qr_code_holds_the_driver_page_address_when_one_is_given(
    plan: Plan, tmp_path: Path
) -> None:
    template = "https://taza.example.kg/plans/12/driver/{stem}?d={date}"
    paths = write_driver_sheets(plan, tmp_path, language="en", driver_url=template)
    for vd, path in zip(plan.vehicle_days, paths, strict=True):
        url = f"https://taza.example.kg/plans/12/driver/{file_stem(vd)}?d={vd.date}"
        assert qr_payload(plan, vd, driver_url=template) == url
        assert read_qr_codes(path, tmp_path) == [url]  # decoded from the rendered page
        assert "Scan: driver's page" in _text(path)[1]


def test_the_qr_code_holds_the_tokened_driver_link_of_its_own_day(
    plan: Plan, tmp_path: Path
) -> None:
    from routing.links import link_token

    template, key = "https://taza.example.kg/plans/12/driver/{stem}?t={token}", "plan-12-secret"
    paths = write_driver_sheets(plan, tmp_path, language="en", driver_url=template, driver_key=key)
    codes = [read_qr_codes(path, tmp_path) for path in paths]
    for vd, code in zip(plan.vehicle_days, codes, strict=True):
        stem = file_stem(vd)
        url = f"https://taza.example.kg/plans/12/driver/{stem}?t={link_token(key, stem)}"
        assert code == [url] == [qr_payload(plan, vd, driver_url=template, driver_key=key)]
    assert codes[0] != codes[1]
    with pytest.raises(InputError, match="needs the secret key"):
        write_driver_sheets(plan, tmp_path / "s", language="en", driver_url=template)


def test_without_an_address_the_qr_code_names_the_gpx_file_and_says_so(
    plan: Plan, tmp_path: Path
) -> None:
    [path, _] = write_driver_sheets(plan, tmp_path, language="en")
    [code] = read_qr_codes(path, tmp_path)
    assert code == qr_payload(plan, plan.vehicle_days[0])
    assert code.startswith("gpx/mon-traktor-1.gpx\n")
    assert "Scan: route file" in _text(path)[1]


def test_a_bad_driver_page_template_is_refused_before_writing(plan: Plan, tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"unknown field \{plan\}"):
        write_driver_sheets(plan, tmp_path / "s", language="en", driver_url="https://h/{plan}")
    assert not list((tmp_path / "s").glob("*.pdf"))


def test_pages_render_to_pictures_with_the_map_drawn(sheets: list[Path], tmp_path: Path) -> None:
    exe = find_pdftoppm()
    if exe is None:
        pytest.skip(
            "pdftoppm is not installed (apt-get install poppler-utils): render check skipped"
        )
    from PIL import Image

    pages = len(PdfReader(sheets[0]).pages)
    subprocess.run([exe, "-png", "-r", "40", str(sheets[0]), str(tmp_path / "p")], check=True)
    pngs = sorted(tmp_path.glob("p-*.png"))
    assert len(pngs) == pages
    first = Image.open(pngs[0]).convert("L")
    w, h = first.size
    # the overview map sits in the middle of page 1: streets and the route make it far from blank
    band = first.crop((int(w * 0.1), int(h * 0.35), int(w * 0.9), int(h * 0.65)))
    hist = band.histogram()
    assert sum(hist[:200]) > 0.02 * band.size[0] * band.size[1]


def test_strips_break_where_the_next_stop_is_far_away() -> None:
    import numpy as np

    from routing.sheets import STRIP_GAP_M, _Route, _strip_chunks

    # eight 100 m edges in a row, a 5 km drive, then eight more: stops on every short edge
    edges = [np.array([[i * 100.0, 0.0], [(i + 1) * 100.0, 0.0]]) for i in range(8)]
    edges.append(np.array([[800.0, 0.0], [5800.0, 0.0]]))
    edges += [np.array([[5800 + i * 100.0, 0.0], [5900 + i * 100.0, 0.0]]) for i in range(8)]
    numbers = [(n + 1, 0.0, 0.0, e, e) for n, e in enumerate([*range(8), *range(9, 17)])]
    route = _Route(edges, np.zeros(len(edges), dtype=np.int8), numbers, [])
    chunks = _strip_chunks(route)
    assert STRIP_GAP_M < 5000
    assert [[n[0] for n in c] for c in chunks] == [list(range(1, 9)), list(range(9, 17))]
    # the same sixteen stops side by side in one village need no strip map
    near = [np.array([[i * 100.0, 0.0], [(i + 1) * 100.0, 0.0]]) for i in range(16)]
    together = [(n + 1, 0.0, 0.0, n, n) for n in range(16)]
    assert _strip_chunks(_Route(near, np.zeros(16, dtype=np.int8), together, [])) == []


def test_street_paths_are_written_once_and_placed_where_the_points_are(plan: Plan) -> None:
    """The streets' PDF paths are formatted once per plan, in metres from an origin (0.1 m);
    a map places them with one transformation where it places the same points (`_xy`)."""
    from typing import Any, cast

    import numpy as np

    from routing.sheets import _MapBox, _Streets

    streets = _Streets.of(plan.network.graph)
    assert len(streets.paths) == len(streets.lines) > 0
    parsed = []
    for line, path in zip(streets.lines, streets.paths, strict=True):
        words = path.split()
        assert words[2] == "m" and all(w == "l" for w in words[5::3])
        xy = np.array([[float(words[k]), float(words[k + 1])] for k in range(0, len(words), 3)])
        np.testing.assert_allclose(xy + np.array(streets.origin), line, atol=0.051)
        parsed.append(xy)
    box = _MapBox(
        width=300.0, height=200.0, view=tuple(streets.bbox[0]), streets=streets,
        route=cast(Any, None), edge_range=None, label_every=1, villages=[], depot=None,
        landfills=[], title="",
    )  # fmt: skip
    # the transformation `_MapBox._streets` writes: scale, then shift by the origin's place
    s, (ox, oy) = box.scale, streets.origin
    placed = parsed[0] * s + np.array([s * (ox - box.view[0]), s * (oy - box.view[1])])
    np.testing.assert_allclose(placed, box._xy(streets.lines[0]), atol=0.051 * s + 1e-9)
