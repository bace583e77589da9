"""Every user-facing string in Kyrgyz, Russian and English, from one gettext catalogue.

The catalogues are the ``.po`` files in ``routing/locales/<lang>/LC_MESSAGES/``: ``taza.po`` and one
``taza-<concern>.po`` per further concern (the web service, the cost report, ...), so each concern keeps
its own strings (message ids are the English text; an id in two files must not be). They are parsed with Babel when first needed and kept in memory, so a fresh
``pip install`` needs no compile step and no ``.mo`` files.

Examples
--------
>>> _ = translator("ky")
>>> _("Turn left onto {street}", street="Манас көчөсү")
'Солго буруңуз: Манас көчөсү'
>>> day_name("mon", "ru")
'Понедельник'
>>> choose_language(None, "ky")
'ky'

Every command chooses its language with :func:`choose_language`: the ``--language`` given, else the
scenario's (or region file's), else the environment's (``TAZA_LANGUAGE``, then ``LANGUAGE``,
``LC_ALL``, ``LC_MESSAGES``, ``LANG``, the order gettext reads them), else English.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Protocol

from babel.messages.pofile import read_po

LANGUAGES: tuple[str, ...] = ("ky", "ru", "en")
DOMAIN = "taza"
#: The environment variable naming this program's language, before the locale's.
LANGUAGE_ENV = "TAZA_LANGUAGE"
LOCALE_DIR = Path(__file__).resolve().parent / "locales"

_DAY_NAMES: dict[str, tuple[str, str]] = {
    "mon": ("Monday", "Mon"),
    "tue": ("Tuesday", "Tue"),
    "wed": ("Wednesday", "Wed"),
    "thu": ("Thursday", "Thu"),
    "fri": ("Friday", "Fri"),
    "sat": ("Saturday", "Sat"),
    "sun": ("Sunday", "Sun"),
}
_DAY_INDEX = {day: i for i, day in enumerate(_DAY_NAMES)}


class Translator(Protocol):
    """A function from an English message id (and ``str.format`` values) to the chosen language."""

    language: str

    def __call__(self, message: str, /, **values: object) -> str:
        """Translate ``message`` and fill its ``{placeholders}`` from ``values``."""
        ...


class _Translate:
    """The callable behind :func:`translator`; falls back to the English id for unknown text."""

    def __init__(self, language: str, messages: dict[str, str]) -> None:
        self.language = language
        self._messages = messages

    def __call__(self, message: str, /, **values: object) -> str:
        text = self._messages.get(message) or message
        return text.format(**values) if values else text

    def __repr__(self) -> str:
        return f"translator({self.language!r})"


def catalogue_path(language: str) -> Path:
    """The main ``.po`` file of a language."""
    _check_language(language)
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def catalogue_paths(language: str) -> list[Path]:
    """Every ``.po`` file of a language: the main one, then ``taza-<concern>.po`` in name order."""
    main = catalogue_path(language)
    return [main, *sorted(main.parent.glob(f"{DOMAIN}-*.po"))]


@lru_cache(maxsize=len(LANGUAGES))
def messages(language: str) -> dict[str, str]:
    """All translated messages of a language, ``{english_id: text}`` (untranslated ids left out).

    Parameters
    ----------
    language
        One of ``"ky"``, ``"ru"``, ``"en"``.

    Returns
    -------
    dict
        A fresh mapping is cached per language; do not modify it.

    Raises
    ------
    ValueError
        If the language is not one of :data:`LANGUAGES`.
    FileNotFoundError
        If the package was installed without its catalogues.
    """
    out: dict[str, str] = {}
    for path in catalogue_paths(language):
        with path.open("rb") as fh:
            catalog = read_po(fh, locale=language, domain=DOMAIN)
        for entry in catalog:
            if not entry.id or entry.fuzzy or not isinstance(entry.id, str):
                continue
            if isinstance(entry.string, str) and entry.string:
                out[entry.id] = entry.string
    return out


def translator(language: str) -> Translator:
    """A translating function for ``language``.

    Parameters
    ----------
    language
        One of ``"ky"``, ``"ru"``, ``"en"`` (the scenario's ``language``).

    Returns
    -------
    Translator
        ``_(message, **values)``: the message in the language with ``{placeholders}`` filled; text
        missing from the catalogue comes back in English so nothing is ever blank.
    """
    return _Translate(language, messages(language))


def choose_language(
    given: str | None = None,
    scenario: str | None = None,
    *,
    environ: Mapping[str, str] | None = None,
) -> str:
    """The language a command speaks: the one given, else the scenario's, else the environment's.

    Parameters
    ----------
    given
        The ``--language`` of the command line (None when not given).
    scenario
        The scenario's (or region file's) ``language``, when there is one.
    environ
        The environment to read (default ``os.environ``): ``TAZA_LANGUAGE`` (this program's own
        choice: ``ky``, ``ru``, ``en`` or a locale name such as ``ru_RU.UTF-8``; another value is
        passed over), else the first of ``LANGUAGE`` (a colon-separated list: its first of ky,
        ru, en), else the first set of ``LC_ALL``, ``LC_MESSAGES``, ``LANG`` (``ru_RU.UTF-8`` is
        ``ru``; ``C`` or another language is English).

    Returns
    -------
    str
        One of :data:`LANGUAGES`; English when nothing names one.

    Raises
    ------
    ValueError
        If ``given`` or ``scenario`` is not one of :data:`LANGUAGES`.
    """
    for language in (given, scenario):
        if language is not None:
            _check_language(language)
            return language
    env = os.environ if environ is None else environ
    if _code_of(env.get(LANGUAGE_ENV, "")) in LANGUAGES:
        return _code_of(env[LANGUAGE_ENV])
    for code in env.get("LANGUAGE", "").split(":"):  # gettext's list of preferences
        if _code_of(code) in LANGUAGES:
            return _code_of(code)
    for key in ("LC_ALL", "LC_MESSAGES", "LANG"):
        if env.get(key):  # the first one set decides, as for gettext (C, de_DE: English)
            code = _code_of(env[key])
            return code if code in LANGUAGES else "en"
    return "en"


def day_name(day: str, language: str, *, short: bool = False) -> str:
    """The name of a weekday code (``"mon"`` … ``"sun"``) in the language.

    Raises
    ------
    ValueError
        If ``day`` is not one of ``mon tue wed thu fri sat sun``.
    """
    if day not in _DAY_NAMES:
        msg = f"day {day!r} is not one of: {', '.join(_DAY_NAMES)}"
        raise ValueError(msg)
    long_name, short_name = _DAY_NAMES[day]
    return translator(language)(short_name if short else long_name)


def day_date(week_start: dt.date | None, day: str) -> dt.date | None:
    """The calendar date of ``day`` in the week starting on ``week_start`` (a Monday or not)."""
    if week_start is None:
        return None
    if day not in _DAY_INDEX:
        msg = f"day {day!r} is not one of: {', '.join(_DAY_NAMES)}"
        raise ValueError(msg)
    offset = (_DAY_INDEX[day] - week_start.weekday()) % 7
    return week_start + dt.timedelta(days=offset)


def format_clock(seconds: float) -> str:
    """Seconds since midnight as ``HH:MM`` (rounded to the minute; past midnight keeps counting)."""
    minutes = round(seconds / 60)
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def format_distance(metres: float, language: str) -> str:
    """A distance for a driver: metres under 1 km (to 10 m), else km with one decimal."""
    _ = translator(language)
    if metres < 950:
        return f"{max(10, round(metres / 10) * 10)} {_('m')}"
    return f"{metres / 1000:.1f} {_('km')}"


def _code_of(locale_name: str) -> str:
    """``ru_RU.UTF-8`` → ``ru``."""
    return locale_name.split(".")[0].split("@")[0].split("_")[0].lower()


def _check_language(language: str) -> None:
    if language not in LANGUAGES:
        msg = f"language {language!r} is not one of: {', '.join(LANGUAGES)}"
        raise ValueError(msg)
