"""The sentence checker of the generative mode. Pure.

A generated sentence is shown only when it cites passages that were given to the model
and what it says is in them: every number, date and proper name must appear in the cited
passage (its text, document title or locator), and most of its content words too. This
is what keeps a prompt injection, in the question or in a passage, from putting uncited
or unsupported text in an answer: the model's output is never trusted, only checked.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from assistant.answer import ABSTAIN_TEXT
from indexer.cleaning import fold
from indexer.lexical import analyze, stopwords

MIN_SUPPORT = 0.6
_MARKERS = re.compile(r"\s*\[(\d+(?:\s*[,;]\s*\d+)*)\]")
_LEADING_MARKERS = re.compile(r"^(?:\[\d+(?:\s*[,;]\s*\d+)*\]\s*)+")
_BOUNDARY = re.compile(r"(?<=[.!?…])\s+|\n+")
_ABBREVIATION = re.compile(r"\b(?:p|pp|M|Mme|MM|cf|art|n°|vol|env)\.$")
_WORD = re.compile(r"[^\W\d_]+")
# Words a faithful paraphrase adds around the facts: not evidence of anything.
_FRAME = frozenset(
    analyze(
        "selon d'après document documents passage passages indique indiquent précise précisent "
        "mentionne mentionnent prévoit prévoient cite fiche action également notamment ainsi"
    )
)
_FIRST_WORDS = frozenset({"selon", "oui", "non", "ainsi", "chaque", "apres", "concernant"})
REFUSAL = fold(ABSTAIN_TEXT).rstrip(" .")


@dataclass(frozen=True)
class Verdict:
    """One generated sentence: the passages it cites, and why it is refused (None: kept)."""

    sentence: str
    cited: tuple[int, ...]
    reason: str | None

    @property
    def supported(self) -> bool:
        return self.reason is None


def split_generated(text: str) -> list[str]:
    """Sentences of a generated answer; markers written after the full stop stay attached."""
    parts = [p.strip() for p in _BOUNDARY.split(text) if p and p.strip()]
    merged: list[str] = []
    for part in parts:
        lead = _LEADING_MARKERS.match(part)
        if merged and lead:  # "… Caen. [1] Le CRT …": the [1] belongs to the sentence before
            merged[-1] = f"{merged[-1]} {lead.group().strip()}"
            part = part[lead.end() :].strip()
            if not part.strip(".!?… "):
                continue
        if merged and _ABBREVIATION.search(merged[-1]):
            merged[-1] = f"{merged[-1]} {part}"
        else:
            merged.append(part)
    return merged


def cited_numbers(sentence: str) -> tuple[int, ...]:
    """Passage numbers cited by the sentence, in order, without repeats."""
    seen: dict[int, None] = {}
    for group in _MARKERS.findall(sentence):
        for n in re.split(r"\s*[,;]\s*", group):
            seen.setdefault(int(n), None)
    return tuple(seen)


def strip_markers(sentence: str) -> str:
    """The sentence without its [n] markers (and no space left before its punctuation)."""
    return re.sub(r"\s+([.!?…,;:])", r"\1", _MARKERS.sub("", sentence)).strip()


def is_refusal(sentence: str) -> bool:
    return fold(strip_markers(sentence)).rstrip(" .") == REFUSAL


def numbers(text: str) -> set[str]:
    """Numbers as BM25 reads them: thousands joined (400 000 → 400000), decimal points."""
    return {token for token in analyze(text) if token[0].isdigit()}


def proper_names(sentence: str) -> list[str]:
    """Capitalised words and acronyms; the first word only when it is not a common one."""
    words = _WORD.findall(sentence)
    names = []
    common = stopwords() | _FIRST_WORDS
    for i, word in enumerate(words):
        if len(word) < 2 or not word[0].isupper():
            continue
        if i == 0 and fold(word) in common:
            continue
        names.append(word)
    return names


def check_sentence(
    sentence: str, sources: Mapping[int, str], min_support: float = MIN_SUPPORT
) -> Verdict:
    """Keep or refuse one generated sentence against the passages it cites.

    Args:
        sources: passage number → what a reader sees of it (document, locator, text).
    """
    cited = cited_numbers(sentence)
    body = strip_markers(sentence)

    def refuse(reason: str) -> Verdict:
        return Verdict(sentence, cited, reason)

    if not cited:
        return refuse("la phrase ne cite aucun passage")
    unknown = [n for n in cited if n not in sources]
    if unknown:
        listed = ", ".join(f"[{n}]" for n in unknown)
        return refuse(f"elle cite {listed}, qui ne correspond à aucun passage fourni")
    support = "\n".join(sources[n] for n in cited)
    missing = sorted(numbers(body) - numbers(support))
    if missing:
        return refuse(f"le nombre « {missing[0]} » ne figure pas dans le passage cité")
    support_words = set(_WORD.findall(fold(support)))
    for name in proper_names(body):
        if not set(_WORD.findall(fold(name))) <= support_words:
            return refuse(f"le nom « {name} » ne figure pas dans le passage cité")
    terms = [t for t in analyze(body) if t not in _FRAME]
    if terms:
        present = set(analyze(support))
        share = sum(1 for t in terms if t in present) / len(terms)
        if share < min_support:
            return refuse(
                f"seuls {round(share * 100)} % de ses mots figurent dans le passage cité "
                f"(minimum {round(min_support * 100)} %)"
            )
    return Verdict(sentence, cited, None)


def check_answer(
    text: str, sources: Mapping[int, str], min_support: float = MIN_SUPPORT
) -> list[Verdict]:
    """A verdict for every sentence of a generated answer, in order."""
    return [check_sentence(s, sources, min_support) for s in split_generated(text)]


def renumber(verdicts: Iterable[Verdict]) -> tuple[list[str], list[int]]:
    """Kept sentences rewritten `sentence [1] [2]` with citations numbered by first use.

    Returns:
        The rewritten sentences, and the original passage number behind each new number.
    """
    order: list[int] = []
    sentences = []
    for verdict in verdicts:
        for n in verdict.cited:
            if n not in order:
                order.append(n)
        markers = " ".join(f"[{order.index(n) + 1}]" for n in verdict.cited)
        sentences.append(f"{strip_markers(verdict.sentence)} {markers}")
    return sentences, order
