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

import re
from dataclasses import dataclass, field

from mapgen.dates import ReportedDate
from mapgen.extract.dates import resolve
from mapgen.extract.lang import KINDS, Pattern, find
from mapgen.extract.names import Mention
from mapgen.extract.parse import Parsed, capitalised_unknowns, ends_with, starts_with
from mapgen.extract.text import Sentence, norm_word

STATUS = {
    "partial": "contested",
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
    "partial": 0.75,
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
_NEAR_DAYS = ("weekday", "yesterday", "today")
_NEAR_TOKENS = 12  # "Штурм Ракки, где ..., начался 6 июня": the date of the clause's own verb
_DOING = ("capture", "fall", "attack", "enter", "siege", "partial")


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
    loser: str | None = None  # the side a change was taken from, when the sentence says

    @property
    def status(self) -> str:
        return STATUS[self.kind]


@dataclass
class Context:
    """What earlier sentences of the article leave for later ones (places, actors, dates)."""

    places: list[tuple[str, bool, str]] = field(default_factory=list)  # id/name, unresolved, raw
    actors: list[str] = field(default_factory=list)
    doers: list[str] = field(default_factory=list)  # sides named as taking or attacking
    date: tuple[ReportedDate, str] | None = None


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
    hits = _triggers(parsed)
    if find(tokens, lang.words("deny_sentence"), lang):
        hits = []  # "the SDF denied reports that it had taken X": nothing in it is a fact
    for first, last, kind, _ in hits:
        clause = next(c for c in parsed.clauses if c[0] <= first < c[1])
        if _clause_has(parsed, clause, "skip_clause") or ends_with(
            tokens, first, lang.words("cancel_before"), lang
        ):
            continue
        if STATUS[kind] != "controlled" and ends_with(
            tokens, first, lang.words("over_before"), lang
        ):
            continue
        if kind in ("capture", "fall") and _clause_has(parsed, clause, "partial"):
            kind = "partial"  # "retook half of X": X is contested, not taken
        roles = _roles(parsed, clause, first, last, kind, context, hits)
        if roles is not None and kind in _DOING and roles.note == "":
            doer = roles.controller if kind in ("capture", "fall") else roles.opponent
            if doer:
                context.doers.append(doer)
        targets, carried = _targets(parsed, clause, first, last, kind, context, hits)
        if not targets or roles is None:
            continue
        controller, opponent, actor_note = roles.controller, roles.opponent, roles.note
        date, note, dated = _date_for(parsed, clause, first, article_date, carried, context, hits)
        if not dated and _clause_has(parsed, clause, "history"):
            continue  # "which was once its capital": the past, with no date to put it at
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
                    roles.loser,
                )
            )
    _remember(parsed, article_date, context)
    return out


def _clause_has(parsed: Parsed, clause: tuple[int, int], key: str) -> bool:
    """Whether a phrase of the list ``key`` is in the clause (asked once per clause)."""
    asked = (*clause, key)
    if asked not in parsed.clause_lists:
        tokens = parsed.sentence.tokens[clause[0] : clause[1]]
        parsed.clause_lists[asked] = bool(find(tokens, parsed.lang.words(key), parsed.lang))
    return parsed.clause_lists[asked]


def _targets(
    parsed: Parsed,
    clause: tuple[int, int],
    first: int,
    last: int,
    kind: str,
    context: Context,
    hits: list,
) -> tuple[list[tuple[str, bool]], str]:
    """The places a trigger is about: in its clause, else carried from the words before."""
    after_only = parsed.lang.object_side == "after" and kind not in _ANY_SIDE
    lo = last if after_only else clause[0]
    found: list[tuple[int, str, bool]] = []
    for m in parsed.places:
        if lo <= m.first < clause[1] and len(m.ids) == 1:
            found.append((m.first, m.ids[0], False))
        elif lo <= m.first < clause[1]:  # a name of several places: listed for review
            found.append((m.first, f"{m.text} [{'|'.join(m.ids)}]", True))
    for a, _, text in parsed.unresolved:
        if lo <= a < clause[1]:
            found.append((a, text, True))
    if not found and parsed.lang.script != "arabic":
        # An unknown capitalised name is taken only as the verb's object, right beside it.
        near = (last, last + 4) if after_only else (first - 3, last + 6)
        found = capitalised_unknowns(parsed, max(lo, near[0]), min(clause[1], near[1]))
    if found:
        return [(p, u) for _, p, u in sorted(found)], ""
    free = parsed.lang.object_side == "any" and kind in ("capture", "fall", "lose", "partial")
    if free or _is_passive(parsed, first, last):
        # "Raqqa, ..., was liberated"; "die Hochburg des IS, die Stadt Deir el-Zor, zurückerobert":
        # the place stands before, in a clause of its own, with no other verb between.
        before = [m for m in parsed.places if m.last <= clause[0] and len(m.ids) == 1]
        if before and not _trigger_between(hits, before[-1].last, first):
            return [(before[-1].ids[0], False)], "here"
    return _carried(parsed, clause, first, kind, context)


