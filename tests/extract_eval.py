"""Precision and recall of ``mapgen extract`` on the seed articles against the hand-made gold.

The gold (``tests/data/seed_gold.csv``) says, per seed, what a careful analyst would take from
it: place id (or ``?name`` for a place the gazetteer lacks), controller, status and date with
its precision. A candidate matches a gold row of its seed with the same place, controller and
status whose date range overlaps the candidate's. Seeds without a dateline get the date in
``tests/data/seed_dates.csv``.

Run: ``.venv/bin/python -m tests.extract_eval`` (prints the table; needs ../shared/seeds), or
``.venv/bin/python -m tests.extract_eval extract_heldout2`` for a held-out sentence set, or
``.venv/bin/python -m tests.extract_eval real`` for the held-out set of real published passages
(``tests/data/extract_real.csv``: id, language, date, outlet, URL; the gold in
``extract_real_gold.csv``; the passages themselves in ``../extract_heldout/<id>.txt`` beside the
repository, not in it, since the outlets' licences do not allow it).

Real-set gold rows are ``required`` (a statement of the passage an analyst would record: counted
for recall) or not (background, history, implied facts: a prediction matching one is neither
right nor wrong, it is left out of precision). The gold was written before the first run and is
not edited to fit.
"""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from pathlib import Path

from mapgen.dates import ReportedDate, parse_date
from mapgen.extract import Extractor, default_extractor
from mapgen.names import normalize

DATA = Path(__file__).parent / "data"
_BESIDE = Path(__file__).resolve().parents[2]  # the folder that holds the repository
# Overridable for a checkout elsewhere (a git worktree): MAPGEN_SEEDS, MAPGEN_EXTRACT_HELDOUT.
SEEDS = Path(os.environ.get("MAPGEN_SEEDS", _BESIDE / "shared" / "seeds"))
REAL = Path(os.environ.get("MAPGEN_EXTRACT_HELDOUT", _BESIDE / "extract_heldout"))


@dataclass(frozen=True)
class Fact:
    seed: str
    place: str
    controller: str
    status: str
    date: ReportedDate


@dataclass
class Score:
    matched_predictions: int = 0
    predictions: int = 0
    matched_gold: int = 0
    gold: int = 0

    @property
    def precision(self) -> float:
        return self.matched_predictions / self.predictions if self.predictions else 1.0

    @property
    def recall(self) -> float:
        return self.matched_gold / self.gold if self.gold else 1.0


def _key(place: str) -> str:
    return "?" + normalize(place[1:]) if place.startswith("?") else place


def gold_facts(name: str = "seed_gold.csv") -> list[Fact]:
    with open(DATA / name, encoding="utf-8") as f:
        return [
            Fact(
                r["seed"],
                _key(r["place"]),
                r["controller"],
                r["status"],
                parse_date(r["date"], r["date_precision"]),
            )
            for r in csv.DictReader(f)
        ]


def seed_dates() -> dict[str, tuple[str, ReportedDate | None]]:
    with open(DATA / "seed_dates.csv", encoding="utf-8") as f:
        return {
            r["seed"]: (r["language"], parse_date(r["date"]) if r["date"] else None)
            for r in csv.DictReader(f)
        }


def predicted_facts(
    seed: str, date: ReportedDate | None, extractor: Extractor, *, folder: Path = SEEDS
) -> list[Fact]:
    result = extractor.extract([folder / seed], date=date)
    facts = [Fact(seed, c.place, c.controller, c.status, c.date) for c in result.candidates]
    facts += [
        Fact(seed, _key("?" + r["name"]), r["controller"], r["status"],
             parse_date(r["date"], r["date_precision"]))
        for r in result.unresolved_rows()
    ]  # fmt: skip
    return list(dict.fromkeys(facts))


def _matches(a: Fact, b: Fact) -> bool:
    overlap = a.date.start < b.date.end and b.date.start < a.date.end
    return (a.seed, a.place, a.controller, a.status) == (
        b.seed,
        b.place,
        b.controller,
        b.status,
    ) and overlap


def evaluate(
    extractor: Extractor | None = None,
    *,
    articles: dict[str, tuple[str, ReportedDate | None]] | None = None,
    gold: list[Fact] | None = None,
    folder: Path = SEEDS,
) -> dict[str, Score]:
    """Scores per language code (and ``all``); by default on the seeds."""
    extractor = extractor or default_extractor()
    gold = gold_facts() if gold is None else gold
    scores: dict[str, Score] = {}
    for seed, (lang, date) in sorted((articles or seed_dates()).items()):
        predicted = predicted_facts(seed, date, extractor, folder=folder)
        expected = [g for g in gold if g.seed == seed]
        for code in (lang, "all"):
            s = scores.setdefault(code, Score())
            s.predictions += len(predicted)
            s.matched_predictions += sum(any(_matches(p, g) for g in expected) for p in predicted)
            s.gold += len(expected)
            s.matched_gold += sum(any(_matches(p, g) for p in predicted) for g in expected)
    return scores


