"""Driver links: the tokened address of each vehicle-day's driver page, for a phone without sign-in.

Each plan has a random secret (``PlanJob.link_key``, `routing.service.store.new_link_key`). The QR
code on a driver sheet holds ``<public url>/plans/<id>/driver/<stem>?t=<token>``, the token being
`routing.links.link_token` of the stem under that secret: it opens that one vehicle-day's page
and its own route files (sheet, GPX, KML, GeoJSON: :data:`ROUTE_FILES`), read-only, and nothing
else of the plan. The manager may revoke a plan's links (a new secret: every printed token stops
working), and links stop opening :attr:`Settings.driver_link_days` days after the plan's week
(:func:`links_expire`). A wrong, revoked or unknown token is refused with the same answer, which
does not tell whether the plan exists; an expired one (a token that was good) says it expired.
"""

from __future__ import annotations

import datetime as dt
import hmac
import json
from typing import Final

from routing.links import link_token
from routing.service.store import DONE, PlanJob

__all__ = [
    "EXPIRED",
    "OPEN",
    "REFUSED",
    "ROUTE_FILES",
    "TOKEN_HEADERS",
    "check_token",
    "driver_template",
    "link_of",
    "links_expire",
    "route_file",
]

OPEN, REFUSED, EXPIRED = "open", "refused", "expired"

ROUTE_FILES: Final = {
    "pdf": "sheets/{stem}.pdf",
    "gpx": "gpx/{stem}.gpx",
    "kml": "gpx/{stem}.kml",
    "geojson": "gpx/{stem}.geojson",
}
"""The files a driver link opens, by their kind in the address, as paths in the output folder."""

TOKEN_HEADERS: Final = {
    "Referrer-Policy": "no-referrer",  # the token never leaves in a Referer (the map links)
    "X-Robots-Tag": "noindex, nofollow",
    "Cache-Control": "private, no-store",  # nothing kept once the links are revoked
}
"""Headers of every answer to a tokened address (the page, its files and the refusals)."""

_NO_KEY: Final = "no plan: compared all the same, so a refusal takes as long either way"


def driver_template(public_url: str, job_id: int) -> str | None:
    """The `routing.links` template of a plan's driver links under the service's address.

    ``public_url`` is taken literally (braces doubled); None when it is empty (no QR address).
    """
    if not public_url:
        return None
    base = public_url.replace("{", "{{").replace("}", "}}")
    return f"{base}/plans/{int(job_id)}/driver/{{stem}}?t={{token}}"


def link_of(job: PlanJob, stem: str) -> str:
    """The tokened address of one vehicle-day's driver page (what its sheet's QR code holds)."""
    # no address kept (a plan from before addresses were): the path, under the page's own host
    path = f"/plans/{int(job.id)}/driver/{{stem}}?t={{token}}"
    template = driver_template(job.public_url, job.id) or path
    return template.format(stem=stem, token=link_token(job.link_key, stem))


def route_file(stem: str, kind: str) -> str | None:
    """The output-folder path of a vehicle-day's file of ``kind`` (``pdf``, ``gpx`` …), or None."""
    pattern = ROUTE_FILES.get(kind)
    return pattern.format(stem=stem) if pattern else None


def _week_end(job: PlanJob) -> dt.date:
    """The Sunday of the plan's week, from its vehicle-days' dates (the week starts on a Monday);
    a plan without dates: a week after it finished."""
    summary = json.loads(job.summary_json) if job.summary_json else {}
    for vd in summary.get("vehicle_days", []):
        if vd.get("date"):
            day = dt.date.fromisoformat(vd["date"])
            return day + dt.timedelta(days=6 - day.weekday())
    made = job.finished_at or job.created_at or dt.datetime(1970, 1, 1)
    return made.date() + dt.timedelta(days=7)


def links_expire(job: PlanJob, *, days: int) -> dt.datetime:
    """When a plan's driver links stop opening: the end of the ``days``-th day after its week (UTC)."""
    last = _week_end(job) + dt.timedelta(days=days + 1)
    return dt.datetime.combine(last, dt.time())


def check_token(job: PlanJob | None, stem: str, token: str, *, days: int, now: dt.datetime) -> str:
    """Whether ``token`` opens vehicle-day ``stem`` of ``job``: :data:`OPEN`, :data:`EXPIRED`
    (a good token past :func:`links_expire`) or :data:`REFUSED` (no such finished plan, a wrong or
    revoked token, another vehicle-day's token)."""
    usable = job is not None and job.status == DONE and job.kind == "plan" and bool(job.link_key)
    key = job.link_key if job is not None and usable else _NO_KEY
    good = hmac.compare_digest(link_token(key, stem).encode(), token.encode())
    if not (usable and good) or job is None:
        return REFUSED
    return EXPIRED if now >= links_expire(job, days=days) else OPEN
