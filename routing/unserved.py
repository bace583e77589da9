"""Why households are unserved, grouped by kind so every one of them is on a line the user sees.

Reasons are written for one household ("off the road network (412 m from the nearest road)",
"not collected on tue: over the fleet's capacity", "village 'Бишкек' is not served ...").
Grouped as written, reasons that differ only by a distance, a name or a day each formed their
own line, and a table of the five largest hid the rest. `reason_kind` takes the distance, the
quoted names and the days out of a reason (they become its detail), so the groups are few and
a table of all of them fits.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable

__all__ = ["group_reasons", "reason_kind"]

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
