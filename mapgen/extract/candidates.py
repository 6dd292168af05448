"""From statements to candidate events: fill gaps per article, merge, write, append.

Candidate rows have the events table's columns (``mapgen.events``) plus ``confidence``,
``evidence`` (the sentence, verbatim), ``evidence_start``/``evidence_end`` (character offsets
into the article text as read) and ``article``.
"""

from __future__ import annotations

import bisect
import contextlib
import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from mapgen._io import csv_text, decode_text, parse_csv, read_bytes, write_bytes_atomic
from mapgen.dates import ReportedDate, format_date, parse_date
from mapgen.errors import MapgenError
from mapgen.events import FILE_COLUMNS
from mapgen.extract.reader import Article
from mapgen.extract.statements import Statement
from mapgen.problems import Problems, display_path

EVENT_FIELDS = FILE_COLUMNS
CANDIDATE_FIELDS = [*EVENT_FIELDS, "confidence", "evidence", "evidence_start", "evidence_end"]
CANDIDATE_FIELDS += ["article"]
UNRESOLVED_FIELDS = ["name", "article", "date", "date_precision", "controller", "status"]
UNRESOLVED_FIELDS += ["opponent", "evidence", "evidence_start", "evidence_end"]


_STATUS_CODE = {"controlled": "ctl", "contested": "con", "besieged": "sie"}


class MergeError(MapgenError, ValueError):
    """The events file to merge into cannot take the candidates."""


@dataclass
class Candidate:
    """A candidate event with every article that supports it."""

    place: str
    controller: str
    status: str
    opponent: str
    date: ReportedDate
    confidence: float
    statements: list[tuple[Article, Statement]] = field(default_factory=list)

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.place, self.controller, self.status)


def _overlap(a: ReportedDate, b: ReportedDate) -> bool:
    return a.start < b.end and b.start < a.end


def _narrower(a: ReportedDate, b: ReportedDate) -> ReportedDate:
    return min(a, b, key=lambda d: (d.end - d.start, d.start))


_CHANGES = ("capture", "fall", "lose")
_RECENT = pd.Timedelta(days=7)


@dataclass
class _PlaceFacts:
    """What an article says of one place, summed up once, so that filling each contest's
    holder is a lookup (linear in the article, not quadratic in its statements)."""

    state: str | None = None  # the first side said to hold it ("still holds", "last")
    taken_by: str | None = None  # a side that took it, at the earliest-ending date
    taken_end: pd.Timestamp | None = None
    losers: list[str] = field(default_factory=list)  # sides it was taken from, first two

    def add(self, s: Statement) -> None:
        if s.status == "controlled" and s.controller and s.kind not in _CHANGES:
            self.state = self.state or s.controller
        earlier = self.taken_end is None or s.date.end < self.taken_end
        if s.kind in _CHANGES and s.controller and s.dated and earlier:
            self.taken_by, self.taken_end = s.controller, s.date.end
        if s.kind in _CHANGES and s.loser and s.loser not in self.losers and len(self.losers) < 2:
            self.losers.append(s.loser)


def _holder(facts: _PlaceFacts, contest: Statement) -> str | None:
    """Who held a place when it was contested, from the article's other statements about it:
    a side said to hold it; a side that took it before the contest; the side that lost it in
    a change told for the contest's time or later (the contest came first)."""
    if facts.state:
        return facts.state
    if contest.dated and facts.taken_end is not None and facts.taken_end <= contest.date.start:
        return facts.taken_by
    return next((x for x in facts.losers if x != contest.opponent), None)


