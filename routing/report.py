"""The comparison report: one self-contained HTML page and the same in Markdown.

A planner reads it without opening anything else: a table of the key figures per scenario with the
difference from the base, the same per aiyl aimak, charts (cost breakdown; hours per vehicle-day
against the shift; cost per household against the tariff; for a sweep, cost per household against
coverage with the undominated combinations marked) drawn by matplotlib as inline SVG, and a map
whose routes that differ from the base's are highlighted. The map is Leaflet with its JavaScript and
CSS written into the page (from ``routing/static``, as the week map's offline mode uses), on the
route lines alone (no tiles), so the page opens offline. A scenario that serves nobody shows "cannot
be served" where a cost per household would be; a failed one shows its error.
"""

from __future__ import annotations

import datetime as dt
import html
import io
import json
import math
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from routing.atomic import atomic_folder, atomic_write
from routing.costs import COST_ITEMS, WEEKS_PER_MONTH, AreaFigures, KeyFigures
from routing.i18n import day_name, translator
from routing.maps import OSM_ATTRIBUTION, PALETTE, STATIC_DIR
from routing.unserved import reason_text

if TYPE_CHECKING:
    from routing.compare import SearchLimits, VariantResult
    from routing.i18n import Translator

__all__ = ["changed_routes", "pareto_front", "write_report"]

Row = tuple[str, Callable[[KeyFigures], float | None], str]
REPORT_FILES: tuple[str, ...] = ("charts", "report.html", "report.md", "figures.json")


def write_report(
    results: Sequence[VariantResult],
    out_dir: Path,
    *,
    language: str | None = None,
    title: str | None = None,
    sweep: Sequence[tuple[float | None, float | None]] | None = None,
) -> list[Path]:
    """Write ``report.html``, ``report.md``, ``figures.json`` and ``charts/*.svg`` into ``out_dir``.

    Parameters
    ----------
    results
        The base first, then the variants (:func:`routing.compare.run_variants`).
    out_dir
        The report's folder, replaced as a whole when the report is complete.
    language
        ``"ky"``, ``"ru"`` or ``"en"`` (default: the base scenario's, else English).
    title
        The heading (default: "Scenario comparison").
    sweep
        For a sweep: marks the report as one and adds the cost-against-coverage chart.

    Returns
    -------
    list of Path
    """
    base = results[0]
    lang = language or _language_of(base)
    _ = translator(lang)
    heading = title or _("Scenario comparison")
    charts = _charts(results, _, sweep=sweep is not None)
    doc = [
        {"label": r.label, "path": r.path, "error": r.error, "error_texts": r.error_texts,
         "seconds": round(r.seconds, 1),
         "figures": r.figures.to_dict() if r.figures else None}
        for r in results
    ]  # fmt: skip
    # the report replaces the folder's previous one as a whole, or not at all
    with atomic_folder(out_dir, owned=REPORT_FILES) as tmp:
        for name, svg in charts.items():
            _write_text(tmp / "charts" / f"{name}.svg", svg)
        _write_text(tmp / "report.html", _html(results, heading, charts, _, lang))
        _write_text(tmp / "report.md", _markdown(results, heading, list(charts), _))
        _write_text(
            tmp / "figures.json", json.dumps(doc, ensure_ascii=False, indent=1, default=str)
        )
    charts_dir = out_dir / "charts"
    return [*(charts_dir / f"{n}.svg" for n in charts), *(out_dir / n for n in REPORT_FILES[1:])]


def _write_text(path: Path, text: str) -> Path:
    return atomic_write(path, lambda handle: handle.write(text))


def _language_of(result: VariantResult) -> str:
    try:
        from routing.scenario import load_scenario

        return load_scenario(result.path).language if result.path.endswith(".toml") else "en"
    except Exception:  # a base that failed to load: the report still speaks
        return "en"


# --- figures ---------------------------------------------------------------------------------


