"""Writing the benchmarks' results whole or not at all (a stopped bench keeps the old file)."""

from __future__ import annotations

from pathlib import Path

from routing.outputs import atomic_write


def write_text(path: Path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` through a temporary file in the same folder."""
    atomic_write(path, lambda handle: handle.write(text))
