"""Language data: word lists and patterns, one TOML file per language in ``lang/``.

A language is added by adding a file (see ``lang/en.toml`` for every key); no code changes.
Lists are normalised on load with the same function as the text, so they may be written in
ordinary spelling. In patterns, a word ending in ``*`` matches any word it begins, and ``?``
matches any one word.

Month and weekday names come from two places: the file's own ``[dates]`` lists, and the
locale data of ``dateparser`` (which knows the nominative, genitive and abbreviated forms of
some 200 languages: "октября", "листопада", "Ekim", "novembre"); forms shorter than four
letters are left out there, since they are common words ("mar", "пт").
"""

from __future__ import annotations

import functools
import tomllib
from dataclasses import dataclass, field
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
    apostrophe_suffixes: frozenset[str] = frozenset()
    elisions: frozenset[str] = frozenset()
    loser_suffixes: frozenset[str] = frozenset()
    genitive_suffixes: frozenset[str] = frozenset()
    capitalised_nouns: bool = False  # German: a capital letter is no sign of a name
    subject_first: bool = False  # German, Turkish: the doer is the first side of the clause
    dash_breaks: bool = True  # a spaced dash ends a clause (not in Russian: "X – город Y")
    # normalised word -> whether the lists know it (filled by extract.parse as words are met)
    known_words: dict[str, bool] = field(default_factory=dict, compare=False, repr=False)

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
    "agent_before",
    "agent_after",
    "partial",
    "history",
    "not_names",
    "passive",
    "passive_before",
    "passive_after",
    "genitive_before",
    "deny_sentence",
    "not_loser_before",
)
_DATE_KEYS = (
    "ambiguous_months",
    "month_markers",
    "yesterday",
    "today",
    "last_week",
    "week_ago",
    "last_month",
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


_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august",
           "september", "october", "november", "december")  # fmt: skip
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def _with_locale(
    own: list, code: str, keys: tuple[str, ...], source: str, what: str
) -> tuple[tuple[Pattern, ...], ...]:
    """The file's names of months or weekdays, each joined by dateparser's forms of it."""
    if not isinstance(own, list) or len(own) != len(keys):
        raise LanguageDataError(f"{source}: dates.{what}: expected {len(keys)} lists of names")
    info = _locale_info(code)
    out = []
    for names, key in zip(own, keys, strict=True):
        extra = [n for n in info.get(key, []) if len(norm_word(n)) >= 4]
        out.append(_patterns([*names, *extra], f"{source}: dates.{what}"))
    return tuple(out)


