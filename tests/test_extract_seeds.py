"""Precision and recall of mapgen extract on the five seed articles (../shared/seeds).

The seeds are not in the repository; the tests skip when they are absent. The floors are
what the extractor achieves now, rounded down: a change that makes it worse fails here.
Print the table with ``.venv/bin/python -m tests.extract_eval``.
"""

from __future__ import annotations

import pytest

from mapgen.dates import parse_date
from mapgen.extract import default_extractor
from tests.extract_eval import SEEDS, evaluate, gold_facts, report, seed_dates

pytestmark = pytest.mark.skipif(not SEEDS.is_dir(), reason="../shared/seeds is absent")

FLOORS = {  # language: (precision, recall); measured 1.00/0.73, 1.00/1.00 ×3, 1.00/0.92
    "en": (0.95, 0.7),
    "ar": (0.95, 0.95),
    "lv": (0.95, 0.95),
    "el": (0.95, 0.95),
    "all": (0.95, 0.9),
}


@pytest.fixture(scope="module")
def scores():
    return evaluate(default_extractor())


@pytest.mark.parametrize("code", sorted(FLOORS))
def test_precision_and_recall_per_language(scores, code):
    precision, recall = FLOORS[code]
    s = scores[code]
    assert s.precision >= precision, report(scores)
    assert s.recall >= recall, report(scores)


def test_every_seed_has_gold_and_a_language():
    seeds = {p.name for p in SEEDS.iterdir()}
    assert set(seed_dates()) == seeds
    assert {f.seed for f in gold_facts()} == seeds


def test_the_command_on_all_seeds_merges_and_lists_unknown_names(tmp_path):
    from click.testing import CliRunner

    from mapgen.cli import cli

    dated = [str(SEEDS / s) for s, (_, d) in sorted(seed_dates().items()) if d is None]
    out = tmp_path / "c.csv"
    result = CliRunner().invoke(cli, ["extract", *dated, "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "Huvaijatas Baguz" in result.output
    rows = out.read_text(encoding="utf-8")
    # Raqqa's capture by the SDF in October is told by both dated seeds: one row, two sources.
    raqqa = [ln for ln in rows.splitlines() if ",raqqa,sdf,controlled," in ln]
    assert len(raqqa) == 1 and "000_" in raqqa[0] and "001_" in raqqa[0]


def test_undated_seed_without_date_is_reported_and_skipped():
    undated = next(s for s, (_, d) in sorted(seed_dates().items()) if d is not None)
    dated = next(s for s, (_, d) in sorted(seed_dates().items()) if d is None)
    extractor = default_extractor()
    result = extractor.extract([SEEDS / undated, SEEDS / dated])
    assert [f.message for f in result.failures] == [
        f.message for f in result.failures if f"{undated}: no article date found" in f.message
    ]
    assert len(result.failures) == 1 and [a.name for a in result.articles] == [dated]
    assert result.candidates  # the dated seed is read all the same
    assert extractor.extract([SEEDS / undated], date=parse_date("2017-10-26")).candidates


def test_heldout_sentences(tmp_path):
    """Sentences written for this (tests/data/extract_heldout.csv), not from the seeds.

    Measured first at precision 0.82 / recall 0.60 overall before the fixes they prompted
    (transliteration folds for Latvian, ambiguous names, Arabic "سيطرته على"); see the report.
    """
    from tests.extract_eval import heldout

    scores, wrong = heldout(default_extractor(), tmp_path)
    assert scores["all"].precision >= 0.9, "\n".join(wrong)
    assert scores["all"].recall >= 0.9, "\n".join(wrong)


def test_second_heldout_set_not_tuned_on(tmp_path):
    """tests/data/extract_heldout2.csv: measured once and left as it is (no fixes made for it).

    The misses are documented: Greek "κουρδικές δυνάμεις" is no alias, "Χατζίν" is not in the
    gazetteer, an attack with only the attacker named has no holder, "fighting for" is no
    pattern.
    """
    from tests.extract_eval import heldout

    scores, wrong = heldout(default_extractor(), tmp_path, name="extract_heldout2")
    assert scores["all"].precision >= 0.9, "\n".join(wrong)
    assert scores["all"].recall >= 0.7, "\n".join(wrong)


def test_a_seed_as_html_gives_the_same_candidates(tmp_path):
    """Seed 001 wrapped in an HTML page (paragraphs, a script, entities) reads the same."""
    import html

    seed = SEEDS / "001_db18584a31786581.txt"
    text = seed.read_text(encoding="utf-8")
    paragraphs = "".join(f"<p>{html.escape(p)}</p>\n" for p in text.splitlines() if p.strip())
    page = tmp_path / "001.html"
    page.write_text(
        "<!doctype html><html><head><script>var x = 'Daesh captured Mosul on Friday';</script>"
        f"</head><body><article>{paragraphs}</article></body></html>",
        encoding="utf-8",
    )
    extractor = default_extractor()
    as_text = [(r["place"], r["controller"], r["status"], r["date"]) for r in
               extractor.extract([seed]).rows()]  # fmt: skip
    as_html = extractor.extract([page])
    assert [
        (r["place"], r["controller"], r["status"], r["date"]) for r in as_html.rows()
    ] == as_text
    article = as_html.articles[0]
    for row in as_html.rows():
        assert (
            article.text[int(row["evidence_start"]) : int(row["evidence_end"])] == row["evidence"]
        )
