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


def test_reasons_are_shown_in_the_language_with_their_values() -> None:
    from routing.unserved import reason_text

    assert reason_text("off the road network (412 m from the nearest road)", "ky") == (
        "жол тармагынан тышкары (жакынкы жолдон 412 м)"
    )
    assert reason_text("not collected on tue, fri: over the fleet's capacity", "ru") == (
        "не вывезен (Вторник, Пятница): сверх возможностей парка"
    )
    assert reason_text("street 'Ленина' not found in Терек-Суу", "ru") == (
        "улица 'Ленина' не найдена в селе Терек-Суу"  # the geocoder's own catalogue
    )
    both = "unreachable from the depot; no landfill before the depot"
    assert reason_text(both, "ky") == "гараждан жетүүгө болбойт; гаражга чейин полигон жок"
    assert reason_text("a reason nobody wrote a template for", "ru") == (
        "a reason nobody wrote a template for"
    )
    assert reason_text(None, "ru") == "причина не указана"
    assert reason_text("unreachable from the depot; only Tractor may drive to it", "ru") == (
        "недостижим из гаража; доехать может только Tractor"  # routing.plan.road_note
    )
    assert reason_text("not collected on mon: on a road no available vehicle may drive", "ky") == (
        "алынган жок (Дүйшөмбү): бир да бош унаа жүрбөй турган жолдо"  # solver.engine's screen
    )
    assert reason_text("off the road network (412 m from the nearest road)", "en") == (
        "off the road network (412 m from the nearest road)"
    )


def test_every_template_is_translated_and_kinds_too() -> None:
    from routing.i18n import messages
    from routing.unserved import REASON_TEMPLATES, kind_text

    for language in ("ky", "ru"):
        known = messages(language)
        missing = [t for t in REASON_TEMPLATES if known.get(t, t) == t]
        assert not missing, (language, missing)
    kind = reason_kind(
        "village 'Бишкек' is not served in this scenario (not in its [[village]] list)"
    )
    assert kind_text(kind, "ky") == "… айылы бул сценарийде тейленбейт ([[village]] тизмесинде жок)"
    assert kind_text(reason_kind("not collected on mon: no time in the shift"), "ru") == (
        "не вывезен в день сбора: не хватает времени смены"
    )


def test_the_kyrgyz_run_table_speaks_kyrgyz_and_summary_keeps_the_codes() -> None:
    from routing.outputs import table
    from tests.plan_factory import make_plan

    plan = make_plan(days=("mon",), stops_per_day=6, unserved=4)
    n = len(plan.unserved)
    plan.unserved["reason"] = ["off the road network (310 m from the nearest road)"] * (n - 1) + [
        "not collected on mon: over the fleet's capacity"
    ]
    text = table(plan, language="ky")
    assert (
        f"{n - 1}: жол тармагынан тышкары (жол тармагынан тышкары (жакынкы жолдон 310 м))" in text
    )
    assert (
        "1: чогултуу күнү алынган жок: парктын мүмкүнчүлүгүнөн ашык (алынган жок (Дүйшөмбү)" in text
    )
    assert "off the road network" not in text and "fleet" not in text
    codes = {k: c for k, c, _ in group_reasons(plan.unserved["reason"])}  # summary.json's
    assert codes == {
        "off the road network": n - 1,
        "not collected on a collection day: over the fleet's capacity": 1,
    }
