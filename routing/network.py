"""The road network a garbage truck may drive, from any OpenStreetMap source, cached.

Every file source (``.osm``, ``.osm.gz``, ``.osm.bz2``, ``.osm.pbf``) goes the same way:
pyosmium reads the ways (clipped to ``bbox`` when given), the truck profile keeps the ones the
truck may use, and the kept ways are written to a small OSM XML file that osmnx's
``graph_from_xml`` turns into a graph. The graph is simplified (ways only merge where highway and
name agree), projected to UTM and cached under a key of the file's hash, the profile, the bbox
and this module's version. When online, a place name or a bbox goes through osmnx's own download
and HTTP cache, and the same profile filter.
"""

from __future__ import annotations

import hashlib
import logging
import math
import os
import pickle
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO
from xml.sax.saxutils import quoteattr

import geopandas as gpd
import networkx as nx
import numpy as np
import osmnx as ox
import pyproj
import shapely
from shapely.geometry import LineString

from routing.errors import InputError, library_text
from routing.profile import TruckProfile

__all__ = [
    "CODE_VERSION",
    "RoadNetwork",
    "default_cache_dir",
    "describe_unnamed",
    "load_network",
    "read_places",
    "restrict",
    "strongly_connected_to",
]

log = logging.getLogger(__name__)

#: Bump when the way graphs are built changes: cached networks of older versions are rebuilt.
CODE_VERSION = "network-2"
_CACHE_FORMAT = 2

#: Way tags kept on the edges: what the profile reads, plus names for directions.
WAY_TAGS = (
    "highway",
    "name",
    "ref",
    "oneway",
    "junction",
    "access",
    "motor_vehicle",
    "vehicle",
    "hgv",
    "maxweight",
    "maxwidth",
    "maxheight",
    "maxspeed",
    "surface",
    "service",
)

_FILE_SUFFIXES = (".osm", ".osm.gz", ".osm.bz2", ".osm.pbf", ".pbf", ".xml", ".osm.xml")

_HOW_TO_GET_DATA = (
    "Get an OpenStreetMap extract of the area and pass its path: download a country or region "
    "file (.osm.pbf) from https://download.geofabrik.de/ or cut a custom area at "
    "https://extract.bbbike.org/, then, optionally, clip it to the district with "
    "`osmium extract --bbox WEST,SOUTH,EAST,NORTH input.osm.pbf -o area.osm.pbf`."
)

OSM_ATTRIBUTION = "© OpenStreetMap contributors"


def default_cache_dir() -> Path:
    """Return where built networks are cached: ``$TAZA_CACHE_DIR/networks`` or ``~/.cache``."""
    root = os.environ.get("TAZA_CACHE_DIR")
    if root:
        return Path(root) / "networks"
    return Path.home() / ".cache" / "taza-routing" / "networks"


