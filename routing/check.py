"""``taza-route check --deep``: load the road network and check every position before a long run.

A plain ``check`` reads the scenario file. The deep check also builds (or loads from the cache)
the road network with the fleet's profiles and snaps the depot, every landfill and every
container onto it, on every road some vehicle may drive and on each vehicle type's own roads
(`routing.profile.fleet_profiles`, `routing.network.restrict`). Each place that cannot be used
gets one sentence saying why and what to change (`routing.snapping.check_sites`): outside the
extract (with its bounds), too far from a road the trucks may use, or cut off from the depot.
The lines and the problems are in the language asked for (catalogue ``taza-cli.po``); the
places keep the names the scenario gives them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from routing.i18n import translator
from routing.network import load_network, restrict
from routing.profile import fleet_profiles
from routing.register import read_containers
from routing.scenario import Scenario
from routing.snapping import check_sites, network_bounds

__all__ = ["DeepCheck", "deep_check"]


@dataclass(frozen=True)
class DeepCheck:
    """What the deep check found.

    Attributes
    ----------
    lines
        What was checked, one line each (roads, bounds, places, vehicles).
    problems
        One sentence per position that cannot be used; empty when the scenario can be planned.
    """

    lines: tuple[str, ...]
    problems: tuple[str, ...]

    @property
    def ok(self) -> bool:
        """True when no position has a problem."""
        return not self.problems


def deep_check(
    scenario: Scenario, *, cache_dir: Path | None = None, language: str = "en"
) -> DeepCheck:
    """Load the scenario's road network and check the depot, landfills and containers on it.

    Parameters
    ----------
    scenario
        A scenario read by `routing.scenario.load_scenario`.
    cache_dir
        Where built networks are cached (default `routing.network.default_cache_dir`).
    language
        The language of `DeepCheck.lines` (ky, ru or en).

    Returns
    -------
    DeepCheck
    """
    _ = translator(language)
    where = f"{scenario.path}: [network.profile]"
    shared, by_vehicle = fleet_profiles(scenario.profile, scenario.fleet, where=where)
    network = load_network(scenario.osm, profile=shared, cache_dir=cache_dir)
    graph = network.graph
    west, south, east, north = network_bounds(network)
    unnamed = sum(1 for *_, d in graph.edges(data=True) if not d["name"])
    lines = [
        _("roads: {edges} edges, {unnamed} without a name (described from the nearest street and "
          "place), {places} named places",
          edges=f"{graph.number_of_edges():,}", unnamed=f"{unnamed:,}", places=len(network.places)),
        _("extract covers lon {west} to {east}, lat {south} to {north}", west=f"{west:.4f}",
          east=f"{east:.4f}", south=f"{south:.4f}", north=f"{north:.4f}"),
    ]  # fmt: skip
    sites = [(f"[depot] {scenario.depot.name!r}", scenario.depot.lon, scenario.depot.lat)]
    sites += [(f"[[landfill]] {lf.name!r}", lf.lon, lf.lat) for lf in scenario.landfills]
    fixed = len(sites)
    if scenario.containers is not None:
        cont = read_containers(scenario.containers)
        for i, (name, pt) in enumerate(zip(cont["name"], cont.geometry, strict=True)):
            label = _("container {name} ({file} row {row})", name=repr(name) if name else i + 1,
                      file=scenario.containers.name, row=i + 2)  # fmt: skip
            sites.append((label, pt.x, pt.y))
    checks = check_sites(network, sites, max_snap_m=scenario.max_snap_m, language=language)[1]
    problems = [c.problem for c in checks if not c.ok]
    lines.append(
        _(
            "positions: {usable} of {total} usable",
            usable=sum(c.ok for c in checks),
            total=len(checks),
        )
    )
    for spec in scenario.fleet:
        own = restrict(network, by_vehicle[spec.name])
        if own is network or spec.count == 0:
            continue
        mine = check_sites(own, sites[:fixed], max_snap_m=scenario.max_snap_m, language=language)[1]
        dropped = graph.number_of_edges() - own.graph.number_of_edges()
        lines.append(
            _("vehicle {name}: {dropped} road edges it may not use",
              name=repr(spec.name), dropped=f"{dropped:,}")
        )  # fmt: skip
        problems += [
            _("for vehicle {name}: {problem}", name=repr(spec.name), problem=c.problem)
            for c in mine
            if not c.ok
        ]
    return DeepCheck(tuple(lines), tuple(problems))
