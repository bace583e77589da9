"""Why households are unserved, grouped by kind so every one of them is on a line the user sees.

Reasons are written for one household ("off the road network (412 m from the nearest road)",
"not collected on tue: over the fleet's capacity", "village 'Бишкек' is not served ...").
Grouped as written, reasons that differ only by a distance, a name or a day each formed their
own line, and a table of the five largest hid the rest. `reason_kind` takes the distance, the
quoted names and the days out of a reason (they become its detail), so the groups are few and
a table of all of them fits.

Reasons are kept in English where programs read them (``summary.json``'s ``unserved_by_reason`` and
``unserved_by_kind`` keys). Where people read them (the run's table, the comparison report) they are
shown in the user's language by `reason_text` and `kind_text`: a reason is matched against the
templates its producers write (:data:`REASON_TEMPLATES`: snapping, the planner and the solver; the
geocoder's `routing.geocode.MESSAGES`), the template translated through the catalogues
(``taza-unserved.po``, ``taza-geocode.po``) and its values put
back (day codes as day names; names as written). A reason no template matches is shown as written.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from functools import lru_cache

from routing.i18n import day_name, translator

__all__ = ["REASON_TEMPLATES", "group_reasons", "kind_text", "reason_kind", "reason_text"]

_DAYS = r"(?:mon|tue|wed|thu|fri|sat|sun)"
_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(rf"\bon {_DAYS}(?:\s*,\s*{_DAYS})*"), "on a collection day"),
    (re.compile(r"'[^']*'|\"[^\"]*\"|«[^»]*»"), "…"),
    (re.compile(r"\s*\([^)]*\d[^)]*\)"), ""),  # "(412 m from the nearest road)"
    (re.compile(r"\d+(?:[.,]\d+)?"), "N"),
)


def reason_kind(reason: object) -> str:
    """Return the kind of an unserved reason: its words without distances, names or days.

    Parameters
    ----------
    reason
        The reason as written for one household (None or NaN: "no reason given").

    Returns
    -------
    kind
        e.g. "off the road network" for "off the road network (412 m from the nearest road)",
        "not collected on a collection day: over the fleet's capacity" for
        "not collected on tue: over the fleet's capacity".
    """
    text = "" if reason is None or reason != reason else str(reason).strip()
    if not text:
        return "no reason given"
    for pattern, repl in _PATTERNS:
        text = pattern.sub(repl, text)
    return re.sub(r"\s+", " ", text).strip(" ;:,")


def group_reasons(reasons: Iterable[object]) -> list[tuple[str, int, list[tuple[str, int]]]]:
    """Return ``(kind, count, [(reason, count), ...])`` for every kind, largest first.

    The counts of all kinds add up to the number of reasons given, so a table that prints every
    kind accounts for every unserved household.
    """
    by_kind: dict[str, Counter[str]] = defaultdict(Counter)
    for reason in reasons:
        by_kind[reason_kind(reason)][str(reason)] += 1
    groups = [(kind, sum(c.values()), c.most_common()) for kind, c in by_kind.items()]
    return sorted(groups, key=lambda g: (-g[1], g[0]))


REASON_TEMPLATES: tuple[str, ...] = (
    # the planner (routing.pipeline, routing.plan, routing.snapping)
    "no reason given",
    "not located",
    "off the road network ({metres} m from the nearest road)",
    "off the road network",
    "unreachable from the depot",
    "village {village} is not served in this scenario (not in its [[village]] list)",
    "not assigned to any collection point",
    "not collected on a collection day: {why}",
    "not collected on a collection day",
    "not collected on {days}: {why}",
    "not collected on {days}",
    "only {vehicles} may drive to it",
    "no vehicle of the fleet may drive to it",
    # the solver (routing.solver): why a collection point is left out of a day
    "demand larger than any vehicle's capacity",
    "demand larger than any vehicle's load per day",
    "demand larger than the vehicle's capacity",
    "no way back to a landfill or the depot",
    "time window cannot be met",
    "cannot be served",
    "no time for the lunch break",
    "unreachable from the previous stop",
    "the depot cannot be reached",
    "no time in the shift",
    "no landfill before the depot",
    "over the vehicle's stops per day",
    "over the vehicle's load per day",
    "over the fleet's capacity",
    "over the fleet's stops per day",
    "optional, not worth the detour",
    "on a road this vehicle may not drive",
    "on a road no available vehicle may drive",
)
"""Every reason the planner and the solver write, ``{values}`` in braces; each is a catalogue id
(``taza-unserved.po``). The geocoder's are its own (`routing.geocode.MESSAGES`, ``taza-geocode.po``)."""


def _pattern(template: str) -> re.Pattern[str]:
    parts = re.split(r"\{(\w+)\}", template)  # text, name, text, name, ...
    body = "".join(f"(?P<{part}>.+?)" if k % 2 else re.escape(part) for k, part in enumerate(parts))
    return re.compile(f"^{body}$", re.S)


@lru_cache(maxsize=1)
def _templates() -> tuple[tuple[str, re.Pattern[str]], ...]:
    """The planner's and solver's templates, then the geocoder's (imported here, not at the top:
    this module is read for ``--help``, and a plan has imported the geocoder anyway)."""
    from routing.geocode import MESSAGES

    return tuple((t, _pattern(t)) for t in (*REASON_TEMPLATES, *MESSAGES))


_DAY_LIST = re.compile(rf"^{_DAYS}(?:\s*,\s*{_DAYS})*$")


def reason_text(reason: object, language: str) -> str:
    """One unserved reason (or a kind, `reason_kind`) in ``language``, for people to read.

    Parts joined by "; " are each translated; a part is matched against
    :data:`REASON_TEMPLATES`, the template translated and its values put back (a list of day
    codes as day names, a nested reason translated in turn). A part no template matches stays
    as written.
    """
    text = "" if reason is None or reason != reason else str(reason).strip()
    if not text:
        return _part("no reason given", language)
    return "; ".join(_part(part, language) for part in text.split("; "))


def kind_text(kind: str, language: str) -> str:
    """A kind of reason (`reason_kind`) in ``language``; see `reason_text`."""
    return reason_text(kind, language)


def _part(text: str, language: str) -> str:
    _ = translator(language)
    for template, pattern in _templates():
        match = pattern.match(text)
        if match is None:
            continue
        values = dict(match.groupdict())
        if "days" in values:
            if not _DAY_LIST.match(values["days"]):
                continue
            codes = re.split(r"\s*,\s*", values["days"])
            values["days"] = ", ".join(day_name(d, language) for d in codes)
        if "why" in values:
            values["why"] = _part(values["why"], language)
        return _(template, **values)
    return text
