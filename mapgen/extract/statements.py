"""Statements of control in one sentence: who holds, takes, loses, attacks or besieges where.

A *trigger* (a verb or phrase from the language's ``[patterns]``) fixes the kind of statement;
the places and actors of its clause fill the roles:

========  ==========================================  ===========
kind      example                                     result
========  ==========================================  ===========
capture   "Iraqi forces captured Al-Qaim"              controlled by the subject
fall      "Tal Afar fell"                              controlled by the actor named
lose      "it lost Raqqa to the SDF"                   controlled by the other actor
hold      "Daesh still controls Rawa"                  controlled by the subject
last      "Abu Kamal, the last town under its control" controlled by the actor named
attack    "launched an assault on Abu Kamal"           contested, opponent = attacker
enter     "Iraqi forces entered al-Qaim"               contested, opponent = who entered
siege     "besieged Deir ez-Zor"                       besieged, opponent = besieger
fight     "fierce fighting in Hajin"                   contested (holder from the article)
========  ==========================================  ===========

A clause with a marker of a hypothesis or failure (``skip_clause``) gives nothing, and a
trigger right after ``cancel_before`` ("to seize", "tried to ...") is not a statement.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from mapgen.dates import ReportedDate
from mapgen.extract.dates import DateMention, find_dates, resolve
from mapgen.extract.lang import KINDS, Language, Pattern, find, word_matches
from mapgen.extract.names import Mention, NameIndex
from mapgen.extract.text import Sentence, Token

STATUS = {
    "capture": "controlled",
    "fall": "controlled",
    "lose": "controlled",
    "hold": "controlled",
    "last": "controlled",
    "attack": "contested",
    "enter": "contested",
    "fight": "contested",
    "siege": "besieged",
}
BASE_CONFIDENCE = {
    "capture": 0.9,
    "fall": 0.8,
    "lose": 0.85,
    "hold": 0.8,
    "last": 0.8,
    "attack": 0.8,
    "enter": 0.8,
    "fight": 0.65,
    "siege": 0.8,
}
_ANY_SIDE = ("fall", "hold", "last", "fight")


@dataclass
class Statement:
    """One candidate fact from one sentence, before the article-level pass fills the gaps."""

    kind: str
    place: str  # a place id, or the name as written when ``unresolved``
    unresolved: bool
    controller: str | None
    opponent: str | None
    date: ReportedDate
    date_note: str
    dated: bool  # False: no date in the text, the article's date is used ("as of")
    sentence: Sentence
    trigger: str
    confidence: float
    notes: list[str] = field(default_factory=list)
    near_place: str = ""  # the last known place before, for "government forces" at unknown names

    @property
    def status(self) -> str:
        return STATUS[self.kind]


@dataclass
class Context:
    """What earlier sentences of the article leave for later ones (places, actors, dates)."""

    places: list[tuple[str, bool, str]] = field(default_factory=list)  # id/name, unresolved, raw
    actors: list[str] = field(default_factory=list)
    date: tuple[ReportedDate, str] | None = None


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


def parse_sentence(
    sentence: Sentence, lang: Language, *, places: NameIndex, actors: NameIndex
) -> Parsed:
    """Find clauses, places (with the unresolved names beside them), actors and dates."""
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


def _ends_with(tokens: tuple[Token, ...], end: int, patterns: tuple[Pattern, ...], lang) -> bool:
    for pattern in patterns:
        n = len(pattern)
        if end - n >= 0 and all(
            word_matches(tokens[end - n + k], pattern[k], lang) for k in range(n)
        ):
            return True
    return False


def _starts_with(tokens: tuple[Token, ...], start: int, patterns, lang) -> bool:
    for pattern in patterns:
        n = len(pattern)
        if start + n <= len(tokens) and all(
            word_matches(tokens[start + k], pattern[k], lang) for k in range(n)
        ):
            return True
    return False


def _is_the_place(tokens: tuple[Token, ...], m: Mention, lang: Language) -> bool:
    """False for a region of the same name ("Deir Ezzor province") or a place beside ("west of")."""
    if _ends_with(tokens, m.first, lang.words("region_before"), lang):
        return False
    if _starts_with(tokens, m.last, lang.words("region_after"), lang):
        return False
    return not _ends_with(tokens, m.first, lang.words("near_before"), lang)


def _known_word(token: Token, lang: Language) -> bool:
    if any(word_matches(token, p[0], lang) for p in lang.words("not_places") if len(p) == 1):
        return True
    return token.norm in lang.stopwords or any(
        word_matches(token, w, lang) for forms in lang.weekdays + lang.months for (w, *_) in forms
    )


def _split_unknown_runs(
    sentence: Sentence, found: list[Mention], taken: set[int], lang: Language
) -> tuple[list[Mention], list[tuple[int, int, str]]]:
    """In cased scripts, a known name inside a longer capitalised name is not that place.

    "Huvaijatas Baguz" is not Baguz: the whole run is reported as an unknown name.
    """
    if lang.script == "arabic":
        return found, []
    tokens = sentence.tokens
    keep, unknown = [], []
    for m in found:
        first, last = m.first, m.last
        while first > 1 and _unknown_capital(tokens, first - 1, taken, lang):
            first -= 1
        while last < len(tokens) and _unknown_capital(tokens, last, taken, lang):
            last += 1
        if (first, last) == (m.first, m.last):
            keep.append(m)
        else:
            unknown.append((first, last, _raw(sentence, first, last)))
    return keep, unknown


def _unknown_capital(tokens: tuple[Token, ...], i: int, taken: set[int], lang: Language) -> bool:
    t = tokens[i]
    return t.capitalised and i not in taken and not _known_word(t, lang) and len(t.norm) > 2


def _raw(sentence: Sentence, first: int, last: int) -> str:
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
    for i in range(len(tokens)):
        if not _starts_with(tokens, i, place_words, lang):
            continue
        if lang.script == "arabic":
            found += _arabic_list(sentence, i + 1, known, prefixes, lang)
            continue
        for j in (i + 1, i - 1):
            if 0 < j < len(tokens) and j not in known and _unknown_capital(tokens, j, known, lang):
                first = last = j
                while first > 1 and _unknown_capital(tokens, first - 1, known, lang):
                    first -= 1
                while last + 1 < len(tokens) and _unknown_capital(tokens, last + 1, known, lang):
                    last += 1
                found.append((first, last + 1, _raw(sentence, first, last + 1)))
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
            raw = _raw(sentence, i, end)
            found.append((i, end, raw[1:] if raw.startswith("و") else raw))
        i, first = end, False
    return found


def _clauses(sentence: Sentence, lang: Language) -> list[tuple[int, int]]:
    """Token ranges of the clauses: split at listed punctuation and conjunctions."""
    tokens = sentence.tokens
    marks = {p[0] for p in lang.words("clause_breaks") if len(p) == 1 and not p[0].isalnum()}
    words = tuple(p for p in lang.words("clause_breaks") if p[0].isalnum())
    breaks = [0]
    for i in range(1, len(tokens)):
        gap = sentence.text[tokens[i - 1].end - sentence.start : tokens[i].start - sentence.start]
        dash = any(d in gap for d in "-–—") and any(ch.isspace() for ch in gap)
        if dash or any(ch in marks for ch in gap) or _starts_with(tokens, i, words, lang):
            breaks.append(i)
    breaks.append(len(tokens))
    return [(a, b) for a, b in itertools.pairwise(breaks) if b > a]


def _triggers(parsed: Parsed) -> list[tuple[int, int, str, Pattern]]:
    hits = []
    for kind in KINDS:
        for first, last, pattern in find(
            parsed.sentence.tokens, parsed.lang.patterns[kind], parsed.lang
        ):
            hits.append((first, last, kind, pattern))
    tokens = parsed.sentence.tokens
    # Longest first; at equal length a word as written beats one with a prefix taken off
    # ("لتحرير", to liberate, is an attack, not "تحرير", liberation).
    hits.sort(key=lambda h: (-(h[1] - h[0]), h[0], tokens[h[0]].norm != h[3][0].rstrip("*")))
    chosen: list[tuple[int, int, str, Pattern]] = []
    used: set[int] = set()
    for hit in hits:
        span = set(range(hit[0], hit[1]))
        if not span & used:
            chosen.append(hit)
            used |= span
    return sorted(chosen)


def sentence_statements(
    parsed: Parsed, article_date: ReportedDate, context: Context
) -> list[Statement]:
    """The statements of one parsed sentence; ``context`` holds what earlier sentences said."""
    out: list[Statement] = []
    tokens, lang = parsed.sentence.tokens, parsed.lang
    for first, last, kind, _ in _triggers(parsed):
        clause = next(c for c in parsed.clauses if c[0] <= first < c[1])
        if _clause_has(parsed, clause, "skip_clause") or _ends_with(
            tokens, first, lang.words("cancel_before"), lang
        ):
            continue
        if STATUS[kind] != "controlled" and _ends_with(
            tokens, first, lang.words("over_before"), lang
        ):
            continue
        targets, carried = _targets(parsed, clause, first, last, kind, context)
        if not targets:
            continue
        roles = _roles(parsed, clause, first, last, kind, context)
        if roles is None:
            continue
        controller, opponent, actor_note = roles
        date, note, dated = _date_for(parsed, clause, first, article_date, carried, context)
        trigger = " ".join(t.raw for t in tokens[first:last])
        confidence = BASE_CONFIDENCE[kind] - (0.1 if carried else 0) - (0.05 if not dated else 0)
        notes = [f"{kind} ({trigger})", note]
        if actor_note:
            notes.append(actor_note)
            confidence -= 0.15
        if carried:
            notes.append("place from the previous words (it, the city)")
        for place, unresolved in targets:
            out.append(
                Statement(
                    kind,
                    place,
                    unresolved,
                    controller,
                    opponent,
                    date,
                    note,
                    dated,
                    parsed.sentence,
                    trigger,
                    round(max(confidence, 0.1), 2),
                    list(notes),
                    context.places[-1][0] if context.places else "",
                )
            )
    _remember(parsed, article_date, context)
    return out


def _clause_has(parsed: Parsed, clause: tuple[int, int], key: str) -> bool:
    tokens = parsed.sentence.tokens[clause[0] : clause[1]]
    return bool(find(tokens, parsed.lang.words(key), parsed.lang))


def _targets(
    parsed: Parsed, clause: tuple[int, int], first: int, last: int, kind: str, context: Context
) -> tuple[list[tuple[str, bool]], str]:
    """The places a trigger is about: in its clause, else carried from the words before."""
    after_only = parsed.lang.object_side == "after" and kind not in _ANY_SIDE
    lo = last if after_only else clause[0]
    found: list[tuple[int, str, bool]] = []
    for m in parsed.places:
        if lo <= m.first < clause[1] and len(m.ids) == 1:
            found.append((m.first, m.ids[0], False))
    for a, _, text in parsed.unresolved:
        if lo <= a < clause[1]:
            found.append((a, text, True))
    if not found and parsed.lang.script != "arabic":
        found = _capitalised_unknowns(parsed, lo, clause[1])
    if found:
        return [(p, u) for _, p, u in sorted(found)], ""
    return _carried(parsed, clause, first, kind, context)


def _capitalised_unknowns(parsed: Parsed, lo: int, hi: int) -> list[tuple[int, str, bool]]:
    """Capitalised words of a clause that name nothing known: place names the gazetteer lacks."""
    tokens, lang = parsed.sentence.tokens, parsed.lang
    taken = {i for m in parsed.actors + parsed.regions for i in range(m.first, m.last)}
    taken |= {i for d in parsed.dates for i in range(d.first, d.last)}
    found = []
    i = max(lo, 1)
    while i < hi:
        if _unknown_capital(tokens, i, taken, lang) and not tokens[i].raw.isupper():
            j = i
            while j + 1 < hi and _unknown_capital(tokens, j + 1, taken, lang):
                j += 1
            found.append((i, _raw(parsed.sentence, i, j + 1), True))
            i = j + 1
        else:
            i += 1
    return found


def _carried(
    parsed: Parsed, clause: tuple[int, int], first: int, kind: str, context: Context
) -> tuple[list[tuple[str, bool]], str]:
    apposition = kind == "last"
    anaphor = _clause_has(parsed, clause, "anaphors")
    if not (apposition or anaphor):
        return [], ""
    before = [m for m in parsed.places + parsed.regions if m.first < clause[0]]
    before.sort(key=lambda m: m.first)
    if before:
        last = before[-1]
        if last in parsed.regions or len(last.ids) != 1:
            return [], ""
        return [(last.ids[0], False)], "here"
    if anaphor and context.places:
        place, unresolved, _ = context.places[-1]
        return [(place, unresolved)], "before"
    return [], ""


def _is_loser(parsed: Parsed, m: Mention) -> bool:
    tokens, lang = parsed.sentence.tokens, parsed.lang
    end = m.first
    while end > 0 and tokens[end - 1].norm in lang.stopwords and end > m.first - 2:
        if _ends_with(tokens, end, lang.words("loser_before"), lang):
            return True
        end -= 1
    return _ends_with(tokens, end, lang.words("loser_before"), lang)


def _nearest(
    parsed: Parsed, mentions: list[Mention], first: int, last: int, *, side: str
) -> Mention | None:
    before = [m for m in mentions if m.last <= first]
    after = [m for m in mentions if m.first >= last]
    ordered = [before[::-1], after] if side == "before" else [after, before[::-1]]
    for group in ordered:
        if group:
            return group[0]
    return None


def _roles(
    parsed: Parsed, clause: tuple[int, int], first: int, last: int, kind: str, context: Context
) -> tuple[str | None, str | None, str] | None:
    """(controller, opponent, note) for a trigger; None when the statement names no side.

    A controller of None (contested statements) is filled in by the article pass.
    """
    in_clause = [m for m in parsed.actors if clause[0] <= m.first < clause[1]]
    winners = [m for m in in_clause if not _is_loser(parsed, m)]
    side = parsed.lang.subject_side
    if kind == "last":
        side = "after"
    subject = _nearest(parsed, winners, first, last, side=side)
    note = ""
    if subject is None and kind != "last":
        others = [m for m in parsed.actors if not _is_loser(parsed, m)]
        subject = others[0] if others else None
    subject_id = subject.ids[0] if subject else None
    if kind == "last":
        after = [m for m in in_clause if m.first >= last]
        return (after[0].ids[0] if after else None, None, "")
    if subject_id is None and context.actors and kind not in ("lose", "fight", "last"):
        subject_id, note = context.actors[-1], "actor from an earlier sentence"
    if kind == "lose":
        return _lose_roles(parsed, in_clause, first, last, context)
    if kind in ("capture", "fall", "hold", "last"):
        return (subject_id, None, note) if subject_id else None
    if kind == "fight":
        sides = sorted({m.ids[0] for m in parsed.actors})
        return (None, "|".join(sides), "") if sides else None
    if subject_id is None:
        return None
    defenders = [m.ids[0] for m in in_clause if m.ids[0] != subject_id]
    defenders += [
        m.ids[0] for m in parsed.actors if m.ids[0] != subject_id and _is_loser(parsed, m)
    ]
    return (defenders[0] if defenders else None, subject_id, note)


def _lose_roles(
    parsed: Parsed, in_clause: list[Mention], first: int, last: int, context: Context
) -> tuple[str, None, str] | None:
    """ "X lost P to Y": the loser is the subject (inside a pattern such as "انسحبت ~ من",
    or before the verb), the winner comes after it."""
    inside = [m.ids[0] for m in in_clause if first <= m.first and m.last <= last]
    before = [m.ids[0] for m in in_clause if m.last <= first]
    loser = (inside or before[-1:] or context.actors[-1:] or [None])[0]
    after = [m.ids[0] for m in in_clause if m.first >= last and m.ids[0] != loser]
    if not after:
        after = [m.ids[0] for m in parsed.actors if m.ids[0] != loser]
    return (after[0], None, "") if after else None


def _date_for(
    parsed: Parsed,
    clause: tuple[int, int],
    first: int,
    article_date: ReportedDate,
    carried: str,
    context: Context,
) -> tuple[ReportedDate, str, bool]:
    in_clause = [d for d in parsed.dates if clause[0] <= d.first < clause[1]]
    pool = in_clause or parsed.dates
    if pool:
        before = [d for d in pool if d.first < first]
        mention = before[-1] if before else pool[0]
        date, note = resolve(mention, article_date)
        return date, note, True
    if carried == "before" and context.date is not None:
        date, note = context.date
        return date, note + " (from the sentence before)", True
    return article_date, f"no date in the sentence: as of the article ({article_date})", False


def _remember(parsed: Parsed, article_date: ReportedDate, context: Context) -> None:
    for m in sorted(parsed.places + parsed.regions, key=lambda m: m.first):
        if len(m.ids) == 1:
            context.places.append((m.ids[0], False, m.text))
    for m in parsed.actors:
        if not _is_loser(parsed, m):
            context.actors.append(m.ids[0])
    context.date = resolve(parsed.dates[-1], article_date)[:2] if parsed.dates else None
