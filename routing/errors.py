"""Typed errors of the planning engine.

Bad input (a scenario, register, corrections or alias file that cannot be used as it is) raises
`InputError`, a `ValueError` that carries the file, row and field where they are known, so that a
front end can point at the cell to fix. The command line catches only this class (one clear line,
exit 2); anything else is a bug and shows its traceback.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["InputError"]


class InputError(ValueError):
    """Bad input. Attributes: file (Path|None), row (int|None), field (str|None).

    Parameters
    ----------
    message
        What is wrong and how to fix it; it should already name the file, row and field.
    file
        The file that holds the bad input.
    row
        Its 1-based row in the file (the header is row 1), where there is one.
    field
        The column or key, where there is one.
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
