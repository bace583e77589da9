"""The comparison report: figures, differences, 'cannot be served', offline HTML, Markdown, charts."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from routing.compare import SearchLimits, summarise_plan
from routing.report import changed_routes, pareto_front, write_report
from tests.test_costs import tiny_plan


def _results(tmp_path: Path) -> list:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    base = summarise_plan(tiny_plan(tmp_path / "a"), label="base")
    nobody = summarise_plan(tiny_plan(tmp_path / "b", served=False), label="nobody")
    return [base, nobody]


def test_report_has_the_figures_and_says_when_a_scenario_cannot_be_served(tmp_path: Path) -> None:
    files = write_report(_results(tmp_path), tmp_path / "out", language="en")
    names = {f.name for f in files}
    assert {
        "report.html",
        "report.md",
        "figures.json",
        "costs.svg",
        "hours.svg",
        "per_household.svg",
    } <= names
    md = (tmp_path / "out" / "report.md").read_text(encoding="utf-8")
    row = next(
        line for line in md.splitlines() if line.startswith("| Cost per household per month |")
    )
    assert row.split("|")[2].strip() == "2 601.3"  # (2,540 x 52/12 + 2,000) / 5 households
    assert row.split("|")[3].strip() == "cannot be served"
    assert (
        "nobody: this scenario cannot be served: no household is on a route (6 × off network)" in md
    )
    served = next(line for line in md.splitlines() if line.startswith("| Households served |"))
    assert served.split("|")[3].strip() == "0 (−5)"
    assert "costs.collection_rate`: assumption: half pay" in md


def test_html_report_is_one_offline_page_with_the_map_and_attribution(tmp_path: Path) -> None:
    write_report(_results(tmp_path), tmp_path / "out", language="ky")
    page = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert not re.search(
        r"""<(?:script|link|img)[^>]*\s(?:src|href)=["']https?://""", page
    )  # nothing fetched from the network
    assert "L.map('map'" in page and "<svg" in page
    assert "© OpenStreetMap contributors" in page
    assert "Сценарийлерди салыштыруу" in page and "тейлөөгө болбойт" in page  # ky, with ө and ү


def test_changed_routes_and_the_undominated_points() -> None:
    assert pareto_front([(100, 0.9), (90, 0.9), (120, 0.95), (None, None), (130, 0.8)]) == [
        False, True, True, False, False,
    ]  # fmt: skip


def test_a_route_is_changed_when_its_visits_differ(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    base = summarise_plan(tiny_plan(tmp_path / "a"), label="base")
    assert changed_routes(base, base) == set()
    other = summarise_plan(tiny_plan(tmp_path / "a"), label="other")
    moved = type(other.routes[0])(day="tue", vehicle="Truck", coords=(), fingerprint="x")
    other = type(other)(**{**other.__dict__, "routes": (moved,)})
    assert changed_routes(base, other) == {("tue", "Truck")}


def test_the_report_states_the_search_limits_and_warns_when_they_differ(tmp_path: Path) -> None:
    base, other = _results(tmp_path)
    assert base.limits == other.limits and base.limits is not None
    write_report([base, other], tmp_path / "same", language="en")
    md = (tmp_path / "same" / "report.md").read_text(encoding="utf-8")
    seconds = f"{base.limits.time_limit_s:g}"
    assert (
        f"> Search limits, the same for every scenario: {seconds} s per search of a collection day, "
        f"{base.limits.balance_rounds} balancing rounds, seed {base.limits.seed}; a search ends sooner "
        f"after {base.limits.plateau_iterations} iterations without a better plan." in md
    )
    longer = replace(other, limits=SearchLimits(30, 0, 7, max_iterations=500))
    write_report([base, longer], tmp_path / "differ", language="ru")
    page = (tmp_path / "differ" / "report.html").read_text(encoding="utf-8")
    assert "Пределы поиска у сценариев разные" in page
    assert "nobody: 30 с на поиск одного дня сбора, итераций не более 500" in page
    plateau = replace(base, limits=replace(base.limits, plateau_iterations=1000))
    write_report(
        [plateau, replace(other, limits=plateau.limits)], tmp_path / "plateau", language="en"
    )
    md = (tmp_path / "plateau" / "report.md").read_text(encoding="utf-8")
    assert "; a search ends sooner after 1000 iterations without a better plan." in md