def resolve_article(article: Article, found: list[Statement], actors: Counter) -> list[Statement]:
    """Fill the holder of contested places and the unnamed winner of changes from what the
    article says elsewhere; drop what stays unknown.

    The holder of a place under attack is the side the article says held it (see
    :func:`_holder`); else the other side named in the sentence; else the side the article
    names most (noted, lower confidence). A change whose sentence names only the loser ("X
    was liberated from ISIS") goes to the side the article names most besides the loser.
    """
    by_place: dict[str, _PlaceFacts] = {}
    for s in found:
        by_place.setdefault(s.place, _PlaceFacts()).add(s)
    kept: list[Statement] = []
    for s in found:
        if s.kind == "fight":
            sides = (s.opponent or "").split("|")
            holder = _holder(by_place[s.place], s)
            attackers = [x for x in sides if x != holder]
            if holder is None or not attackers:
                continue
            s.controller, s.opponent = holder, attackers[0]
        elif s.kind == "last" and s.controller is None:
            if not actors:
                continue
            s.controller = actors.most_common(1)[0][0]
            s.confidence = round(s.confidence - 0.1, 2)
            s.notes.append("'its last ...': the side the article names most")
        elif s.controller is None and s.status == "controlled":
            loser = s.loser or by_place[s.place].state
            s.loser = loser
            others = [a for a, _ in actors.most_common() if a != loser]
            if not others:
                continue
            s.controller = others[0]
            s.confidence = round(s.confidence - 0.15, 2)
            s.notes.append(f"winner assumed: the side the article names most besides {s.loser}")
        elif s.controller is None:
            s.controller = _holder(by_place[s.place], s)
            if s.controller is None or s.controller == s.opponent:
                others = [a for a, _ in actors.most_common() if a != s.opponent]
                if not others and s.unresolved:
                    s.controller = ""  # listed for review with the holder unknown
                    s.notes.append("holder unknown")
                    kept.append(s)
                    continue
                if not others:
                    continue
                s.controller = others[0]
                s.confidence = round(s.confidence - 0.15, 2)
                s.notes.append("holder assumed: the side the article names most")
        if s.controller and s.controller != s.opponent:
            kept.append(s)
    return _consolidate(kept)


def _consolidate(found: list[Statement]) -> list[Statement]:
    """Within one article: a place contested by its holder is not also 'controlled' at that
    time; a place said to change hands is not also held by another side then (its "last
    stronghold" is the state before); a statement without a date of its own joins a dated
    one of the same place, side and status.

    Linear in the number of statements (up to a log factor): each (place, side) group keeps
    the dated spans of its contests merged and sorted, and a capture's date is looked up there.
    """
    unique: dict[tuple, Statement] = {}
    for s in found:  # one sentence naming a place twice is one statement
        key = (s.place, s.controller, s.status, s.opponent, s.date, s.sentence.index)
        unique.setdefault(key, s)
    contests: dict[tuple, _Spans] = {}
    changes: dict[str, _Spans] = {}  # place → when a change of hands is told
    changed_to: dict[str, set[str]] = {}
    dated_status: dict[tuple, _Spans] = {}
    for s in unique.values():
        group = (s.place, s.controller)
        if s.status != "controlled":
            contests.setdefault(group, _Spans()).add(s.date)
        if s.kind in _CHANGES:
            changes.setdefault(s.place, _Spans()).add(s.date)
            changed_to.setdefault(s.place, set()).add(s.controller or "")
        if s.dated:
            dated_status.setdefault((*group, s.status), _Spans()).add(s.date)
    for spans in [*contests.values(), *changes.values(), *dated_status.values()]:
        spans.close()
    out: list[Statement] = []
    for s in unique.values():
        group = (s.place, s.controller)
        if s.status == "controlled":
            spans = contests.get(group)
            # "Daesh still holds Hajin, where fighting went on on Thursday": an undated hold
            # gives way to a contest of the days before it
            when = s.date if s.dated else ReportedDate(s.date.start - _RECENT, "week")
            if spans and (spans.overlaps(s.date) or spans.overlaps(when)):
                continue
        if s.kind in ("hold", "last") and s.controller not in changed_to.get(s.place, ()):
            spans = changes.get(s.place)
            if spans and (not s.dated or spans.overlaps(s.date)):
                continue  # "Al-Qaim, its last stronghold, was captured": the state before
        # An undated restatement of a capture joins the dated one; an undated contest joins
        # only a dated one of its own days (an attack a week before is another fact).
        same = dated_status.get((*group, s.status))
        if not s.dated and same and (s.status == "controlled" or same.overlaps(s.date)):
            continue
        out.append(s)
    return out


