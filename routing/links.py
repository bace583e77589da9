"""The address of a vehicle-day's driver page, which the QR code on its driver sheet holds.

A front end that serves a page per vehicle-day (the web service's ``/plans/<id>/driver/<stem>``,
or any other host) hands the output writers a *template* of that address; each sheet's QR code
then holds the address of its own vehicle-day, so a driver scanning the paper opens the day on the
phone. Without a template the QR code names the day's GPX file instead (`routing.sheets.qr_payload`).

A template is an ``http://`` or ``https://`` address with any of these fields in braces:

- ``{stem}``: ``<day>-<vehicle-slug>``, the name the day's sheet, GPX, KML and GeoJSON files share
  (`routing.exports.file_stem`), e.g. ``mon-kompaktor-1``;
- ``{day}``: the weekday key (``mon`` … ``sun``);
- ``{vehicle}``: the vehicle's name made safe for a URL (`routing.exports.slug`);
- ``{date}``: the day's date (``2026-11-30``), empty when the plan has none;
- ``{token}``: the vehicle-day's capability token (:func:`link_token`), made with a secret key
  given beside the template; only a template given a key may use it.

``https://taza.example.kg/plans/12/driver/{stem}?t={token}`` is the service's own form: the token
opens that one vehicle-day's page and route files without signing in (`routing.service.driver`).
The template is checked once (:func:`check_driver_url`) so a typing mistake fails before a plan's
outputs are written, not halfway.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import string
from typing import TYPE_CHECKING
from urllib.parse import quote, urlsplit

from routing.errors import InputError, library_text
from routing.exports import file_stem, slug

if TYPE_CHECKING:
    from routing.plan import VehicleDay

__all__ = ["DRIVER_URL_FIELDS", "TOKEN_BYTES", "check_driver_url", "driver_url", "link_token"]

DRIVER_URL_FIELDS: tuple[str, ...] = ("stem", "day", "vehicle", "date", "token")
"""The fields a driver-page template may use (``token`` only with a key)."""

TOKEN_BYTES = 16
"""A token's length before encoding: 128 bits, 22 base64url characters (the QR code stays small)."""


def link_token(key: str, stem: str) -> str:
    """The capability token of one vehicle-day's driver page under a plan's secret ``key``.

    The first :data:`TOKEN_BYTES` bytes of the HMAC-SHA256 of ``stem`` (``<day>-<vehicle-slug>``)
    under ``key``, base64url without padding: whoever holds it may open that one vehicle-day, and
    a new key (the links revoked) makes every earlier token worthless. Compare it with
    `hmac.compare_digest`, never ``==``.
    """
    digest = hmac.new(key.encode(), stem.encode(), hashlib.sha256).digest()[:TOKEN_BYTES]
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def check_driver_url(template: str, *, field: str = "driver_url", key: str | None = None) -> str:
    """Check a driver-page address template and return it.

    Parameters
    ----------
    template
        An ``http(s)://`` address with fields among :data:`DRIVER_URL_FIELDS` in braces.
    field
        The option's name in the error (``--driver-url`` on the command line).
    key
        The secret the ``{token}`` field is made with; without one the field is refused.

    Returns
    -------
    str
        ``template``, unchanged.

    Raises
    ------
    routing.errors.InputError
        If it is not an http(s) address with a host, a brace is unbalanced, a field is
        unknown or has a format of its own, or ``{token}`` is used without a key.
    """
    parts = urlsplit(template)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        msg = (
            "{field}: {template!r} is not an http:// or https:// address with a host; "
            "write e.g. https://host/plans/12/driver/{{stem}}"
        )
        raise InputError(msg, field=field, template=template)
    try:
        fields = list(string.Formatter().parse(template))
    except ValueError as exc:
        msg = "{field}: {template!r} has an unbalanced brace ({detail}); write {{{{ for a brace"
        detail = library_text(exc)
        raise InputError(msg, field=field, template=template, detail=detail) from exc
    known = ", ".join(f"{{{name}}}" for name in DRIVER_URL_FIELDS)
    for _text, name, spec, conversion in fields:
        if name is None:
            continue
        if name not in DRIVER_URL_FIELDS or spec or conversion:
            msg = "{field}: unknown field {{{name}}} in {template!r}; use any of {known}"
            raise InputError(msg, field=field, name=name, template=template, known=known)
        if name == "token" and not key:
            msg = "{field}: {{token}} in {template!r} needs the secret key the tokens are made with"
            raise InputError(msg, field=field, template=template)
    return template


def driver_url(template: str, vehicle_day: VehicleDay, *, key: str | None = None) -> str:
    """The address of one vehicle-day's driver page: ``template`` with its fields filled in.

    Each value is percent-encoded for a URL path (the slugs and tokens are plain ASCII already);
    ``{token}`` is :func:`link_token` of the stem under ``key`` ("" without a key, which
    :func:`check_driver_url` refuses beforehand).
    """
    stem = file_stem(vehicle_day)
    values = {
        "stem": stem,
        "day": vehicle_day.day,
        "vehicle": slug(vehicle_day.vehicle),
        "date": vehicle_day.date or "",
        "token": link_token(key, stem) if key else "",
    }
    return template.format(**{k: quote(str(v), safe="") for k, v in values.items()})
