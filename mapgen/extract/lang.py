"""Language data: word lists and patterns, one TOML file per language in ``lang/``.

A language is added by adding a file (see ``lang/en.toml`` for every key); no code changes.
Lists are normalised on load with the same function as the text, so they may be written in
ordinary spelling. In patterns, a word ending in ``*`` matches any word it begins, and ``?``
matches any one word.
"""

from __future__ import annotations

import functools
import tomllib
from dataclasses import dataclass
from importlib import resources

from mapgen.errors import MapgenError
from mapgen.extract.text import Token, norm_word, tokenize

Pattern = tuple[str, ...]
KINDS = ("capture", "lose", "fall", "hold", "last", "attack", "enter", "siege", "fight")


class LanguageDataError(MapgenError, ValueError):
    """A language file is missing a key or has a value of the wrong type."""


@dataclass(frozen=True)
class Language:
    """The word lists of one language, normalised."""

    code: str
    name: str
    script: str
    subject_side: str
    object_side: str
    stopwords: frozenset[str]
    letters: str
    folds: tuple[tuple[str, str], ...]
    suffixes: tuple[str, ...]
    attached_prefixes: tuple[str, ...]
    lists: dict[str, tuple[Pattern, ...]]
    weekdays: tuple[tuple[Pattern, ...], ...]
    months: tuple[tuple[Pattern, ...], ...]
    patterns: dict[str, tuple[Pattern, ...]]

    def words(self, key: str) -> tuple[Pattern, ...]:
        return self.lists.get(key, ())


_LIST_KEYS = (
    "clause_breaks",
    "region_before",
    "region_after",
    "near_before",
    "place_words",
    "anaphors",
    "loser_before",
    "name_prefixes",
    "cancel_before",
    "skip_clause",
    "over_before",
    "government_actors",
    "not_places",
)
_DATE_KEYS = (
    "ambiguous_months",
    "month_markers",
    "yesterday",
    "today",
    "last_week",
    "week_ago",
    "last_year",
)


def _pattern(text: str) -> Pattern:
    words = []
    for part in text.split():
        if part in ("?", "~"):
            words.append(part)
            continue
        star = part.endswith("*")
        norm = norm_word(part.rstrip("*")) if part.rstrip("*") else ""
        if not norm and part.strip() in ",;:·،؛":
            words.append(part.strip())
        elif norm:
            words.append(norm + ("*" if star else ""))
    return tuple(words)


def _patterns(values: object, where: str) -> tuple[Pattern, ...]:
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise LanguageDataError(f"{where}: expected a list of strings")
    found = {_pattern(v) for v in values}
    return tuple(sorted((p for p in found if p), key=lambda p: (-len(p), p)))


def parse_language(data: dict, *, source: str) -> Language:
    """A :class:`Language` from the parsed TOML of a language file."""
    try:
        dates = data["dates"]
        lists = {k: _patterns(data.get(k, []), f"{source}: {k}") for k in _LIST_KEYS}
        lists |= {k: _patterns(dates.get(k, []), f"{source}: dates.{k}") for k in _DATE_KEYS}
        patterns = {
            k: _patterns(data["patterns"].get(k, []), f"{source}: patterns.{k}") for k in KINDS
        }
        return Language(
            code=data["code"],
            name=data["name"],
            script=data["script"],
            subject_side=data.get("subject_side", "before"),
            object_side=data.get("object_side", "any"),
            stopwords=frozenset(norm_word(w) for w in data["stopwords"]),
            letters=data.get("letters", ""),
            folds=tuple((norm_word(a), norm_word(b)) for a, b in data.get("folds", [])),
            suffixes=tuple(sorted({norm_word(s) for s in data["suffixes"]}, key=len)[::-1]),
            attached_prefixes=tuple(
                sorted({norm_word(p) for p in data["attached_prefixes"]}, key=len)[::-1]
            ),
            lists=lists,
            weekdays=tuple(_patterns(day, f"{source}: weekdays") for day in dates["weekdays"]),
            months=tuple(_patterns(month, f"{source}: months") for month in dates["months"]),
            patterns=patterns,
        )
    except KeyError as exc:
        raise LanguageDataError(f"{source}: missing key {exc.args[0]!r}") from exc


@functools.cache
def languages() -> dict[str, Language]:
    """Every language shipped in ``mapgen/extract/lang/``, by code."""
    found: dict[str, Language] = {}
    for entry in sorted(resources.files("mapgen.extract").joinpath("lang").iterdir(), key=str):
        if entry.name.endswith(".toml"):
            data = tomllib.loads(entry.read_text(encoding="utf-8"))
            lang = parse_language(data, source=f"lang/{entry.name}")
            found[lang.code] = lang
    return found


