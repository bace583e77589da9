"""The benchmarks write their results whole, through a temporary file beside the result."""

from __future__ import annotations

from pathlib import Path

from bench._files import write_text


def test_a_result_is_replaced_whole_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    out = tmp_path / "results" / "solver.md"
    write_text(out, "first run\n" * 1000)
    write_text(out, "ң ө ү second run\n")
    assert out.read_text(encoding="utf-8") == "ң ө ү second run\n"
    assert sorted(p.name for p in out.parent.iterdir()) == ["solver.md"]
