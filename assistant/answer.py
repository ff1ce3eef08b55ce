"""Extractive answers: pick the sentences that answer, cite them, or abstain. Pure.

Every answer sentence is copied verbatim from the passage it cites, so an answer can
be pasted into a report and checked against the quoted source.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from assistant.query import QueryAnalysis
from assistant.types import Citation, Passage
from indexer.cleaning import fold
from indexer.lexical import analyze

ABSTAIN_TEXT = "Les documents ne le précisent pas."
_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+(?=[A-ZÀ-ÖØ-Ý0-9«\"(\-•])|\n+")
_GENERIC = frozenset(
    analyze(
        "fiche action document documents cls ptsm bilan feuille route quel quelle quels "
        "quelles combien organisme structure qui porte porteur pilote nombre montant date "
        "calvados normandie territoire dans le la les pour prévu prévue prévues"
    )
)
_AMOUNT = re.compile(r"\d[\d .\u202f]*(?:[.,]\d+)?\s*(?:k?€|euros?|M€)|€\s*\d", re.I)
_NUMBER = re.compile(r"\d")
_DATE = re.compile(
    r"\b(?:19|20)\d{2}\b|\b\d{1,2}(?:er)? (?:janvier|février|mars|avril|mai|juin|juillet|août|"
    r"septembre|octobre|novembre|décembre)\b|\b(?:janvier|février|mars|avril|mai|juin|juillet|"
    r"août|septembre|octobre|novembre|décembre|rentrée|printemps|automne|été|hiver)\b",
    re.I,
)
_BODY = re.compile(
    r"\b(?:association|centre|ch|chu|ars|ligue|communauté|agglomération|caln|epsm|dac|réseau|"
    r"caf|cpam|conseil|département|ville|université|maison|service|équipe|ehpad|groupe|"
    r"croix|cidff|union|fédération|mutualité|collectif|pôle|clinique|hôpital|direction|rtps)\b",
    re.I,
)


@dataclass(frozen=True)
class Composition:
    text: str
    citations: tuple[Citation, ...]
    abstained: bool


def split_sentences(text: str) -> list[str]:
    """Sentences (or list lines) of a passage, each an exact substring of it."""
    return [s.strip() for s in _SENTENCE_END.split(text) if s and len(s.strip()) > 2]


def content_terms(question: str) -> set[str]:
    return {t for t in analyze(question) if t not in _GENERIC}


def has_evidence(sentence: str, kind: str, field: str | None = None) -> bool:
    """Does the sentence hold an answer of the kind asked?"""
    if kind == "amount":
        return bool(_AMOUNT.search(sentence))
    if kind == "count":
        return bool(_NUMBER.search(sentence))
    if kind == "date":
        return bool(_DATE.search(sentence))
    if kind == "who":
        return (
            field in ("porteur", "partenaires")
            or bool(_BODY.search(sentence))
            or bool(re.search(r"(?<!^)(?<![.!?] )\b[A-Z]{2,}\b|\b[A-Z][a-zé]+ [A-Z]", sentence))
        )
    return True


# Capitalised words that name the corpus itself rather than a specific entity.
_COMMON_NAMES = frozenset(
    fold(w)
    for w in "ARS Normandie Calvados CLS PTSM CTS PRS Le La Les Quel Quelle Quels Quelles Qui "
    "Combien Comment Quand Pour Dans Selon Que Qu Est Où Sur Depuis Avec En Au Aux À De Du Des "
    "FIR Agence Santé".split()
)
_NAME = re.compile(r"(?<!^)(?<![.?!] )\b([A-ZÀ-Ý][\wÀ-ÿ'-]{2,}|[A-Z]{2,}\d*)")


def missing_names(question: str, passage: Passage, others: Sequence[Passage] = ()) -> list[str]:
    """Names in the question absent from the answering passage (or, for acronyms, from
    all the top passages).

    An answer about "le GEM de Fécamp" does not answer a question about Bolbec.
    """
    words = set(re.findall(r"\w+", fold(f"{passage.document} {passage.locator} {passage.text}")))
    wide = set(words)
    for other in others:
        wide |= set(re.findall(r"\w+", fold(f"{other.locator} {other.text}")))
    missing = []
    for name in _NAME.findall(question.strip()):
        folded = fold(name).strip("'-")
        if folded in _COMMON_NAMES or len(folded) < 3:
            continue
        pool = wide if name.isupper() else words
        stem = folded[:5]
        if not any(w.startswith(stem) for w in pool):
            missing.append(name)
    return missing


def weighted_coverage(
    terms: set[str], text: str, idf: Mapping[str, float], unknown: float
) -> float:
    """Share of the question's information (IDF-weighted terms) found in `text`.

    A term the corpus never uses ("hélicoptères") weighs the most: a question that
    hinges on it is not answered by passages that merely share its common words.
    """
    if not terms:
        return 1.0
    present = set(analyze(text))
    total = sum(idf.get(t, unknown) for t in terms)
    found = sum(idf.get(t, unknown) for t in terms if t in present)
    return found / total if total else 1.0


def _overlap(terms: set[str], text: str) -> float:
    if not terms:
        return 0.0
    return len(terms & set(analyze(text))) / len(terms)


def compose(
    question: str,
    analysis: QueryAnalysis,
    passages: Sequence[Passage],
    fields: dict[str, str | None],
    max_sentences: int = 3,
    min_coverage: float = 0.3,
    idf: Mapping[str, float] | None = None,
) -> Composition:
    """Answer from the best passages, or abstain when none supports an answer of the kind asked.

    Args:
        fields: passage id -> its table field (e.g. "porteur"), for kind matching.
    """
    terms = content_terms(question)
    top = passages[:5]
    if not top:
        return Composition(ABSTAIN_TEXT, (), True)
    context = " ".join(f"{p.locator} {p.text}" for p in top[:3])
    if idf:
        # The corpus never uses a salient word of the question ("hélicoptères"): the
        # documents cannot answer a question that hinges on it.
        if any(len(t) >= 9 and not t.isdigit() and t not in idf for t in terms):
            return Composition(ABSTAIN_TEXT, (), True)
        coverage = weighted_coverage(terms, context, idf, max(idf.values()))
    else:
        coverage = _overlap(terms, context) if terms else 1.0
    if terms and coverage < min_coverage:
        return Composition(ABSTAIN_TEXT, (), True)

    candidates: list[tuple[float, int, str]] = []
    for rank, passage in enumerate(top):
        field = fields.get(passage.id)
        locator_terms = _overlap(terms, passage.locator) if terms else 0.0
        for sentence in split_sentences(passage.text):
            if not has_evidence(sentence, analysis.kind, field):
                continue
            score = (
                1.0 * _overlap(terms, sentence)
                + 0.4 * locator_terms
                + 0.6 * max(passage.score, 0.0)
                - 0.05 * rank
            )
            if analysis.kind == "who" and field == "porteur":
                score += 0.5
            candidates.append((score, rank, sentence))
    if not candidates:
        return Composition(ABSTAIN_TEXT, (), True)
    candidates.sort(key=lambda c: -c[0])
    best = candidates[0][0]
    if missing_names(question, top[candidates[0][1]], top):
        return Composition(ABSTAIN_TEXT, (), True)
    chosen: list[tuple[int, str]] = []
    limit = max_sentences if analysis.kind in ("list", "other", "definition") else 2
    for score, rank, sentence in candidates:
        if chosen and (len(chosen) >= limit or score < best - 0.2 * abs(best)):
            break
        if any(sentence == s for _, s in chosen):
            continue
        chosen.append((rank, sentence))
    # Keep document order within a passage so the answer reads naturally.
    numbers: dict[int, int] = {}
    citations: list[Citation] = []
    parts = []
    for rank, sentence in chosen:
        if rank not in numbers:
            numbers[rank] = len(numbers) + 1
            p = top[rank]
            citations.append(
                Citation(numbers[rank], p.id, p.document, p.document_id, p.locator, p.page, p.text)
            )
        parts.append(f"{sentence} [{numbers[rank]}]")
    return Composition(" ".join(parts), tuple(citations), False)
