"""Dates in a sentence ("on Friday", "in October", "about a week ago", "10 July 2017") and
their resolution against the article's date, keeping the precision that was reported.

Rules (never more precise than the text and the article date allow):

- a weekday is the most recent such day on or before the article date (the article's own day
  counts); with an article dated only to the month it is that month (``month``);
- "last month" is the month before the article's (``month``), also for an article dated to
  the month;
- "last week" is the Monday of the week before the article's, ``week`` precision; "about a
  week ago" is a 7-day window centred a week before the article date, ``week`` precision;
- a month name is that month (``month``) of the article's year, or of the year before if the
  month is later than the article's; with a day number it is that day; with a year, that year;
- a year alone is ``year`` precision; "last year" too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from mapgen.dates import ReportedDate
from mapgen.extract.lang import Language, calendar, find
from mapgen.extract.text import Token

_YEAR = re.compile(r"^(19[5-9]\d|20\d\d)$")
_DAY = re.compile(r"^([1-9]|[12]\d|3[01])$")


@dataclass(frozen=True)
class DateMention:
    """A date expression at tokens ``first``..``last`` (exclusive)."""

    first: int
    last: int
    kind: str  # weekday, month, year, yesterday, today, last_week, week_ago, last_year
    value: tuple[int, ...] = ()  # weekday index, or (month, day, year) with 0 = not given


def find_dates(tokens: tuple[Token, ...], lang: Language) -> list[DateMention]:
    """Every date expression in ``tokens``, in order, not overlapping."""
    found: list[DateMention] = []
    taken: set[int] = set()

    def add(mention: DateMention) -> None:
        span = set(range(mention.first, mention.last))
        if not span & taken:
            found.append(mention)
            taken.update(span)

    for kind in ("week_ago", "last_week", "last_month", "last_year", "yesterday", "today"):
        for first, last, _ in find(tokens, lang.words(kind), lang):
            add(DateMention(first, last, kind))
    weekdays, weekday_of = calendar(lang, "weekdays")
    for first, last, pattern in find(tokens, weekdays, lang):
        add(DateMention(first, last, "weekday", (weekday_of[pattern],)))
    ambiguous = {p[0] for p in lang.words("ambiguous_months")}
    markers = {p[0] for p in lang.words("month_markers")}
    months, month_of = calendar(lang, "months")
    hits = find(tokens, months, lang)
    for n, (first, last, pattern) in enumerate(hits):
        index = month_of[pattern]
        if n and hits[n - 1][1] == first and month_of[hits[n - 1][2]] == index:
            continue  # "سبتمبر/أيلول": the second name of the same month
        while any(h[0] == last and month_of[h[2]] == index for h in hits):
            last = next(h[1] for h in hits if h[0] == last)
        mention = _month_mention(tokens, first, last, index + 1)
        marked = first > 0 and tokens[first - 1].norm in markers
        if pattern[0] in ambiguous and mention.value[1:] == (0, 0) and not marked:
            continue
        add(mention)
    for i, token in enumerate(tokens):
        if _YEAR.match(token.raw) and i not in taken:
            add(DateMention(i, i + 1, "year", (0, 0, int(token.raw))))
    return sorted(found, key=lambda m: m.first)


def _month_mention(tokens: tuple[Token, ...], first: int, last: int, month: int) -> DateMention:
    day = year = 0
    if first > 0 and _DAY.match(tokens[first - 1].raw):
        day, first = int(tokens[first - 1].raw), first - 1
    elif last < len(tokens) and _DAY.match(tokens[last].raw):
        day, last = int(tokens[last].raw), last + 1
    # "سبتمبر/أيلول", "October/Tishreen": a second month word right after is the same month.
    probe = last
    while probe < len(tokens) and probe < last + 3 and not _YEAR.match(tokens[probe].raw):
        probe += 1
    if probe < len(tokens) and _YEAR.match(tokens[probe].raw) and probe - last <= 2:
        year, last = int(tokens[probe].raw), probe + 1
    return DateMention(first, last, "month", (month, day, year))


def resolve(mention: DateMention, article: ReportedDate) -> tuple[ReportedDate, str]:
    """The date a mention stands for, and a note saying how it was worked out."""
    day = article.start
    exact = article.precision == "day"
    if mention.kind in ("weekday", "yesterday", "today", "last_week", "week_ago") and not exact:
        note = f"{mention.kind.replace('_', ' ')} in an article dated {article}"
        return ReportedDate(day, article.precision), note + ": only the article's month is known"
    if mention.kind == "weekday":
        back = (day.weekday() - mention.value[0]) % 7
        when = day - pd.Timedelta(days=back)
        return ReportedDate(when, "day"), f"weekday: the last {when:%A} on or before {day:%Y-%m-%d}"
    if mention.kind == "yesterday":
        return ReportedDate(day - pd.Timedelta(days=1), "day"), "the day before the article"
    if mention.kind == "today":
        return ReportedDate(day, "day"), "the article's day"
    if mention.kind == "last_week":
        monday = day - pd.Timedelta(days=day.weekday() + 7)
        return ReportedDate(monday, "week"), "last week: the week before the article's"
    if mention.kind == "week_ago":
        return ReportedDate(day - pd.Timedelta(days=10), "week"), "about a week before the article"
    if mention.kind == "last_month":
        first = (day.replace(day=1) - pd.Timedelta(days=1)).replace(day=1)
        return ReportedDate(first, "month"), "last month: the month before the article's"
    if mention.kind == "last_year":
        return ReportedDate(pd.Timestamp(year=day.year - 1, month=1, day=1), "year"), "last year"
    month, mday, year = mention.value
    if mention.kind == "year":
        return ReportedDate(pd.Timestamp(year=year, month=1, day=1), "year"), "year named"
    note = "date named"
    if not year:
        year = day.year if month <= day.month else day.year - 1
        note = "month named; year from the article date"
    try:
        if mday:
            return ReportedDate(pd.Timestamp(year=year, month=month, day=mday), "day"), note
    except ValueError:
        pass
    return ReportedDate(pd.Timestamp(year=year, month=month, day=1), "month"), note
