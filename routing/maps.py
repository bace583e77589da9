"""The manager's interactive week map (``maps/week.html``, folium/Leaflet), online or fully offline.

Layers: the road network itself as vector lines (so the map reads without any tile server), one
layer per day holding a sub-layer per vehicle-day (route along the streets with direction arrows,
numbered stops with popups, the legs to the landfill dashed), depot and landfills, and the unserved
and low-confidence households. Stops, households and streets are drawn from compact GeoJSON by
small scripts (one Leaflet layer per group, canvas-rendered points), so thousands of them stay
smooth.

With ``offline=True`` no tile layer is used and the Leaflet files the map needs are copied from the
package (``routing/static``, vendored from the npm registry, licences beside them) into a
``<name>_files/`` folder next to the HTML; the page then loads nothing from the network.
"""

from __future__ import annotations

import html
import json
import math
import re
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any

import folium
import folium.plugins
import numpy as np
import shapely
from branca.element import MacroElement
from folium.template import Template
from shapely.ops import substring

from routing.atomic import atomic_write
from routing.directions import edge_lines
from routing.exports import landfill_loads, numbered_stops
from routing.i18n import day_date, day_name, format_clock, translator
from routing.unserved import reason_text

if TYPE_CHECKING:
    from routing.i18n import Translator
    from routing.plan import Plan, VehicleDay

STATIC_DIR = Path(__file__).resolve().parent / "static"
OSM_ATTRIBUTION = "© OpenStreetMap contributors"
# readable on screen and distinct for the usual colour blindness; cycled past ten vehicle-days
PALETTE: tuple[str, ...] = (
    "#1f77b4",
    "#d62728",
    "#2ca02c",
    "#9467bd",
    "#ff7f0e",
    "#8c564b",
    "#e377c2",
    "#17becf",
    "#7f7f7f",
    "#bcbd22",
)
LOW_CONFIDENCE_LEVELS = ("street", "village")

# folium's CDN assets we bundle for offline use: file name at the end of the URL -> local file
_OFFLINE_ASSETS: dict[str, str] = {
    "leaflet.js": "leaflet/leaflet.js",
    "leaflet.css": "leaflet/leaflet.css",
    "leaflet.markercluster.js": "leaflet.markercluster/leaflet.markercluster.js",
    "MarkerCluster.css": "leaflet.markercluster/MarkerCluster.css",
    "MarkerCluster.Default.css": "leaflet.markercluster/MarkerCluster.Default.css",
    "leaflet.textpath.min.js": "leaflet-textpath/leaflet.textpath.js",
    "leaflet.textpath.js": "leaflet-textpath/leaflet.textpath.js",
    "leaflet.featuregroup.subgroup.js": "leaflet.featuregroup.subgroup/leaflet.featuregroup.subgroup.js",
}
_ASSET_RE = re.compile(
    r"""<script[^>]*\ssrc="(https?://[^"]+)"[^>]*>\s*</script>|<link[^>]*\shref="(https?://[^"]+)"[^>]*/?>"""
)

_CSS = """
<style>
.taza-stop {background:#fff;border:2px solid #222;border-radius:50%;text-align:center;
  font:bold 11px/18px 'DejaVu Sans',Arial,sans-serif;color:#111;box-sizing:border-box;}
.taza-landfill {background:#222;color:#fff;border:2px solid #fff;border-radius:3px;text-align:center;
  font:bold 13px/20px Arial,sans-serif;box-sizing:border-box;}
.taza-depot {background:#fff;color:#000;border:3px solid #000;border-radius:3px;text-align:center;
  font:bold 13px/18px Arial,sans-serif;box-sizing:border-box;}
.taza-legend {position:absolute;z-index:1000;bottom:56px;left:10px;background:rgba(255,255,255,.93);
  padding:8px 10px;border:1px solid #888;border-radius:4px;font:12px/1.45 'DejaVu Sans',Arial,sans-serif;
  max-height:60%;overflow:auto;max-width:320px;}
.taza-legend h4 {margin:0 0 4px;font-size:13px;}
.taza-legend .sw {display:inline-block;width:26px;height:0;border-top:4px solid;vertical-align:middle;
  margin-right:6px;}
.taza-legend .note {color:#a00;font-weight:bold;margin-top:4px;}
.taza-legend .attr {margin-top:4px;color:#333;}
</style>
"""


