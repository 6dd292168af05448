"""Reading one sentence: its clauses, the places, unknown names, actors and dates in it."""

from __future__ import annotations

import dataclasses
import itertools
import re
from dataclasses import dataclass, field

from mapgen.extract.dates import DateMention, find_dates
from mapgen.extract.lang import Language, Pattern, find, word_matches
from mapgen.extract.names import Mention, NameIndex
from mapgen.extract.text import Sentence, Token, norm_word


@dataclass(frozen=True)
class Parsed:
    """A sentence read once: its clauses, names and dates."""

    sentence: Sentence
    lang: Language
    clauses: list[tuple[int, int]]
    places: list[Mention]
    unresolved: list[tuple[int, int, str]]
    actors: list[Mention]
    dates: list[DateMention]
    regions: list[Mention]
    # (first, last, list key) -> whether that list matches in tokens first..last-1; every
    # trigger of a clause asks the same questions of it (statements._clause_has)
    clause_lists: dict[tuple[int, int, str], bool] = field(
        default_factory=dict, compare=False, repr=False
    )


def parse_sentence(
    sentence: Sentence, lang: Language, *, places: NameIndex, actors: NameIndex
) -> Parsed:
    """Find clauses, places (with the unresolved names beside them), actors and dates."""
    sentence = localized(sentence, lang)
    tokens = sentence.tokens
    actor_mentions = actors.scan(tokens, proper=False)
    taken = {i for m in actor_mentions for i in range(m.first, m.last)}
    every = [m for m in places.scan(tokens, proper=True) if not taken & set(range(m.first, m.last))]
    found = [m for m in every if _is_the_place(tokens, m, lang)]
    resolved, unresolved = _split_unknown_runs(sentence, found, taken, lang)
    unresolved += _listed_unknowns(sentence, resolved, taken, lang)
    return Parsed(
        sentence,
        lang,
        _clauses(sentence, lang),
        resolved,
        unresolved,
        actor_mentions,
        find_dates(tokens, lang),
        [m for m in every if m not in found],
    )


_APOSTROPHES = "'’‘ʼ`"


def localized(sentence: Sentence, lang: Language) -> Sentence:
    """``sentence`` with apostrophes read the language's way: a Turkish case ending after an
    apostrophe ("Rakka'yı"), an English possessive ("ISIS's") or a French elision ("l'EI",
    "d'Al-Qaim") is not part of the word the lists and names are matched on."""
    if not (lang.apostrophe_suffixes or lang.elisions):
        return sentence
    changed = False
    tokens = []
    for t in sentence.tokens:
        parts = re.split(f"[{_APOSTROPHES}]", t.raw)
        norm = t.norm
        if len(parts) > 1:
            head, tail = norm_word(parts[0]), norm_word(parts[-1])
            if lang.elisions and head in lang.elisions and tail:
                norm = norm_word("".join(parts[1:]))
            elif head and (tail in lang.apostrophe_suffixes or _any_ending(tail, lang)):
                norm = norm_word("".join(parts[:-1]))
        changed |= norm != t.norm
        tokens.append(Token(t.start, t.end, t.raw, norm) if norm != t.norm else t)
    return dataclasses.replace(sentence, tokens=tuple(tokens)) if changed else sentence


def _any_ending(tail: str, lang: Language) -> bool:
    """``apostrophe_suffixes = ["*"]``: any short ending is a case ending (Turkish)."""
    return "*" in lang.apostrophe_suffixes and 0 < len(tail) <= 5


def ends_with(
    tokens: tuple[Token, ...], end: int, patterns: tuple[Pattern, ...], lang: Language
) -> bool:
    """Whether one of ``patterns`` ends right before token ``end``."""
    for pattern in patterns:
        n = len(pattern)
        if end - n >= 0 and all(
            word_matches(tokens[end - n + k], pattern[k], lang) for k in range(n)
        ):
            return True
    return False


def starts_with(
    tokens: tuple[Token, ...], start: int, patterns: tuple[Pattern, ...], lang: Language
) -> bool:
    """Whether one of ``patterns`` begins at token ``start``."""
    for pattern in patterns:
        n = len(pattern)
        if start + n <= len(tokens) and all(
            word_matches(tokens[start + k], pattern[k], lang) for k in range(n)
        ):
            return True
    return False


