"""Driver packets: one A4 PDF per vehicle-day, readable when printed in black and white.

A packet holds a header (day, date, vehicle, driver, start time, summary, QR code), an overview map
drawn offline from the road graph itself (streets grey, the route black with stop numbers, landfill
legs dashed, village names, depot and landfill symbols), strip maps of consecutive stops for long
routes, the numbered stop list with tick boxes, the landfill visits with their expected load,
turn-by-turn directions, and on every page the attribution and, for stand-in data, the synthetic
note. Maps are vector drawings in the PDF (no raster, no tile server), text uses the embedded
DejaVu Sans so Kyrgyz letters (ң ө ү) render and extract.
"""

from __future__ import annotations

import io
import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import matplotlib
import numpy as np
import qrcode
import qrcode.constants
from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from routing.atomic import atomic_write
from routing.directions import (
    LegCache,
    Walk,
    directions,
    edge_lines,
    locate_stops,
    path_edges,
    walk,
)
from routing.exports import file_stem, landfill_loads, numbered_stops
from routing.i18n import day_date, day_name, format_clock, format_distance, translator
from routing.links import check_driver_url
from routing.links import driver_url as fill_driver_url

if TYPE_CHECKING:
    import networkx as nx

    from routing.i18n import Translator
    from routing.plan import Plan, VehicleDay

FONT = "DejaVuSans"
FONT_BOLD = "DejaVuSans-Bold"
FONTS_DIR = Path(__file__).resolve().parent / "fonts"
OSM_ATTRIBUTION = "© OpenStreetMap contributors"
PAGE_W, PAGE_H = A4
MARGIN = 12 * mm
FRAME_W = PAGE_W - 2 * MARGIN
# a route longer than this many collection stops also gets strip maps of this many stops each
STRIP_STOPS = 20
# ... and a strip ends where the next stop is farther than this drive (m); a day wider than
# STRIP_SPAN_M (m) gets strips even with few stops, as its overview is too small to read
STRIP_GAP_M = 1000.0
STRIP_SPAN_M = 3000.0
_MAJOR = {"motorway", "trunk", "primary", "secondary", "tertiary"}
# (edge kind, line width, dash): collecting, driving between stops, to the landfill or depot
_ROUTE_STYLE: tuple[tuple[int, float, tuple[float, float] | None], ...] = (
    (2, 1.2, (4.0, 3.0)),
    (1, 0.9, None),
    (0, 2.4, None),
)


def font_file(*, bold: bool = False) -> Path:
    """The DejaVu Sans TTF to embed: ``routing/fonts`` if one ships there, else matplotlib's copy.

    matplotlib (a dependency) ships DejaVu Sans with its licence in ``mpl-data/fonts/ttf``; the
    font covers Kyrgyz (ң ө ү) and Russian.
    """
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    for folder in (FONTS_DIR, Path(matplotlib.get_data_path()) / "fonts" / "ttf"):
        if (folder / name).exists():
            return folder / name
    msg = f"font {name} not found in {FONTS_DIR} nor in matplotlib's data folder"
    raise FileNotFoundError(msg)


@lru_cache(maxsize=1)
def register_fonts() -> tuple[str, str]:
    """Register the regular and bold font with reportlab (once); returns their names."""
    pdfmetrics.registerFont(TTFont(FONT, str(font_file())))
    pdfmetrics.registerFont(TTFont(FONT_BOLD, str(font_file(bold=True))))
    pdfmetrics.registerFontFamily(
        FONT, normal=FONT, bold=FONT_BOLD, italic=FONT, boldItalic=FONT_BOLD
    )
    return FONT, FONT_BOLD


# ---------------------------------------------------------------------------------------------
# geometry prepared once per plan


@dataclass
class _Streets:
    """Street lines of the network in projected metres, with their bounding boxes for culling,
    and each line's PDF path operators written once per plan (metres from ``origin``, 0.1 m):
    every map then only joins those of the lines in its view and places them with one
    transformation, instead of formatting every point of every street again per map (the
    sheets' time grew as sheets times streets)."""

    lines: list[np.ndarray]
    major: np.ndarray  # bool per line
    bbox: np.ndarray  # (n, 4): minx, miny, maxx, maxy
    origin: tuple[float, float] = (0.0, 0.0)
    paths: list[str] = field(default_factory=list)  # per line: "x y m x y l ..." from origin

    @classmethod
    def of(cls, graph: nx.MultiDiGraph) -> _Streets:
        raw = edge_lines(graph)
        lines = [c for c, _, _ in raw]
        major = np.array([hw.replace("_link", "") in _MAJOR for _, _, hw in raw], dtype=bool)
        if not lines:
            return cls(lines, major, np.zeros((0, 4)))
        bbox = np.array(
            [[c[:, 0].min(), c[:, 1].min(), c[:, 0].max(), c[:, 1].max()] for c in lines]
        )
        origin = (float(bbox[:, 0].min()), float(bbox[:, 1].min()))
        xy = (np.concatenate(lines) - np.array(origin)).tolist()
        ends = np.cumsum([len(c) for c in lines]).tolist()
        ops = [f"{x:.1f} {y:.1f} l" for x, y in xy]
        paths = []
        for lo, hi in itertools.pairwise([0, *ends]):
            ops[lo] = ops[lo][:-1] + "m"
            paths.append(" ".join(ops[lo:hi]))
        return cls(lines, major, bbox, origin, paths)

    def within(self, view: tuple[float, float, float, float]) -> np.ndarray:
        x0, y0, x1, y1 = view
        b = self.bbox
        return np.flatnonzero((b[:, 2] >= x0) & (b[:, 0] <= x1) & (b[:, 3] >= y0) & (b[:, 1] <= y1))


