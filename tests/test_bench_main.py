"""``python -m bench`` puts a topic's fresh section into BENCHMARKS.md, keeping what it replaces."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.__main__ import EARLIER, ROOT, TOPICS, replace_section, update

DOC = """# Benchmarks

Intro written by hand.

# Solver

old figures

## A held-out run

held-out figures

# Growth

growth figures

## Web service under load

load figures

# Last
"""


def test_a_section_is_replaced_and_the_old_one_kept_beneath_it_one_level_down() -> None:
    out = replace_section(DOC, "# Solver\n\nnew figures\n")
    assert out.startswith("# Benchmarks\n\nIntro written by hand.\n\n# Solver\n\nnew figures\n")
    beneath = out.split("new figures\n", 1)[1]
    assert beneath.startswith(
        f"\n## {EARLIER}\n\nold figures\n\n### A held-out run\n\nheld-out figures\n"
    )
    assert "# Growth\n\ngrowth figures\n" in out  # the next section untouched


def test_a_subsection_ends_at_the_next_heading_as_high() -> None:
    out = replace_section(DOC, "## Web service under load\n\nnew load\n")
    assert (
        f"## Web service under load\n\nnew load\n\n### {EARLIER}\n\nload figures\n\n# Last" in out
    )
    assert "growth figures" in out


def test_a_result_that_reads_as_its_section_changes_nothing() -> None:
    assert (
        replace_section(
            DOC, "# Growth\n\ngrowth figures\n\n## Web service under load\n\nload figures"
        )
        == DOC
    )


def test_a_new_topic_is_appended_and_a_result_without_heading_is_refused() -> None:
    assert replace_section(DOC, "# New\n\nfigures\n").endswith("# Last\n\n# New\n\nfigures\n")
    with pytest.raises(ValueError, match="must start with a Markdown heading"):
        replace_section(DOC, "figures only\n")


def test_update_writes_the_topics_results(tmp_path: Path) -> None:
    out = tmp_path / "BENCHMARKS.md"
    out.write_text(DOC, encoding="utf-8")
    before = (ROOT / "results" / "turns.md").read_text(encoding="utf-8")
    update(["turns"], out)
    assert before.strip() in out.read_text(encoding="utf-8")
    assert "Intro written by hand." in out.read_text(encoding="utf-8")


def test_every_topics_result_heads_a_section_of_benchmarks_md() -> None:
    """So that a run of ``make bench`` replaces each topic's section instead of adding another."""
    document = (ROOT.parent / "BENCHMARKS.md").read_text(encoding="utf-8").splitlines()
    for topic in TOPICS:
        heading = (ROOT / "results" / f"{topic}.md").read_text(encoding="utf-8").splitlines()[0]
        assert heading in document, (topic, heading)
