"""``taza-route fetch`` offline: a recorded Overpass answer served over local HTTP.

``tests/data/overpass-terek-suu.osm`` is a small hand-made answer in the shape Overpass returns
(synthetic, not map data): two named streets and an unnamed track, six houses, a village and a
hamlet, a landfill. Nothing here goes to the internet.
"""

from __future__ import annotations

import threading
import tomllib
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from urllib.parse import parse_qs

import pytest

from routing.check import deep_check
from routing.errors import InputError
from routing.fetch import fetch_area, overpass_query, parse_bbox
from routing.scenario import load_scenario

RECORDED = Path(__file__).parent / "data" / "overpass-terek-suu.osm"
BBOX = (72.69, 41.87, 72.73, 41.90)


@pytest.fixture
def overpass() -> Iterator[tuple[str, list[str]]]:
    """A local Overpass stand-in answering every query with the recorded answer."""
    queries: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"])).decode()
            queries.append(parse_qs(body)["data"][0])
            answer = RECORDED.read_bytes()
            self.send_response(200 if self.path == "/api/interpreter" else 404)
            self.send_header("Content-Type", "application/osm3s+xml")
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/api", queries
    server.shutdown()


def test_fetch_writes_the_extract_and_a_scenario_that_checks(
    overpass: tuple[str, list[str]], tmp_path: Path
) -> None:
    url, queries = overpass
    out = tmp_path / "valley"
    result = fetch_area(BBOX, out, overpass_url=url)
    (query,) = queries
    assert "(41.87,72.69,41.9,72.73)" in query and 'way["building"]' in query
    assert result.osm_path == out / "valley.osm"
    assert result.osm_path.read_bytes() == RECORDED.read_bytes()
    assert dict(result.counts) == {"roads": 3, "buildings": 6, "places": 2, "landfills": 1}
    raw = tomllib.loads(result.scenario_path.read_text(encoding="utf-8"))
    assert "© OpenStreetMap contributors" in result.scenario_path.read_text(encoding="utf-8")
    sc = load_scenario(result.scenario_path)
    assert sc.osm == str(result.osm_path.resolve()) and not sc.synthetic
    assert sc.households is None  # estimated from the buildings
    default = load_scenario(Path(__file__).parents[1] / "data" / "taza-aimak" / "scenario.toml")
    assert [v.name for v in sc.fleet] == [v.name for v in default.fleet]
    assert sc.tariffs == default.tariffs and sc.depot == default.depot  # the depot lies inside
    terek = sc.village("Терек-Суу")
    assert terek is not None and terek.aiyl_aimak == "Ketmen-Dobo" and terek.population == 4520
    assert sc.village("Жаңы-Жол") is not None
    (landfill,) = raw["landfill"]
    assert landfill["name"] == "Терек-Суу полигону" and "landuse=landfill" in landfill["assumption"]
    assert deep_check(sc, cache_dir=tmp_path / "cache").ok
    with pytest.raises(InputError, match=r"scenario\.toml exists: pass --force") as refused:
        fetch_area(BBOX, out, overpass_url=url)
    assert refused.value.field == "--out"
    assert "мурунтан бар: аны алмаштыруу үчүн --force бериңиз" in refused.value.text("ky")


def test_an_area_outside_the_templates_depot_moves_it_with_a_note(
    overpass: tuple[str, list[str]], tmp_path: Path
) -> None:
    url, _ = overpass
    result = fetch_area((72.7, 41.883, 72.73, 41.9), tmp_path / "x", overpass_url=url)
    sc = load_scenario(result.scenario_path)
    assert "placed at its centre" in sc.depot.assumption
    assert any("depot" in n for n in result.notes)