@dataclass
class RoadNetwork:
    """A truck's road graph, projected to UTM metres.

    Attributes
    ----------
    graph
        ``networkx.MultiDiGraph``; nodes carry ``x``, ``y`` (metres), edges carry ``length`` (m),
        ``travel_time`` (s), ``collect_time`` (s), ``name`` (str, "" if none), ``highway`` (str),
        ``oneway`` (bool) and ``geometry`` (projected LineString from ``u`` to ``v``). ``name`` is
        the OSM ``name``, else its ``ref``; an edge with neither carries ``near_street`` (the
        named street it branches off, by the road network) and ``near_place`` (the nearest named
        place), from which `routing.names.road_name` describes it in any language.
    crs
        The projected CRS of the graph.
    source
        The file, place name or bbox the network was built from.
    synthetic
        True for the embedded stand-in (its ways carry ``source=synthetic``).
    attribution
        Text every map and sheet made from the network must show.
    places
        Named places of the source (``place=*`` nodes): ``(name, place, x, y)`` projected; used
        to describe unnamed roads and to tell apart places of the same name.
    """

    graph: nx.MultiDiGraph
    crs: Any
    source: str
    synthetic: bool = False
    attribution: str = OSM_ATTRIBUTION
    places: tuple[tuple[str, str, float, float], ...] = ()
    # per-object caches (CSR matrices, components, transformers): never pickled
    _cache: dict[str, Any] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_cache"] = {}
        return state

    def _transformer(self, to_wgs84: bool) -> pyproj.Transformer:
        key = "to_wgs84" if to_wgs84 else "from_wgs84"
        if key not in self._cache:
            src, dst = (self.crs, "EPSG:4326") if to_wgs84 else ("EPSG:4326", self.crs)
            self._cache[key] = pyproj.Transformer.from_crs(src, dst, always_xy=True)
        return self._cache[key]

    def to_wgs84(self, x: Any, y: Any) -> tuple[Any, Any]:
        """Convert projected ``x, y`` (scalars or arrays) to ``lon, lat``."""
        return self._transformer(True).transform(x, y)

    def from_wgs84(self, lon: Any, lat: Any) -> tuple[Any, Any]:
        """Convert ``lon, lat`` (scalars or arrays) to projected ``x, y``."""
        return self._transformer(False).transform(lon, lat)

    def nodes_gdf(self) -> gpd.GeoDataFrame:
        """Return the nodes as a WGS84 GeoDataFrame indexed by node id."""
        nodes = ox.graph_to_gdfs(self.graph, edges=False)
        return nodes.to_crs("EPSG:4326")

    def edges_gdf(self) -> gpd.GeoDataFrame:
        """Return the edges as a WGS84 GeoDataFrame indexed by ``(u, v, key)``."""
        edges = ox.graph_to_gdfs(self.graph, nodes=False)
        return edges.to_crs("EPSG:4326")


def load_network(
    source: str | Path,
    *,
    profile: TruckProfile | None = None,
    cache_dir: Path | None = None,
    bbox: tuple[float, float, float, float] | None = None,
    progress: bool = False,
    synthetic: bool | None = None,
) -> RoadNetwork:
    """Build (or load from the cache) the road network a truck may drive.

    Parameters
    ----------
    source
        An OSM file (``.osm``, ``.osm.gz``, ``.osm.bz2``, ``.osm.pbf``) or, when online, a place
        name for osmnx's geocoder (``"Vaduz, Liechtenstein"``); with ``bbox`` and an empty
        source (or ``"bbox"``) the bbox is downloaded.
    profile
        The truck; defaults to ``TruckProfile()``.
    cache_dir
        Where built networks are kept; defaults to `default_cache_dir`.
    bbox
        ``(west, south, east, north)`` in degrees: keep only ways with a node inside it.
    progress
        Log each stage at INFO level instead of DEBUG.
    synthetic
        Force the synthetic flag (None: True when the source's roads carry ``source=synthetic``).

    Returns
    -------
    network

    Raises
    ------
    routing.errors.InputError
        When a file source does not exist or a place cannot be downloaded (the message says how
        to get an extract), or the source holds no road a truck may use.
    """
    profile = profile or TruckProfile()
    cache_dir = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    level = logging.INFO if progress else logging.DEBUG
    text = str(source).strip()
    path = Path(text).expanduser()
    is_file = path.is_file()
    if not is_file and (text.lower().endswith(_FILE_SUFFIXES) or path.parent != Path(".")):
        msg = "OSM file {text!r} does not exist. " + _HOW_TO_GET_DATA
        raise InputError(msg, file=path, field="source", text=text)
    if bbox is not None:
        _check_bbox(bbox)

    started = time.perf_counter()
    if is_file:
        key_parts = [_file_sha256(path)]
        stem = path.name.split(".")[0]
    else:
        key_parts = [f"online:{text}"]
        stem = "online"
    key_parts += [profile.cache_key(), repr(bbox), CODE_VERSION, repr(synthetic)]
    key = hashlib.sha256("|".join(key_parts).encode()).hexdigest()[:24]
    cache_file = cache_dir / f"{stem}-{key}.pickle"
    if cache_file.is_file():
        try:
            with cache_file.open("rb") as fh:
                network = _read_cache(fh)
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, KeyError) as exc:
            log.warning("cached network %s unreadable (%s): rebuilding", cache_file, exc)
        else:
            if is_file:
                network.source = str(path)  # the same bytes may have moved
            log.log(level, "loaded cached network %s in %.2f s", cache_file, _since(started))
            return network

    if is_file:
        network = _build_from_file(path, profile, bbox, synthetic, level)
    else:
        network = _build_online(text, profile, bbox, synthetic, cache_dir, level)
    _write_cache(network, cache_file)
    log.log(level, "network ready in %.2f s (cached as %s)", _since(started), cache_file)
    return network


