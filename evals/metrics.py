"""Scoring functions of the benchmark. Pure; each metric is defined in the report."""

from __future__ import annotations

import re
from collections.abc import Sequence
from statistics import median

from indexer.cleaning import clean_passage, fold

_WORD = re.compile(r"\w+")


def holds(passage_text: str, quote: str, facts: Sequence[Sequence[str]] = ()) -> bool:
    """Does a passage hold a gold evidence quote (exactly, or 80% of its words)?

    With the item's `facts`, a passage that is a part of the quote and holds one of the
    facts holds it too: a quote copied across a table row ("ONDAM PDS : 250.000 € File
    active …") spans passages that the index keeps apart, one cell each.
    """
    q = fold(clean_passage(quote))
    p = fold(passage_text)
    if q in p:
        return True
    words = set(_WORD.findall(q))
    if bool(words) and len(words & set(_WORD.findall(p))) / len(words) >= 0.8 and len(words) >= 5:
        return True
    part = " ".join(p.split())
    return (
        len(part) >= 10
        and part in " ".join(q.split())
        and any(fact_present(passage_text, fact) for fact in facts)
    )


def first_hit_rank(
    passages: Sequence[str], quotes: Sequence[str], facts: Sequence[Sequence[str]] = ()
) -> int | None:
    for rank, text in enumerate(passages, start=1):
        if any(holds(text, q, facts) for q in quotes):
            return rank
    return None


def fact_present(answer: str, spellings: Sequence[str]) -> bool:
    folded = fold(answer)
    return any(fold(s) in folded for s in spellings)


def correct(answer: str, facts: Sequence[Sequence[str]]) -> bool:
    return all(fact_present(answer, f) for f in facts)


def answer_sentences(answer: str) -> list[tuple[str, list[int]]]:
    """(sentence, cited numbers) pairs of an answer written `sentence [1] sentence [2]`."""
    out = []
    for match in re.finditer(r"(.+?)((?: ?\[\d+\])+)(?= |$)", answer):
        numbers = [int(n) for n in re.findall(r"\[(\d+)\]", match.group(2))]
        out.append((match.group(1).strip(), numbers))
    return out


def faithful_share(answer: str, cited: dict[int, str]) -> float | None:
    """Share of answer sentences found verbatim in one of the passages they cite."""
    sentences = answer_sentences(answer)
    if not sentences:
        return None
    ok = sum(1 for s, ns in sentences if any(s in cited.get(n, "") for n in ns))
    return ok / len(sentences)


def percentile(values: Sequence[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def mean(values: Sequence[float]) -> float:
    return sum(values) / len(values) if values else 0.0


__all__ = ["holds", "first_hit_rank", "correct", "faithful_share", "percentile", "mean", "median"]