COLLECT, DRIVE, TRANSFER = 0, 1, 2


@dataclass
class _Route:
    """One vehicle-day on the map: driven edges and what each is for, stop anchors."""

    edges: list[np.ndarray]
    kind: np.ndarray  # per edge: COLLECT, DRIVE (between stops) or TRANSFER (landfill, depot)
    numbers: list[tuple[int, float, float, int, int]]  # (number, x, y, first edge, last edge)
    landfills: list[tuple[float, float]]


def _route(vd: VehicleDay, graph: nx.MultiDiGraph, drive: Walk) -> _Route:
    edges = path_edges(graph, drive.nodes)
    kind = np.full(len(edges), TRANSFER, dtype=np.int8)
    located = locate_stops(vd, graph, route=drive)
    numbers: list[tuple[int, float, float, int, int]] = []
    number_of = {id(s): n for n, s in numbered_stops(vd)}
    previous, previous_end = "depot", 0
    landfills = []
    for start, end, stop in located:
        if stop.kind == "collect":
            if previous == "collect":
                kind[previous_end:start] = DRIVE
            kind[start:end] = COLLECT
            previous, previous_end = "collect", end
            first, last = start, max(start, end - 1)
            pts = np.vstack(edges[first : last + 1]) if edges[first : last + 1] else None
            if pts is not None and len(pts):
                x, y = _midpoint(pts)
            else:
                node = graph.nodes[stop.node] if stop.node in graph else None
                x, y = (float(node["x"]), float(node["y"])) if node else (math.nan, math.nan)
            numbers.append((number_of.get(id(stop), 0), x, y, first, last))
        elif stop.kind in ("landfill", "depot"):
            previous, previous_end = stop.kind, start
            if stop.kind == "landfill" and stop.node in graph:
                nd = graph.nodes[stop.node]
                landfills.append((float(nd["x"]), float(nd["y"])))
    return _Route(edges, kind, numbers, landfills)


def _strip_chunks(route: _Route) -> list[list[tuple[int, float, float, int, int]]]:
    """Runs of consecutive stops for strip maps; empty when the overview map is enough.

    A run ends after :data:`STRIP_STOPS` stops or where the drive to the next stop is longer than
    :data:`STRIP_GAP_M` (another village). Strips are drawn when there is more than one run or
    the day spans more than :data:`STRIP_SPAN_M`, where the overview is too small to read.
    """
    if not route.numbers or not route.edges:
        return []
    lengths = np.array([float(np.hypot(*np.diff(e, axis=0).T).sum()) for e in route.edges])
    cum = np.concatenate([[0.0], np.cumsum(lengths)])
    chunks: list[list[tuple[int, float, float, int, int]]] = [[route.numbers[0]]]
    for entry in route.numbers[1:]:
        previous = chunks[-1][-1]
        gap = cum[max(entry[3], previous[4] + 1)] - cum[min(previous[4] + 1, len(cum) - 1)]
        if len(chunks[-1]) >= STRIP_STOPS or gap > STRIP_GAP_M:
            chunks.append([entry])
        else:
            chunks[-1].append(entry)
    allc = np.vstack(route.edges)
    span = float(np.max(allc.max(axis=0) - allc.min(axis=0)))
    if len(chunks) == 1 and span <= STRIP_SPAN_M:
        return []
    return chunks


def _midpoint(pts: np.ndarray) -> tuple[float, float]:
    seg = np.hypot(*np.diff(pts, axis=0).T)
    if not len(seg) or seg.sum() == 0:
        return float(pts[0, 0]), float(pts[0, 1])
    half = seg.sum() / 2
    i = int(np.searchsorted(np.cumsum(seg), half))
    i = min(i, len(seg) - 1)
    before = np.cumsum(seg)[i] - seg[i]
    f = (half - before) / seg[i] if seg[i] else 0.0
    p = pts[i] + f * (pts[i + 1] - pts[i])
    return float(p[0]), float(p[1])


# ---------------------------------------------------------------------------------------------
# the map flowable