def restrict(network: RoadNetwork, profile: TruckProfile) -> RoadNetwork:
    """Return the network a vehicle with ``profile`` may drive: the edges it refuses removed.

    The nodes are kept (so node ids, snapped points and matrices line up across vehicles); a
    node left without edges is simply unreachable. Travel times stay those of the network.
    The result is cached on ``network`` per profile (`TruckProfile.cache_key`) and graph size.

    Parameters
    ----------
    network
        A network built with a profile at least as permissive (`routing.profile.union_profile`).
    profile
        The vehicle's profile.

    Returns
    -------
    network
        ``network`` itself when the profile refuses none of its edges.
    """
    graph = network.graph
    key = f"restrict:{profile.cache_key()}:{graph.number_of_nodes()}:{graph.number_of_edges()}"
    cached = network._cache.get(key)
    if cached is not None:
        return cached
    drop = [(u, v, k) for u, v, k, d in graph.edges(keys=True, data=True) if not profile.usable(d)]
    if not drop:
        result = network
    else:
        kept = graph.copy()
        kept.remove_edges_from(drop)
        result = RoadNetwork(
            kept, network.crs, network.source, network.synthetic, network.attribution,
            network.places,
        )  # fmt: skip
    network._cache[key] = result
    return result


def strongly_connected_to(network: RoadNetwork, node: int) -> set[int]:
    """Return the nodes a truck can reach from ``node`` and come back from to ``node``.

    Parameters
    ----------
    network
        The road network.
    node
        A node of ``network.graph`` (e.g. the depot).

    Returns
    -------
    nodes
        The strongly connected component holding ``node`` (includes ``node``).
    """
    graph = network.graph
    stamp = (graph.number_of_nodes(), graph.number_of_edges())
    cached = network._cache.get("scc")
    if cached is None or cached[0] != stamp:
        comp_of: dict[int, frozenset[int]] = {}
        for comp in nx.strongly_connected_components(graph):
            frozen = frozenset(comp)
            for n in frozen:
                comp_of[n] = frozen
        cached = (stamp, comp_of)
        network._cache["scc"] = cached
    if node not in cached[1]:
        msg = f"node {node} is not in the road network"
        raise KeyError(msg)
    return set(cached[1][node])


# ----------------------------------------------------------------------------------------------
# building


def _since(t0: float) -> float:
    return time.perf_counter() - t0


def _check_bbox(bbox: tuple[float, float, float, float]) -> None:
    west, south, east, north = bbox
    if not (-180 <= west < east <= 180 and -90 <= south < north <= 90):
        msg = f"bbox {bbox!r} is not allowed: expected (west, south, east, north) in degrees"
        raise ValueError(msg)


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _write_cache(network: RoadNetwork, cache_file: Path) -> None:
    try:
        cache_file.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=cache_file.parent, suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            _dump_cache(network, fh)
        os.replace(tmp, cache_file)
    except OSError as exc:  # a read-only cache must not stop a run
        log.warning("could not cache the network in %s: %s", cache_file, exc)


