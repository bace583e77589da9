"""``python -m bench``: run the benchmarks, then put each one's fresh section into BENCHMARKS.md.

Each ``bench/<topic>.py`` writes its section to ``bench/results/<topic>.md``, headed by the same line as
its section of ``BENCHMARKS.md``. BENCHMARKS.md also holds what was written by hand around the measured
figures (verdicts, held-out runs, earlier runs kept for the record), so it is never rebuilt from the
result files as a whole: only the sections of the topics just run are replaced, and the text each
replaces is kept beneath the new one, its headings one level down, as the earlier figures. A topic
whose result is already what its section says changes nothing.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from pathlib import Path

from bench._files import write_text

ROOT = Path(__file__).resolve().parent
BENCHMARKS = ROOT.parent / "BENCHMARKS.md"
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
EARLIER = "Earlier figures (replaced by the run above, kept for the record)"


def _level(line: str) -> int:
    """The level of a Markdown heading line (0 for any other line)."""
    hashes = len(line) - len(line.lstrip("#"))
    return hashes if 0 < hashes <= 6 and line[hashes : hashes + 1] == " " else 0


def _section(lines: list[str], heading: str) -> tuple[int, int] | None:
    """Where the section headed ``heading`` starts and ends (the next heading as high or higher)."""
    if heading not in lines:
        return None
    start, level = lines.index(heading), _level(heading)
    end = start + 1
    while end < len(lines) and not 0 < _level(lines[end]) <= level:
        end += 1
    return start, end


def replace_section(document: str, result: str) -> str:
    """``document`` with the section ``result`` heads replaced by ``result``, the old text kept below it.

    Parameters
    ----------
    document
        BENCHMARKS.md as it is.
    result
        A topic's fresh section, its first line a heading (``# ...`` or ``## ...``).

    Returns
    -------
    str
        The new document: the section replaced (its old body beneath, headings one level down, under
        a heading of :data:`EARLIER`), or the result appended where no section has its heading, or the
        document unchanged where the section already reads as the result.
    """
    new = result.strip().splitlines()
    if not new or not _level(new[0]):
        msg = (
            f"a result must start with a Markdown heading, not {new[:1]!r}: fix the topic's writer"
        )
        raise ValueError(msg)
    lines = document.rstrip("\n").splitlines()
    where = _section(lines, new[0])
    if where is None:
        return "\n".join([*lines, "", *new]) + "\n"
    start, end = where
    old_body = lines[start + 1 : end]
    if [line for line in old_body if line.strip()] == [line for line in new[1:] if line.strip()]:
        return document
    demoted = [("#" + line) if 0 < _level(line) < 6 else line for line in old_body]
    earlier = ["", "#" * min(_level(new[0]) + 1, 6) + " " + EARLIER, *demoted]
    return "\n".join([*lines[:start], *new, *earlier, *lines[end:]]) + "\n"


def update(topics: list[str], out: Path = BENCHMARKS) -> Path:
    """Put the result files of ``topics`` into ``out`` (see :func:`replace_section`)."""
    document = out.read_text(encoding="utf-8") if out.exists() else "# Benchmarks\n"
    for topic in topics:
        path = ROOT / "results" / f"{topic}.md"
        if path.exists():
            document = replace_section(document, path.read_text(encoding="utf-8"))
    write_text(out, document)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument(
        "topics", nargs="*", help=f"which benchmarks, of: {', '.join(TOPICS)} (default: all)"
    )
    parser.add_argument(
        "--no-run", action="store_true",
        help="run nothing; only put the topics' existing result files into BENCHMARKS.md",
    )  # fmt: skip
    args = parser.parse_args(argv)
    unknown = sorted(set(args.topics) - set(TOPICS))
    if unknown:
        parser.error(f"unknown benchmark {unknown[0]!r}; choose from {', '.join(TOPICS)}")
    topics = args.topics or list(TOPICS)
    if not args.no_run:
        for topic in topics:
            print(f"== bench {topic} ==", flush=True)
            # each topic parses its own options: give it none (its defaults), not our argv
            saved, sys.argv = sys.argv, [f"python -m bench.{topic}"]
            try:
                importlib.import_module(f"bench.{topic}").main()
            finally:
                sys.argv = saved
    print(f"wrote {update(topics)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