class _MapBox(Flowable):  # type: ignore[misc]
    """A vector map of a view of the network with the route, drawn straight into the PDF."""

    def __init__(
        self,
        *,
        width: float,
        height: float,
        view: tuple[float, float, float, float],
        streets: _Streets,
        route: _Route,
        edge_range: tuple[int, int] | None,
        label_every: int,
        villages: list[tuple[str, float, float]],
        depot: tuple[float, float] | None,
        landfills: list[tuple[float, float]],
        title: str,
        legend: tuple[str, str, str, str, str] | None = None,
    ) -> None:
        super().__init__()
        self.legend = legend
        self.width = width
        self.height = height
        self.streets = streets
        self.route = route
        self.edge_range = edge_range
        self.label_every = label_every
        self.villages = villages
        self.depot = depot
        self.landfills = landfills
        self.title = title
        # fit the view into the box at one scale (metres are metres both ways)
        x0, y0, x1, y1 = view
        w = max(x1 - x0, 1.0)
        h = max(y1 - y0, 1.0)
        scale = min(width / w, height / h)
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        self.scale = scale
        self.view = (
            cx - width / scale / 2,
            cy - height / scale / 2,
            cx + width / scale / 2,
            cy + height / scale / 2,
        )

    def _xy(self, pts: np.ndarray) -> np.ndarray:
        return (pts - np.array(self.view[:2])) * self.scale

    def _stroke(self, lines: list[np.ndarray]) -> None:
        """Stroke polylines in the current colour and width, as one PDF path.

        The path operators are written in one go (``canvas.addLiteral``): building them point by
        point through reportlab's path object formatted every number in Python, most of the
        sheets' time on a town (cProfile, 14,000 households: 600,000 points).
        """
        if not lines:
            return
        xy = self._xy(np.concatenate(lines))
        ops = np.full(len(xy), "l", dtype="<U1")
        ops[np.cumsum([0] + [len(x) for x in lines[:-1]])] = "m"
        text = " ".join(
            f"{x:.2f} {y:.2f} {o}" for (x, y), o in zip(xy.tolist(), ops.tolist(), strict=True)
        )
        self.canv.addLiteral(text + " S")

    def draw(self) -> None:
        c = self.canv
        c.saveState()
        clip = c.beginPath()
        clip.rect(0, 0, self.width, self.height)
        c.clipPath(clip, stroke=0, fill=0)
        c.setLineCap(1)
        c.setLineJoin(1)
        self._streets()
        lo, hi = self.edge_range or (0, len(self.route.edges) - 1)
        self._route_lines(lo, hi)
        self._arrows(lo, hi)
        self._sites()
        self._numbers(lo, hi)
        c.restoreState()
        self._frame_and_scale()

    def _streets(self) -> None:
        """The streets in view (main roads wider), then the village names."""
        c = self.canv
        idx = self.streets.within(self.view)
        (ox, oy), s = self.streets.origin, self.scale
        for major, width, grey in ((False, 0.5, 0.62), (True, 1.3, 0.5)):
            chosen = idx[self.streets.major[idx] == major]
            if len(chosen):
                c.saveState()
                c.setStrokeColor(colors.Color(grey, grey, grey))
                # the paths are metres from the origin: placed as `_xy` places points
                c.transform(s, 0, 0, s, s * (ox - self.view[0]), s * (oy - self.view[1]))
                c.setLineWidth(width / s)
                c.addLiteral(" ".join(self.streets.paths[i] for i in chosen) + " S")
                c.restoreState()
        c.setFillColor(colors.Color(0.35, 0.35, 0.35))
        c.setFont(FONT_BOLD, 9)
        for name, x, y in self.villages:
            px, py = self._xy(np.array([[x, y]]))[0]
            if 0 <= px <= self.width and 0 <= py <= self.height:
                c.drawCentredString(float(px), float(py) + 6, name)

    def _route_lines(self, lo: int, hi: int) -> None:
        """The route: collecting thick, driving between stops thin, to landfill/depot dashed."""
        c = self.canv
        for kind, width, dash in _ROUTE_STYLE:
            span = range(max(lo, 0), min(hi, len(self.route.edges) - 1) + 1)
            lines = [self.route.edges[i] for i in span if self.route.kind[i] == kind]
            if lines:
                c.setStrokeColor(colors.black)
                c.setLineWidth(width)
                c.setDash(*dash) if dash else c.setDash()
                self._stroke(lines)
        c.setDash()

    def _sites(self) -> None:
        """The depot (a house in a square) and the landfills (triangles)."""
        c = self.canv
        if self.depot:
            px, py = self._xy(np.array([self.depot]))[0]
            c.setFillColor(colors.white)
            c.setStrokeColor(colors.black)
            c.setLineWidth(1.5)
            c.rect(float(px) - 5, float(py) - 5, 10, 10, stroke=1, fill=1)
            c.setFillColor(colors.black)
            c.setFont(FONT_BOLD, 7)
            c.drawCentredString(float(px), float(py) - 2.5, "⌂")
        for x, y in self.landfills:
            px, py = self._xy(np.array([[x, y]]))[0]
            t = c.beginPath()
            t.moveTo(float(px) - 6, float(py) + 5)
            t.lineTo(float(px) + 6, float(py) + 5)
            t.lineTo(float(px), float(py) - 6)
            t.close()
            c.setFillColor(colors.black)
            c.drawPath(t, stroke=0, fill=1)

    def _numbers(self, lo: int, hi: int) -> None:
        """The stop numbers in circles (every ``label_every``-th on a crowded overview)."""
        c = self.canv
        for k, (number, x, y, first, last) in enumerate(self.route.numbers):
            if last < lo or first > hi or math.isnan(x):
                continue
            if self.label_every > 1 and k % self.label_every and k != len(self.route.numbers) - 1:
                continue
            px, py = self._xy(np.array([[x, y]]))[0]
            text = str(number)
            r = 4.2 if len(text) < 3 else 5.2
            c.setFillColor(colors.white)
            c.setStrokeColor(colors.black)
            c.setLineWidth(0.8)
            c.circle(float(px), float(py), r, stroke=1, fill=1)
            c.setFillColor(colors.black)
            c.setFont(FONT_BOLD, 5.5 if len(text) < 3 else 5)
            c.drawCentredString(float(px), float(py) - 2, text)

    def _arrows(self, lo: int, hi: int) -> None:
        """Small arrowheads on collected edges that are long enough on paper to carry one."""
        c = self.canv
        c.setFillColor(colors.black)
        for i in range(max(lo, 0), min(hi, len(self.route.edges) - 1) + 1):
            pts = self._xy(self.route.edges[i])
            seg = np.hypot(*np.diff(pts, axis=0).T)
            if seg.sum() < 28:
                continue
            j = int(np.argmax(seg))
            (x0, y0), (x1, y1) = pts[j], pts[j + 1]
            mx, my = (x0 + x1) / 2, (y0 + y1) / 2
            ang = math.atan2(y1 - y0, x1 - x0)
            p = c.beginPath()
            for da, rr in ((0.0, 3.5), (2.5, 3.0), (-2.5, 3.0)):
                px = mx + rr * math.cos(ang + da)
                py = my + rr * math.sin(ang + da)
                if da == 0.0:
                    p.moveTo(px, py)
                else:
                    p.lineTo(px, py)
            p.close()
            c.drawPath(p, stroke=0, fill=1)

    def _legend(self, labels: tuple[str, str, str, str, str]) -> None:
        """Line styles and symbols, bottom right: collecting, driving, transfer, depot, landfill."""
        c = self.canv
        c.setFont(FONT, 6.5)
        text_w = max(pdfmetrics.stringWidth(t, FONT, 6.5) for t in labels)
        box_w, row = text_w + 30, 9.0
        x0, y0 = self.width - box_w - 4, 4.0
        c.setFillColor(colors.white)
        c.setStrokeColor(colors.black)
        c.setLineWidth(0.5)
        c.rect(x0, y0, box_w, row * 5 + 4, stroke=1, fill=1)
        for k, (_kind, width, dash) in enumerate(sorted(_ROUTE_STYLE)):
            y = y0 + 4 + row * (4 - k) + 3
            c.setLineWidth(width)
            c.setDash(*dash) if dash else c.setDash()
            c.line(x0 + 4, y, x0 + 22, y)
        c.setDash()
        y = y0 + 4 + row + 3
        c.setLineWidth(1)
        c.rect(x0 + 10, y - 3, 6, 6, stroke=1, fill=0)
        t = c.beginPath()
        y = y0 + 4 + 3
        t.moveTo(x0 + 9, y + 3)
        t.lineTo(x0 + 17, y + 3)
        t.lineTo(x0 + 13, y - 3)
        t.close()
        c.setFillColor(colors.black)
        c.drawPath(t, stroke=0, fill=1)
        for k, label in enumerate(labels):
            c.drawString(x0 + 26, y0 + 4 + row * (4 - k) + 1, label)

    def _frame_and_scale(self) -> None:
        c = self.canv
        c.setStrokeColor(colors.black)
        c.setLineWidth(0.8)
        c.rect(0, 0, self.width, self.height, stroke=1, fill=0)
        # scale bar: a round length near a fifth of the width
        metres = self.width / self.scale / 5
        nice = 10 ** math.floor(math.log10(metres))
        for m in (5, 2, 1):
            if m * nice <= metres:
                nice *= m
                break
        bar = nice * self.scale
        c.setFillColor(colors.white)
        c.rect(4, 4, bar + 40, 14, stroke=0, fill=1)
        c.setLineWidth(1.5)
        c.line(8, 8, 8 + bar, 8)
        c.line(8, 6, 8, 10)
        c.line(8 + bar, 6, 8 + bar, 10)
        c.setFillColor(colors.black)
        c.setFont(FONT, 6.5)
        label = f"{nice / 1000:g} km" if nice >= 1000 else f"{nice:g} m"
        c.drawString(12 + bar, 6, label)
        c.setFont(FONT_BOLD, 9)
        c.drawString(self.width - 14, self.height - 14, "N")
        c.line(self.width - 11, self.height - 30, self.width - 11, self.height - 17)
        if self.legend:
            self._legend(self.legend)
        if self.title:
            c.setFillColor(colors.white)
            width = pdfmetrics.stringWidth(self.title, FONT_BOLD, 8)
            c.rect(3, self.height - 14, width + 6, 11, stroke=0, fill=1)
            c.setFillColor(colors.black)
            c.setFont(FONT_BOLD, 8)
            c.drawString(6, self.height - 11, self.title)


