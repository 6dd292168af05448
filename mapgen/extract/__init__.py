"""From news articles to candidate events, in the languages the articles are written in.

:func:`extract` reads articles (text or HTML), finds their dates, detects the language of
each sentence, finds statements of control and change with the language's word lists
(``lang/*.toml``), resolves places through the gazetteer and actors through the controllers'
aliases, resolves relative dates against the article's date, and merges what several
articles say about the same place, side, status and date.

    >>> from mapgen.extract import extract
    >>> result = extract(["article.txt"])          # doctest: +SKIP
    >>> result.write("candidates.csv")             # doctest: +SKIP
"""

from __future__ import annotations

import functools
import logging
import tomllib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from mapgen._io import csv_text
from mapgen.controllers import Controllers, read_controllers
from mapgen.dataset import DATA_DIR
from mapgen.dates import ReportedDate
from mapgen.errors import InputFileError
from mapgen.extract.candidates import (
    CANDIDATE_FIELDS,
    UNRESOLVED_FIELDS,
    Candidate,
    candidate_rows,
    merge_candidates,
    resolve_article,
    unresolved_rows,
)
from mapgen.extract.lang import Language, detect, languages
from mapgen.extract.names import NameIndex
from mapgen.extract.parse import parse_sentence
from mapgen.extract.reader import (
    Article,
    ArticleError,
    UnsupportedLanguageError,
    read_article,
)
from mapgen.extract.statements import Context, Statement, sentence_statements
from mapgen.extract.text import split_sentences
from mapgen.gazetteer import Gazetteer, read_places
from mapgen.problems import Problems

__all__ = ["Extraction", "Extractor", "Failure", "extract"]
log = logging.getLogger(__name__)
GOVERNMENT = "@government"


@functools.cache
def governments() -> dict[str, str]:
    """Country code → the controller its government forces are (``governments.toml``)."""
    text = resources.files("mapgen.extract").joinpath("governments.toml").read_text("utf-8")
    return dict(tomllib.loads(text))


@dataclass(frozen=True)
class Failure:
    """An article that was not read, and why (the message names the file)."""

    path: str
    message: str
    unsupported: bool  # True: its language has no word list


@dataclass
class Extraction:
    """The result: merged candidates, statements about unknown places, the articles read and
    the ones that could not be (no date, unsupported language, unreadable)."""

    candidates: list[Candidate]
    unresolved: list[tuple[Article, Statement]]
    articles: list[Article]
    failures: list[Failure] = field(default_factory=list)

    def rows(self) -> list[dict[str, str]]:
        return candidate_rows(self.candidates)

    def unresolved_rows(self) -> list[dict[str, str]]:
        return unresolved_rows(self.unresolved)

    def candidates_csv(self) -> str:
        return csv_text(self.rows(), CANDIDATE_FIELDS)

    def unresolved_csv(self) -> str:
        return csv_text(self.unresolved_rows(), UNRESOLVED_FIELDS)


class Extractor:
    """Reads articles against one gazetteer and one controllers table (indexes built once)."""

    def __init__(self, gazetteer: Gazetteer, controllers: Controllers) -> None:
        self.gazetteer = gazetteer
        self.controllers = controllers
        self._indexes: dict[str, tuple[NameIndex, NameIndex]] = {}

    def indexes(self, lang: Language) -> tuple[NameIndex, NameIndex]:
        if lang.code not in self._indexes:
            places = self.gazetteer.places
            names = [
                (str(pid), text)
                for pid, row in places.iterrows()
                for text in (row["name"], row["name_ar"], *row["aliases"])
                if text
            ]
            sides = [(c.id, t) for c in self.controllers for t in (c.name, *c.aliases)]
            sides += [(GOVERNMENT, " ".join(p)) for p in lang.words("government_actors")]
            population = places["population"].fillna(0).astype(float)
            rank = {str(pid): population[pid] + (1 if places.at[pid, "kind"] else 0)
                    for pid in places.index}  # fmt: skip
            self._indexes[lang.code] = (
                NameIndex(names, lang, stem_all=False, rank=rank),
                NameIndex(sides, lang, stem_all=True, min_key=2),  # "ИГ", "EI", "IS"
            )
        return self._indexes[lang.code]

    def article_statements(self, article: Article) -> list[Statement]:
        """Every statement of one article, with the article-level gaps filled."""
        table = languages()
        main = article.language
        context = Context()
        found: list[Statement] = []
        actors: Counter = Counter()
        for sentence in split_sentences(article.text):
            lang = table[detect(sentence.text, default=main)]
            places, sides = self.indexes(lang)
            parsed = parse_sentence(sentence, lang, places=places, actors=sides)
            actors.update(m.ids[0] for m in parsed.actors)
            found += sentence_statements(parsed, article.date, context)
        log.info("%s: %s, dated %s (%s), %d statement(s)", article.name, table[main].name,
                 article.date, article.date_source, len(found))  # fmt: skip
        found = [s for s in found if self._name_government(s)]
        actors.pop(GOVERNMENT, None)
        return resolve_article(article, found, actors)

    def _name_government(self, s: Statement) -> bool:
        """Replace "government forces" by the government of the place's country (False: none)."""
        if GOVERNMENT not in (s.controller, s.opponent):
            return True
        place = s.near_place if s.unresolved else s.place
        country = str(self.gazetteer.places.at[place, "country"]) if place else ""
        side = governments().get(country)
        if side is None:
            return False
        s.controller = side if s.controller == GOVERNMENT else s.controller
        s.opponent = side if s.opponent == GOVERNMENT else s.opponent
        s.notes.append(f"'government forces' read as {side} (the place is in {country})")
        return True

    def extract(
        self, paths: Sequence[Path | str], *, date: ReportedDate | None = None
    ) -> Extraction:
        """Read ``paths`` and return the merged :class:`Extraction`."""
        articles: list[Article] = []
        failures: list[Failure] = []
        for path in paths:
            try:
                articles.append(read_article(path, date=date))
            except (ArticleError, InputFileError) as exc:
                log.warning("%s", exc)
                failures.append(
                    Failure(str(path), str(exc), isinstance(exc, UnsupportedLanguageError))
                )
        known: list[tuple[Article, Statement]] = []
        unknown: list[tuple[Article, Statement]] = []
        for article in articles:
            for s in self.article_statements(article):
                (unknown if s.unresolved else known).append((article, s))
        return Extraction(merge_candidates(known), unknown, articles, failures)


def default_extractor(
    places: Path | str | None = None, controllers: Path | str | None = None
) -> Extractor:
    """An extractor over the given (or embedded) gazetteer and controllers."""
    problems = Problems()
    gazetteer = read_places(places or DATA_DIR / "places.csv", problems)
    sides = read_controllers(controllers or DATA_DIR / "controllers.csv", problems)
    problems.raise_if_errors()
    return Extractor(gazetteer, sides)


def extract(
    paths: Sequence[Path | str],
    *,
    date: ReportedDate | None = None,
    places: Path | str | None = None,
    controllers: Path | str | None = None,
) -> Extraction:
    """Candidate events from articles; see :class:`Extraction`."""
    return default_extractor(places, controllers).extract(paths, date=date)