def _trigger_between(hits: list, a: int, b: int) -> bool:
    """Whether another verb of change or attack stands between tokens ``a`` and ``b``."""
    return any(a <= hit[0] < b and hit[2] in (*_DOING, "lose") for hit in hits)


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
    """Whether a side is marked as the one that lost or was fought ("from the jihadists",
    "у ИГИЛ", "DEAŞ'tan"), or follows such a side closely ("від бойовиків угруповання
    Ісламська держава": the group the militants belong to)."""
    if _marked_loser(parsed, m):
        return True
    before = [o for o in parsed.actors if o.last <= m.first and m.first - o.last <= 3]
    return any(_marked_loser(parsed, o) for o in before)


def _is_possessor(parsed: Parsed, m: Mention, first: int) -> bool:
    """A side in the genitive ("DEAŞ'ın son kalesi", "ISIS's stronghold") owns what follows;
    it is not the doer, unless it stands right before the verb ("SDG'nin kontrolüne geçti")."""
    lang = parsed.lang
    ending = _ending(parsed.sentence.tokens[m.last - 1].raw)
    if ending and ending in lang.genitive_suffixes and m.last != first:
        return True
    return ends_with(parsed.sentence.tokens, m.first, lang.words("genitive_before"), lang)


def _marked_loser(parsed: Parsed, m: Mention) -> bool:
    tokens, lang = parsed.sentence.tokens, parsed.lang
    if ends_with(tokens, m.first, lang.words("not_loser_before"), lang):
        return False  # "وحدات من الجيش العراقي": units of the army, not from it
    if lang.loser_suffixes and _ending(tokens[m.last - 1].raw) in lang.loser_suffixes:
        return True  # Turkish "DEAŞ'tan": from ISIS
    end = m.first
    while end > 0 and tokens[end - 1].norm in lang.stopwords and end > m.first - 2:
        if ends_with(tokens, end, lang.words("loser_before"), lang):
            return True
        end -= 1
    return ends_with(tokens, end, lang.words("loser_before"), lang)


def _ending(raw: str) -> str:
    parts = re.split("['’‘ʼ`]", raw)
    return norm_word(parts[-1]) if len(parts) > 1 else ""


def _is_agent(parsed: Parsed, m: Mention) -> bool:
    """The side a passive names as the doer: "was captured by Iraqi troops", "par l'armée",
    "SDG tarafından"."""
    tokens, lang = parsed.sentence.tokens, parsed.lang
    if _is_loser(parsed, m):
        return False
    end = m.first
    while end > m.first - 3 and end > 0:
        if ends_with(tokens, end, lang.words("agent_before"), lang):
            return True
        if tokens[end - 1].norm not in lang.stopwords:
            break
        end -= 1
    return starts_with(tokens, m.last, lang.words("agent_after"), lang)


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


@dataclass(frozen=True)
class Roles:
    """Who a statement says holds the place, who contests it, and who lost it (if said)."""

    controller: str | None
    opponent: str | None
    note: str = ""
    loser: str | None = None


def _is_passive(parsed: Parsed, first: int, last: int) -> bool:
    """Whether the trigger is a passive ("was captured", "a été libérée", "освобожден",
    "kurtarıldı"): its subject is the place, so the side before it is not the doer."""
    tokens, lang = parsed.sentence.tokens, parsed.lang
    if starts_with(tokens, first, lang.words("passive"), lang):
        return True
    if ends_with(tokens, first, lang.words("passive_before"), lang):
        return True
    return starts_with(tokens, last, lang.words("passive_after"), lang)