def _view_of(arrays: list[np.ndarray], pad: float = 0.08) -> tuple[float, float, float, float]:
    allc = np.vstack(arrays)
    x0, y0 = allc.min(axis=0)
    x1, y1 = allc.max(axis=0)
    span = max(x1 - x0, y1 - y0, 200.0)
    return (x0 - pad * span, y0 - pad * span, x1 + pad * span, y1 + pad * span)


# ---------------------------------------------------------------------------------------------
# the document


class _Styles:
    def __init__(self) -> None:
        register_fonts()
        self.title = ParagraphStyle("title", fontName=FONT_BOLD, fontSize=15, leading=18)
        self.h2 = ParagraphStyle(
            "h2", fontName=FONT_BOLD, fontSize=11.5, leading=14, spaceBefore=6, spaceAfter=3
        )
        self.body = ParagraphStyle("body", fontName=FONT, fontSize=8.5, leading=10.5)
        self.cell = ParagraphStyle(
            "cell", fontName=FONT, fontSize=8.5, leading=10, alignment=TA_LEFT
        )
        self.head = ParagraphStyle("head", parent=self.cell, fontName=FONT_BOLD, fontSize=7.5)
        self.note = ParagraphStyle("note", fontName=FONT_BOLD, fontSize=9, leading=11)


