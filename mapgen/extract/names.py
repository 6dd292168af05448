"""Finding gazetteer places and controllers in a run of tokens.

Names are indexed by their normalised words (with and without a leading article) and, per
language, by the stem of every word (endings from the language file), so "Abū Kemālas",
"Abū Kemālai" and "Abu Kemal" meet at the same key. Arabic tokens are also tried without
attached prefixes (و ب ل ف، "بال" → "ال") and without the article.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from mapgen.extract.lang import Language
from mapgen.extract.text import Token, stem, tokenize, variants
from mapgen.names import strip_article

_MAX_WORDS = 6
_MIN_KEY = 3


@dataclass(frozen=True)
class Mention:
    """A name found in the tokens ``first`` to ``last`` (exclusive): the ids it names."""

    first: int
    last: int
    ids: tuple[str, ...]
    text: str


class NameIndex:
    """Look up places or controllers by the words of their names, in one language."""

    def __init__(
        self,
        names: Iterable[tuple[str, str]],
        lang: Language,
        *,
        stem_all: bool,
        rank: dict[str, float] | None = None,
        min_key: int = _MIN_KEY,
    ):
        self.lang = lang
        self.stem_all = stem_all
        self.rank = rank or {}
        self._keys: dict[str, set[str]] = {}
        self._memo: dict[tuple[str, ...], set[str]] = {}
        self.longest = 1
        common = {
            p[0] for key in ("place_words", "anaphors") for p in lang.words(key) if len(p) == 1
        }
        blocked = lang.stopwords | common | {" ".join(p) for p in lang.words("not_places")}
        for ident, text in names:
            words = tuple(t.norm for t in tokenize(text))
            if not words:
                continue
            self.longest = max(self.longest, min(len(words), _MAX_WORDS))
            for key in self._forms(words):
                if len(key.replace(" ", "")) >= min_key and key not in blocked:
                    self._keys.setdefault(key, set()).add(ident)

    def _forms(self, words: tuple[str, ...]) -> set[str]:
        words = tuple(fold(w, self.lang.folds) for w in words)
        joined = " ".join(words)
        forms = {joined, strip_article(joined), joined.replace(" ", "")}
        if self.lang.folds:  # "Deir Essor" = "Deir ez-Zor" once written as one word
            forms.add(re.sub(r"(.)\1+", r"\1", joined.replace(" ", "")))
        if self.lang.suffixes:
            stems = [stem(w, self.lang.suffixes) if self.stem_all else w for w in words]
            stems[-1] = stem(words[-1], self.lang.suffixes)
            forms |= {" ".join(stems), strip_article(" ".join(stems))}
        return forms

    def _prefer(self, ids: set[str]) -> set[str]:
        """Of several places with one name, the clearly most populous (others stay ambiguous)."""
        if len(ids) < 2 or not self.rank:
            return ids
        ranked = sorted(ids, key=lambda i: -self.rank.get(i, 0))
        if self.rank.get(ranked[0], 0) > self.rank.get(ranked[1], 0):
            return {ranked[0]}
        return ids

    def lookup(self, words: tuple[str, ...]) -> set[str]:
        """The ids named by exactly these normalised words (any known form)."""
        if words not in self._memo:
            if len(self._memo) > 200_000:
                self._memo.clear()
            self._memo[words] = self._lookup(words)
        return self._memo[words]

    def _lookup(self, words: tuple[str, ...]) -> set[str]:
        found: set[str] = set()
        first_forms = variants(words[0], self.lang.attached_prefixes)
        for first in first_forms:
            for key in self._forms((first, *words[1:])):
                found |= self._keys.get(key, set())
            if found:
                break
        return found

    def scan(self, tokens: tuple[Token, ...], *, proper: bool) -> list[Mention]:
        """Every longest, non-overlapping name in ``tokens``.

        ``proper``: in scripts with case, a name must begin with a capital letter.
        """
        mentions: list[Mention] = []
        i = 0
        while i < len(tokens):
            hit = None
            for n in range(min(self.longest + 1, len(tokens) - i), 0, -1):
                if proper and self.lang.script != "arabic" and not tokens[i].capitalised:
                    break
                words = tuple(t.norm for t in tokens[i : i + n])
                if n == 1 and words[0] in self.lang.stopwords:
                    break
                ids = self._prefer(self.lookup(words))
                if ids:
                    text = " ".join(t.raw for t in tokens[i : i + n])
                    hit = Mention(i, i + n, tuple(sorted(ids)), text)
                    break
            if hit:
                mentions.append(hit)
                i = hit.last
            else:
                i += 1
        return mentions


def fold(word: str, folds: tuple[tuple[str, str], ...]) -> str:
    """``word`` with the language's spelling folds applied ("mayadin" → "majadin" in Latvian)
    and doubled letters written once, so transliterations meet."""
    if not folds:
        return word
    for old, new in folds:
        word = word.replace(old, new)
    return re.sub(r"(.)\1+", r"\1", word)
