"""Shared fixtures: paths to the repository, its data and the read-only ../shared folder."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
DATA = REPO / "data"


def shared_file(*parts: str) -> Path:
    """Return a path under ../shared, skipping the test with a reason when it is absent."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(
            f"{path} is absent: ../shared (read-only test data) must sit beside the repository"
        )
    return path


@pytest.fixture
def repo() -> Path:
    return REPO
