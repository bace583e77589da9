"""Street names of the generator never run out and never repeat within a pool."""

from __future__ import annotations

import random

from routing.synthetic.names import STREET_NAMES, NamePool, base_names, translit


def test_a_pool_never_runs_out_and_never_repeats_a_name() -> None:
    pool = NamePool(base_names(), random.Random(1))
    names = [pool.take().ky for _ in range(1000)]
    assert len(set(names)) == 1000
    assert {n.removesuffix(" көчөсү") for n in names[: len(STREET_NAMES)]} == {
        k for k, _, _ in STREET_NAMES
    }
    assert "2-Манас көчөсү" in names and "3-Манас көчөсү" in names


def test_numbered_names_keep_their_russian_forms() -> None:
    name = base_names()[0].numbered(2)
    assert (name.ky, name.ru_full, name.ru_core) == (
        "2-Манас көчөсү",
        "2-я улица Манаса",
        "2-я Манаса",
    )


def test_a_lane_reads_as_a_lane_in_both_languages() -> None:
    pool = NamePool(base_names(), random.Random(2))
    lane = pool.take_lane(base_names()[0])
    assert lane.ky == "Манас тыкыры" and lane.ru_full == "переулок Манаса"


def test_the_same_seed_gives_the_same_order() -> None:
    a = NamePool(base_names(), random.Random(5))
    b = NamePool(base_names(), random.Random(5))
    assert [a.take().ky for _ in range(100)] == [b.take().ky for _ in range(100)]


def test_the_generator_keeps_its_own_transliteration() -> None:
    assert translit("Жеңиш") == "Jenish"
