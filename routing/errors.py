"""Typed errors: bad input is an :class:`InputError`; anything else is a bug.

An input error names where the problem is (the file, the 1-based row where a table has rows, the
field or key) and says how to fix it. It keeps its English *template* and the values that fill it,
so it can be shown in any language: ``str(error)`` is the English text (logs, tests, the status
API), ``error.text("ky")`` the Kyrgyz one from the catalogue ``taza-errors.po``. Front ends catch
only this class: the command line prints its text in the command's language on one line and exits
with status 2, a web page shows it beside the form in the page's language. Every other exception is
a bug and keeps its traceback.

Examples
--------
>>> err = InputError(
...     "{file}: row {row}, field {field!r}: {value!r} is not a number",
...     file="h.csv", row=3, field="members", value="many",
... )
>>> str(err)
"h.csv: row 3, field 'members': 'many' is not a number"
>>> err.text("ru")
"h.csv: строка 3, поле 'members': 'many' — не число"
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

__all__ = ["InputError", "Localized", "error_texts", "library_text"]

#: How a library's own words stand inside a translated message (an id of ``taza-errors.po``).
LIBRARY_TEXT = "{library}: {text}"
#: An error that is not bad input (a bug, a worker lost too often), around its own words.
UNEXPECTED_TEXT = "unexpected error ({detail})"


class Localized(dict[str, str]):
    """A value of an input error already said in each language: ``{"ky": …, "ru": …, "en": …}``.

    The error's text in a language shows that language's (English where it is missing), so a
    sentence made elsewhere in every language (another error's :meth:`InputError.texts`, the
    problems of a depot off the roads) can stand inside a translated template.
    """

    def say(self, language: str) -> str:
        """The value in ``language``, else in English."""
        return self.get(language) or self.get("en", "")


class InputError(ValueError):
    """Bad input: a scenario, register, container list or OSM source that cannot be used.

    Parameters
    ----------
    template
        What is wrong and how to fix it, in English, as a ``str.format`` template (a literal, so
        that it can be looked up in the catalogue ``taza-errors.po``); it names the file, row and
        field itself, so that ``str(error)`` is enough for a person. ``{file}``, ``{row}`` and
        ``{field}`` are filled from the keyword arguments of the same names, the other
        placeholders from ``params``. A literal brace is written twice.
    file
        The file at fault, where known.
    row
        The 1-based row (the header is row 1) or line of ``file``, where known.
    field
        The column, key or ``[table]`` at fault, where known.
    **params
        The values of the template's other placeholders: names and values from the user's files,
        numbers, paths (never English words: a sentence that changes is another template).

    Attributes
    ----------
    template : str
    params : dict
    file : pathlib.Path or None
    row : int or None
    field : str or None

    Raises
    ------
    KeyError
        If the template names a placeholder that no argument fills (a bug at the raise site).
    """

    def __init__(
        self,
        template: str,
        /,
        *,
        file: str | Path | None = None,
        row: int | None = None,
        field: str | None = None,
        **params: object,
    ) -> None:
        self.template = template
        self.params: dict[str, Any] = dict(params)
        self.file = Path(file) if file is not None else None
        self.row = row
        self.field = field
        super().__init__(template.format(**self._values("en")))

    def text(self, language: str) -> str:
        """The message in ``language`` (``"ky"``, ``"ru"`` or ``"en"``).

        The template's translation from the catalogues, filled with the same values; a template
        missing from them reads in English.
        """
        from routing.i18n import messages

        text = messages(language).get(self.template, self.template)
        return text.format(**self._values(language))

    def texts(self) -> dict[str, str]:
        """The message in every language, ``{language: text}`` (for a record kept as JSON)."""
        from routing.i18n import LANGUAGES

        return {language: self.text(language) for language in LANGUAGES}

    def replaced(self, old: str, new: str) -> InputError:
        """The same error with ``old`` written ``new`` in its file and every text or path value.

        A front end hides its own folders this way (``/srv/data/plans/7`` → ``…``) and keeps the
        error translatable.
        """
        params = {key: _replaced(value, old, new) for key, value in self.params.items()}
        file = str(self.file).replace(old, new) if self.file is not None else None
        return _rebuild(type(self), self.template, file, self.row, self.field, params)

    def _values(self, language: str) -> dict[str, object]:
        said = {
            key: value.say(language) if isinstance(value, Localized) else value
            for key, value in self.params.items()
        }
        return {"file": self.file, "row": self.row, "field": self.field, **said}

    def __reduce__(self) -> tuple[object, ...]:
        # template, place and values survive pickling (a plan run in another process reports them)
        args = (type(self), self.template, self.file, self.row, self.field, self.params)
        return (_rebuild, args)


def library_text(exc: BaseException, *, library: str | None = None) -> Localized:
    """A library's own exception text, labelled as that library's, for a translated message.

    The text stays as the library wrote it (English); around it each language says whose words
    they are (``tomllib: Expected '=' …`` in English, ``tomllib китепканасы (англисче): …`` in
    Kyrgyz), so a reader knows what is ours and what is quoted.

    Parameters
    ----------
    exc
        The library's exception.
    library
        Its name; default the top module of the exception's class (``tomllib``, ``requests``),
        ``Python`` for a built-in one.

    Returns
    -------
    Localized
        To pass as a value of an :class:`InputError` (e.g. ``detail=library_text(exc)``).
    """
    from routing.i18n import LANGUAGES, translator

    module = type(exc).__module__.split(".")[0]
    name = library or ("Python" if module == "builtins" else module)
    text = str(exc) or type(exc).__name__
    return Localized(
        {lang: translator(lang)(LIBRARY_TEXT, library=name, text=text) for lang in LANGUAGES}
    )


def error_texts(exc: BaseException) -> dict[str, str]:
    """What went wrong, in every language (``{"ky": …, "ru": …, "en": …}``), for a record kept as
    JSON (a failed area of a region, a failed scenario of a comparison).

    Bad input is said as its own :meth:`InputError.texts`; anything else as an unexpected error
    (:data:`UNEXPECTED_TEXT`) around the exception's own words (:func:`library_text`).
    """
    if isinstance(exc, InputError):
        return exc.texts()
    from routing.i18n import LANGUAGES, translator

    detail = library_text(exc)
    return {lang: translator(lang)(UNEXPECTED_TEXT, detail=detail.say(lang)) for lang in LANGUAGES}


def _replaced(value: object, old: str, new: str) -> object:
    if isinstance(value, Localized):
        return Localized({language: text.replace(old, new) for language, text in value.items()})
    if isinstance(value, str | Path):
        return str(value).replace(old, new)
    return value


def _rebuild(
    cls: type[InputError],
    template: str,
    file: str | Path | None,
    row: int | None,
    field: str | None,
    params: dict[str, object],
) -> InputError:
    """An input error of class ``cls`` from its parts (unpickling, :meth:`InputError.replaced`)."""
    return cls(template, file=file, row=row, field=field, **params)
