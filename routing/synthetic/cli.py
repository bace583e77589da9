"""Command line of the generator: ``python -m routing.synthetic --out DIR [...]``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from routing.synthetic.area import DEFAULT_SEED, generate
from routing.synthetic.town import generate_town

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: ``python -m routing.synthetic --out DIR [--seed N] [--places CSV] [--town N]``."""
    parser = argparse.ArgumentParser(
        prog="python -m routing.synthetic",
        description="Seeded synthetic stand-in for the Taza Aimak service area.",
    )
    parser.add_argument(
        "--out", required=True, type=Path, help="output folder, e.g. data/taza-aimak"
    )
    parser.add_argument(
        "--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default {DEFAULT_SEED})"
    )
    parser.add_argument(
        "--places", type=Path, default=None, help="places CSV (default ../shared/data/places/...)"
    )
    parser.add_argument(
        "--scale", type=float, default=1.0, help="multiply household counts (default 1)"
    )
    parser.add_argument(
        "--villages", default=None, help="comma-separated subset of villages (English names)"
    )
    parser.add_argument(
        "--town",
        type=int,
        default=None,
        metavar="HOUSEHOLDS",
        help="make a synthetic town of this many households (1-30000) instead of the valley",
    )
    args = parser.parse_args(argv)
    if args.town is not None:
        return _town(args.out, households=args.town, seed=args.seed)
    try:
        area = generate(
            args.out,
            seed=args.seed,
            places=args.places,
            scale=args.scale,
            villages=[v.strip() for v in args.villages.split(",")] if args.villages else None,
        )
    except (ValueError, FileNotFoundError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {', '.join(str(p) for p in area.files.values())}")
    print(
        f"{area.households} households, {area.osm_nodes} nodes, {area.osm_ways} ways; depot {area.depot}, landfill {area.landfill}"
    )
    return 0


def _town(out: Path, *, households: int, seed: int) -> int:
    try:
        town = generate_town(out, households=households, seed=seed)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {', '.join(str(p) for p in town.files.values())}")
    print(
        f"{town.households} households ({town.houses} houses, {town.flats} flats in "
        f"{town.blocks} blocks, {town.container_sites} container sites), {town.osm_nodes} nodes"
    )
    return 0