def _rows(_: Translator) -> list[Row]:
    """The key figures shown, as (label, getter, format)."""
    t = lambda f: lambda k: f(k.total)  # noqa: E731
    m = WEEKS_PER_MONTH
    rows: list[Row] = [
        (_("Households in"), t(lambda a: a.households_in), "int"),
        (_("Households served"), t(lambda a: a.households_served), "int"),
        (_("Households unserved"), t(lambda a: a.households_unserved), "int"),
        (_("Coverage (share served)"), t(lambda a: a.coverage), "pct"),
        (_("Within 150 m of a container"), t(lambda a: a.near_container_share), "pct"),
        (_("km per week"), t(lambda a: a.km_week), "num"),
        (_("km per month"), t(lambda a: a.km_week * m), "num"),
        (_("Hours per week"), t(lambda a: a.hours_week), "num1"),
        (_("Hours per month"), t(lambda a: a.hours_week * m), "num"),
        (_("Landfill trips per week"), t(lambda a: a.landfill_trips_week), "num"),
        (_("Fuel, litres per month"), t(lambda a: a.fuel_l_week * m), "num"),
        (_("CO₂, kg per month"), t(lambda a: a.co2_kg_week * m), "num"),
        (_("Vehicles used / available"), lambda k: k.vehicles_used, "int"),
        (_("Vehicle-days used per week"), lambda k: k.vehicle_days_used, "int"),
        (_("Vehicle-days available per week"), lambda k: k.vehicle_days_available, "int"),
        (_("Hours available per week"), lambda k: k.hours_available_week, "num"),
    ]
    for item in COST_ITEMS:
        rows.append(
            (
                _(f"Cost per month: {item.replace('_', ' ')}"),
                t(lambda a, i=item: a.costs_month[i]),
                "som",
            )
        )
    rows += [
        (_("Cost per month"), t(lambda a: a.cost_month), "som"),
        (_("Revenue per month"), t(lambda a: a.revenue_month), "som"),
        (_("Surplus (+) or deficit (−) per month"), t(lambda a: a.surplus_month), "som"),
        (_("Cost per household per month"), t(lambda a: a.cost_per_household_month), "som1"),
        (_("Tariff (mean over households served)"), t(lambda a: a.tariff), "som1"),
        (_("Break-even tariff"), t(lambda a: a.break_even_tariff), "som1"),
        (
            _("Break-even tariff without depreciation"),
            t(lambda a: a.break_even_tariff_without_depreciation),
            "som1",
        ),
    ]
    return rows


_PER_HOUSEHOLD = ("som1",)


