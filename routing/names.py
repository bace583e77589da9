"""A name for every road: the OSM ``name``, else its ``ref``, else a description.

Outside towns most OSM roads have no name. A driver still needs to know which road is meant,
so an unnamed road is described from what the data holds: its type and the named street it
branches off along the roads, and the nearest named place (both found once when the network is
built, `routing.network.describe_unnamed`), e.g. "unnamed track off Ленин көчөсү, Терек-Суу".
The words are translated (ky/ru/en); the names stay as mapped. Never blank, never a dash.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from routing.i18n import translator

__all__ = ["ROAD_KINDS", "road_kind", "road_name"]

#: The words for a road type (``highway`` value), as msgids; types absent here are "road".
ROAD_KINDS: Mapping[str, str] = {
    "motorway": "motorway",
    "trunk": "main road",
    "primary": "main road",
    "secondary": "road",
    "tertiary": "road",
    "unclassified": "minor road",
    "residential": "street",
    "living_street": "street",
    "service": "service road",
    "track": "track",
    "road": "road",
    "busway": "bus road",
}


def _text(value: Any) -> str:
    if isinstance(value, list | tuple):
        value = next((v for v in value if isinstance(v, str) and v), "")
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value).strip()


def road_kind(highway: Any, *, language: str) -> str:
    """Return the word for a road type in a language (``"track"``, ``"грунтовая дорога"`` ...)."""
    base = _text(highway).replace("_link", "")
    return translator(language)(ROAD_KINDS.get(base, "road"))


def road_name(data: Mapping[str, Any], *, language: str) -> str:
    """Return what a road is called on a sheet, a map or a direction.

    Parameters
    ----------
    data
        The edge's attributes (``name``, ``ref``, ``highway``, ``near_street``, ``near_place``).
    language
        ``"ky"``, ``"ru"`` or ``"en"`` (for the description of an unnamed road).

    Returns
    -------
    name
        The OSM name, else the ref, else e.g. "unnamed track off Ленин көчөсү, Терек-Суу";
        never empty.
    """
    name = _text(data.get("name")) or _text(data.get("ref"))
    if name:
        return name
    _ = translator(language)
    road = road_kind(data.get("highway"), language=language)
    street, place = _text(data.get("near_street")), _text(data.get("near_place"))
    if street and place:
        return _("unnamed {road} off {street}, {place}", road=road, street=street, place=place)
    if street:
        return _("unnamed {road} off {street}", road=road, street=street)
    if place:
        return _("unnamed {road} near {place}", road=road, place=place)
    return _("unnamed {road}", road=road)
