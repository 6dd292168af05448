"""Tokens, sentences and clauses with character offsets, and the normalised forms they match on.

Every token keeps its offsets into the article text as read, so evidence can be quoted
verbatim. Normalisation reuses :func:`mapgen.names.normalize` (case, diacritics, Arabic letter
variants, Greek tonos and final sigma); inflected endings and attached Arabic prepositions are
handled by :func:`variants`, from the language's data.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from mapgen.names import normalize

_MARKS = "\u0300-\u036f\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640"
_TOKEN = re.compile(rf"(?:[^\W_]|[{_MARKS}])+(?:['’‘ʼ`](?:[^\W_]|[{_MARKS}])+)*")
MAX_WORDS = 300  # a "sentence" longer than this (text without punctuation) is cut in pieces
_SENTENCE_END = re.compile(r"(?<=[.!?؟…])[\"”»’)]*\s+|\n\s*")


@dataclass(frozen=True)
class Token:
    """A word of the text: offsets into the article, the raw text and its normalised form."""

    start: int
    end: int
    raw: str
    norm: str

    @property
    def capitalised(self) -> bool:
        return self.raw[:1].isupper()


@dataclass(frozen=True)
class Sentence:
    """A sentence with its offsets and tokens; ``index`` counts sentences in the article."""

    index: int
    start: int
    end: int
    text: str
    tokens: tuple[Token, ...]


@functools.lru_cache(maxsize=200_000)
def norm_word(word: str) -> str:
    """The comparison form of one word (see :func:`mapgen.names.normalize`)."""
    return normalize(word).replace(" ", "")


def tokenize(text: str, offset: int = 0) -> tuple[Token, ...]:
    """The words of ``text``; offsets are shifted by ``offset``."""
    return tuple(
        Token(m.start() + offset, m.end() + offset, m.group(), norm_word(m.group()))
        for m in _TOKEN.finditer(text)
    )


def split_sentences(text: str) -> list[Sentence]:
    """Sentences at . ! ? ؟ … followed by space, and at line breaks; empty ones are dropped."""
    sentences: list[Sentence] = []
    start = 0
    for m in [*_SENTENCE_END.finditer(text), None]:
        end = m.start() if m else len(text)
        chunk = text[start:end]
        stripped = chunk.strip()
        if stripped:
            lead = start + chunk.index(stripped[0])
            tokens = tokenize(stripped, lead)
            if 0 < len(tokens) <= MAX_WORDS:
                end = lead + len(stripped)
                sentences.append(Sentence(len(sentences), lead, end, stripped, tokens))
            elif tokens:
                for a, b in _pieces(tokens):
                    piece = text[a.start : b.end]
                    sentences.append(
                        Sentence(len(sentences), a.start, b.end, piece, tokenize(piece, a.start))
                    )
        if m:
            start = m.end()
    return sentences


def _pieces(tokens: tuple[Token, ...]) -> list[tuple[Token, Token]]:
    """(first, last) tokens of a sentence, or of ``MAX_WORDS`` pieces of a run-on one."""
    return [
        (tokens[i], tokens[min(i + MAX_WORDS, len(tokens)) - 1])
        for i in range(0, len(tokens), MAX_WORDS)
    ]


def stem(word: str, suffixes: tuple[str, ...]) -> str:
    """``word`` without its longest listed ending, keeping at least three letters."""
    for suffix in suffixes:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def variants(word: str, prefixes: tuple[str, ...]) -> list[str]:
    """``word`` and the forms without an attached prefix (Arabic و ب ل ف، "بال" → "ال")."""
    found = [word]
    for prefix in prefixes:
        if word.startswith(prefix) and len(word) - len(prefix) >= 2:
            rest = word[len(prefix) :]
            if prefix.endswith("ال") or prefix == "لل":
                rest = "ال" + rest
            found.append(rest)
    return found