def _is_the_place(tokens: tuple[Token, ...], m: Mention, lang: Language) -> bool:
    """False for a region of the same name ("Deir Ezzor province") or a place beside ("west of")."""
    if ends_with(tokens, m.first, lang.words("region_before"), lang):
        return False
    if starts_with(tokens, m.last, lang.words("region_after"), lang):
        return False
    return not ends_with(tokens, m.first, lang.words("near_before"), lang)


_KNOWN_WORDS_KEPT = 200_000  # words remembered per language before the memo starts over


def _known_word(token: Token, lang: Language) -> bool:
    """Whether the language's lists know the word (a stopword, a month, "village"…).

    It depends on the word's normal form only, so each form is looked up once per language
    (a sentence of one name repeated thousands of times costs one lookup, not thousands).
    """
    memo = lang.known_words
    known = memo.get(token.norm)
    if known is None:
        if len(memo) >= _KNOWN_WORDS_KEPT:
            memo.clear()
        known = memo[token.norm] = _listed_word(token, lang)
    return known


def _listed_word(token: Token, lang: Language) -> bool:
    keys = ("not_places", "not_names", "place_words")
    singles = (p for key in keys for p in lang.words(key) if len(p) == 1)
    if any(word_matches(token, p[0], lang) for p in singles):
        return True
    return token.norm in lang.stopwords or any(
        word_matches(token, w, lang) for forms in lang.weekdays + lang.months for (w, *_) in forms
    )


class _Runs:
    """Runs of unknown capitalised words joined by spaces or hyphens, in one sentence.

    Each token is checked and each run walked once, whatever asks (every place inside a run
    of names asks for the same run): a sentence of thousands of names costs what it has words.
    """

    def __init__(self, sentence: Sentence, taken: set[int], lang: Language) -> None:
        self.sentence, self.taken, self.lang = sentence, taken, lang
        self._capital: dict[int, bool] = {}
        self._first: dict[int, int] = {}
        self._end: dict[int, int] = {}

    def capital(self, i: int) -> bool:
        """Token ``i`` is an unknown capitalised word (:func:`unknown_capital`)."""
        if i not in self._capital:
            self._capital[i] = unknown_capital(self.sentence.tokens, i, self.taken, self.lang)
        return self._capital[i]

    def _joins(self, capital: int, other: int) -> bool:
        """Token ``capital`` is an unknown capital joined to token ``other`` beside it."""
        a, b = sorted((capital, other))
        return self.capital(capital) and joined(self.sentence, a, b)

    def first(self, i: int) -> int:
        """Where a name that begins at token ``i`` begins once the unknown capitals before
        it are added (never before token 1: the sentence's first word is capitalised)."""
        path = []
        while i not in self._first and i > 1 and self._joins(i - 1, i):
            path.append(i)
            i -= 1
        found = self._first.get(i, i)
        for j in [*path, i]:
            self._first[j] = found
        return found

    def end(self, i: int) -> int:
        """Where a name that ends before token ``i`` ends once the unknown capitals after it
        are added (an end index: one past its last token)."""
        path = []
        while i not in self._end and i < len(self.sentence.tokens) and self._joins(i, i - 1):
            path.append(i)
            i += 1
        found = self._end.get(i, i)
        for j in [*path, i]:
            self._end[j] = found
        return found


def _split_unknown_runs(
    sentence: Sentence, found: list[Mention], taken: set[int], lang: Language
) -> tuple[list[Mention], list[tuple[int, int, str]]]:
    """In cased scripts, a known name inside a longer capitalised name is not that place.

    "Huvaijatas Baguz" is not Baguz: the whole run is reported as an unknown name.
    """
    if lang.script == "arabic" or lang.capitalised_nouns:
        return found, []
    runs = _Runs(sentence, taken, lang)
    keep, unknown = [], []
    for m in found:
        first, last = runs.first(m.first), runs.end(m.last)
        if (first, last) == (m.first, m.last):
            keep.append(m)
        else:
            unknown.append((first, last, raw_text(sentence, first, last)))
    return keep, unknown


def unknown_capital(tokens: tuple[Token, ...], i: int, taken: set[int], lang: Language) -> bool:
    t = tokens[i]
    return t.capitalised and i not in taken and not _known_word(t, lang) and len(t.norm) > 2


def joined(sentence: Sentence, a: int, b: int) -> bool:
    """Whether tokens ``a`` and ``b`` (= a + 1) are parts of one name: nothing but spaces or a
    hyphen between them ("Albu Kamal," Rami" is two names)."""
    tokens = sentence.tokens
    gap = sentence.text[tokens[a].end - sentence.start : tokens[b].start - sentence.start]
    return len(gap) <= 2 and all(ch.isspace() or ch in "-‐‑" for ch in gap)