class _GeoJsonScript(MacroElement):  # type: ignore[misc]
    """A compact GeoJSON layer drawn by a small script and added to its parent layer.

    ``kind`` picks how features are drawn: ``"stops"`` (numbered DivIcons with popups),
    ``"points"`` (canvas circle markers with popups) or ``"lines"`` (canvas polylines with a
    hover tooltip of the street name).
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function() {
            var data = {{ this.data }};
            var style = {{ this.style }};
            var kind = {{ this.kind|tojson }};
            var renderer = L.canvas({padding: 0.5});
            var opts = {};
            if (kind === "stops") {
                opts.pointToLayer = function(f, ll) {
                    var p = f.properties;
                    return L.marker(ll, {icon: L.divIcon({className: p.c, html: p.n,
                        iconSize: [p.s, p.s], iconAnchor: [p.s / 2, p.s / 2]}), title: p.t});
                };
            } else if (kind === "points") {
                opts.pointToLayer = function(f, ll) {
                    return L.circleMarker(ll, Object.assign({renderer: renderer}, style));
                };
            } else {
                opts.style = function(f) {
                    return Object.assign({renderer: renderer}, style,
                        {weight: f.properties.w || style.weight});
                };
            }
            opts.onEachFeature = function(f, layer) {
                if (f.properties.p) { layer.bindPopup(f.properties.p, {maxWidth: 320}); }
                if (f.properties.name) { layer.bindTooltip(f.properties.name, {sticky: true}); }
            };
            L.geoJSON(data, opts).addTo({{ this._parent.get_name() }});
        })();
        {% endmacro %}
        """
    )

    def __init__(self, features: list[dict[str, Any]], *, kind: str, style: dict[str, Any]) -> None:
        super().__init__()
        self._name = "TazaGeoJson"
        self.kind = kind
        # '</' must not appear inside a <script>; '\u003c' keeps the JSON valid
        self.data = json.dumps(
            {"type": "FeatureCollection", "features": features},
            ensure_ascii=False,
            separators=(",", ":"),
        ).replace("</", "\\u003c/")
        self.style = json.dumps(style)


class _BindPopup(MacroElement):  # type: ignore[misc]
    """An HTML popup bound by Leaflet itself (folium.Popup needs jQuery, left out offline)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        {{ this._parent.get_name() }}.bindPopup({{ this.html|tojson }}, {maxWidth: 320});
        {% endmacro %}
        """
    )

    def __init__(self, html: str) -> None:
        super().__init__()
        self._name = "TazaPopup"
        self.html = html


class _MapExtras(MacroElement):  # type: ignore[misc]
    """Legend box, CSS and the always-visible attribution of the map."""

    _template = Template(
        """
        {% macro header(this, kwargs) %}{{ this.css }}{% endmacro %}
        {% macro html(this, kwargs) %}{{ this.legend }}{% endmacro %}
        {% macro script(this, kwargs) %}
        {{ this._parent.get_name() }}.attributionControl.setPrefix(false);
        {% for a in this.attributions %}
        {{ this._parent.get_name() }}.attributionControl.addAttribution({{ a|tojson }});
        {% endfor %}
        {% endmacro %}
        """
    )

    def __init__(self, *, legend: str, attributions: list[str]) -> None:
        super().__init__()
        self._name = "TazaExtras"
        self.css = _CSS
        self.legend = legend
        self.attributions = attributions


def _round(coords: Any) -> list[list[float]]:
    return [[round(float(c[0]), 6), round(float(c[1]), 6)] for c in coords]


def _esc(value: Any) -> str:
    return html.escape(str(value))