def _fmt(value: float | None, kind: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return _fmt_number(value, kind).replace("-", "−")  # a minus sign, as in the differences


def _fmt_number(value: float, kind: str) -> str:
    if kind == "pct":
        return f"{value:.1%}"
    if kind == "int":
        return f"{value:,.0f}".replace(",", " ")
    if kind in ("num1", "som1"):
        return f"{value:,.1f}".replace(",", " ")
    return f"{value:,.0f}".replace(",", " ")


def _delta(value: float | None, base: float | None, kind: str) -> str:
    if value is None or base is None:
        return ""
    d = value - base
    if abs(d) < 1e-9:
        return "±0"
    if kind == "pct":
        return f"{d * 100:+.1f} pp".replace("-", "−")
    return ("+" if d > 0 else "−") + _fmt(abs(d), kind)


def _cell(
    result: VariantResult, base: KeyFigures | None, row: Row, _: Translator
) -> tuple[str, str]:
    """A table cell: the value and its difference from the base, or why there is none."""
    label, get, kind = row
    figures = result.figures
    if figures is None:
        return _("failed"), ""
    if label == _("Vehicles used / available"):
        return f"{figures.vehicles_used} / {figures.vehicles_available}", ""
    if not figures.servable and kind in _PER_HOUSEHOLD:
        return _("cannot be served"), ""
    value = get(figures)
    usable = base is not None and (base.servable or kind not in _PER_HOUSEHOLD)
    return _fmt(value, kind), _delta(
        value, get(base) if base is not None and usable else None, kind
    )


def _table(results: Sequence[VariantResult], _: Translator) -> list[list[str]]:
    """The key-figure table: a header row, then one row per figure."""
    base = results[0].figures
    head = [_("Figure"), *(r.label for r in results)]
    rows = [head]
    for row in _rows(_):
        cells = [row[0]]
        for i, r in enumerate(results):
            value, delta = _cell(r, base, row, _)
            cells.append(value if i == 0 or not delta else f"{value} ({delta})")
        rows.append(cells)
    return rows


def _aimak_table(
    results: Sequence[VariantResult], _: Translator, *, money: bool
) -> list[list[str]]:
    """Per aiyl aimak and scenario: the work (``money=False``) or the money (``money=True``)."""
    if money:
        head = [_("Aiyl aimak"), _("Scenario"), _("Cost per month"), _("Revenue per month"),
                _("Cost per household per month"), _("Tariff"), _("Break-even tariff"),
                _("Break-even tariff without depreciation"), _("Surplus (+) or deficit (−) per month")]  # fmt: skip
    else:
        head = [_("Aiyl aimak"), _("Scenario"), _("Households served"), _("Households unserved"),
                _("Coverage (share served)"), _("Within 150 m of a container"), _("km per week"),
                _("Hours per week"), _("Landfill trips per week"), _("Fuel, litres per month"),
                _("CO₂, kg per month")]  # fmt: skip
    rows = [head]
    names = sorted({a.name for r in results if r.figures for a in r.figures.by_aimak})
    for name in names:
        for r in results:
            area = (
                next((a for a in r.figures.by_aimak if a.name == name), None) if r.figures else None
            )
            if area is not None:
                rows.append([name, r.label, *(_money(area, _) if money else _work(area))])
    return rows


def _work(a: AreaFigures) -> list[str]:
    m = WEEKS_PER_MONTH
    return [
        _fmt(a.households_served, "int"), _fmt(a.households_unserved, "int"), _fmt(a.coverage, "pct"),
        _fmt(a.near_container_share, "pct"), _fmt(a.km_week, "num"), _fmt(a.hours_week, "num1"),
        _fmt(a.landfill_trips_week, "num1"), _fmt(a.fuel_l_week * m, "num"), _fmt(a.co2_kg_week * m, "num"),
    ]  # fmt: skip


def _money(a: AreaFigures, _: Translator) -> list[str]:
    cost, revenue, tariff = (
        _fmt(a.cost_month, "som"),
        _fmt(a.revenue_month, "som"),
        _fmt(a.tariff, "som1"),
    )
    if a.households_served == 0:
        none = _("cannot be served")
        return [cost, revenue, none, tariff, none, none, "—"]
    return [
        cost, revenue, _fmt(a.cost_per_household_month, "som1"), tariff, _fmt(a.break_even_tariff, "som1"),
        _fmt(a.break_even_tariff_without_depreciation, "som1"), _fmt(a.surplus_month, "som"),
    ]  # fmt: skip


def _notes(results: Sequence[VariantResult], _: Translator) -> list[str]:
    """Plain sentences under the table: errors, scenarios that cannot be served, the method."""
    out = []
    for r in results:
        if r.error:
            out.append(_("{label}: failed: {error}", label=r.label, error=r.error_in(_.language)))
        elif r.figures and not r.figures.servable:
            reasons = "; ".join(
                f"{n} × {reason_text(k, _.language)}"
                for k, n in list(r.figures.unserved_by_reason.items())[:3]
            )
            out.append(_("{label}: this scenario cannot be served: no household is on a route ({reasons}).",
                         label=r.label, reasons=reasons))  # fmt: skip
        elif r.figures and not r.figures.priced:
            out.append(
                _(
                    "{label}: the scenario has no [costs] table, so money figures are 0.",
                    label=r.label,
                )
            )
    out += _limits_note(results, _)
    out.append(
        _(
            "A month is 52/12 weeks. Method and sources of every price: routing/costs.py and the scenario's [costs]."
        )
    )
    return out


def _limits_note(results: Sequence[VariantResult], _: Translator) -> list[str]:
    """The search limits the plans were made under: one sentence if all alike, else each's
    (nothing when no plan was made)."""

    def text(limits: SearchLimits) -> str:
        values = {
            "seconds": f"{limits.time_limit_s:g}", "rounds": limits.balance_rounds,
            "seed": limits.seed, "iterations": limits.max_iterations,
        }  # fmt: skip
        if limits.max_iterations is None:
            said = _(
                "{seconds} s per search of a collection day, {rounds} balancing rounds, seed {seed}",
                **values,
            )
        else:
            said = _("{seconds} s per search of a collection day, at most {iterations} iterations, {rounds} balancing rounds, seed {seed}", **values)  # fmt: skip
        if not limits.plateau_iterations:
            return said
        return _(
            "{limits}; a search ends sooner after {plateau} iterations without a better plan",
            limits=said, plateau=limits.plateau_iterations,
        )  # fmt: skip

    known = [(r.label, r.limits) for r in results if r.limits is not None]
    if not known:
        return []
    if len({limits for _label, limits in known}) == 1:
        return [
            _("Search limits, the same for every scenario: {limits}.", limits=text(known[0][1]))
        ]
    each = "; ".join(f"{label}: {text(limits)}" for label, limits in known)
    return [
        _(
            "Search limits differ between scenarios, so part of a difference may come from the search: {limits}.",
            limits=each,
        )
    ]


def changed_routes(base: VariantResult, other: VariantResult) -> set[tuple[str, str]]:
    """(day, vehicle) of the routes of ``other`` that are new or drive another path than the base's."""
    before = {(r.day, r.vehicle): r.fingerprint for r in base.routes}
    return {
        (r.day, r.vehicle) for r in other.routes if before.get((r.day, r.vehicle)) != r.fingerprint
    }


def pareto_front(points: Sequence[tuple[float | None, float | None]]) -> list[bool]:
    """Undominated points of (cost per household, coverage): lower cost and higher coverage win.

    A point without a cost (it cannot be served) is never on the front.
    """
    out = []
    for i, (c, v) in enumerate(points):
        if c is None or v is None:
            out.append(False)
            continue
        dominated = any(
            oc is not None and ov is not None and oc <= c and ov >= v and (oc < c or ov > v)
            for j, (oc, ov) in enumerate(points)
            if j != i
        )
        out.append(not dominated)
    return out


# --- charts ----------------------------------------------------------------------------------


def _svg(fig: Any) -> str:
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight")
    plt.close(fig)
    text = buffer.getvalue()
    return text[text.find("<svg") :]


def _charts(results: Sequence[VariantResult], _: Translator, *, sweep: bool) -> dict[str, str]:
    ok = [r for r in results if r.figures is not None]
    charts = {
        "costs": _chart_costs(ok, _),
        "hours": _chart_hours(ok, _),
        "per_household": _chart_per_household(ok, _),
    }
    if sweep:
        charts["sweep"] = _chart_sweep(ok, _)
    return charts


def _chart_costs(results: Sequence[VariantResult], _: Translator) -> str:
    fig, ax = plt.subplots(figsize=(max(5, 1.3 * len(results) + 2), 3.6))
    bottom = [0.0] * len(results)
    for i, item in enumerate(COST_ITEMS):
        vals = [r.figures.total.costs_month[item] / 1000 if r.figures else 0 for r in results]
        ax.bar([r.label for r in results], vals, bottom=bottom, label=_(item.replace("_", " ")),
               color=PALETTE[i % len(PALETTE)])  # fmt: skip
        bottom = [b + v for b, v in zip(bottom, vals, strict=True)]
    ax.set_ylabel(_("thousand som per month"))
    ax.set_title(_("Cost per month by item"))
    if results:
        ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1, 1))
    ax.tick_params(axis="x", labelrotation=20, labelsize=8)
    return _svg(fig)