def _fit(text: str, width: float, style: ParagraphStyle, *, bold: bool = False) -> Any:
    """Plain text for a table cell when it fits on one line (fast), else a wrapping Paragraph."""
    font = FONT_BOLD if bold else FONT
    # 6 pt of cell padding, left and right
    if pdfmetrics.stringWidth(text, font, style.fontSize) <= width - 6:
        return text
    return Paragraph(f"<b>{_esc(text)}</b>" if bold else _esc(text), style)


def _text(value: Any) -> str:
    """Text for people: missing values (None, NaN, "nan", "None") become empty."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    text = str(value).strip()
    return "" if text.casefold() in ("nan", "none", "<na>") else text


def _esc(text: Any) -> str:
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class _QrCode(Flowable):  # type: ignore[misc]
    """A QR code drawn as filled runs of dark modules (vector, quick to write)."""

    def __init__(self, payload: str, size: float) -> None:
        super().__init__()
        code = qrcode.QRCode(border=0, error_correction=qrcode.constants.ERROR_CORRECT_M)
        code.add_data(payload)
        code.make(fit=True)
        self.matrix = code.get_matrix()
        self.width = self.height = size

    def draw(self) -> None:
        c = self.canv
        n = len(self.matrix)
        cell = self.width / n
        c.setFillColor(colors.black)
        path = c.beginPath()
        for r, row in enumerate(self.matrix):
            y = self.height - (r + 1) * cell
            col = 0
            while col < n:
                if row[col]:
                    start = col
                    while col < n and row[col]:
                        col += 1
                    path.rect(start * cell, y, (col - start) * cell, cell)
                else:
                    col += 1
        c.drawPath(path, stroke=0, fill=1)


def qr_payload(
    plan: Plan, vd: VehicleDay, *, driver_url: str | None = None, driver_key: str | None = None
) -> str:
    """What the packet's QR code holds: the day's driver page, else its GPX file name and summary.

    With ``driver_url`` (a template, `routing.links`) the code holds the address of this
    vehicle-day's driver page alone (its ``{token}`` made with ``driver_key``), so a phone opens
    it. Without one, as a whole GPX track does
    not fit in a QR code, the code names the file (``gpx/<stem>.gpx``, written beside the sheets
    by :func:`routing.exports.write_gpx`) that the office sends to the driver's phone, plus enough
    to check it is the right one.
    """
    if driver_url is not None:
        return fill_driver_url(driver_url, vd, key=driver_key)
    return (
        f"gpx/{file_stem(vd)}.gpx\n"
        f"{plan.scenario.name} | {vd.day} {vd.date} | {vd.vehicle} | "
        f"{len(vd.collect_stops)} stops | {vd.km:.1f} km | {format_clock(vd.start_s)}"
    )


def _hours(hours: float, _: Translator) -> str:
    minutes = round(hours * 60)
    return f"{minutes // 60}:{minutes % 60:02d} {_('h')}"


def _village_labels(plan: Plan) -> list[tuple[str, float, float]]:
    points = plan.points
    if not len(points) or "village" not in points.columns:
        return []
    cent = points.geometry.representative_point()
    out = []
    for village, idx in points.groupby("village").groups.items():
        if not village:
            continue
        lon = float(cent.loc[idx].x.mean())
        lat = float(cent.loc[idx].y.mean())
        x, y = plan.network.from_wgs84(lon, lat)
        out.append((str(village), float(x), float(y)))
    return out


@dataclass(frozen=True)
class _Sheet:
    """What every part of one vehicle-day's packet reads."""

    plan: Plan
    vd: VehicleDay
    tr: Translator
    language: str
    st: _Styles
    streets: _Streets
    villages: list[tuple[str, float, float]]
    depot: tuple[float, float]
    drive: Walk
    route: _Route
    driver_url: str | None = None  # template of the driver page's address (routing.links)
    driver_key: str | None = None  # the secret its {token} field is made with

    @property
    def legend(self) -> tuple[str, str, str, str, str]:
        _ = self.tr
        return (_("Collecting"), _("Driving"), _("To landfill or depot"), _("Depot"), _("Landfill"))

    def map_box(
        self, view: tuple[float, float, float, float], *, height: float, edge_range: tuple[int, int] | None,
        label_every: int, title: str,
    ) -> _MapBox:  # fmt: skip
        return _MapBox(
            width=FRAME_W, height=height, view=view, streets=self.streets, route=self.route,
            edge_range=edge_range, label_every=label_every, villages=self.villages,
            depot=self.depot, landfills=self.route.landfills, title=title, legend=self.legend,
        )  # fmt: skip