def _shown(value: Any) -> Any:
    """A table value for people: missing values (None, NaN, "") as a dash."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if isinstance(value, str) and value.strip().casefold() in ("", "nan", "none", "<na>"):
        return "—"
    return value


def _popup(rows: list[tuple[str, Any]], title: str) -> str:
    rows = [(k, _shown(v)) for k, v in rows]
    cells = "".join(f"<tr><td>{_esc(k)}</td><td><b>{_esc(v)}</b></td></tr>" for k, v in rows)
    return f"<b>{_esc(title)}</b><table>{cells}</table>"


def _network_features(plan: Plan) -> list[dict[str, Any]]:
    major = {"motorway", "trunk", "primary", "secondary", "tertiary"}
    features = []
    for coords, name, highway in edge_lines(plan.network.graph, to_wgs84=True):
        props: dict[str, Any] = {"w": 3 if highway.replace("_link", "") in major else 1.5}
        if name:
            props["name"] = name
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "LineString", "coordinates": _round(coords)},
                "properties": props,
            }
        )
    return features


def _node_lonlat(plan: Plan, node: int) -> tuple[float, float] | None:
    graph = plan.network.graph
    if node not in graph:
        return None
    nd = graph.nodes[node]
    lon, lat = plan.network.to_wgs84(nd["x"], nd["y"])
    return float(lon), float(lat)


def _split_landfill_legs(plan: Plan, vd: VehicleDay) -> tuple[list[Any], list[Any]]:
    """The day's lines split into collection driving and the legs to a landfill.

    A trip line that ends at a landfill is cut where its last collection ends (the exit of the
    farthest collection stop lying on it); the rest of it is the drive to the landfill. Matching
    is by geometry, so it does not depend on how trips are numbered.
    """
    landfills = np.array([(s.lon, s.lat) for s in vd.stops if s.kind == "landfill"])
    exits = []
    for s in vd.collect_stops:
        exits.append(_node_lonlat(plan, s.exit_node) or (s.lon, s.lat))
    exit_pts: Any = shapely.points(np.array(exits)) if exits else None
    main: list[Any] = []
    tails: list[Any] = []
    for line in vd.trips:
        if line.is_empty or len(line.coords) < 2:
            continue
        end = np.array(line.coords[-1][:2])
        at_landfill = len(landfills) and np.min(np.hypot(*(landfills - end).T)) < 3e-4
        if not at_landfill or exit_pts is None:
            main.append(line)
            continue
        on = shapely.distance(line, exit_pts) < 1e-5  # about a metre
        if not on.any():
            tails.append(line)
            continue
        cut = float(np.max(shapely.line_locate_point(line, exit_pts[on])))
        if 0 < cut < line.length:
            main.append(substring(line, 0, cut))
            tails.append(substring(line, cut, line.length))
        else:
            main.append(line)
    return main, tails


def _add_vehicle_day(
    plan: Plan, vd: VehicleDay, group: Any, colour: str, _: Translator, language: str
) -> None:
    landfill_label = _("Landfill")
    main, tails = _split_landfill_legs(plan, vd)
    minutes = round(vd.hours * 60)
    summary = _popup(
        [
            (_("Driver"), vd.driver),
            (_("Start"), f"{format_clock(vd.start_s)}–{format_clock(vd.end_s)}"),
            (_("Stops"), len(vd.collect_stops)),
            (_("Households"), vd.households),
            (_("Distance"), f"{vd.km:.1f} {_('km')}"),
            (_("Time"), f"{minutes // 60}:{minutes % 60:02d} {_('h')}"),
            (_("Landfill visits"), vd.landfill_trips),
            (_("U-turns"), vd.uturns),
            (_("Load"), f"{vd.load_kg:.0f} {_('kg')}"),
        ],
        f"{day_name(vd.day, language)} {vd.date} · {vd.vehicle}",
    )
    # one (multi-)polyline per style keeps the page small with thousands of stops
    for parts, dashed in ((main, False), (tails, True)):
        latlon = [[(c[1], c[0]) for c in part.coords] for part in parts if len(part.coords) >= 2]
        if not latlon:
            continue
        poly = folium.PolyLine(
            latlon,
            color=colour,
            weight=4 if not dashed else 3,
            opacity=0.85,
            dash_array="8 6" if dashed else None,
            tooltip=f"{vd.vehicle} → {landfill_label}" if dashed else vd.vehicle,
        )
        poly.add_to(group)
        _BindPopup(summary).add_to(poly)
        folium.plugins.PolyLineTextPath(
            poly,
            "   ►   ",
            repeat=True,
            offset=5,
            attributes={"fill": colour, "font-size": "13", "font-weight": "bold"},
        ).add_to(group)
    _GeoJsonScript(_stop_features(vd, _, language), kind="stops", style={}).add_to(group)


def _point_feature(
    s: Any, label: str, kind: str, size: int, tip: str, popup: str
) -> dict[str, Any]:
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [round(s.lon, 6), round(s.lat, 6)]},
        "properties": {"n": label, "c": kind, "s": size, "t": tip, "p": popup},
    }


def _stop_features(vd: VehicleDay, _: Translator, language: str) -> list[dict[str, Any]]:
    """The numbered collection stops and the landfill visits of a vehicle-day, with popups."""
    landfill_label = _("Landfill")
    stops: list[dict[str, Any]] = []
    for number, s in numbered_stops(vd):
        rows = [
            (_("Street"), s.street),
            (_("Houses"), s.label),
            (_("Households"), s.households),
            (_("Demand, kg"), f"{s.demand_kg:.0f}"),
            (_("Arrival"), format_clock(s.arrival_s)),
            (_("Trip"), s.trip),
        ]
        title = f"{number}. {vd.vehicle}, {day_name(vd.day, language)}"
        tip = f"{number}. {s.label or s.street}"
        stops.append(_point_feature(s, str(number), "taza-stop", 22, tip, _popup(rows, title)))
    for s, load in landfill_loads(vd):
        rows = [
            (_("Arrival"), format_clock(s.arrival_s)),
            (_("Expected load"), f"{load:.0f} {_('kg')}"),
            (_("Trip"), s.trip),
        ]
        tip = f"{landfill_label}: {s.label}"
        popup = _popup(rows, f"{landfill_label}: {s.label} — {vd.vehicle}")
        stops.append(_point_feature(s, "▼", "taza-landfill", 24, tip, popup))
    return stops


def _households_layer(plan: Plan, mask: Any, name: str, colour: str, _: Translator) -> Any:
    hh = plan.households.loc[mask]
    hh = hh[hh.geometry.notna() & ~hh.geometry.is_empty]
    reasons: dict[str, str] = {}
    unserved = plan.unserved
    if len(unserved) and {"household_id", "reason"} <= set(unserved.columns):
        reasons = dict(zip(unserved["household_id"].astype(str), unserved["reason"], strict=False))
    features = []
    for row in hh.to_dict("records"):
        hid = str(row.get("household_id", ""))
        reason = row.get("reason") if isinstance(row.get("reason"), str) else reasons.get(hid)
        rows = [
            (_("Village"), row.get("village", "")),
            (_("Street"), row.get("street", "")),
            (_("Houses"), row.get("house", "")),
            (_("Address found at"), _(str(row.get("match_level") or "—"))),
        ]
        if reason:
            rows.append((_("Reason"), reason_text(reason, _.language)))
        features.append(
            {
                "type": "Feature",
                "geometry": {
                    "type": "Point",
                    "coordinates": [round(row["geometry"].x, 6), round(row["geometry"].y, 6)],
                },
                "properties": {"p": _popup(rows, hid)},
            }
        )
    group = folium.FeatureGroup(name=f"{name} ({len(features)})", show=True)
    _GeoJsonScript(
        features,
        kind="points",
        style={"radius": 4, "color": "#000", "weight": 1, "fillColor": colour, "fillOpacity": 0.9},
    ).add_to(group)
    return group


def _legend(plan: Plan, entries: list[tuple[str, str]], _: Translator) -> str:
    parts = [
        '<div class="taza-legend">',
        f"<h4>{_esc(_('Legend'))}: {_esc(plan.scenario.name)}</h4>",
    ]
    for label, colour in entries:
        parts.append(
            f'<div><span class="sw" style="border-color:{colour}"></span>{_esc(label)}</div>'
        )
    parts.append(
        '<div><span class="sw" style="border-top:3px dashed #555"></span>'
        f"{_esc(_('Landfill visits'))}</div>"
        f"<div>► {_esc(_('Direction of travel'))}</div>"
        f'<div><span class="taza-stop" style="display:inline-block;width:18px;height:18px;'
        f'line-height:14px">1</span> {_esc(_("Collection stop"))}</div>'
        f'<div><span class="taza-landfill" style="display:inline-block;width:18px;height:18px;'
        f'line-height:14px">▼</span> {_esc(_("Landfill"))}</div>'
        f'<div><span class="taza-depot" style="display:inline-block;width:18px;height:18px;'
        f'line-height:12px">⌂</span> {_esc(_("Depot"))}</div>'
        f'<div><span style="color:#d00">●</span> {_esc(_("Unserved households"))}</div>'
        f'<div><span style="color:#f90">●</span> {_esc(_("Low-confidence addresses"))}</div>'
        f'<div><span class="sw" style="border-top:2px solid #999"></span>{_esc(_("Road network"))}</div>'
    )
    if plan.synthetic:
        parts.append(
            f'<div class="note">{_esc(_("Synthetic stand-in streets: not the real street network."))}</div>'
        )
    parts.append(f'<div class="attr">{_esc(OSM_ATTRIBUTION)}</div></div>')
    return "".join(parts)


def _bounds(plan: Plan) -> list[list[float]]:
    xs: list[float] = []
    ys: list[float] = []
    for vd in plan.vehicle_days:
        for line in vd.trips:
            if not line.is_empty:
                x0, y0, x1, y1 = line.bounds
                xs += [x0, x1]
                ys += [y0, y1]
    if not xs:
        graph = plan.network.graph
        if len(graph):
            x = np.array([d["x"] for _, d in graph.nodes(data=True)])
            y = np.array([d["y"] for _, d in graph.nodes(data=True)])
            lon, lat = plan.network.to_wgs84(x, y)
            xs = [float(np.min(lon)), float(np.max(lon))]
            ys = [float(np.min(lat)), float(np.max(lat))]
        else:
            xs = [plan.scenario.depot.lon]
            ys = [plan.scenario.depot.lat]
    return [[min(ys), min(xs)], [max(ys), max(xs)]]


def build_week_map(plan: Plan, *, language: str, offline: bool = False) -> folium.Map:
    """The week map as a :class:`folium.Map` (see :func:`write_week_map`)."""
    _ = translator(language)
    bounds = _bounds(plan)
    centre = [(bounds[0][0] + bounds[1][0]) / 2, (bounds[0][1] + bounds[1][1]) / 2]
    fmap = folium.Map(location=centre, zoom_start=14, tiles=None, control_scale=True)
    if not offline:
        folium.TileLayer(
            "OpenStreetMap", name=_("Street map (internet)"), attr=OSM_ATTRIBUTION
        ).add_to(fmap)
    network = folium.FeatureGroup(name=_("Road network"), show=True)
    _GeoJsonScript(
        _network_features(plan),
        kind="lines",
        style={"color": "#8a8a8a", "weight": 1.5, "opacity": 0.9},
    ).add_to(network)
    network.add_to(fmap)

    entries = _add_days(fmap, plan, _, language)
    _sites_layer(plan, _).add_to(fmap)

    hh = plan.households
    if len(hh) and "status" in hh.columns:
        unserved_mask = hh["status"] == "unserved"
        _households_layer(plan, unserved_mask, _("Unserved households"), "#dd0000", _).add_to(fmap)
        if "match_level" in hh.columns:
            low = hh["match_level"].isin(LOW_CONFIDENCE_LEVELS) & ~unserved_mask
            _households_layer(plan, low, _("Low-confidence addresses"), "#ff9900", _).add_to(fmap)

    attributions = [OSM_ATTRIBUTION]
    if plan.synthetic:
        attributions.append(_("Synthetic stand-in streets: not the real street network."))
    _MapExtras(legend=_legend(plan, entries, _), attributions=attributions).add_to(fmap)
    folium.LayerControl(collapsed=False).add_to(fmap)
    fmap.fit_bounds(bounds)
    return fmap


def _add_days(fmap: folium.Map, plan: Plan, _: Translator, language: str) -> list[tuple[str, str]]:
    """A layer per day with a sub-layer per vehicle-day; returns the legend's (label, colour)."""
    entries: list[tuple[str, str]] = []
    days = [d for d in dict.fromkeys(vd.day for vd in plan.vehicle_days)]
    for d_i, day in enumerate(days):
        vds = [vd for vd in plan.vehicle_days if vd.day == day]
        date = vds[0].date or str(day_date(plan.scenario.week_start, day) or "")
        label = f"{day_name(day, language)} {date}".strip()
        parent = folium.FeatureGroup(name=label, show=d_i == 0)
        parent.add_to(fmap)
        for vd in vds:
            colour = PALETTE[len(entries) % len(PALETTE)]
            name = f"{day_name(day, language, short=True)} · {vd.vehicle}"
            sub = folium.plugins.FeatureGroupSubGroup(parent, name=name, show=True)
            sub.add_to(fmap)
            _add_vehicle_day(plan, vd, sub, colour, _, language)
            entry = f"{day_name(day, language, short=True)} · {vd.vehicle} ({vd.driver})"
            entries.append((entry.replace(" ()", ""), colour))
    return entries


