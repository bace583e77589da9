"""Writing outputs so that they appear complete or not at all: one file, or a whole folder.

:func:`atomic_write` writes a file to a temporary file in the same folder and renames it into place
(``os.replace`` is atomic on one file system), so a reader never sees half a file.
:func:`atomic_folder` does the same for an output folder: everything is written into a temporary
folder beside the target, which takes the target's place only when all is done. A crash or a
cancelled run leaves the previous folder as it was, and a finished run leaves only its own outputs
(files of a previous run's other formats do not linger), never a mixture. Swapping two folders takes
two renames; between them (microseconds) the old folder sits beside the target under a hidden name.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Callable, Collection, Iterator
from pathlib import Path
from typing import Any

from routing.errors import InputError

__all__ = ["atomic_folder", "atomic_write"]

NOTES = frozenset({"README", "README.md", "README.txt", ".gitignore", ".gitkeep"})
"""Notes a folder may hold beside outputs (the repository's ``maps/README.md``); they say nothing
about whether the folder is an output folder, so they neither make it one nor stop it being one."""


def atomic_write(path: Path, write: Callable[[Any], None], *, mode: str = "w") -> Path:
    """Write a file through ``write(handle)`` so that it appears complete or not at all."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        encoding = None if "b" in mode else "utf-8"
        newline = None if "b" in mode else ""
        with os.fdopen(fd, mode, encoding=encoding, newline=newline) as handle:
            write(handle)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


@contextlib.contextmanager
def atomic_folder(target: Path, *, owned: Collection[str]) -> Iterator[Path]:
    """Give a temporary folder beside ``target`` that replaces ``target`` when the block ends.

    Parameters
    ----------
    target
        The output folder (it may not exist yet).
    owned
        Names that the writers put at the top of the folder. Anything else already in ``target``
        (a README, another run's folder) is carried into the new folder first (hard links, so
        nothing is copied); what is owned is not, so it is left only if written again.

    Yields
    ------
    pathlib.Path
        The temporary folder to write into. If the block raises, it is removed and ``target`` is
        left as it was.

    Raises
    ------
    InputError
        If ``target`` is a file, or a folder with files in it (other than `NOTES`) but none of the
        ``owned`` names (so that a mistyped output folder is never replaced).
    """
    target = Path(target).absolute()
    if target.exists() and not target.is_dir():
        msg = "{file}: the output folder is a file; choose a folder"
        raise InputError(msg, file=target)
    present = {p.name for p in target.iterdir()} if target.is_dir() else set()
    if present - NOTES and not present & set(owned):
        msg = (
            "{file}: this folder holds other files and no plan outputs; choose a new or "
            "empty folder (or one written by taza-route before)"
        )
        raise InputError(msg, file=target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp"))
    try:
        for name in sorted(present - set(owned)):
            src = target / name
            if src.is_dir() and not src.is_symlink():
                shutil.copytree(src, tmp / name, symlinks=True, copy_function=_link_or_copy)
            else:
                _link_or_copy(src, tmp / name)
        yield tmp
        _swap(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _link_or_copy(src: str | Path, dst: str | Path) -> None:
    """Carry a file over by a hard link (instant, same folder tree), else by a copy."""
    try:
        os.link(src, dst, follow_symlinks=False)
    except OSError:
        shutil.copy2(src, dst, follow_symlinks=False)


def _swap(new: Path, target: Path) -> None:
    """Put folder ``new`` in the place of ``target``; the old one is then removed."""
    new.chmod(0o755)  # mkdtemp makes it private; an output folder is not
    if not target.exists():
        os.replace(new, target)
        return
    old = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.", suffix=".old"))
    os.replace(target, old / target.name)
    os.replace(new, target)
    shutil.rmtree(old, ignore_errors=True)