def heldout(
    extractor: Extractor, folder: Path, *, name: str = "extract_heldout"
) -> tuple[dict[str, Score], list[str]]:
    """Scores on held-out sentences (``<name>.csv`` and ``<name>_gold.csv``) in ``folder``."""
    articles: dict[str, tuple[str, ReportedDate | None]] = {}
    with open(DATA / f"{name}.csv", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            (folder / r["id"]).write_text(r["text"] + "\n", encoding="utf-8")
            articles[r["id"]] = (r["lang"], parse_date(r["date"]))
    gold = gold_facts(f"{name}_gold.csv")
    scores = evaluate(extractor, articles=articles, gold=gold, folder=folder)
    out = []
    for seed, (_, date) in sorted(articles.items()):
        predicted = predicted_facts(seed, date, extractor, folder=folder)
        expected = [g for g in gold if g.seed == seed]
        out += [f"extra   {p}" for p in predicted if not any(_matches(p, g) for g in expected)]
        out += [f"missed  {g}" for g in expected if not any(_matches(p, g) for p in predicted)]
    return scores, out


@dataclass(frozen=True)
class RealArticle:
    id: str
    lang: str
    date: ReportedDate
    dateline: bool  # True: the passage carries its own dateline; the date is not given


def real_articles() -> list[RealArticle]:
    with open(DATA / "extract_real.csv", encoding="utf-8") as f:
        return [
            RealArticle(r["id"], r["lang"], parse_date(r["date"]), r["dateline"] == "yes")
            for r in csv.DictReader(f)
        ]


def real_gold() -> tuple[list[Fact], list[Fact]]:
    """(required, optional) gold facts of the real set."""
    required, optional = [], []
    with open(DATA / "extract_real_gold.csv", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            fact = Fact(r["id"], _key(r["place"]), r["controller"], r["status"],
                        parse_date(r["date"], r["date_precision"]))  # fmt: skip
            (required if r["required"] == "yes" else optional).append(fact)
    return required, optional


def evaluate_real(
    extractor: Extractor | None = None, folder: Path = REAL
) -> tuple[dict[str, Score], list[str]]:
    """Scores per language (and ``all``) on the real passages, and the errors listed.

    An article that fails (no date found, say) predicts nothing: its gold counts as missed.
    """
    from mapgen.errors import MapgenError

    extractor = extractor or default_extractor()
    required, optional = real_gold()
    scores: dict[str, Score] = {}
    lines = []
    for art in real_articles():
        path = folder / f"{art.id}.txt"
        try:
            result = extractor.extract([path], date=None if art.dateline else art.date)
        except MapgenError as exc:
            lines.append(f"failed  {art.id}: {exc}")
            predicted: list[Fact] = []
        else:
            lines += [f"failed  {art.id}: {f.message}" for f in result.failures]
            predicted = [Fact(art.id, c.place, c.controller, c.status, c.date)
                         for c in result.candidates]  # fmt: skip
            predicted += [
                Fact(art.id, _key("?" + r["name"]), r["controller"], r["status"],
                     parse_date(r["date"], r["date_precision"]))
                for r in result.unresolved_rows()
            ]  # fmt: skip
            predicted = list(dict.fromkeys(predicted))
        need = [g for g in required if g.seed == art.id]
        may = [g for g in optional if g.seed == art.id]
        counted = [p for p in predicted if any(_matches(p, g) for g in need)
                   or not any(_matches(p, g) for g in may)]  # fmt: skip
        for code in (art.lang, "all"):
            s = scores.setdefault(code, Score())
            s.predictions += len(counted)
            s.matched_predictions += sum(any(_matches(p, g) for g in need) for p in counted)
            s.gold += len(need)
            s.matched_gold += sum(any(_matches(p, g) for p in predicted) for g in need)
        lines += [f"extra   {_show(p)}" for p in counted if not any(_matches(p, g) for g in need)]
        lines += [f"missed  {_show(g)}" for g in need if not any(_matches(p, g) for p in predicted)]
    order = ["en", "ar", "lv", "el", "ru", "uk", "fr", "de", "es", "tr"]
    ranked = dict(sorted(scores.items(), key=lambda kv: (kv[0] == "all", _rank(order, kv[0]))))
    return ranked, lines


def _rank(order: list[str], code: str) -> int:
    return order.index(code) if code in order else len(order)


def _show(f: Fact) -> str:
    return f"{f.seed}: {f.place} {f.controller} {f.status} {f.date}"


def report(scores: dict[str, Score]) -> str:
    lines = ["language  precision  recall  (matched/predicted, matched/gold)"]
    for code, s in scores.items():
        lines.append(
            f"{code:8}  {s.precision:9.2f}  {s.recall:6.2f}  "
            f"({s.matched_predictions}/{s.predictions}, {s.matched_gold}/{s.gold})"
        )
    return "\n".join(lines)


def misses(extractor: Extractor | None = None) -> str:
    """What was predicted but not in the gold, and what the gold has that was missed."""
    extractor = extractor or default_extractor()
    gold = gold_facts()
    out = []
    for seed, (_, date) in sorted(seed_dates().items()):
        predicted = predicted_facts(seed, date, extractor)
        expected = [g for g in gold if g.seed == seed]
        out += [f"extra   {p}" for p in predicted if not any(_matches(p, g) for g in expected)]
        out += [f"missed  {g}" for g in expected if not any(_matches(p, g) for p in predicted)]
    return "\n".join(out)


if __name__ == "__main__":
    import logging
    import sys

    logging.basicConfig(level=logging.ERROR)
    import tempfile

    ex = default_extractor()
    if sys.argv[1:] == ["real"]:
        found, wrong = evaluate_real(ex)
        print(report(found))
        print("\n".join(wrong))
        raise SystemExit(0)
    if len(sys.argv) > 1:
        with tempfile.TemporaryDirectory() as tmp:
            found, wrong = heldout(ex, Path(tmp), name=sys.argv[1])
        print(report(found))
        print("\n".join(wrong))
        raise SystemExit(0)
    print(report(evaluate(ex)))
    print(misses(ex))
