"""Typed errors: bad input is an :class:`InputError`; anything else is a bug.

An input error names where the problem is (the file, the 1-based row where a table has rows, the
field or key) and says how to fix it, in its message. Front ends catch only this class: the command
line prints its message on one line and exits with status 2, a web page shows it beside the form.
Every other exception is a bug and keeps its traceback.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["InputError"]


class InputError(ValueError):
    """Bad input: a scenario, register, container list or OSM source that cannot be used.

    Parameters
    ----------
    message
        What is wrong and how to fix it; it names the file, row and field itself, so that
        ``str(error)`` is enough for a person.
    file
        The file at fault, where known.
    row
        The 1-based row (the header is row 1) or line of ``file``, where known.
    field
        The column, key or ``[table]`` at fault, where known.

    Attributes
    ----------
    file : pathlib.Path or None
    row : int or None
    field : str or None
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | Path | None = None,
        row: int | None = None,
        field: str | None = None,
    ) -> None:
        super().__init__(message)
        self.file = Path(file) if file is not None else None
        self.row = row
        self.field = field

    def __reduce__(self) -> tuple[object, ...]:
        # keyword-only attributes survive pickling (a plan run in another process reports them)
        return (type(self), (str(self),), self.__dict__)