class _Spans:
    """Date ranges, merged once into sorted disjoint spans, asked for overlaps by bisection."""

    def __init__(self) -> None:
        self._ranges: list[tuple[pd.Timestamp, pd.Timestamp]] = []
        self._starts: list[pd.Timestamp] = []

    def add(self, date: ReportedDate) -> None:
        self._ranges.append((date.start, date.end))

    def close(self) -> None:
        merged: list[tuple[pd.Timestamp, pd.Timestamp]] = []
        for start, end in sorted(self._ranges):
            if merged and start < merged[-1][1]:
                merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
            else:
                merged.append((start, end))
        self._ranges = merged
        self._starts = [start for start, _ in merged]

    def overlaps(self, date: ReportedDate) -> bool:
        i = bisect.bisect_left(self._starts, date.end)  # spans that start before it ends
        return i > 0 and self._ranges[i - 1][1] > date.start


def merge_candidates(items: list[tuple[Article, Statement]]) -> list[Candidate]:
    """One candidate per place, controller, status and compatible date, with all its sources."""
    merged: list[Candidate] = []
    by_key: dict[tuple[str, str, str], list[Candidate]] = {}
    for article, s in items:
        same = by_key.setdefault((s.place, s.controller or "", s.status), [])
        for c in same:
            if _overlap(c.date, s.date):
                c.date = _narrower(c.date, s.date)
                c.confidence = max(c.confidence, s.confidence)
                c.opponent = c.opponent or (s.opponent or "")
                c.statements.append((article, s))
                break
        else:
            c = Candidate(s.place, s.controller or "", s.status, s.opponent or "", s.date,
                          s.confidence, [(article, s)])  # fmt: skip
            merged.append(c)
            same.append(c)
    merged.sort(key=lambda c: (c.date.start, c.place, c.controller, c.status))
    return merged


def _source(article: Article) -> str:
    title = f"'{article.title}', " if article.title else ""
    return f"{title}{article.date} [{article.name}]"


def candidate_rows(candidates: list[Candidate]) -> list[dict[str, str]]:
    """The rows of the candidates CSV (see :data:`CANDIDATE_FIELDS`)."""
    rows = []
    seen: Counter = Counter()
    for c in candidates:
        _, best = max(c.statements, key=lambda pair: pair[1].confidence)
        base = f"X{c.date.start:%Y%m%d}-{c.place}-{_STATUS_CODE[c.status]}"
        seen[base] += 1
        sources = list(dict.fromkeys(_source(a) for a, _ in c.statements))
        notes = list(dict.fromkeys(n for _, s in c.statements for n in s.notes))
        rows.append(
            {
                "event_id": base if seen[base] == 1 else f"{base}-{seen[base]}",
                "date": format_date(c.date.start, c.date.precision).lstrip("≈"),
                "date_precision": c.date.precision,
                "place": c.place,
                "controller": c.controller,
                "status": c.status,
                "opponent": c.opponent,
                "source": "; ".join(sources),
                "source_url": "",
                "notes": "extracted: " + "; ".join(notes),
                "confidence": f"{c.confidence:.2f}",
                "evidence": best.sentence.text,
                "evidence_start": str(best.sentence.start),
                "evidence_end": str(best.sentence.end),
                "article": ";".join(dict.fromkeys(a.name for a, _ in c.statements)),
            }
        )
    return rows


def unresolved_rows(items: list[tuple[Article, Statement]]) -> list[dict[str, str]]:
    """Statements about names the gazetteer does not know, for review."""
    rows = []
    seen = set()
    for article, s in items:
        key = (s.place, article.name, s.controller, s.status, s.opponent, str(s.date))
        if key in seen:
            continue
        seen.add(key)
        rows.append(
            {
                "name": s.place,
                "article": article.name,
                "date": format_date(s.date.start, s.date.precision).lstrip("≈"),
                "date_precision": s.date.precision,
                "controller": s.controller or "",
                "status": s.status,
                "opponent": s.opponent or "",
                "evidence": s.sentence.text,
                "evidence_start": str(s.sentence.start),
                "evidence_end": str(s.sentence.end),
            }
        )
    return rows


@dataclass(frozen=True)
class Merged:
    """What a merge did: the rows appended, and each row not added with the reason."""

    added: list[dict[str, str]]
    present: list[str]  # "already there" reasons, one per row not added


def merge_into(
    path: Path | str, rows: list[dict[str, str]], *, resolve_place=None
) -> tuple[int, int]:
    """Append candidate rows to an events CSV in place; returns (added, already there).

    See :func:`merge_rows`, which also says which rows were there already.
    """
    merged = merge_rows(path, rows, resolve_place=resolve_place)
    return len(merged.added), len(merged.present)