def _dump_cache(network: RoadNetwork, fh: BinaryIO) -> None:
    """Pickle a network with its edge geometries as one WKB array (much faster to load)."""
    datas = [data for *_, data in network.graph.edges(keys=True, data=True)]
    geoms = [data.pop("geometry") for data in datas]
    try:
        payload = {
            "format": _CACHE_FORMAT,
            "network": network,
            "wkb": shapely.to_wkb(np.array(geoms, dtype=object)),
        }
        pickle.dump(payload, fh, protocol=pickle.HIGHEST_PROTOCOL)
    finally:
        for data, geom in zip(datas, geoms, strict=True):
            data["geometry"] = geom


def _read_cache(fh: BinaryIO) -> RoadNetwork:
    payload = pickle.load(fh)
    if not isinstance(payload, dict) or payload.get("format") != _CACHE_FORMAT:
        msg = "not a network cache of this version"
        raise pickle.UnpicklingError(msg)
    network = payload["network"]
    geoms = np.asarray(shapely.from_wkb(payload["wkb"]))
    datas = [data for *_, data in network.graph.edges(keys=True, data=True)]
    for data, geom in zip(datas, geoms, strict=True):
        data["geometry"] = geom
    return network


@contextmanager
def _way_tags() -> Iterator[None]:
    """Make osmnx keep the way tags the profile needs, restoring the setting afterwards."""
    saved = ox.settings.useful_tags_way
    ox.settings.useful_tags_way = list(WAY_TAGS)
    try:
        yield
    finally:
        ox.settings.useful_tags_way = saved


def _build_from_file(
    path: Path,
    profile: TruckProfile,
    bbox: tuple[float, float, float, float] | None,
    synthetic: bool | None,
    level: int,
) -> RoadNetwork:
    import osmium  # heavy import: only needed when a file is parsed

    t0 = time.perf_counter()
    kept_nodes: dict[int, tuple[float, float]] = {}
    kept_ways: list[tuple[int, list[int], dict[str, str]]] = []
    refused: dict[str, int] = {}
    n_ways = n_synthetic = next_id = 0
    processor = (
        osmium.FileProcessor(str(path))
        .with_locations()
        .with_filter(osmium.filter.KeyFilter("highway"))
        .with_filter(osmium.filter.EntityFilter(osmium.osm.WAY))
    )
    try:
        for way in processor:
            n_ways += 1
            tags = {t.k: t.v for t in way.tags}
            if tags.get("source") == "synthetic":
                n_synthetic += 1
            reason = profile.refusal(tags)
            if reason is not None:
                kind = reason.split(" ")[0].split("=")[0]
                refused[kind] = refused.get(kind, 0) + 1
                continue
            runs = _valid_runs(way, bbox)
            for i, run in enumerate(runs):
                if i:
                    next_id -= 1  # ways cut by the extract's edge: later pieces get new ids
                way_id = way.id if i == 0 else next_id
                kept_ways.append(
                    (
                        way_id,
                        [ref for ref, _, _ in run],
                        {k: tags[k] for k in WAY_TAGS if k in tags},
                    )
                )
                for ref, lon, lat in run:
                    kept_nodes[ref] = (lon, lat)
    except RuntimeError as exc:
        msg = "{file}: cannot read it as OpenStreetMap data ({detail})"
        raise InputError(msg, file=path, detail=library_text(exc, library="osmium")) from exc
    log.log(
        level,
        "%s: %d highway ways, %d kept for the truck (refused: %s) in %.2f s",
        path.name,
        n_ways,
        len(kept_ways),
        refused or "none",
        _since(t0),
    )
    if not kept_ways:
        msg = "{file}: no road a truck may use ({ways} highway ways, refused: {refused})"
        if bbox:
            msg = "{file}: no road a truck may use inside bbox {bbox} ({ways} highway ways, refused: {refused})"
        raise InputError(msg, file=path, bbox=bbox, ways=n_ways, refused=refused)

    with tempfile.TemporaryDirectory(prefix="taza-osm-") as tmp:
        xml_path = Path(tmp) / "roads.osm"
        _write_osm_xml(xml_path, kept_nodes, kept_ways)
        t1 = time.perf_counter()
        with _way_tags():
            graph = ox.graph_from_xml(xml_path, simplify=False, retain_all=True)
    log.log(level, "osmnx graph_from_xml: %d nodes in %.2f s", len(graph), _since(t1))
    is_synthetic = n_synthetic > 0 if synthetic is None else synthetic
    return _finish(graph, profile, str(path), is_synthetic, level, places=read_places(path))


