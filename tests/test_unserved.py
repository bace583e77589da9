"""Unserved reasons grouped by kind: distances, names and days go into the detail."""

from __future__ import annotations

from routing.unserved import group_reasons, reason_kind


def test_reasons_that_differ_by_a_distance_name_or_day_are_one_kind() -> None:
    assert reason_kind("off the road network (412 m from the nearest road)") == (
        "off the road network"
    )
    assert reason_kind("off the road network (1,204 m from the nearest road)") == (
        "off the road network"
    )
    assert reason_kind("not collected on tue: over the fleet's capacity") == (
        "not collected on a collection day: over the fleet's capacity"
    )
    assert reason_kind("not collected on mon, wed") == "not collected on a collection day"
    assert (
        reason_kind("village 'Бишкек' is not served in this scenario (not in its [[village]] list)")
        == "village … is not served in this scenario (not in its [[village]] list)"
    )
    assert reason_kind(None) == reason_kind(float("nan")) == "no reason given"


def test_every_reason_is_counted_in_a_kind() -> None:
    reasons = [f"off the road network ({d} m from the nearest road)" for d in range(300, 310)]
    reasons += ["unreachable from the depot"] * 3
    reasons += [f"not collected on {d}: no time in the shift" for d in ("mon", "tue")]
    groups = group_reasons(reasons)
    assert [(k, n) for k, n, _ in groups] == [
        ("off the road network", 10),
        ("unreachable from the depot", 3),
        ("not collected on a collection day: no time in the shift", 2),
    ]
    assert sum(n for _, n, _ in groups) == len(reasons)
    assert len(groups[0][2]) == 10  # the details stay


def test_the_run_table_shows_every_unserved_household() -> None:
    import re

    from routing.outputs import table
    from tests.plan_factory import make_plan

    plan = make_plan(days=("mon",), stops_per_day=6, unserved=12)
    n = len(plan.unserved)
    assert n >= 12
    far = [f"off the road network ({300 + i} m from the nearest road)" for i in range(n - 2)]
    plan.unserved["reason"] = far + ["unreachable from the depot"] * 2
    lines = [ln for ln in table(plan, language="en").splitlines() if ln.startswith("  Unserved ")]
    counts = [int(re.search(r"Unserved\s+(\d+):", ln).group(1)) for ln in lines]  # type: ignore[union-attr]
    assert sum(counts) == n  # every unserved household is on a line, in two lines here
    assert len(lines) == 2
    assert lines[0].endswith(
        "off the road network (off the road network (300 m from the nearest road), …)"
    )
    kinds = {k: c for k, c, _ in group_reasons(plan.unserved["reason"])}  # summary.json's
    assert kinds == {"off the road network": n - 2, "unreachable from the depot": 2}
