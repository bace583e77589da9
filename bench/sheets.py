"""Benchmark of the writers people look at: driver packets, the week map, route files.

``python -m bench.sheets`` writes ``bench/results/sheets.md``. Target (issue 6): every packet of a
week with about 10 vehicle-days of about 100 stops in under 20 s. Side by side in the same run:
the packets' vector maps (drawn by reportlab into the PDF) against the same overview maps drawn
by matplotlib into 150-dpi PNGs, the way a raster design would make them.
"""

from __future__ import annotations

import datetime as dt
import platform
import statistics
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench._files import write_text

RESULTS = Path(__file__).resolve().parent / "results" / "sheets.md"
REPEATS = 3


def _median_time(fn: Callable[[], Any], repeats: int = REPEATS) -> tuple[float, list[float], Any]:
    runs = []
    out = None
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        runs.append(time.perf_counter() - t0)
    return statistics.median(runs), runs, out


def _matplotlib_overviews(plan: Any, out_dir: Path) -> list[Path]:
    """The peer: each vehicle-day's overview (streets grey, route black, numbers) as a PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.collections import LineCollection

    from routing.directions import edge_lines, locate_stops, path_edges, walk

    graph = plan.network.graph
    streets = [c for c, _, _ in edge_lines(graph)]
    paths = []
    for vd in plan.vehicle_days:
        drive = walk(graph, vd)
        edges = path_edges(graph, drive.nodes)
        fig, ax = plt.subplots(figsize=(7.3, 5.0), dpi=150)
        ax.add_collection(LineCollection(streets, colors="0.6", linewidths=0.4))
        ax.add_collection(LineCollection(edges, colors="black", linewidths=1.4))
        for number, (start, _end, _stop) in enumerate(
            (x for x in locate_stops(vd, graph, route=drive) if x[2].kind == "collect"), start=1
        ):
            node = graph.nodes[drive.nodes[start]]
            ax.annotate(
                str(number),
                (node["x"], node["y"]),
                fontsize=5,
                ha="center",
                va="center",
                bbox={"boxstyle": "circle,pad=0.2", "fc": "white", "ec": "black", "lw": 0.5},
            )
        allc = [c for e in edges for c in e]
        xs = [c[0] for c in allc]
        ys = [c[1] for c in allc]
        ax.set_xlim(min(xs) - 50, max(xs) + 50)
        ax.set_ylim(min(ys) - 50, max(ys) + 50)
        ax.set_aspect("equal")
        ax.set_axis_off()
        path = out_dir / f"{vd.day}-{len(paths)}.png"
        fig.savefig(path, dpi=150)
        plt.close(fig)
        paths.append(path)
    return paths


def _vector_overviews(plan: Any, out: Path) -> Path:
    """Ours, isolated: the same overviews as vector maps, one per page of a PDF."""
    from reportlab.lib.pagesizes import A4
    from reportlab.platypus import PageBreak, SimpleDocTemplate

    from routing import sheets
    from routing.directions import walk

    sheets.register_fonts()
    graph = plan.network.graph
    streets = sheets._Streets.of(graph)
    story: list[Any] = []
    for vd in plan.vehicle_days:
        drive = walk(graph, vd)
        route = sheets._route(vd, graph, drive)
        story.append(
            sheets._MapBox(
                width=sheets.FRAME_W,
                height=128 * 2.8346,
                view=sheets._view_of(route.edges),
                streets=streets,
                route=route,
                edge_range=None,
                label_every=1,
                villages=[],
                depot=None,
                landfills=route.landfills,
                title="",
            )
        )
        story.append(PageBreak())
    SimpleDocTemplate(str(out), pagesize=A4).build(story)
    return out


def _script_ms(html: Path) -> tuple[float, int, int]:
    """Milliseconds the page's scripts take in headless Chromium, console errors, remote requests.

    A copy of the page (beside it, so its bundled files resolve) logs ``performance.now()``
    before the first and after the last script.
    """
    from routing.screenshots import load_page

    page = html.read_text(encoding="utf-8")
    first = page.index("<script")
    last = page.rindex("</script>")
    probe = html.with_name("probe.html")
    probe.write_text(
        page[:first]
        + "<script>console.log('START ' + performance.now());</script>"
        + page[first:last]
        + "\nconsole.log('READY ' + performance.now());\n"
        + page[last:],
        encoding="utf-8",
    )
    seen = load_page(probe, budget_ms=8000, timeout_s=300)
    marks = {}
    errors = 0
    for line in seen.console:
        for key in ("START", "READY"):
            if line.startswith(f'"{key} '):
                marks[key] = float(line.split()[1].rstrip('",'))
                break
        else:
            errors += 1
    took = marks.get("READY", float("nan")) - marks.get("START", float("nan"))
    return took, errors, len(seen.remote_requests)


def _real_plan() -> tuple[Any, str] | None:
    """The embedded default week, when the pipeline can plan it here."""
    try:
        from routing.api import plan_week
        from routing.scenario import load_scenario

        root = Path(__file__).resolve().parents[1]
        scenario = load_scenario(root / "data" / "taza-aimak" / "scenario.toml")
        t0 = time.perf_counter()
        plan = plan_week(scenario)
        return plan, f"embedded default week (planned in {time.perf_counter() - t0:.1f} s)"
    except Exception as exc:  # the bench still measures the writers on the hand-built week
        print(f"default week not available ({type(exc).__name__}: {exc}); using the synthetic week")
        return None


def _packets(plans: list[tuple[str, Any]], root: Path) -> list[str]:
    """Table rows: every packet of each plan, timed, with pages, size and peak memory."""
    from pypdf import PdfReader

    from routing.sheets import write_driver_sheets

    lines = []
    for name, plan in plans:
        n_stops = sum(len(vd.collect_stops) for vd in plan.vehicle_days)
        out = root / "sheets"
        med, runs, paths = _median_time(
            lambda plan=plan, out=out: write_driver_sheets(plan, out, language="ky")
        )
        pages = sum(len(PdfReader(p).pages) for p in paths)
        size = sum(p.stat().st_size for p in paths)
        tracemalloc.start()
        write_driver_sheets(plan, root / "mem", language="ky")
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        n_vd = len(plan.vehicle_days)
        lines.append(
            f"| {name} | {n_vd} | {n_stops} | **{med:.2f} s** "
            f"({', '.join(f'{r:.2f}' for r in runs)}) | {med / max(n_vd, 1):.2f} s | {pages}"
            f" | {size / 1e6:.1f} MB | {peak / 2**20:.0f} MiB |"
        )
        print(lines[-1])
    return lines


def _overviews(week: Any, root: Path) -> list[str]:
    """The section comparing the vector overview maps (ours) with matplotlib PNGs (the peer)."""
    lines = [
        "",
        "## Overview maps: vector into the PDF (ours) vs matplotlib PNG (peer)",
        "",
        "The same 10 overview maps of the hand-built week (streets, route, numbered stops).",
        "",
        "| renderer | median (runs) | per map | output | ratio |",
        "|---|---:|---:|---:|---:|",
    ]
    vec_med, vec_runs, vec_pdf = _median_time(lambda: _vector_overviews(week, root / "vector.pdf"))
    (root / "png").mkdir()
    mpl_med, mpl_runs, pngs = _median_time(lambda: _matplotlib_overviews(week, root / "png"))
    n = len(week.vehicle_days)
    lines.append(
        f"| reportlab vector (ours) | {vec_med:.2f} s ({', '.join(f'{r:.2f}' for r in vec_runs)})"
        f" | {vec_med / n * 1000:.0f} ms | {vec_pdf.stat().st_size / 1e6:.2f} MB PDF | 1.00 |"
    )
    lines.append(
        f"| matplotlib Agg 150 dpi PNG | {mpl_med:.2f} s ({', '.join(f'{r:.2f}' for r in mpl_runs)})"
        f" | {mpl_med / n * 1000:.0f} ms | {sum(p.stat().st_size for p in pngs) / 1e6:.2f} MB PNG"
        f" | {mpl_med / vec_med:.1f}× slower |"
    )
    print(lines[-2], lines[-1], sep="\n")
    return lines


def _week_maps(maps: list[tuple[str, Any]], root: Path) -> list[str]:
    """Table rows: the offline week map of each plan, and its scripts' time in Chromium."""
    from routing.maps import write_week_map
    from routing.screenshots import find_chromium

    lines = []
    for label, plan in maps:
        html = root / "map" / "week.html"
        med, runs, _ = _median_time(
            lambda plan=plan, html=html: write_week_map(plan, html, language="ru", offline=True)
        )
        lines.append(
            f"| `week.html` offline | {label} | {med:.2f} s "
            f"({', '.join(f'{r:.2f}' for r in runs)}) | {html.stat().st_size / 1e6:.1f} MB |"
        )
        print(lines[-1])
        if find_chromium():
            took, errors, remote = _script_ms(html)
            lines.append(
                f"| its scripts in headless Chromium, all layers built, first day shown"
                f" (console errors: {errors}, remote requests: {remote}) | {label}"
                f" | {took / 1000:.2f} s (1 run) | |"
            )
            print(lines[-1])
    return lines