def _valid_runs(
    way: Any, bbox: tuple[float, float, float, float] | None
) -> list[list[tuple[int, float, float]]]:
    """Split a way's nodes into runs with known locations; drop it when outside ``bbox``."""
    runs: list[list[tuple[int, float, float]]] = [[]]
    inside = bbox is None
    for nd in way.nodes:
        loc = nd.location
        if not loc.valid():
            runs.append([])
            continue
        lon, lat = loc.lon, loc.lat
        runs[-1].append((nd.ref, lon, lat))
        if not inside and bbox is not None:
            inside = bbox[0] <= lon <= bbox[2] and bbox[1] <= lat <= bbox[3]
    if not inside:
        return []
    return [run for run in runs if len(run) >= 2]


def _write_osm_xml(
    path: Path,
    nodes: dict[int, tuple[float, float]],
    ways: list[tuple[int, list[int], dict[str, str]]],
) -> None:
    """Write nodes and ways as OSM XML 0.6 (what osmnx's ``graph_from_xml`` reads)."""
    with path.open("w", encoding="utf-8") as fh:
        fh.write("<?xml version='1.0' encoding='UTF-8'?>\n<osm version=\"0.6\">\n")
        for ref, (lon, lat) in nodes.items():
            fh.write(f'<node id="{ref}" lat="{lat:.7f}" lon="{lon:.7f}"/>\n')
        for way_id, refs, tags in ways:
            fh.write(f'<way id="{way_id}">')
            fh.write("".join(f'<nd ref="{r}"/>' for r in refs))
            fh.write("".join(f"<tag k={quoteattr(k)} v={quoteattr(v)}/>" for k, v in tags.items()))
            fh.write("</way>\n")
        fh.write("</osm>\n")


def _build_online(
    query: str,
    profile: TruckProfile,
    bbox: tuple[float, float, float, float] | None,
    synthetic: bool | None,
    cache_dir: Path,
    level: int,
) -> RoadNetwork:
    ox.settings.cache_folder = str(cache_dir.parent / "osmnx-http")
    ox.settings.use_cache = True
    try:
        with _way_tags():
            if query in ("", "bbox") and bbox is not None:
                graph = ox.graph_from_bbox(
                    bbox, network_type="all", simplify=False, retain_all=True
                )
                source = f"bbox {bbox}"
            elif query and query != "bbox":
                graph = ox.graph_from_place(
                    query, network_type="all", simplify=False, retain_all=True
                )
                source = query
            else:
                msg = "no OSM source given. " + _HOW_TO_GET_DATA
                raise InputError(msg, field="source")
    except (OSError, ConnectionError, ox._errors.InsufficientResponseError) as exc:
        msg = "could not download the roads of {area!r} ({detail}); offline? " + _HOW_TO_GET_DATA
        detail = library_text(exc)
        raise InputError(msg, field="source", area=query or bbox, detail=detail) from exc
    except Exception as exc:  # requests' errors, geocoder misses: same advice
        if type(exc).__module__.startswith(("requests", "urllib3", "osmnx")):
            msg = "could not get the roads of {area!r} ({detail}). " + _HOW_TO_GET_DATA
            detail = library_text(exc)
            raise InputError(msg, field="source", area=query or bbox, detail=detail) from exc
        raise
    drop = [(u, v, k) for u, v, k, d in graph.edges(keys=True, data=True) if not profile.usable(d)]
    graph.remove_edges_from(drop)
    graph.remove_nodes_from([n for n in list(graph.nodes) if graph.degree(n) == 0])
    if graph.number_of_edges() == 0:
        msg = "{source}: no road a truck may use"
        raise InputError(msg, field="source", source=source)
    return _finish(graph, profile, source, bool(synthetic), level)


