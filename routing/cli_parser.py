"""argparse in the command's language: ``taza-route --help`` and its errors in ky, ru or en.

The language of the help and of argparse's own errors is chosen before anything is parsed, by
:func:`help_language`: ``--language`` anywhere on the line, else ``$TAZA_LANGUAGE``, else the
locale's (``LANGUAGE``, ``LC_ALL``, ``LC_MESSAGES``, ``LANG``), else English. The parser is then
built in that language. Every help text of the subcommands goes through the catalogue
``taza-help.po`` (their builders write ``_("...")``); argparse's own words are translated here
without touching argparse's module state (no ``gettext.textdomain`` switch): the help formatter is
given the ``usage:`` prefix, the two groups argparse makes get their titles, ``-h`` its help, and
:meth:`LocalizedParser.error` translates the message argparse formatted by matching it against
argparse's templates (:data:`ARGPARSE_TEMPLATES`).

Examples
--------
>>> help_language(["plan", "x.toml", "--language", "ru"], environ={"LANG": "ky_KG.UTF-8"})
'ru'
>>> help_language(["plan"], environ={"TAZA_LANGUAGE": "ky", "LANG": "ru_RU.UTF-8"})
'ky'
>>> from routing.i18n import translator
>>> translate_argparse("the following arguments are required: --bbox", translator("ru"))
'обязательные аргументы не заданы: --bbox'
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from functools import partial
from typing import Any, NoReturn

from routing.i18n import LANGUAGES, Translator, choose_language

__all__ = [
    "ARGPARSE_TEMPLATES",
    "LocalizedFormatter",
    "LocalizedParser",
    "help_language",
    "translate_argparse",
]

#: argparse's own messages (Python 3.11, ``argparse.py``) and the catalogue ids that say them:
#: ``%(name)s`` becomes ``{name}``, a bare ``%s``/``%r`` ``{value}``; the first that matches wins.
ARGPARSE_TEMPLATES: tuple[tuple[str, str], ...] = (
    ("argument %(argument_name)s: %(message)s", "argument {argument_name}: {message}"),
    ("the following arguments are required: %s", "the following arguments are required: {value}"),
    ("one of the arguments %s is required", "one of the arguments {value} is required"),
    ("unrecognized arguments: %s", "unrecognized arguments: {value}"),
    (
        "invalid choice: %(value)r (choose from %(choices)s)",
        "invalid choice: {value} (choose from {choices})",
    ),
    ("invalid %(type)s value: %(value)r", "invalid {type} value: {value}"),
    ("expected one argument", "expected one argument"),
    ("expected at most one argument", "expected at most one argument"),
    ("expected at least one argument", "expected at least one argument"),
    ("expected %s argument", "expected {value} argument(s)"),
    ("expected %s arguments", "expected {value} argument(s)"),
    ("not allowed with argument %s", "not allowed with argument {value}"),
    ("ignored explicit argument %r", "ignored explicit argument {value}"),
    (
        "ambiguous option: %(option)s could match %(matches)s",
        "ambiguous option: {option} could match {matches}",
    ),
    ("unexpected option string: %s", "unexpected option string: {value}"),
    (
        "unknown parser %(parser_name)r (choices: %(choices)s)",
        "unknown command {parser_name} (choices: {choices})",
    ),
)
#: The titles of the two groups argparse makes itself.
ARGPARSE_TITLES: tuple[str, ...] = ("positional arguments", "options")
_SPEC = re.compile(r"%(?:\((\w+)\))?[sr]")


def help_language(argv: Sequence[str], *, environ: Mapping[str, str] | None = None) -> str:
    """The language of ``--help`` and of argparse's errors, chosen before parsing.

    Parameters
    ----------
    argv
        The command line without the program's name. ``--language X`` or ``--language=X``
        anywhere before ``--`` (also abbreviated, as argparse allows: ``--lang X``) decides; the
        last one wins, as in argparse; a value other than ky, ru, en is left to argparse to refuse.
    environ
        The environment (default ``os.environ``), read as :func:`routing.i18n.choose_language`
        does: ``TAZA_LANGUAGE``, then ``LANGUAGE``, ``LC_ALL``, ``LC_MESSAGES``, ``LANG``.

    Returns
    -------
    str
        One of :data:`routing.i18n.LANGUAGES`.
    """
    given = None
    tokens = iter(argv)
    for token in tokens:
        if token == "--":
            break
        name, equals, value = token.partition("=")
        if len(name) >= len("--la") and "--language".startswith(name):
            value = value if equals else next(tokens, "")
            given = value if value in LANGUAGES else given
    return choose_language(given, None, environ=environ)


def translate_argparse(message: str, _: Translator) -> str:
    """One of argparse's error messages in the translator's language (as it was, if unknown)."""
    for template, msgid in ARGPARSE_TEMPLATES:
        found = re.fullmatch(_pattern(template), message, flags=re.DOTALL)
        if found is None:
            continue
        values = found.groupdict()
        if "message" in values:
            values["message"] = translate_argparse(values["message"], _)
        return _(msgid, **values)
    return message


def _pattern(template: str) -> str:
    """A regular expression matching what ``template % values`` gives."""
    parts = _SPEC.split(template)  # text, name, text, name, ... (None for a bare %s)
    out = []
    for k, part in enumerate(parts):
        if k % 2 == 0:
            out.append(re.escape(part))
        else:
            out.append(f"(?P<{part or 'value'}>.+?)")
    return "".join(out)


class LocalizedFormatter(argparse.HelpFormatter):
    """argparse's help formatter with the ``usage:`` prefix in the parser's language."""

    def __init__(self, prog: str, *, translate: Translator, **kwargs: Any) -> None:
        super().__init__(prog, **kwargs)
        self.translate = translate

    def add_usage(
        self,
        usage: str | None,
        actions: Iterable[argparse.Action],
        groups: Iterable[Any],
        prefix: str | None = None,
    ) -> None:
        """As argparse's, with the translated prefix when none is given."""
        super().add_usage(
            usage, actions, groups, self.translate("usage: ") if prefix is None else prefix
        )