def _story(
    plan: Plan,
    vd: VehicleDay,
    _: Translator,
    language: str,
    st: _Styles,
    streets: _Streets,
    villages: list[tuple[str, float, float]],
    depot: tuple[float, float],
    legs: LegCache,
    driver_url: str | None = None,
    driver_key: str | None = None,
) -> list[Any]:
    """One vehicle-day's packet: header, overview map, stops, landfill visits, strip maps,
    directions."""
    roads = plan.network_of(vd).graph  # the vehicle's own: a parallel road it may not take
    drive = walk(roads, vd, cache=legs)
    route = _route(vd, roads, drive)
    sheet = _Sheet(
        plan, vd, _, language, st, streets, villages, depot, drive, route, driver_url, driver_key
    )
    return [
        *_header_part(sheet),
        *_overview_part(sheet),
        *_stops_part(sheet),
        *_landfill_part(sheet),
        *_strip_part(sheet),
        *_directions_part(sheet),
    ]


def _header_part(sheet: _Sheet) -> list[Any]:
    """Title, the day's figures beside the QR code, and the synthetic-data note."""
    plan, vd, _, st = sheet.plan, sheet.vd, sheet.tr, sheet.st
    date = vd.date or str(day_date(plan.scenario.week_start, vd.day) or "")
    day = day_name(vd.day, sheet.language)
    story: list[Any] = [Paragraph(f"{_esc(_('Route sheet'))}: {_esc(day)} {_esc(date)}", st.title)]
    rows = [
        [_("Day"), f"{day} {date}"],
        [_("Vehicle"), vd.vehicle],
        [_("Driver"), vd.driver or "—"],
        [_("Start"), format_clock(vd.start_s)],
        [_("Finish"), format_clock(vd.end_s)],
        [_("Stops"), str(len(numbered_stops(vd)))],
        [_("Households"), str(vd.households)],
        [_("Distance"), f"{vd.km:.1f} {_('km')}"],
        [_("Time"), _hours(vd.hours, _)],
        [_("Landfill visits"), str(vd.landfill_trips)],
        [_("U-turns"), str(vd.uturns)],
        [_("Load"), f"{vd.load_kg:.0f} {_('kg')}"],
    ]
    info = Table(
        [[Paragraph(_esc(k), st.cell), Paragraph(f"<b>{_esc(v)}</b>", st.cell)] for k, v in rows],
        colWidths=[38 * mm, 95 * mm],
        style=TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                ("TOPPADDING", (0, 0), (-1, -1), 1.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
            ]
        ),
    )
    scan = _("Scan: driver's page") if sheet.driver_url else _("Scan: route file")
    payload = qr_payload(plan, vd, driver_url=sheet.driver_url, driver_key=sheet.driver_key)
    qr = Table(
        [
            [_QrCode(payload, 38 * mm)],
            [Paragraph(_esc(scan), st.cell)],
        ],
        colWidths=[46 * mm],
    )
    story.append(Table([[info, qr]], colWidths=[138 * mm, FRAME_W - 138 * mm]))
    if plan.synthetic:
        story.append(
            Paragraph(_esc(_("Synthetic stand-in streets: not the real street network.")), st.note)
        )
    story.append(Spacer(1, 2 * mm))
    return story


def _overview_part(sheet: _Sheet) -> list[Any]:
    """The whole day on one map."""
    route = sheet.route
    if not route.edges:
        return []
    view = _view_of([*route.edges, np.array([sheet.depot])])
    label_every = max(1, math.ceil(len(route.numbers) / 45))
    box = sheet.map_box(
        view, height=128 * mm, edge_range=None, label_every=label_every,
        title=sheet.tr("Overview map"),
    )  # fmt: skip
    return [box]


def _stop_rows(sheet: _Sheet, widths: list[float]) -> tuple[list[list[Any]], list[int], list[int]]:
    """The stop list's rows, with the rows that are landfill/lunch lines and village headings."""
    vd, _, st = sheet.vd, sheet.tr, sheet.st
    header = ["№", _("Street"), _("Houses"), _("Households"), _("Sides"), _("Arrival"), "✓"]
    data: list[list[Any]] = [[Paragraph(_esc(h), st.head) for h in header]]
    number_of = {id(s): n for n, s in numbered_stops(vd)}
    loads = dict((id(s), load) for s, load in landfill_loads(vd))
    landfill_rows: list[int] = []
    village_rows: list[int] = []
    last_village = ""
    for s in vd.stops:
        village = _text(s.village)
        if s.kind == "collect" and village and village != last_village:
            # a heading row where the route enters another village
            village_rows.append(len(data))
            data.append([f"{_('Village')}: {village}", "", "", "", "", "", ""])
            last_village = village
        if s.kind == "collect":
            sides = _("both sides") if s.sides == "both" else _("one side") if s.sides else ""
            data.append(
                [
                    str(number_of[id(s)]),
                    _fit(_text(s.street) or _text(s.label), widths[1], st.cell),
                    _fit(_text(s.label), widths[2], st.cell),
                    str(s.households),
                    _fit(sides, widths[4], st.cell),
                    format_clock(s.arrival_s),
                    "☐",
                ]
            )
        elif s.kind == "landfill":
            landfill_rows.append(len(data))
            text = (
                f"▼ {_esc(_('Landfill'))}: {_esc(s.label)} — {_esc(_('Expected load'))} "
                f"{loads.get(id(s), 0.0):.0f} {_esc(_('kg'))}"
            )
            arrive = format_clock(s.arrival_s)
            data.append(["", Paragraph(f"<b>{text}</b>", st.cell), "", "", "", arrive, "☐"])
        elif s.kind == "lunch":
            landfill_rows.append(len(data))
            until = format_clock(s.departure_s)
            data.append(
                ["", f"{_('Lunch break')} – {until}", "", "", "", format_clock(s.arrival_s), ""]
            )
    return data, landfill_rows, village_rows