@functools.cache
def _locale_info(code: str) -> dict:
    """dateparser's locale data for a language code ({} when it has none)."""
    from dateparser.languages.loader import default_loader

    try:
        return dict(default_loader.get_locale(code).info)
    except (ValueError, KeyError):
        return {}


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
            weekdays=_with_locale(dates["weekdays"], data["code"], _WEEKDAYS, source, "weekdays"),
            months=_with_locale(dates["months"], data["code"], _MONTHS, source, "months"),
            patterns=patterns,
            apostrophe_suffixes=frozenset(
                w if w == "*" else norm_word(w) for w in data.get("apostrophe_suffixes", [])
            ),
            elisions=frozenset(norm_word(w) for w in data.get("elisions", [])),
            loser_suffixes=frozenset(norm_word(w) for w in data.get("loser_suffixes", [])),
            genitive_suffixes=frozenset(norm_word(w) for w in data.get("genitive_suffixes", [])),
            capitalised_nouns=bool(data.get("capitalised_nouns", False)),
            subject_first=bool(data.get("subject_first", False)),
            dash_breaks=bool(data.get("dash_breaks", True)),
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
    their first word (exact, or by each beginning of the token for ``word*`` patterns), so
    the cost does not grow with the length of the lists.
    """
    exact, prefixed, anywhere = _first_words(patterns)
    hits = []
    for i, token in enumerate(tokens):
        forms = _bare_forms(token.norm, lang.attached_prefixes)
        candidates = set(anywhere)
        for form in forms:
            candidates.update(exact.get(form, ()))
            if prefixed:
                for end in range(1, len(form) + 1):
                    candidates.update(prefixed.get(form[:end], ()))
        for n in sorted(candidates):
            end = match_at(tokens, i, patterns[n], lang)
            if end > i:
                hits.append((i, end, patterns[n]))
                break
    return hits


@functools.lru_cache(maxsize=4096)
def _first_words(patterns: tuple[Pattern, ...]) -> tuple[dict, dict, tuple]:
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
    return exact, prefixed, tuple(anywhere)


_SCRIPTS = (
    ("arabic", "\u0600", "\u06ff"),
    ("greek", "\u0370", "\u03ff"),
    ("greek", "\u1f00", "\u1fff"),
    ("cyrillic", "\u0400", "\u04ff"),
    ("latin", "\u00c0", "\u024f"),
)
_DETECT_CHARS = 1000  # lingua reads the article's beginning: enough, and a bounded cost
# Below this many letters lingua's trigrams are not enough to tell 75 languages apart (a
# ten-word English sentence can come out as Yoruba); the script and stop-word rule decides.
_MIN_LETTERS = 150


@dataclass(frozen=True)
class Detected:
    """The language of an article: its code when a word list covers it, and its name."""

    code: str | None
    name: str


def script_of(text: str) -> str | None:
    """The script most letters of ``text`` are in (arabic, greek, cyrillic, latin), or None."""
    counts = dict.fromkeys(("arabic", "greek", "cyrillic", "latin"), 0)
    for ch in text:
        if ch.isascii():
            if ch.isalpha():
                counts["latin"] += 1
            continue
        for script, lo, hi in _SCRIPTS:
            if lo <= ch <= hi:
                counts[script] += 1
                break
    best = max(counts, key=lambda k: counts[k])
    return best if counts[best] else None


@functools.cache
def _detector():
    """lingua's detector over every language it knows (low-accuracy mode: trigrams only,
    about 90 MB and a few milliseconds per article; the articles are long enough for it)."""
    from lingua import LanguageDetectorBuilder

    return LanguageDetectorBuilder.from_all_languages().with_low_accuracy_mode().build()


def detect_language(text: str) -> Detected:
    """The language of an article, by lingua; the script rule below when lingua cannot tell.

    ``code`` is None for a language no file in ``lang/`` covers (``name`` says which).
    """
    sample = text[:_DETECT_CHARS]
    letters = sum(ch.isalpha() for ch in sample)
    found = _detector().detect_language_of(sample) if letters >= _MIN_LETTERS else None
    table = languages()
    if found is None:
        code = detect(sample, default="")
        return Detected(code or None, table[code].name if code else "an unknown language")
    code = found.iso_code_639_1.name.lower()
    name = found.name.title()
    return Detected(code if code in table else None, table[code].name if code in table else name)


@functools.cache
def _letters(letters: str) -> frozenset[str]:
    return frozenset(letters)


_CALENDARS: dict[tuple[int, str], tuple[tuple[Pattern, ...], dict[Pattern, int]]] = {}


def calendar(lang: Language, what: str) -> tuple[tuple[Pattern, ...], dict[Pattern, int]]:
    """All month (or weekday) patterns of a language in one list, and each one's number, so
    a sentence is scanned once for all twelve months instead of twelve times."""
    key = (id(lang.months), what)
    if key not in _CALENDARS:
        groups = lang.months if what == "months" else lang.weekdays
        index = {p: n for n, forms in enumerate(groups) for p in forms}
        _CALENDARS[key] = (tuple(sorted(index, key=lambda p: (-len(p), p))), index)
    return _CALENDARS[key]


def detect(text: str, *, default: str = "en") -> str:
    """The language code of a sentence: by script, then by stop words and letters.

    A sentence in the script of ``default`` stays in ``default`` unless another language of
    that script has more of its stop words (and letters) in it; a sentence in another script
    gets that script's language. Returns ``default`` for text
    with no letters, or in a script no language file has.
    """
    script = script_of(text)
    if script is None:
        return default
    table = languages()
    candidates = [lang for lang in table.values() if lang.script == script]
    if len(candidates) <= 1:
        return candidates[0].code if candidates else default
    tokens = tokenize(text)
    norms = [t.norm for t in tokens]
    lowered = [set(t.raw.lower()) for t in tokens]
    scores = {
        lang.code: sum(
            n in lang.stopwords or bool(chars & _letters(lang.letters))
            for n, chars in zip(norms, lowered, strict=True)
        )
        for lang in candidates
    }
    best = max(sorted(scores), key=lambda c: scores[c])
    if default in scores:
        return best if scores[best] > scores[default] else default
    fallback = "en" if "en" in scores else candidates[0].code
    if fallback in scores and scores[fallback] == scores[best]:
        return fallback  # a tie among Latin-script languages: English, the commonest here
    return best if scores[best] else fallback