def test_offline_and_bad_input_say_what_to_do(tmp_path: Path) -> None:
    offline = "http://127.0.0.1:9/api"  # nothing listens there
    with pytest.raises(InputError, match="offline") as failed:
        fetch_area(BBOX, tmp_path / "a", overpass_url=offline, timeout_s=2)
    error = failed.value
    assert error.field == "--overpass-url" and isinstance(error.__cause__, OSError)
    # our frame in each language; the library's own words quoted as its own, in English
    assert f"could not download the area from {offline} (requests: " in str(error)
    russian = error.text("ru")
    assert russian.startswith(f"--overpass-url: не удалось скачать территорию с {offline} (")
    assert "requests (его собственные слова, по-английски): " in russian
    assert "Connection refused" in russian and "нет сети?" in russian
    kyrgyz = error.text("ky")
    assert "requests (анын өз сөзү, англисче): " in kyrgyz and "интернет жокпу?" in kyrgyz
    with pytest.raises(ValueError, match="WEST,SOUTH,EAST,NORTH"):
        parse_bbox("41.85,72.45,42.02")
    with pytest.raises(ValueError, match="west must be less than east"):
        parse_bbox("72.98,41.85,72.45,42.02")
    assert parse_bbox("72.45,41.85,72.98,42.02") == (72.45, 41.85, 72.98, 42.02)
    assert "[out:xml]" in overpass_query(BBOX)


def test_a_server_that_refuses_is_quoted_in_a_translated_frame(
    overpass: tuple[str, list[str]], tmp_path: Path
) -> None:
    url, _ = overpass
    wrong = url + "/v2"  # the stand-in answers 404 off /api/interpreter
    with pytest.raises(InputError, match="answered HTTP 404") as refused:
        fetch_area(BBOX, tmp_path / "a", overpass_url=wrong)
    assert refused.value.text("ky").startswith(
        f"--overpass-url: {wrong} дарегиндеги Overpass сервери HTTP 404 деп жооп берди ("
    )
    assert "сервер Overpass по адресу" in refused.value.text("ru")
    assert not (tmp_path / "a").exists()


def test_the_command_line_fetches_and_the_deep_check_passes(
    overpass: tuple[str, list[str]], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from routing.cli import main

    url, _ = overpass
    out = tmp_path / "valley"
    args = ["fetch", "--bbox", "72.69,41.87,72.73,41.90", "--out", str(out), "--overpass-url", url]
    assert main(args) == 0  # in the template's language: Kyrgyz
    said = capsys.readouterr().out
    assert "(жолдор: 3, имараттар: 6, калктуу конуштар: 2, полигондор: 1)" in said
    assert "  божомол: OSMде белгиленген полигон (landuse=landfill)" in said
    assert "кийинки кадам: taza-route check --deep " in said
    assert main(args) == 2  # scenario.toml exists: --force, in the template's Kyrgyz
    assert "мурунтан бар: аны алмаштыруу үчүн --force бериңиз" in capsys.readouterr().err
    assert main([*args, "--force", "--language", "ru"]) == 0
    said = capsys.readouterr().out
    assert "(дорог: 3, зданий: 6, населённых пунктов: 2, полигонов: 1)" in said
    assert "  допущение: полигон, отмеченный в OSM (landuse=landfill)" in said
    assert main([*args, "--force", "--language", "en"]) == 0
    said = capsys.readouterr().out
    assert "(roads: 3, buildings: 6, places: 2, landfills: 1)" in said
    assert "  assumption: the landfill mapped in OSM" in said and "next: taza-route check" in said
    scenario = str(out / "scenario.toml")
    assert main(["check", "--deep", scenario, "--cache-dir", str(tmp_path / "c")]) == 0
    assert "орундар: 2 орундун 2 колдонууга жарайт" in capsys.readouterr().out
    english = ["check", "--deep", scenario, "--cache-dir", str(tmp_path / "c"), "--language", "en"]
    assert main(english) == 0
    assert "positions: 2 of 2 usable" in capsys.readouterr().out
    assert main(["fetch", "--bbox", "72.9,41.8", "--out", str(out), "--language", "en"]) == 2
    assert "--bbox '72.9,41.8': write it as WEST,SOUTH,EAST,NORTH" in capsys.readouterr().err
    assert main(["fetch", "--bbox", "72.9,41.8", "--out", str(out)]) == 2  # the template's
    assert "ката: --bbox '72.9,41.8': аны градус менен БАТЫШ" in capsys.readouterr().err
