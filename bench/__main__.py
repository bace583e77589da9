"""``python -m bench``: run every benchmark, then assemble BENCHMARKS.md from bench/results/*.md."""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import sys
from pathlib import Path

from bench._files import write_text

ROOT = Path(__file__).resolve().parent
TOPICS = (
    "matrix",
    "turns",
    "geocode",
    "solver",
    "tuning",
    "sheets",
    "load",
    "compare",
    "stopping",
    "osm",
    "growth",
    "region",
    "mcarptif",
)


def assemble(out: Path = ROOT.parent / "BENCHMARKS.md") -> Path:
    """Join the per-topic result files into BENCHMARKS.md."""
    parts = [
        "# Benchmarks\n",
        "Made by `make bench` (`python -m bench`); each section below is written by `bench/<topic>.py` and names the"
        " command, date, versions and the peers run side by side in the same run. This machine is shared and noisy"
        " (2 cores): figures are medians of repeats and ratios measured within one run."
        " `flock -x CPU_LOCK` below means the run held an exclusive lock on a lock file that every other job of the developers on this machine took shared, so nothing else computed meanwhile.\n",
        f"_Assembled {dt.date.today().isoformat()}._\n",
    ]
    for topic in TOPICS:
        path = ROOT / "results" / f"{topic}.md"
        if path.exists():
            parts.append(path.read_text(encoding="utf-8").strip() + "\n")
    write_text(out, "\n".join(parts))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument(
        "topics", nargs="*", help=f"which benchmarks, of: {', '.join(TOPICS)} (default: all)"
    )
    parser.add_argument("--assemble-only", action="store_true", help="only rebuild BENCHMARKS.md")
    args = parser.parse_args(argv)
    unknown = sorted(set(args.topics) - set(TOPICS))
    if unknown:
        parser.error(f"unknown benchmark {unknown[0]!r}; choose from {', '.join(TOPICS)}")
    if not args.assemble_only:
        for topic in args.topics or TOPICS:
            print(f"== bench {topic} ==", flush=True)
            # each topic parses its own options: give it none (its defaults), not our argv
            saved, sys.argv = sys.argv, [f"python -m bench.{topic}"]
            try:
                importlib.import_module(f"bench.{topic}").main()
            finally:
                sys.argv = saved
    print(f"wrote {assemble()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