def _route_files(week: Any, root: Path) -> list[str]:
    """Table rows: the GPX, KML and GeoJSON files of the hand-built week."""
    from routing.exports import write_geojson, write_gpx, write_kml

    lines = []
    for fn, what in ((write_gpx, "GPX"), (write_kml, "KML"), (write_geojson, "GeoJSON")):
        out = root / what
        med, runs, paths = _median_time(lambda fn=fn, out=out: fn(week, out))
        lines.append(
            f"| {what}, one file per vehicle-day | hand-built week (1,000 stops) | {med:.3f} s "
            f"({', '.join(f'{r:.3f}' for r in runs)}) | "
            f"{sum(p.stat().st_size for p in paths) / 1e6:.2f} MB |"
        )
        print(lines[-1])
    return lines


def _head() -> list[str]:
    """The section's title, command, versions and the packets table's header."""
    import folium
    import matplotlib
    import reportlab

    return [
        "# Driver packets, week map and route files",
        "",
        f"Command: `.venv/bin/python -m bench.sheets` · {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC"
        f" · Python {platform.python_version()}, reportlab {reportlab.Version},"
        f" matplotlib {matplotlib.__version__}, folium {folium.__version__}, {platform.machine()}"
        " (2 shared cores). Times are medians of "
        f"{REPEATS} runs.",
        "",
        "Goal (issue 6): all packets of a week (~10 vehicle-days × ~100 stops) in under 20 s.",
        "",
        "| plan | vehicle-days | stops | packets: median (runs) | per packet | pages | PDF size"
        " | peak Python memory |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]


def main() -> None:
    """Run the benchmark and write ``bench/results/sheets.md``."""
    from tests.plan_factory import make_plan

    days = ("mon", "tue", "wed", "thu", "fri")
    week = make_plan(days=days, vehicles=2, stops_per_day=100, rows=12, cols=12, unserved=200)
    plans: list[tuple[str, Any]] = [
        ("hand-built week: 10 vehicle-days × 100 stops, 12×12 street grid", week)
    ]
    real = _real_plan()
    if real is not None:
        plans.append((real[1], real[0]))

    lines = _head()
    with tempfile.TemporaryDirectory(prefix="bench-sheets-") as tmp:
        root = Path(tmp)
        lines += _packets(plans, root)
        lines += _overviews(week, root)
        lines += [
            "",
            "## Week map and route files",
            "",
            "| what | plan | median (runs) | size |",
            "|---|---|---:|---:|",
        ]
        big = make_plan(days=days, vehicles=10, stops_per_day=100, rows=12, cols=12, unserved=5000)
        maps = [
            ("hand-built week (1,000 stops)", week),
            ("50 vehicle-days × 100 = 5,000 stops, 5,000 unserved households", big),
        ]
        if real is not None:
            maps.append(("embedded default week", real[0]))
        lines += _week_maps(maps, root)
        lines += _route_files(week, root)
    lines += [
        "",
        "Packets include the header with QR code, a vector overview map, strip maps of 20 stops,"
        " the stop list with landfill visits, and turn-by-turn directions; the hand-built week is"
        " `tests/plan_factory.make_plan` (waypoints along a full walk; directions are derived from"
        " the graph either way).",
        "",
    ]
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    write_text(RESULTS, "\n".join(lines))
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
