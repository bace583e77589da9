"""Writing whole or not at all: one file, or an output folder swapped into place."""

from __future__ import annotations

from pathlib import Path

import pytest

from routing.atomic import atomic_folder, atomic_write
from routing.errors import InputError

OWNED = ("summary.json", "gpx")


def test_a_file_is_written_whole_or_the_old_one_stays(tmp_path: Path) -> None:
    target = tmp_path / "a.txt"
    atomic_write(target, lambda h: h.write("new"))
    assert target.read_text(encoding="utf-8") == "new"

    def broken(handle: object) -> None:
        msg = "disk full"
        raise OSError(msg)

    with pytest.raises(OSError, match="disk full"):
        atomic_write(target, broken)
    assert target.read_text(encoding="utf-8") == "new"
    assert [p.name for p in tmp_path.iterdir()] == ["a.txt"]


def test_a_folder_is_replaced_whole_keeping_what_no_writer_owns(tmp_path: Path) -> None:
    out = tmp_path / "maps"
    (out / "gpx").mkdir(parents=True)
    (out / "gpx" / "old.gpx").write_text("old", encoding="utf-8")
    (out / "summary.json").write_text("old", encoding="utf-8")
    (out / "README.md").write_text("readme", encoding="utf-8")
    (out / "bayreuth").mkdir()
    (out / "bayreuth" / "summary.json").write_text("another run", encoding="utf-8")
    with atomic_folder(out, owned=OWNED) as tmp:
        assert tmp.parent == tmp_path and tmp.name.startswith(".maps.")
        (tmp / "summary.json").write_text("new", encoding="utf-8")
        assert (out / "summary.json").read_text(encoding="utf-8") == "old"  # not yet
    files = {str(p.relative_to(out)): p.read_text(encoding="utf-8") for p in out.rglob("*.*")}
    assert files == {
        "summary.json": "new",
        "README.md": "readme",
        "bayreuth/summary.json": "another run",
    }
    assert [p.name for p in tmp_path.iterdir()] == ["maps"]
    assert out.stat().st_mode & 0o777 == 0o755


def test_a_failure_inside_leaves_the_folder_and_no_temporary_one(tmp_path: Path) -> None:
    out = tmp_path / "maps"
    out.mkdir()
    (out / "summary.json").write_text("old", encoding="utf-8")
    with pytest.raises(RuntimeError, match="crash"), atomic_folder(out, owned=OWNED) as tmp:
        (tmp / "summary.json").write_text("half", encoding="utf-8")
        msg = "crash"
        raise RuntimeError(msg)
    assert [p.name for p in tmp_path.iterdir()] == ["maps"]
    assert (out / "summary.json").read_text(encoding="utf-8") == "old"


def test_a_new_folder_is_made_and_a_wrong_one_refused(tmp_path: Path) -> None:
    with atomic_folder(tmp_path / "a" / "b", owned=OWNED) as tmp:
        (tmp / "summary.json").write_text("x", encoding="utf-8")
    assert (tmp_path / "a" / "b" / "summary.json").exists()
    (tmp_path / "file").write_text("x", encoding="utf-8")
    with (
        pytest.raises(InputError, match="is a file"),
        atomic_folder(tmp_path / "file", owned=OWNED),
    ):
        pass
    home = tmp_path / "home"
    home.mkdir()
    (home / "letters").mkdir()
    with pytest.raises(InputError, match="no plan outputs"), atomic_folder(home, owned=OWNED):
        pass
    assert [p.name for p in home.iterdir()] == ["letters"]


def test_a_folder_with_only_a_readme_is_an_output_folder_that_keeps_it(tmp_path: Path) -> None:
    # the repository's maps/ holds only its README before the first `make plan`
    maps = tmp_path / "maps"
    maps.mkdir()
    (maps / "README.md").write_text("what a run writes", encoding="utf-8")
    with atomic_folder(maps, owned=OWNED) as tmp:
        (tmp / "summary.json").write_text("x", encoding="utf-8")
    assert sorted(p.name for p in maps.iterdir()) == ["README.md", "summary.json"]
    assert (maps / "README.md").read_text(encoding="utf-8") == "what a run writes"
