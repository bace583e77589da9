"""Tests for routing.service.jobs: what a failed job keeps for its page, in every language."""

from __future__ import annotations

import json
from pathlib import Path

from routing.errors import InputError
from routing.service.jobs import failure_texts


def test_an_unexpected_failure_is_kept_in_every_language_without_the_data_folder(
    tmp_path: Path,
) -> None:
    exc = OSError(f"No space left on device: '{tmp_path}/plans/7/out'")
    texts = json.loads(failure_texts(exc, root=tmp_path))
    assert set(texts) == {"ky", "ru", "en"}
    assert texts["en"].startswith("unexpected error (")
    assert texts["ru"].startswith("непредвиденная ошибка (")
    assert texts["ky"].startswith("күтүлбөгөн ката (")
    for said in texts.values():
        assert "No space left on device: '…/plans/7/out'" in said  # the library's own words
        assert str(tmp_path) not in said


def test_bad_input_is_kept_as_its_own_translation(tmp_path: Path) -> None:
    exc = InputError("plan #{plan} has no finished outputs to draw its sheets from", plan=5)
    texts = json.loads(failure_texts(exc, root=tmp_path))
    assert texts["en"] == "plan #5 has no finished outputs to draw its sheets from"
    assert texts["ru"] == "у плана №5 нет готовых результатов, из которых можно нарисовать листы"
    assert "5" in texts["ky"] and texts["ky"] != texts["en"]