def _chart_hours(results: Sequence[VariantResult], _: Translator) -> str:
    fig, ax = plt.subplots(figsize=(7, 3.6))
    x = 0
    ticks, names = [], []
    for i, r in enumerate(results):
        assert r.figures is not None
        vds = r.figures.vehicle_days
        xs = list(range(x, x + len(vds)))
        ax.bar(xs, [v.hours for v in vds], color=PALETTE[i % len(PALETTE)], label=r.label)
        ax.scatter(xs, [v.shift_hours for v in vds], marker="_", s=120, color="black", zorder=3)
        if vds:
            ticks.append(sum(xs) / len(xs))
            names.append(r.label)
        x += len(vds) + 2
    ax.set_xticks(ticks, names, fontsize=8, rotation=20)
    ax.set_ylabel(_("hours"))
    ax.set_title(_("Hours per vehicle-day (bars) against the shift (black marks)"))
    return _svg(fig)


def _chart_per_household(results: Sequence[VariantResult], _: Translator) -> str:
    fig, ax = plt.subplots(figsize=(7, 3.6))
    names = sorted({a.name for r in results if r.figures for a in r.figures.by_aimak})
    width = 0.8 / max(1, len(results))
    for i, r in enumerate(results):
        assert r.figures is not None
        vals = []
        for name in names:
            area = next((a for a in r.figures.by_aimak if a.name == name), None)
            vals.append(area.cost_per_household_month or 0 if area else 0)
        ax.bar(
            [k + i * width for k in range(len(names))],
            vals,
            width,
            label=r.label,
            color=PALETTE[i % len(PALETTE)],
        )
    for k, name in enumerate(names):
        tariff = next(
            (
                a.tariff
                for r in results
                if r.figures
                for a in r.figures.by_aimak
                if a.name == name and a.tariff
            ),
            None,
        )
        if tariff:
            ax.hlines(tariff, k - width / 2, k + 0.8 - width / 2, colors="black", linestyles="--")
    ax.set_xticks([k + 0.4 - width / 2 for k in range(len(names))], names)
    ax.set_ylabel(_("som per household per month"))
    ax.set_title(_("Cost per household (bars) against the tariff (dashed)"))
    if results:
        ax.legend(fontsize=7)
    return _svg(fig)