class LocalizedParser(argparse.ArgumentParser):
    """An :class:`argparse.ArgumentParser` whose own words (usage, group titles, ``-h``, errors)
    are in the language of ``translate``; its subcommands' parsers are made the same way.

    Parameters
    ----------
    translate
        The translator of the command line's language (:func:`routing.i18n.translator`).
    add_help
        Add ``-h``/``--help`` (with its help in that language), as argparse does.
    **kwargs
        As :class:`argparse.ArgumentParser` (texts already translated by the caller).
    """

    def __init__(self, *, translate: Translator, add_help: bool = True, **kwargs: Any) -> None:
        self.translate = translate
        kwargs.setdefault("formatter_class", partial(LocalizedFormatter, translate=translate))
        super().__init__(add_help=False, **kwargs)
        if add_help:
            self.add_argument(
                "-h", "--help", action="help", default=argparse.SUPPRESS,
                help=translate("show this help message and exit"),
            )  # fmt: skip

    def add_argument_group(self, *args: Any, **kwargs: Any) -> Any:
        """As argparse's; the titles argparse gives its own groups are translated."""
        if args and args[0] in ARGPARSE_TITLES:
            args = (self.translate(args[0]), *args[1:])
        return super().add_argument_group(*args, **kwargs)

    def add_subparsers(self, **kwargs: Any) -> Any:
        """As argparse's; each subcommand's parser speaks this parser's language."""
        kwargs.setdefault("parser_class", partial(type(self), translate=self.translate))
        return super().add_subparsers(**kwargs)

    def error(self, message: str) -> NoReturn:
        """Print the usage and the message in the parser's language on stderr; exit with 2."""
        self.print_usage(sys.stderr)
        said = translate_argparse(message, self.translate)
        self.exit(
            2, self.translate("{prog}: error: {message}", prog=self.prog, message=said) + "\n"
        )
