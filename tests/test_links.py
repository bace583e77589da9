"""The driver page's address from a template (`routing.links`)."""

from __future__ import annotations

import pytest

from routing.errors import InputError
from routing.links import DRIVER_URL_FIELDS, check_driver_url, driver_url
from tests.plan_factory import make_plan


def test_every_field_is_filled_from_the_vehicle_day() -> None:
    [vd] = make_plan(days=("tue",), stops_per_day=3).vehicle_days
    template = "http://10.0.0.5:8000/p/{day}/{vehicle}/{date}/{stem}"
    assert check_driver_url(template) == template
    url = driver_url(template, vd)
    assert url == f"http://10.0.0.5:8000/p/tue/traktor-1/{vd.date}/tue-traktor-1"
    assert set(DRIVER_URL_FIELDS) == {"stem", "day", "vehicle", "date"}


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