def raw_text(sentence: Sentence, first: int, last: int) -> str:
    start = sentence.tokens[first].start - sentence.start
    end = sentence.tokens[last - 1].end - sentence.start
    return sentence.text[start:end]


def _listed_unknowns(
    sentence: Sentence, resolved: list[Mention], taken: set[int], lang: Language
) -> list[tuple[int, int, str]]:
    """Unknown names right after or before a place word ("village of X", "X ciemā", "قرية X")."""
    tokens = sentence.tokens
    known = taken | {i for m in resolved for i in range(m.first, m.last)}
    found: list[tuple[int, int, str]] = []
    place_words = lang.words("place_words")
    prefixes = {p[0] for p in lang.words("name_prefixes")}
    runs = _Runs(sentence, known, lang)
    for i in sorted({hit[0] for hit in find(tokens, place_words, lang)}):
        if lang.script == "arabic":
            found += _arabic_list(sentence, i + 1, known, prefixes, lang)
            continue
        for j in (i + 1, i - 1):
            if 0 < j < len(tokens) and j not in known and runs.capital(j):
                first, end = runs.first(j), runs.end(j + 1)
                found.append((first, end, raw_text(sentence, first, end)))
    return sorted(set(found))


def _arabic_list(
    sentence: Sentence, i: int, known: set[int], prefixes: set[str], lang: Language
) -> list[tuple[int, int, str]]:
    """The names after an Arabic place word: "بلدات السوسة والشعفة والبو خاطر"."""
    tokens = sentence.tokens
    place_words = {p[0] for p in lang.words("place_words")}
    found = []
    first = True
    while i < len(tokens):
        t = tokens[i]
        if not first and not t.norm.startswith("و"):
            break
        end = i + 1
        bare = t.norm[1:] if t.norm.startswith("و") else t.norm
        if bare in prefixes and end < len(tokens):
            end += 1
        if i not in known and bare.startswith("ال") and bare not in place_words | lang.stopwords:
            raw = raw_text(sentence, i, end)
            found.append((i, end, raw[1:] if raw.startswith("و") else raw))
        i, first = end, False
    return found


def _clauses(sentence: Sentence, lang: Language) -> list[tuple[int, int]]:
    """Token ranges of the clauses: split at listed punctuation and conjunctions."""
    tokens = sentence.tokens
    marks = {p[0] for p in lang.words("clause_breaks") if len(p) == 1 and not p[0].isalnum()}
    words = tuple(p for p in lang.words("clause_breaks") if p[0].isalnum())
    starts = {hit[0] for hit in find(tokens, words, lang)}
    breaks = [0]
    for i in range(1, len(tokens)):
        gap = sentence.text[tokens[i - 1].end - sentence.start : tokens[i].start - sentence.start]
        dash = lang.dash_breaks and any(d in gap for d in "-–—") and any(c.isspace() for c in gap)
        if dash or any(ch in marks for ch in gap) or i in starts:
            breaks.append(i)
    breaks.append(len(tokens))
    return [(a, b) for a, b in itertools.pairwise(breaks) if b > a]


def _listed_name(run: tuple[Token, ...], lang: Language) -> bool:
    """A run of words that the language lists as no place ("Estados Unidos", "River")."""
    words = tuple(t.norm for t in run)
    listed = (p for key in ("not_places", "not_names") for p in lang.words(key))
    return any(p == words or (len(p) == 1 and p[0] in words) for p in listed)


def capitalised_unknowns(parsed: Parsed, lo: int, hi: int) -> list[tuple[int, str, bool]]:
    """Capitalised words of a clause that name nothing known: place names the gazetteer lacks."""
    tokens, lang = parsed.sentence.tokens, parsed.lang
    if lang.capitalised_nouns:
        return []
    taken = {i for m in parsed.actors + parsed.regions for i in range(m.first, m.last)}
    taken |= {i for d in parsed.dates for i in range(d.first, d.last)}
    found = []
    i = max(lo, 1)
    while i < hi:
        if unknown_capital(tokens, i, taken, lang) and not tokens[i].raw.isupper():
            j = i
            while (
                j + 1 < hi
                and unknown_capital(tokens, j + 1, taken, lang)
                and joined(parsed.sentence, j, j + 1)
            ):
                j += 1
            if not _listed_name(tokens[i : j + 1], lang):
                found.append((i, raw_text(parsed.sentence, i, j + 1), True))
            i = j + 1
        else:
            i += 1
    return found