def _finish(
    graph: nx.MultiDiGraph,
    profile: TruckProfile,
    source: str,
    synthetic: bool,
    level: int,
    *,
    places: Sequence[tuple[str, str, float, float]] = (),
) -> RoadNetwork:
    """Time the edges, simplify, project and normalise the attributes of a raw way graph."""
    t0 = time.perf_counter()
    for _, _, data in graph.edges(data=True):
        length = float(data["length"])
        data["travel_time"] = length / (profile.speed_kmh(data) / 3.6)
        data["collect_time"] = length / (profile.collect_speed(data) / 3.6)
    graph = ox.simplify_graph(
        graph,
        edge_attrs_differ=["highway", "name"],
        edge_attr_aggs={"length": sum, "travel_time": sum, "collect_time": sum},
    )
    graph = ox.project_graph(graph)
    xs = nx.get_node_attributes(graph, "x")
    ys = nx.get_node_attributes(graph, "y")
    for u, v, data in graph.edges(data=True):
        data["name"] = _join_names(data.get("name")) or _join_names(data.get("ref"))
        highway = data.get("highway")
        data["highway"] = str(highway[0] if isinstance(highway, list) else highway)
        oneway = data.get("oneway", False)
        data["oneway"] = bool(any(oneway) if isinstance(oneway, list) else oneway)
        if "geometry" not in data:
            data["geometry"] = LineString([(xs[u], ys[u]), (xs[v], ys[v])])
        for attr in ("length", "travel_time", "collect_time"):
            data[attr] = float(data[attr])
    crs = graph.graph["crs"]
    log.log(
        level,
        "simplified and projected to %s: %d nodes, %d edges in %.2f s",
        pyproj.CRS.from_user_input(crs).name,
        len(graph),
        graph.number_of_edges(),
        _since(t0),
    )
    attribution = OSM_ATTRIBUTION + (" (synthetic stand-in)" if synthetic else "")
    network = RoadNetwork(graph, crs, source, synthetic, attribution)
    if places:
        xs_p, ys_p = network.from_wgs84([p[2] for p in places], [p[3] for p in places])
        network.places = tuple(
            (name, kind, float(x), float(y))
            for (name, kind, _, _), x, y in zip(places, xs_p, ys_p, strict=True)
        )
    describe_unnamed(network)
    return network


#: ``place=*`` values read from a source, largest first (a town names an area before a hamlet).
PLACE_KINDS = (
    "city", "town", "village", "suburb", "quarter", "neighbourhood", "hamlet",
    "isolated_dwelling", "farm", "locality",
)  # fmt: skip
#: How far (m, along the roads) an unnamed road looks for the named street it branches off.
NEAR_STREET_M = 3000.0
#: How far (m, straight line) an unnamed road looks for the nearest named place.
NEAR_PLACE_M = 10000.0


def read_places(path: str | Path) -> list[tuple[str, str, float, float]]:
    """Return the named ``place=*`` nodes of an OSM file as ``(name, place, lon, lat)``.

    Parameters
    ----------
    path
        An OSM file (``.osm``, ``.osm.bz2``, ``.osm.pbf`` ...).

    Returns
    -------
    places
        In file order; only nodes whose ``place`` is one of :data:`PLACE_KINDS`.
    """
    import osmium

    out: list[tuple[str, str, float, float]] = []
    processor = (
        osmium.FileProcessor(str(path))
        .with_filter(osmium.filter.KeyFilter("place"))
        .with_filter(osmium.filter.EntityFilter(osmium.osm.NODE))
    )
    for node in processor:
        if not isinstance(node, osmium.osm.Node):
            continue
        kind, name = node.tags.get("place"), node.tags.get("name")
        if kind in PLACE_KINDS and name and node.location.valid():
            out.append((name, kind, node.location.lon, node.location.lat))
    return out