def _chart_sweep(results: Sequence[VariantResult], _: Translator) -> str:
    fig, ax = plt.subplots(figsize=(7, 4))
    pts = [
        (r.figures.total.cost_per_household_month, r.figures.total.coverage)
        if r.figures
        else (None, None)
        for r in results
    ]
    front = pareto_front(pts)
    for r, (c, v), best in zip(results, pts, front, strict=True):
        if c is None or v is None:
            continue
        ax.scatter(
            [v * 100], [c], s=60 if best else 25, color="#d62728" if best else "#7f7f7f", zorder=3
        )
        ax.annotate(r.label, (v * 100, c), fontsize=7, xytext=(4, 3), textcoords="offset points")
    ax.set_xlabel(_("coverage, % of households served"))
    ax.set_ylabel(_("som per household per month"))
    ax.set_title(_("Cost per household against coverage (red: not dominated)"))
    return _svg(fig)


# --- map -------------------------------------------------------------------------------------


def _map_data(results: Sequence[VariantResult], _: Translator) -> dict[str, Any]:
    """Route lines per scenario: the base's in grey; a variant's changed routes in colour."""
    base = results[0]
    layers = []
    for i, r in enumerate(results):
        if r.figures is None:
            continue
        changed = changed_routes(base, r) if i else set()
        features = []
        for route in r.routes:
            is_changed = (route.day, route.vehicle) in changed
            if i and not is_changed:
                continue
            features.append({
                "lines": [list(map(list, line)) for line in route.coords],
                "label": f"{day_name(route.day, _.language, short=True)} · {route.vehicle}",
                "changed": is_changed,
            })  # fmt: skip
        colour = "#555555" if i == 0 else PALETTE[(i - 1) % len(PALETTE)]
        name = (
            r.label if i == 0 else _("{label}: {n} routes changed", label=r.label, n=len(changed))
        )
        layers.append({"name": name, "colour": colour, "base": i == 0, "features": features})
    sites = []
    if base.depot:
        sites.append({"name": _("Depot"), "lonlat": list(base.depot)})
    for r in results:
        for name, lon, lat in r.landfills:
            entry = {"name": f"{_('Landfill')}: {name}", "lonlat": [lon, lat]}
            if entry not in sites:
                sites.append(entry)
    return {"layers": layers, "sites": sites}


