"""The driver page's address from a template (`routing.links`)."""

from __future__ import annotations

import pytest

from routing.errors import InputError
from routing.links import DRIVER_URL_FIELDS, TOKEN_BYTES, check_driver_url, driver_url, link_token
from tests.plan_factory import make_plan


def test_every_field_is_filled_from_the_vehicle_day() -> None:
    [vd] = make_plan(days=("tue",), stops_per_day=3).vehicle_days
    template = "http://10.0.0.5:8000/p/{day}/{vehicle}/{date}/{stem}"
    assert check_driver_url(template) == template
    url = driver_url(template, vd)
    assert url == f"http://10.0.0.5:8000/p/tue/traktor-1/{vd.date}/tue-traktor-1"
    assert set(DRIVER_URL_FIELDS) == {"stem", "day", "vehicle", "date", "token"}


def test_a_literal_brace_is_written_twice() -> None:
    [vd] = make_plan(days=("mon",), stops_per_day=2).vehicle_days
    assert (
        driver_url(check_driver_url("https://h/{{x}}/{stem}"), vd) == "https://h/{x}/mon-traktor-1"
    )


@pytest.mark.parametrize(
    ("template", "message"),
    [
        ("taza.example.kg/driver/{stem}", "not an http:// or https:// address"),
        ("ftp://host/{stem}", "not an http:// or https:// address"),
        ("https:///driver/{stem}", "not an http:// or https:// address"),
        ("https://h/driver/{plan}/{stem}", r"unknown field \{plan\}.*\{stem\}, \{day\}"),
        ("https://h/driver/{stem:>9}", r"unknown field \{stem\}"),
        ("https://h/driver/{stem", "unbalanced brace"),
    ],
)
def test_a_bad_template_is_refused_naming_the_option(template: str, message: str) -> None:
    with pytest.raises(InputError, match=message) as caught:
        check_driver_url(template, field="--driver-url")
    assert str(caught.value).startswith("--driver-url")


def test_the_token_is_the_stems_hmac_under_the_plans_key_short_and_url_safe() -> None:
    import base64
    import hashlib
    import hmac

    key = "k" * 43
    token = link_token(key, "mon-traktor-1")
    expected = hmac.new(key.encode(), b"mon-traktor-1", hashlib.sha256).digest()[:TOKEN_BYTES]
    assert base64.urlsafe_b64decode(token + "==") == expected
    assert len(token) == 22 and TOKEN_BYTES * 8 >= 128  # 128 bits in 22 characters
    assert set(token) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    assert link_token(key, "tue-traktor-1") != token, "another day, another token"
    assert link_token("other" + key, "mon-traktor-1") != token, "a new key, every token new"


def test_the_token_field_is_filled_with_the_days_token_and_needs_a_key() -> None:
    [vd] = make_plan(days=("mon",), stops_per_day=2).vehicle_days
    template = "https://h/plans/3/driver/{stem}?t={token}"
    key = "secret-key-of-plan-3"
    assert check_driver_url(template, key=key) == template
    url = driver_url(template, vd, key=key)
    assert url == f"https://h/plans/3/driver/mon-traktor-1?t={link_token(key, 'mon-traktor-1')}"
    with pytest.raises(InputError, match=r"--driver-url: \{token\} .* needs the secret key"):
        check_driver_url(template, field="--driver-url")