def merge_rows(path: Path | str, rows: list[dict[str, str]], *, resolve_place=None) -> Merged:
    """Append candidate rows to the events CSV the user named, in place.

    Existing rows are kept byte for byte; a candidate that repeats an existing row's date,
    place, controller and status is not added, and clashing event ids get a suffix. The
    file named is appended to where it is: a symbolic link is followed, hard links, owner
    and mode are kept (a new file is created if there is none). If writing fails the file
    is cut back to its old length.
    """
    target = Path(os.path.realpath(path))
    shown = display_path(path)
    data = read_bytes(target) if target.exists() else b""
    original = decode_text(data, path) if data else ""
    table = parse_csv(original, shown, Problems()) if original.strip() else None
    if table is not None and not table.complete:
        raise MergeError(f"{shown}: cannot be read to the end; run mapgen validate on it first")
    header = table.header if table is not None else EVENT_FIELDS
    missing = [f for f in ("date", "place", "controller", "source") if f not in header]
    if missing:
        raise MergeError(
            f"{shown}: line 1: the header lacks {', '.join(missing)}; "
            f"an events table needs {', '.join(EVENT_FIELDS)}"
        )
    # A day, month or year precision is in the date's own form; only "week" needs the column.
    lost = sorted(
        {
            f
            for r in rows
            for f in EVENT_FIELDS
            if r.get(f) and f not in header and not (f == "date_precision" and r[f] != "week")
        }
    )
    if lost:
        raise MergeError(
            f"{shown}: line 1: the header has no column {', '.join(lost)}, which the candidates "
            "need; add the column(s) to the header first"
        )
    resolve_place = resolve_place or (lambda text: text)
    existing = table.rows if table is not None else []
    have = {_row_key(r.values, resolve_place): r.line for r in existing}
    ids = {r.values.get("event_id", "") for r in existing}
    added: list[dict[str, str]] = []
    present: list[str] = []
    for number, row in enumerate(rows, start=1):
        key = _row_key(row, lambda text: text)
        if key in have:
            line = have[key]
            where = f"line {line} of {shown}" if line else "an earlier candidate"
            present.append(f"candidate {number} ({', '.join(key)}): already there ({where})")
            continue
        have[key] = 0
        event_id, n = row.get("event_id", ""), 1
        while event_id and event_id in ids:
            n += 1
            event_id = f"{row['event_id']}-{n}"
        ids.add(event_id)
        added.append({**row, "event_id": event_id})
    if added:
        body = csv_text([{h: r.get(h, "") for h in header} for r in added], header)
        body = body.split("\n", 1)[1]
        if not original.strip():
            body = csv_text([], header) + body
        elif not original.endswith("\n"):
            body = ("\r\n" if b"\r\n" in data else "\n") + body
        if b"\r\n" in data:
            body = body.replace("\n", "\r\n")
        append_in_place(target, len(data), body.encode("utf-8"), shown=shown)
    return Merged(added, present)


def append_in_place(path: Path, expected_size: int, tail: bytes, *, shown: str) -> None:
    """Append ``tail`` to the file at ``path`` (already resolved) whose size was
    ``expected_size`` when read; a new file if there was none.

    Writes into the same inode (links, owner and mode stay); on failure the file is cut
    back to ``expected_size``. MergeError if the file changed since it was read.
    """
    if not path.exists():
        write_bytes_atomic(path, tail)
        return
    with open(path, "r+b") as f:
        if os.fstat(f.fileno()).st_size != expected_size:
            raise MergeError(f"{shown}: the file changed while merging; run the merge again")
        f.seek(expected_size)
        try:
            f.write(tail)
            f.flush()
            os.fsync(f.fileno())
        except BaseException:
            f.truncate(expected_size)
            raise


def _row_key(row: dict[str, str], resolve_place) -> tuple[str, ...]:
    date = row.get("date", "")
    with contextlib.suppress(ValueError):
        date = str(parse_date(date, row.get("date_precision", "")).start.date())
    status = row.get("status") or "controlled"
    return (date, resolve_place(row.get("place", "")), row.get("controller", ""), status)


def frame(rows: list[dict[str, str]], fields: list[str]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=fields)
