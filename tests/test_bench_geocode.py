"""The independent geocoding corpus: it shares no code with the product, and its truth is the map's."""

from __future__ import annotations

import ast
import csv
from pathlib import Path

import pandas as pd

from bench.geocode import corpus_table
from bench.geocode_corpus import read_map

ROOT = Path(__file__).resolve().parents[1]


def test_the_corpus_generator_imports_nothing_of_the_product() -> None:
    tree = ast.parse((ROOT / "bench" / "geocode_corpus.py").read_text(encoding="utf-8"))
    modules: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            modules.append(node.module)
    assert modules and not [m for m in modules if m.split(".")[0] == "routing"]


def test_truth_streets_are_on_the_map_of_their_village() -> None:
    streets = read_map().streets
    for name in ("tuning", "heldout", "heldout2", "tuning2", "heldout3"):
        with (ROOT / "bench" / "corpus" / name / "truth.csv").open(encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh))
        assert len(rows) == 1500
        for r in rows:
            here = streets[r["true_village"]]
            assert (r["true_street"] in here) == bool(r["true_street"]), r


def test_corpus_table_counts_by_kind() -> None:
    res = pd.DataFrame(
        {
            "on_map": [True, True, False],
            "kind": ["bgn", "bgn", "invented"],
            "outcome": ["right", "flagged", "flagged"],
        }
    )
    lines = corpus_table(res)
    assert "| on the map | bgn | 2 | 1 | 1 | 0 |" in lines
    assert "| not on the map | invented | 1 | 0 | 1 | 0 |" in lines
