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
    return [t for t in map(_term, _TOKEN.findall(text)) if t is not None]


@lru_cache(maxsize=65536)
def _term(word: str) -> str | None:
    """The index term of one lower-case word, or None for a stop word (cached: words repeat)."""
    folded = strip_accents(word)
    if folded in stopwords() or (len(folded) == 1 and not folded.isdigit()):
        return None
    if word[0].isdigit():
        return word.replace(",", ".")
    if folded in ("euro", "euros"):
        return "euro"
    return derived(strip_accents(_stemmer().stemWord(word)))


# Snowball leaves a noun of agent, act or result apart from its verb: "signé" → "sign"
# but "signature" → "signatur", "signataire" → "signatair"; "porteur", "pilotage",
# "ouverture". Their suffix is cut when a root of 4 letters or more is left.
_DERIVATIONS = ("atair", "atur", "ag", "ur")


def derived(stem: str) -> str:
    for suffix in _DERIVATIONS:
        if stem.endswith(suffix) and len(stem) - len(suffix) >= 4:
            return stem[: -len(suffix)]
    return stem