def _stops_part(sheet: _Sheet) -> list[Any]:
    """The stop list with landfill visits and lunch inline, a heading row per village."""
    widths = [9 * mm, 42 * mm, 44 * mm, 28 * mm, 25 * mm, 22 * mm, FRAME_W - 170 * mm]
    data, landfill_rows, village_rows = _stop_rows(sheet, widths)
    style = [
        ("FONT", (0, 0), (-1, -1), FONT, 8.5),
        ("FONT", (0, 1), (0, -1), FONT_BOLD, 8.5),
        ("FONT", (6, 1), (6, -1), FONT, 13),
        ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
        ("BACKGROUND", (0, 0), (-1, 0), colors.Color(0.88, 0.88, 0.88)),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("ALIGN", (3, 1), (3, -1), "RIGHT"),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ]
    for r in landfill_rows:
        style += [
            ("SPAN", (1, r), (4, r)),
            ("BACKGROUND", (0, r), (-1, r), colors.Color(0.9, 0.9, 0.9)),
        ]
    for r in village_rows:
        style += [("SPAN", (0, r), (-1, r)), ("FONT", (0, r), (-1, r), FONT_BOLD, 9.5)]
    table = Table(data, colWidths=widths, repeatRows=1, style=TableStyle(style))
    return [PageBreak(), Paragraph(_esc(sheet.tr("Stops")), sheet.st.h2), table]


def _landfill_part(sheet: _Sheet) -> list[Any]:
    """The landfill visits with the load expected at each."""
    _, st = sheet.tr, sheet.st
    visits = landfill_loads(sheet.vd)
    if not visits:
        return []
    rows: list[list[Any]] = [[_("Trip"), _("Landfill"), _("Arrival"), _("Expected load")]]
    for s, load in visits:
        rows.append(
            [
                str(s.trip),
                Paragraph(_esc(s.label), st.cell),
                format_clock(s.arrival_s),
                f"{load:.0f} {_('kg')}",
            ]
        )
    style = TableStyle(
        [
            ("FONT", (0, 0), (-1, -1), FONT, 8.5),
            ("FONT", (0, 0), (-1, 0), FONT_BOLD, 8.5),
            ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
        ]
    )
    table = Table(rows, colWidths=[18 * mm, 90 * mm, 25 * mm, 35 * mm], style=style)
    return [CondPageBreak(30 * mm), Paragraph(_esc(_("Landfill visits")), st.h2), table]


def _strip_part(sheet: _Sheet) -> list[Any]:
    """Strip maps of consecutive stops for long routes (many stops, or spread far apart)."""
    _, route = sheet.tr, sheet.route
    chunks = _strip_chunks(route)
    if not chunks:
        return []
    story: list[Any] = [PageBreak()]
    for k, chunk in enumerate(chunks, start=1):
        lo, hi = chunk[0][3], chunk[-1][4]
        title = (
            f"{_('Strip map {i} of {n}', i=k, n=len(chunks))}: {_('Stops')} "
            f"{chunk[0][0]}–{chunk[-1][0]}"
        )
        box = sheet.map_box(
            _view_of(route.edges[lo : hi + 1]), height=125 * mm, edge_range=(lo, hi),
            label_every=1, title=title,
        )  # fmt: skip
        story.append(KeepTogether([box, Spacer(1, 4 * mm)]))
    return story


def _directions_part(sheet: _Sheet) -> list[Any]:
    """Turn-by-turn directions with the stops interleaved (stop lines shaded)."""
    language, st = sheet.language, sheet.st
    drows: list[list[Any]] = []
    stop_rows = []
    graph = sheet.plan.network.graph
    for ins in directions(graph, sheet.vd, language=language, route=sheet.drive):
        number = str(ins.number) if ins.number else ""
        dist = format_distance(ins.distance_m, language) if ins.distance_m >= 1 else ""
        is_stop = ins.kind in ("collect", "landfill", "depot", "lunch")
        if is_stop:
            stop_rows.append(len(drows))
        drows.append([number, _fit(ins.text, 150 * mm, st.cell, bold=is_stop), dist])
    story: list[Any] = [PageBreak(), Paragraph(_esc(sheet.tr("Directions")), st.h2)]
    if not drows:
        return story
    dstyle = [
        ("FONT", (0, 0), (-1, -1), FONT, 8.5),
        ("FONT", (0, 0), (0, -1), FONT_BOLD, 8.5),
        ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.grey),
        ("ALIGN", (2, 0), (2, -1), "RIGHT"),
        ("TOPPADDING", (0, 0), (-1, -1), 1),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
    ]
    for r in stop_rows:
        dstyle += [
            ("BACKGROUND", (0, r), (-1, r), colors.Color(0.92, 0.92, 0.92)),
            ("FONT", (1, r), (1, r), FONT_BOLD, 8.5),
        ]
    widths = [12 * mm, 150 * mm, FRAME_W - 162 * mm]
    story.append(Table(drows, colWidths=widths, style=TableStyle(dstyle)))
    return story