def word_matches(token: Token, word: str, lang: Language) -> bool:
    """Whether ``token`` is the pattern word ``word`` (with an attached prefix, for Arabic)."""
    if word == "?":
        return True
    forms = (token.norm,)
    if lang.attached_prefixes:
        forms = tuple(f for f in _bare_forms(token.norm, lang.attached_prefixes))
    if word.endswith("*"):
        return any(f.startswith(word[:-1]) for f in forms)
    return word in forms


@functools.lru_cache(maxsize=100_000)
def _bare_forms(norm: str, prefixes: tuple[str, ...]) -> tuple[str, ...]:
    forms = [norm]
    for prefix in prefixes:
        if norm.startswith(prefix) and len(norm) - len(prefix) >= 2:
            forms.append(norm[len(prefix) :])
    return tuple(forms)


_GAP = 4  # how many words "~" in a pattern may stand for


def match_at(tokens: tuple[Token, ...], i: int, pattern: Pattern, lang: Language) -> int:
    """The end of a match of ``pattern`` starting at token ``i``, or -1.

    ``~`` in a pattern stands for up to four words ("سيطرت ~ على" matches "سيطرت قوات سوريا
    الديمقراطية على").
    """
    if not pattern:
        return i
    word, rest = pattern[0], pattern[1:]
    if word == "~":
        for skip in range(_GAP + 1):
            end = match_at(tokens, i + skip, rest, lang) if i + skip <= len(tokens) else -1
            if end >= 0:
                return end
        return -1
    if i < len(tokens) and word_matches(tokens[i], word, lang):
        return match_at(tokens, i + 1, rest, lang)
    return -1


def find(tokens: tuple[Token, ...], patterns: tuple[Pattern, ...], lang: Language) -> list:
    """Every match of ``patterns`` in ``tokens`` as (first, last+1, pattern), longest first.

    At each token the first (longest) pattern that matches wins. Patterns are looked up by
    their first word, so the cost does not grow with the length of the lists.
    """
    exact, prefixed, anywhere = _first_words(patterns)
    hits = []
    for i, token in enumerate(tokens):
        forms = _bare_forms(token.norm, lang.attached_prefixes)
        candidates = set(anywhere)
        for form in forms:
            candidates.update(exact.get(form, ()))
        for start, numbers in prefixed:
            if any(f.startswith(start) for f in forms):
                candidates.update(numbers)
        for n in sorted(candidates):
            end = match_at(tokens, i, patterns[n], lang)
            if end > i:
                hits.append((i, end, patterns[n]))
                break
    return hits


@functools.lru_cache(maxsize=4096)
def _first_words(patterns: tuple[Pattern, ...]) -> tuple[dict, tuple, tuple]:
    exact: dict[str, list[int]] = {}
    prefixed: dict[str, list[int]] = {}
    anywhere: list[int] = []
    for n, pattern in enumerate(patterns):
        word = pattern[0]
        if word in ("?", "~"):
            anywhere.append(n)
        elif word.endswith("*"):
            prefixed.setdefault(word[:-1], []).append(n)
        else:
            exact.setdefault(word, []).append(n)
    return exact, tuple(prefixed.items()), tuple(anywhere)


def detect(text: str, *, default: str = "en") -> str:
    """The language code of ``text``: by script (Arabic, Greek), then by stop words (Latin).

    Returns ``default`` for text with no letters.
    """
    counts = {"arabic": 0, "greek": 0, "latin": 0}
    for ch in text:
        if "\u0600" <= ch <= "\u06ff":
            counts["arabic"] += 1
        elif "\u0370" <= ch <= "\u03ff" or "\u1f00" <= ch <= "\u1fff":
            counts["greek"] += 1
        elif (ch.isalpha() and ch.isascii()) or "\u00c0" <= ch <= "\u024f":
            counts["latin"] += 1
    script = max(counts, key=lambda k: counts[k])
    if counts[script] == 0:
        return default
    candidates = [lang for lang in languages().values() if lang.script == script]
    if len(candidates) <= 1:
        return candidates[0].code if candidates else default
    tokens = tokenize(text)
    scores = {
        lang.code: sum(
            t.norm in lang.stopwords or any(ch in lang.letters for ch in t.raw.lower())
            for t in tokens
        )
        for lang in candidates
    }
    best = max(sorted(scores), key=lambda c: scores[c])
    if default in scores and scores[default] == scores[best]:
        return default  # a tie: the article's own language
    return best if scores[best] else default
