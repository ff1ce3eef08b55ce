"""French analysis for BM25: accent folding, French stop words, Snowball stemming.

`analyze` is pure; the bm25s index itself is built and saved by the store.
"""

from __future__ import annotations

import re
from functools import lru_cache

from indexer.cleaning import strip_accents

_THOUSANDS = re.compile(r"(?<=\d)[ .\u202f\u00a0](?=\d{3}\b)")
_TOKEN = re.compile(r"\d+(?:[.,]\d+)*|[^\W\d_]+")


@lru_cache(maxsize=1)
def _stemmer():  # type: ignore[no-untyped-def]
    import Stemmer

    return Stemmer.Stemmer("french")


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    from bm25s.stopwords import STOPWORDS_FRENCH

    extra = {"quel", "quelle", "quels", "quelles", "combien", "qui", "quoi", "est", "sont"}
    return frozenset(strip_accents(w) for w in (*STOPWORDS_FRENCH, *extra))


def analyze(text: str) -> list[str]:
    """Tokens for BM25: lower-case, numbers joined (400 000 → 400000), stemmed, folded."""
    text = _THOUSANDS.sub("", text.lower().replace("’", "'").replace("€", " euro "))
    words = _TOKEN.findall(text)
    stop = stopwords()
    stemmer = _stemmer()
    tokens = []
    for word in words:
        folded = strip_accents(word)
        if folded in stop or (len(folded) == 1 and not folded.isdigit()):
            continue
        if word[0].isdigit():
            tokens.append(word.replace(",", "."))
            continue
        if folded in ("euro", "euros"):
            tokens.append("euro")
            continue
        tokens.append(strip_accents(stemmer.stemWord(word)))
    return tokens
