"""Reading an article (plain text or HTML) and finding the date it was written.

The text "as read" is what every evidence offset points into: for plain text the file's text
itself, for HTML the visible text with one line per block element; in both, control and
text-direction characters removed (:func:`mapgen.fields.clean_text`).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path

import lxml.html
from lxml import etree

from mapgen._io import read_text
from mapgen.dates import ReportedDate, parse_date
from mapgen.errors import MapgenError
from mapgen.extract.dates import find_dates
from mapgen.extract.lang import detect_language, languages
from mapgen.extract.text import tokenize
from mapgen.fields import clean_text
from mapgen.problems import display_path

log = logging.getLogger(__name__)

MAX_BYTES = 4_000_000
_DATE_MARK = re.compile(r"\bdate[:\s]+(\d{4}-\d{2}(?:-\d{2})?)\b", re.IGNORECASE)
_ISO_LINE = re.compile(r"^\s*(\d{4}-\d{2}-\d{2})(?:[T ][\d:.+Z-]*)?\s*$")
_BLOCKS = {"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "article",
           "section", "header", "footer", "blockquote", "figcaption", "title", "time"}  # fmt: skip
_HIDDEN = {"script", "style", "noscript", "template", "svg", "head"}
_META_DATES = ("article:published_time", "datepublished", "date", "pubdate", "dc.date")


class ArticleError(MapgenError, ValueError):
    """An article that cannot be used: empty, binary, too large or without a date."""


class UnsupportedLanguageError(ArticleError):
    """An article in a language no word list covers."""


@dataclass(frozen=True)
class Article:
    """One article: where it came from, its text as read, its date and how that was found."""

    path: str
    name: str
    text: str
    date: ReportedDate
    date_source: str
    title: str
    language: str = "en"  # the code of the article's language (lang/<code>.toml)


def read_article(path: Path | str, *, date: ReportedDate | None = None) -> Article:
    """Read a text or HTML article and find its date (``date`` overrides the text's).

    Raises :class:`ArticleError` naming the file when it is empty, binary, too large, or has
    no date and none was given.
    """
    p = Path(path)
    shown = display_path(p)
    if p.is_file() and p.stat().st_size > MAX_BYTES:
        size = p.stat().st_size / 1e6
        raise ArticleError(
            f"{shown}: {size:.1f} MB is more than an article may have "
            f"({MAX_BYTES / 1e6:.0f} MB); split it into articles"
        )
    raw = read_text(p)
    if "\x00" in raw:
        raise ArticleError(f"{shown}: binary data (NUL bytes), not a text or HTML article")
    meta_date = None
    if _looks_like_html(raw, p):
        raw, meta_date = html_to_text(raw)
    raw, removed = clean_text(raw)  # evidence quoted from it cannot reorder a reviewer's view
    if removed:
        log.warning("%s: removed %s from the text", shown, removed)
    if not raw.strip():
        raise ArticleError(f"{shown}: the article is empty")
    detected = detect_language(raw)
    if detected.code is None:
        known = ", ".join(lang.name for lang in languages().values())
        raise UnsupportedLanguageError(
            f"{shown}: written in {detected.name}, which no word list covers; "
            f"mapgen extract reads {known} (see docs/extract.md to add a language)"
        )
    found = date or meta_date or find_dateline(raw, detected.code)
    if found is None:
        raise ArticleError(
            f"{shown}: no article date found (no dateline such as 'Saturday, 4 November 2017', "
            "'14 октября 2017' or 'date 2017-11' at the top); give one with --date YYYY-MM-DD"
        )
    source = "--date" if date else ("HTML metadata" if meta_date else "dateline")
    return Article(str(p), p.name, raw, found, source, _title(raw), detected.code)


def _title(text: str) -> str:
    for line in text.splitlines():
        line = _DATE_MARK.sub("", line).strip()
        if len(tokenize(line)) >= 3 and _line_date(line) is None:
            return line if len(line) <= 90 else line[:89].rstrip() + "…"
    return ""


def _looks_like_html(text: str, path: Path) -> bool:
    if path.suffix.lower() in (".html", ".htm", ".xhtml"):
        return True
    head = text[:2000].lstrip().lower()
    return head.startswith(("<!doctype html", "<html")) or "<body" in head


def find_dateline(text: str, code: str = "en") -> ReportedDate | None:
    """The date of a dateline at the top of ``text``: 'date 2017-11', a line that is a date,
    or a day, month and year near the start of one of the first lines ("بغداد 11 نوفمبر 2017
    (وال)-", "П'ятниця, 10 листопада 2017"), in the article's language ``code`` or English.

    Only the first five lines are read, and only their first 80 characters: a date further
    down is what the article talks about, not when it was written.
    """
    m = _DATE_MARK.search(text[:300])
    if m:
        return parse_date(m.group(1))
    for line in [ln for ln in text[:5000].splitlines() if ln.strip()][:5]:
        found = _line_date(line) or _dateparser_date(line[:80], code)
        if found is not None:
            return found
    return None


def _line_date(line: str) -> ReportedDate | None:
    """A line that is a date: ISO, or a day, month and year in any language's month names."""
    m = _ISO_LINE.match(line)
    if m:
        return parse_date(m.group(1))
    tokens = tokenize(line)
    if not tokens or len(tokens) > 8:
        return None
    for lang in languages().values():
        for mention in find_dates(tokens, lang):
            month, day, year = (*mention.value, 0, 0, 0)[:3]
            if mention.kind == "month" and day and year:
                try:
                    return parse_date(f"{year:04d}-{month:02d}-{day:02d}")
                except ValueError:
                    return None
    return None


_SPANS = (
    re.compile(r"(?<!\d)(\d{1,2})\.?\s+([^\W\d_]{3,}\.?),?\s+((?:19|20)\d\d)(?!\d)"),
    re.compile(r"([^\W\d_]{3,}\.?)\s+(\d{1,2}),?\s+((?:19|20)\d\d)(?!\d)"),
)


def _dateparser_date(head: str, code: str) -> ReportedDate | None:
    """A day, month name and year in ``head`` read by dateparser in the article's language.

    The spans are found first (a number, a word, a year), so dateparser reads only a few
    words, with its strict settings: all of day, month and year, nothing guessed.
    """
    import dateparser

    settings = {"STRICT_PARSING": True, "REQUIRE_PARTS": ["day", "month", "year"]}
    codes = list(dict.fromkeys([code, "en"]))
    for pattern in _SPANS:
        for m in pattern.finditer(head):
            try:
                when = dateparser.parse(m.group(0), languages=codes, settings=settings)
            except (ValueError, OverflowError):
                when = None
            if when is not None:
                return parse_date(f"{when:%Y-%m-%d}")
    return None


def _meta_date(root) -> str | None:
    """The published date of a page: ``<meta property=article:published_time>`` and kin, else
    the first ``<time datetime>``."""
    for meta in root.iter("meta"):
        key = meta.get("property") or meta.get("name") or meta.get("itemprop") or ""
        if key.lower() in _META_DATES and meta.get("content"):
            return meta.get("content")
    for time in root.iter("time"):
        if time.get("datetime"):
            return time.get("datetime")
    return None


def _visible_text(root) -> str:
    """The text of every element outside scripts, styles and the head, a line break around
    each block element. One pass over the tree (``iterwalk``), so linear in the page's size."""
    parts: list[str] = []
    hidden = 0
    for event, el in etree.iterwalk(root, events=("start", "end")):
        tag = el.tag if isinstance(el.tag, str) else ""  # comments and PIs have no name
        if event == "start":
            if tag in _HIDDEN:
                hidden += 1
            if tag in _BLOCKS:
                parts.append("\n")
            if not hidden and tag and el.text:
                parts.append(el.text)
        else:
            if tag in _HIDDEN:
                hidden -= 1
            if tag in _BLOCKS:
                parts.append("\n")
            if not hidden and el.tail and el is not root:
                parts.append(el.tail)
    return "".join(parts)


def html_to_text(html: str) -> tuple[str, ReportedDate | None]:
    """The visible text of an HTML page (one line per block) and its published date, if any.

    Parsed with lxml (libxml2's HTML parser): it recovers from broken markup in linear time,
    where the standard library's parser rescans unclosed tags (``<a<a<a…``) quadratically.
    """
    parser = lxml.html.HTMLParser(encoding="utf-8", remove_comments=True)
    try:
        root = lxml.html.document_fromstring(html.encode("utf-8"), parser=parser)
    except (etree.ParserError, ValueError):  # nothing but markup, or no element at all
        return "\n", None
    text = _visible_text(root)
    lines = [re.sub(r"[ \t\r\f\v]+", " ", ln).strip() for ln in text.split("\n")]
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip() + "\n"
    date = None
    published = _meta_date(root)
    if published:
        m = re.match(r"\s*(\d{4}-\d{2}-\d{2})", published)
        if m:
            try:
                date = parse_date(m.group(1))
            except ValueError:
                date = None
    return text, date