class _Footer:
    """Draws the footer of every page: attribution, synthetic note, vehicle-day and page i of n."""

    def __init__(self, left: str, note: str, page_label: str) -> None:
        self.left = left
        self.note = note
        self.page_label = page_label

    def canvasmaker(self) -> type[Canvas]:
        footer = self

        class _NumberedCanvas(Canvas):  # type: ignore[misc]
            def __init__(self, *args: Any, **kwargs: Any) -> None:
                kwargs.setdefault("initialFontName", FONT)
                super().__init__(*args, **kwargs)
                self._pages: list[dict[str, Any]] = []

            def showPage(self) -> None:
                self._pages.append(dict(self.__dict__))
                self._startPage()

            def save(self) -> None:
                total = len(self._pages)
                for state in self._pages:
                    self.__dict__.update(state)
                    footer.draw(self, self._pageNumber, total)
                    super().showPage()
                super().save()

        return _NumberedCanvas

    def draw(self, canvas: Canvas, page: int, total: int) -> None:
        canvas.saveState()
        canvas.setFont(FONT, 7.5)
        canvas.setFillColor(colors.black)
        y = 7 * mm
        canvas.drawString(MARGIN, y, self.left)
        canvas.drawRightString(
            PAGE_W - MARGIN, y, self.page_label.replace("{i}", str(page)).replace("{n}", str(total))
        )
        if self.note:
            canvas.setFont(FONT_BOLD, 7.5)
            canvas.drawString(MARGIN, y - 9, self.note)
        canvas.restoreState()


def write_driver_sheet(
    plan: Plan,
    vehicle_day: VehicleDay,
    path: str | Path,
    *,
    language: str,
    driver_url: str | None = None,
    driver_key: str | None = None,
    _streets: _Streets | None = None,
    _villages: list[tuple[str, float, float]] | None = None,
    _legs: LegCache | None = None,
) -> Path:
    """Write the packet of one vehicle-day to ``path`` (see :func:`write_driver_sheets`)."""
    if driver_url is not None:
        check_driver_url(driver_url, key=driver_key)
    _ = translator(language)
    st = _Styles()
    graph = plan.network.graph
    streets = _streets if _streets is not None else _Streets.of(graph)
    villages = _villages if _villages is not None else _village_labels(plan)
    dx, dy = plan.network.from_wgs84(plan.scenario.depot.lon, plan.scenario.depot.lat)
    depot = (float(dx), float(dy))
    legs = {} if _legs is None else _legs
    story = _story(
        plan, vehicle_day, _, language, st, streets, villages, depot, legs, driver_url, driver_key
    )
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    day = day_name(vehicle_day.day, language)
    attribution = plan.attribution or OSM_ATTRIBUTION
    if OSM_ATTRIBUTION not in attribution:
        attribution = f"{OSM_ATTRIBUTION}; {attribution}"
    footer = _Footer(
        left=f"{_('Street data: {attribution}', attribution=attribution)} · {day} · {vehicle_day.vehicle}",
        note=_("Synthetic stand-in streets: not the real street network.")
        if plan.synthetic
        else "",
        page_label=_("Page {i} of {n}"),
    )
    pdf = io.BytesIO()  # built in memory, then written whole through the one atomic writer
    doc = SimpleDocTemplate(
        pdf,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN + 6 * mm,
        title=f"{_('Route sheet')}: {day} {vehicle_day.date} — {vehicle_day.vehicle}",
        author=plan.scenario.name,
        subject=attribution,
        creator="taza-routing",
    )
    doc.build(story, canvasmaker=footer.canvasmaker())
    return atomic_write(Path(path), lambda handle: handle.write(pdf.getvalue()), mode="wb")


def write_driver_sheets(
    plan: Plan,
    out_dir: str | Path,
    *,
    language: str,
    driver_url: str | None = None,
    driver_key: str | None = None,
    before_each: Callable[[int, int], None] | None = None,
) -> list[Path]:
    """Write one A4 PDF packet per vehicle-day: ``<out_dir>/<day>-<vehicle-slug>.pdf``.

    Parameters
    ----------
    plan
        The week's plan.
    out_dir
        Folder for the PDFs (usually ``maps/sheets``), created if needed.
    language
        ``"ky"``, ``"ru"`` or ``"en"``.
    driver_url
        Template of the address of each vehicle-day's driver page (fields ``{stem}``, ``{day}``,
        ``{vehicle}``, ``{date}``; `routing.links`): each QR code then holds its day's address and
        is labelled "Scan: driver's page". Default: the QR code names the GPX file and says so.
    driver_key
        The secret a ``{token}`` field of ``driver_url`` is made with (`routing.links.link_token`).
    before_each
        Called with (sheets written, sheets in all) before each sheet: progress, or a cancel
        check that raises.

    Returns
    -------
    list of Path
        The PDFs, in the plan's vehicle-day order.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    streets = _Streets.of(plan.network.graph)
    villages = _village_labels(plan)
    legs: LegCache = {}
    paths = []
    for k, vd in enumerate(plan.vehicle_days):
        if before_each is not None:
            before_each(k, len(plan.vehicle_days))
        paths.append(
            write_driver_sheet(
                plan,
                vd,
                out / f"{file_stem(vd)}.pdf",
                language=language,
                driver_url=driver_url,
                driver_key=driver_key,
                _streets=streets,
                _villages=villages,
                _legs=legs,
            )
        )
    return paths