_MAP_JS = """
(function(){
var data = %s;
var map = L.map('map', {preferCanvas: true});
map.attributionControl.addAttribution(%s);
// the view first: Leaflet's canvas cannot draw a line on a map without one
var bounds = L.latLngBounds([]);
data.layers.forEach(function(layer){ layer.features.forEach(function(f){ f.lines.forEach(function(line){
  line.forEach(function(p){ bounds.extend([p[1], p[0]]); }); }); }); });
data.sites.forEach(function(s){ bounds.extend([s.lonlat[1], s.lonlat[0]]); });
if (bounds.isValid()) { map.fitBounds(bounds); } else { map.setView([0, 0], 2); }
var overlays = {};
data.layers.forEach(function(layer){
  var group = L.layerGroup();
  layer.features.forEach(function(f){
    f.lines.forEach(function(line){
      var ll = line.map(function(p){ return [p[1], p[0]]; });
      L.polyline(ll, {color: layer.colour, weight: layer.base ? 3 : 5,
                      opacity: layer.base ? 0.55 : 0.9}).bindTooltip(f.label).addTo(group);
    });
  });
  group.addTo(map); overlays[layer.name] = group;
});
data.sites.forEach(function(s){
  L.circleMarker([s.lonlat[1], s.lonlat[0]], {radius: 7, color: '#000', fillColor: '#fff',
    fillOpacity: 1}).bindTooltip(s.name).addTo(map);
});
L.control.layers(null, overlays, {collapsed: false}).addTo(map);
})();
"""


def _map_html(results: Sequence[VariantResult], _: Translator) -> str:
    data = json.dumps(_map_data(results, _), ensure_ascii=False).replace("</", "<\\/")
    attribution = [OSM_ATTRIBUTION]
    if any(r.synthetic for r in results):
        attribution.append(_("Synthetic stand-in streets: not the real street network."))
    css = (STATIC_DIR / "leaflet" / "leaflet.css").read_text(encoding="utf-8")
    js = (
        (STATIC_DIR / "leaflet" / "leaflet.js")
        .read_text(encoding="utf-8")
        .replace("</script", "<\\/script")
    )
    script = _MAP_JS % (data, json.dumps(" · ".join(attribution), ensure_ascii=False))
    return (
        f"<style>{css}</style><div id='map' style='height:520px;border:1px solid #888'></div>"
        f"<script>{js}</script><script>{script}</script>"
    )


# --- pages -----------------------------------------------------------------------------------

_STYLE = """
body{font:14px/1.45 'DejaVu Sans',Arial,sans-serif;margin:24px;color:#111;max-width:1200px}
table{border-collapse:collapse;margin:8px 0 18px}td,th{border:1px solid #bbb;padding:3px 7px;text-align:right}
td:first-child,th:first-child{text-align:left}th{background:#eee}.note{color:#a00}
.small{color:#444;font-size:12px}svg{max-width:100%;height:auto}
"""