def _roles(
    parsed: Parsed,
    clause: tuple[int, int],
    first: int,
    last: int,
    kind: str,
    context: Context,
    hits: list,
) -> Roles | None:
    """The sides of a trigger; None when the statement names no side it can be about.

    The doer of an active verb is the nearest side on the language's subject side that is
    not marked as the loser ("from the jihadists", "у ИГИЛ", "DEAŞ'tan"); of a passive, the
    agent ("by Iraqi troops", "par l'armée", "SDG tarafından") or a side named after it. A
    capture whose winner is not named but whose loser is keeps the loser, and the article
    pass names the winner. A controller of None (contests) is filled in by the article pass.
    """
    in_clause = [m for m in parsed.actors if clause[0] <= m.first < clause[1]]
    losers = [m.ids[0] for m in in_clause if _is_loser(parsed, m)]
    winners = [m for m in in_clause if not _is_loser(parsed, m)]
    if kind != "last":
        winners = [m for m in winners if not _is_possessor(parsed, m, first)]
    loser = losers[0] if losers else None
    if kind == "last":  # "the last town under its control", "DEAŞ'ın son kalesi"
        after = [m for m in in_clause if m.first >= last]
        owner = [m for m in in_clause if m.last <= first and first - m.last <= 1
                 and _is_possessor(parsed, m, -1)]  # fmt: skip
        found = (after or owner or [None])[0]
        return Roles(found.ids[0] if found else None, None)
    if kind == "lose":
        return _lose_roles(parsed, in_clause, first, last, context)
    if kind == "fight":
        sides = sorted({m.ids[0] for m in parsed.actors})
        return Roles(None, "|".join(sides)) if sides else None
    agents = [m for m in parsed.actors if m.first >= last and _is_agent(parsed, m)
              and not _trigger_between(hits, last, m.first)]  # fmt: skip
    agents += [m for m in winners if _is_agent(parsed, m) and m not in agents]
    doers = [m for m in parsed.actors if not _is_loser(parsed, m)]
    doers = [m for m in doers if not _is_possessor(parsed, m, first)]
    subject: Mention | None
    right_after = [m for m in winners if m.first >= last and m.first - last <= 4]
    if kind == "hold" and right_after:  # "in the hands of ISIS", "в руках ИГИЛ"
        subject = right_after[0]
    elif kind == "hold":  # "militants holding positions in X": the side just before it
        inside = [m for m in winners if first <= m.first and m.last <= last]  # "لا يزال داعش يسيطر"
        before = [m for m in doers if m.last <= first]
        subject = (inside or before[-1:] or [None])[0]
    elif agents:
        subject = agents[0]
    elif _is_passive(parsed, first, last):
        # The doer of a passive is named after it; a side before it is what the verb was done
        # to ("Террористы были окружены": the besieged; "ISIS's stronghold was taken": the loser)
        # (for a capture, a side named before it is mostly the one announcing it: "SDG ...
        # Baguz'un alındığını açıkladı")
        after = [m for m in doers if m.first >= last]
        before = [m for m in doers if m.last <= first] if kind in ("capture", "fall") else []
        subject = (after or before[-1:] or [None])[0]
    elif kind == "fall":  # "X fell to Y": the winner follows
        subject = _nearest(parsed, winners, first, last, side="after")
    elif parsed.lang.subject_first:  # German, Turkish: the subject opens the clause
        subject = next((m for m in winners if m.last <= first), None)
        after = [m for m in winners if m.first == last]  # "из которого ... выбила армия"
        before = [m for m in doers if m.last <= first]
        subject = subject or (after or before or [None])[0]
    elif parsed.lang.subject_side == "before":  # before the verb; after it only as a last resort
        subject = next((m for m in reversed(winners) if m.last <= first), None)
        if subject is None:
            before = [m for m in doers if m.last <= first]  # a subject left out: not the object
            # '"... restored security to Deir Ezzor", a spokesman for the army said': a quote
            # that opens with the verb names its speaker after it
            opens = all(t.norm in parsed.lang.stopwords for t in parsed.sentence.tokens[:first])
            first_news = not context.doers  # nothing said before: "..., the SDF said"
            after = [m for m in doers if m.first >= last] if opens or first_news else []
            subject = (before[-1:] or after[:1] or [None])[0]
    else:  # "after" (Arabic, Greek): after the verb, else before it; "either" the other way
        side = "before" if parsed.lang.subject_side == "either" else "after"
        subject = _nearest(parsed, winners, first, last, side=side)
        if subject is None and side == "after" and not context.doers:
            subject = doers[0] if doers else None
        elif subject is None and side == "before":
            before = [m for m in doers if m.last <= first]
            subject = before[-1] if before else None
    subject_id = subject.ids[0] if subject else None
    if subject_id == loser:
        subject_id = None
    note = ""
    if subject_id is None:  # who was said to take or attack before; else the last side named
        pool = context.doers if kind in _DOING else context.actors
        earlier = next((a for a in reversed(pool) if a != loser), None)
        if earlier:
            subject_id, note = earlier, "actor from an earlier sentence"
    if kind in ("capture", "fall", "hold"):
        if subject_id:
            return Roles(subject_id, None, note, loser)
        if loser and kind != "hold":  # "X was liberated from ISIS": the winner is found later
            return Roles(None, None, "winner not named in the sentence", loser)
        return None
    if subject_id is None:
        return None
    if kind == "partial":  # the holder stays; the side that took part of it contests it
        held = [x for x in losers + [m.ids[0] for m in parsed.actors if _is_loser(parsed, m)]
                if x != subject_id]  # fmt: skip
        return Roles(held[0] if held else None, subject_id, note)
    defenders = [m.ids[0] for m in in_clause if m.ids[0] != subject_id]
    defenders += [
        m.ids[0] for m in parsed.actors if m.ids[0] != subject_id and _is_loser(parsed, m)
    ]
    return Roles(defenders[0] if defenders else None, subject_id, note)