def _sites_layer(plan: Plan, _: Translator) -> folium.FeatureGroup:
    """The depot and the landfills."""
    sites = folium.FeatureGroup(name=f"{_('Depot')}, {_('Landfill')}", show=True)
    depot = plan.scenario.depot
    folium.Marker(
        [depot.lat, depot.lon],
        icon=folium.DivIcon(
            html="⌂", class_name="taza-depot", icon_size=(24, 24), icon_anchor=(12, 12)
        ),
        tooltip=f"{_('Depot')}: {depot.name}",
    ).add_to(sites)
    for lf in plan.scenario.landfills:
        folium.Marker(
            [lf.lat, lf.lon],
            icon=folium.DivIcon(
                html="▼", class_name="taza-landfill", icon_size=(24, 24), icon_anchor=(12, 12)
            ),
            tooltip=f"{_('Landfill')}: {lf.name}",
        ).add_to(sites)
    return sites


def _localise_assets(page: str, assets_dir: Path) -> str:
    """Point every remote ``<script>``/``<link>`` at a bundled copy, or drop the ones not used.

    folium's header always lists jQuery, Bootstrap, Font Awesome and awesome-markers; this map uses
    none of them (its icons are plain Leaflet DivIcons), so offline they are left out.
    """
    prefix = assets_dir.name

    def repl(match: re.Match[str]) -> str:
        url = match.group(1) or match.group(2)
        local = _OFFLINE_ASSETS.get(url.rsplit("/", 1)[-1].split("?")[0])
        if local is None:
            return ""
        source = STATIC_DIR / local
        if not source.exists():
            msg = f"bundled map asset missing from the package: {source}"
            raise FileNotFoundError(msg)
        target = assets_dir / local
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
        licence = source.parent / "LICENSE"
        if licence.exists():
            shutil.copyfile(licence, target.parent / "LICENSE")
        if local.startswith("leaflet/") and local.endswith(".css"):
            # leaflet.css refers to images/layers.png etc.
            shutil.copytree(source.parent / "images", target.parent / "images", dirs_exist_ok=True)
        return match.group(0).replace(url, f"{prefix}/{local}")

    # folium puts every asset in <head>; the body can be megabytes of data, so leave it alone
    cut = page.find("</head>")
    cut = len(page) if cut < 0 else cut
    out = _ASSET_RE.sub(repl, page[:cut]) + page[cut:]
    leftover = re.findall(r"""(?:src|href)="(https?://[^"]+\.(?:js|css))""", out)
    if leftover:
        msg = f"offline map still refers to remote files: {leftover}"
        raise RuntimeError(msg)
    return out


def write_week_map(plan: Plan, path: str | Path, *, language: str, offline: bool = False) -> Path:
    """Write the manager's interactive map of the week.

    Parameters
    ----------
    plan
        The week's plan.
    path
        The HTML file to write (usually ``maps/week.html``).
    language
        ``"ky"``, ``"ru"`` or ``"en"``: layer names, legend and popups.
    offline
        No web tiles, and Leaflet's JavaScript/CSS copied into ``<stem>_files/`` beside the HTML.

    Returns
    -------
    Path
        The HTML file.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fmap = build_week_map(plan, language=language, offline=offline)
    page = fmap.get_root().render()
    if offline:
        assets = path.parent / f"{path.stem}_files"
        if assets.exists():
            shutil.rmtree(assets)
        page = _localise_assets(page, assets)
    return atomic_write(path, lambda handle: handle.write(page))