def describe_unnamed(network: RoadNetwork) -> None:
    """Give every edge without a name the street it branches off and the nearest place.

    The named street is found by one multi-source Dijkstra over the undirected road graph
    from every node on a named street (within :data:`NEAR_STREET_M`); the place is the nearest
    of ``network.places`` in a straight line (within :data:`NEAR_PLACE_M`). Sets
    ``near_street`` and ``near_place`` ("" when none) on the unnamed edges, in place.
    """
    graph = network.graph
    nodes = list(graph.nodes)
    if not nodes:
        return
    pos = {n: i for i, n in enumerate(nodes)}
    street_at: dict[int, tuple[int, str]] = {}  # node -> (rank, name): the main road wins
    rows, cols, lengths = [], [], []
    for u, v, data in graph.edges(data=True):
        rows.append(pos[u])
        cols.append(pos[v])
        lengths.append(max(float(data["length"]), 1e-3))
        if data["name"]:
            rank = _road_rank(data["highway"])
            for n in (u, v):
                if n not in street_at or rank < street_at[n][0]:
                    street_at[n] = (rank, data["name"])
    near_node = _nearest_named_node(len(nodes), rows, cols, lengths, [pos[n] for n in street_at])
    place_of = _nearest_place(network, nodes)
    for u, v, data in graph.edges(data=True):
        if data["name"]:
            continue
        best = min(
            (near_node[pos[n]] for n in (u, v) if near_node[pos[n]][1] >= 0),
            default=(math.inf, -1),
        )
        data["near_street"] = street_at[nodes[best[1]]][1] if best[1] >= 0 else ""
        data["near_place"] = place_of[pos[u]]


def _road_rank(highway: str) -> int:
    order = ("motorway", "trunk", "primary", "secondary", "tertiary", "unclassified", "residential")
    base = highway.replace("_link", "")
    return order.index(base) if base in order else len(order)


def _nearest_named_node(
    n: int, rows: list[int], cols: list[int], lengths: list[float], sources: list[int]
) -> list[tuple[float, int]]:
    """For each node, ``(metres, source position)`` of the nearest source by road (-1: none)."""
    import scipy.sparse as sp
    from scipy.sparse.csgraph import dijkstra

    if not sources:
        return [(math.inf, -1)] * n
    matrix = sp.coo_matrix((lengths, (rows, cols)), shape=(n, n)).tocsr()
    dist, _, origin = dijkstra(
        matrix,
        directed=False,
        indices=sources,
        min_only=True,
        return_predecessors=True,
        limit=NEAR_STREET_M,
    )
    return [
        (float(d), int(o)) if math.isfinite(d) and o >= 0 else (math.inf, -1)
        for d, o in zip(dist, origin, strict=True)
    ]


def _nearest_place(network: RoadNetwork, nodes: list[int]) -> list[str]:
    """The name of the nearest place of ``network.places`` to each node ("" beyond the limit)."""
    if not network.places:
        return [""] * len(nodes)
    pxy = np.array([(p[2], p[3]) for p in network.places])
    tree = shapely.STRtree(np.asarray(shapely.points(pxy)))
    gx = np.array([network.graph.nodes[n]["x"] for n in nodes])
    gy = np.array([network.graph.nodes[n]["y"] for n in nodes])
    idx = tree.query_nearest(shapely.points(gx, gy), max_distance=NEAR_PLACE_M, all_matches=False)
    out = [""] * len(nodes)
    for i, j in zip(idx[0], idx[1], strict=True):
        out[int(i)] = network.places[int(j)][0]
    return out


def _join_names(value: Any) -> str:
    """Return a street name as one string ("" when none; a list is joined with " / ")."""
    items = value if isinstance(value, list) else [value]
    names = []
    for item in items:
        if item is None or (isinstance(item, float) and math.isnan(item)):
            continue
        names.append(str(item))
    return " / ".join(dict.fromkeys(names))