def _lose_roles(
    parsed: Parsed, in_clause: list[Mention], first: int, last: int, context: Context
) -> Roles | None:
    """ "X lost P to Y": the loser is the subject (inside a pattern such as "انسحبت ~ من",
    or before the verb), the winner comes after it; an unnamed winner is found later."""
    inside = [m.ids[0] for m in in_clause if first <= m.first and m.last <= last]
    before = [m.ids[0] for m in in_clause if m.last <= first]
    loser = (inside or before[-1:] or context.actors[-1:] or [None])[0]
    after = [m.ids[0] for m in in_clause if m.first >= last and m.ids[0] != loser]
    if not after:
        after = [m.ids[0] for m in parsed.actors if m.ids[0] != loser]
    if after:
        return Roles(after[0], None, "", loser)
    return Roles(None, None, "winner not named in the sentence", loser) if loser else None


def _clause_has_trigger(parsed: Parsed, hits: list, at: int, own: int) -> bool:
    """Whether the clause of token ``at`` has a verb of its own (other than the one at ``own``):
    then a date there is that verb's ("..., from which yesterday the army drove them")."""
    clause = next(c for c in parsed.clauses if c[0] <= at < c[1])
    return any(clause[0] <= h[0] < clause[1] and h[0] != own for h in hits)


def _distance(a: int, b: int, at: int) -> int:
    """Tokens between the span ``a``..``b`` and token ``at`` (0 when it covers it)."""
    return at - b + 1 if b <= at else a - at if a > at else 0


def _date_for(
    parsed: Parsed,
    clause: tuple[int, int],
    first: int,
    article_date: ReportedDate,
    carried: str,
    context: Context,
    hits: list,
) -> tuple[ReportedDate, str, bool]:
    in_clause = [d for d in parsed.dates if clause[0] <= d.first < clause[1]]
    # A date in another clause counts only before the trigger ("On Friday, ... captured");
    # one after it belongs to what follows ("..., begun in June 2014").
    pool = in_clause or [
        d for d in parsed.dates
        if d.last <= first
        or (
            (d.kind in _NEAR_DAYS or d.first - first <= _NEAR_TOKENS)
            and not _clause_has_trigger(parsed, hits, d.first, first)
        )
    ]  # fmt: skip
    if pool:  # the nearest date to the trigger; at equal distance the one before it
        mention = min(pool, key=lambda d: (_distance(d.first, d.last, first), d.first > first))
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