def _html_table(rows: list[list[str]]) -> str:
    head = "".join(f"<th>{html.escape(c)}</th>" for c in rows[0])
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in rows[1:]
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _html(
    results: Sequence[VariantResult], heading: str, charts: dict[str, str], _: Translator, lang: str
) -> str:
    esc = html.escape
    parts = [
        f"<!DOCTYPE html><html lang='{lang}'><head><meta charset='utf-8'><title>{esc(heading)}</title>",
        f"<style>{_STYLE}</style></head><body><h1>{esc(heading)}</h1>",
        f"<p class='small'>{esc(_('Made on {date}. The first scenario is the base; brackets give the difference from it.', date=dt.date.today().isoformat()))}</p>",
        "<ul>" + "".join(f"<li><b>{esc(r.label)}</b>: {esc(r.figures.scenario if r.figures else r.path)}</li>" for r in results) + "</ul>",
    ]  # fmt: skip
    parts += [f"<p class='note'>{esc(n)}</p>" for n in _notes(results, _)]
    parts += [f"<h2>{esc(_('Key figures'))}</h2>", _html_table(_table(results, _))]
    parts += [f"<h2>{esc(_('Per aiyl aimak'))}</h2>"]
    parts += [_html_table(_aimak_table(results, _, money=m)) for m in (False, True)]
    parts.append(f"<h2>{esc(_('Charts'))}</h2>")
    parts += [f"<div>{svg}</div>" for svg in charts.values()]
    parts += [f"<h2>{esc(_('Map: routes that change'))}</h2>", _map_html(results, _)]
    parts += _html_sources(results, _)
    parts.append(f"<p class='small'>{esc(_footer(results, _))}</p></body></html>")
    return "\n".join(parts)


def _html_sources(results: Sequence[VariantResult], _: Translator) -> list[str]:
    labels: dict[str, str] = {}
    for r in results:
        if r.figures:
            labels.update(r.figures.price_labels)
    items = "".join(
        f"<li><code>{html.escape(k)}</code>: {html.escape(v)}</li>" for k, v in labels.items()
    )
    return [
        f"<h2>{html.escape(_('Prices: sources and assumptions'))}</h2>",
        f"<ul class='small'>{items}</ul>",
    ]


def _footer(results: Sequence[VariantResult], _: Translator) -> str:
    text = OSM_ATTRIBUTION
    if any(r.synthetic for r in results):
        text += ". " + _("Synthetic stand-in streets: not the real street network.")
    return text


def _markdown(
    results: Sequence[VariantResult], heading: str, charts: list[str], _: Translator
) -> str:
    def table(rows: list[list[str]]) -> str:
        lines = ["| " + " | ".join(rows[0]) + " |", "|" + "---|" * len(rows[0])]
        lines += ["| " + " | ".join(c.replace("|", "/") for c in row) + " |" for row in rows[1:]]
        return "\n".join(lines)

    out = [f"# {heading}", ""]
    out += [f"- **{r.label}**: {r.figures.scenario if r.figures else r.path}" for r in results]
    out += ["", *(f"> {n}" for n in _notes(results, _)), ""]
    out += [f"## {_('Key figures')}", "", table(_table(results, _)), ""]
    out += [f"## {_('Per aiyl aimak')}", ""]
    out += [part for m in (False, True) for part in (table(_aimak_table(results, _, money=m)), "")]
    out += [f"## {_('Charts')}", ""] + [f"![{name}](charts/{name}.svg)" for name in charts]
    labels: dict[str, str] = {}
    for r in results:
        if r.figures:
            labels.update(r.figures.price_labels)
    out += ["", f"## {_('Prices: sources and assumptions')}", ""]
    out += [f"- `{k}`: {v}" for k, v in labels.items()]
    out += ["", _footer(results, _), ""]
    return "\n".join(out)
