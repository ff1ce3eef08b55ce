"""Hybrid retrieval: BM25 (French analysis) and dense (FAISS over e5), fused.

The fusion is a weighted sum of per-query normalised scores rather than equal-weight
reciprocal rank fusion: on this corpus of acronyms, names and amounts the dense model
alone is weak, and equal weights hurt (see README, "Retrieval"). Structure named in the
question (fiche 2.3, priorité 4, axe 5, a document) and the kind of answer asked
(a porteur field for "qui") add small boosts. All scoring functions are pure.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache

import numpy as np

from assistant.answer import content_terms
from assistant.evidence import (
    acronyms_of,
    announced_count,
    dates_the_event,
    defined_subject,
    has_evidence,
    spelled_span,
    spells_out,
    states_count,
    term_pattern,
)
from assistant.query import QueryAnalysis, without_document_names
from assistant.types import Passage
from indexer.cleaning import fold
from indexer.embeddings import Embedder
from indexer.lexical import analyze
from indexer.store import LoadedIndex
from indexer.types import Chunk


@dataclass(frozen=True)
class Weights:
    bm25: float = 0.5
    dense: float = 0.5
    structure: float = 0.35
    document: float = 0.1
    field: float = 0.15
    named_field: float = 0.35  # the asked field of the fiche or objective the question names
    evidence: float = 0.1  # a passage holding the asked kind of value (amount, date, count)
    evidence_pool: int = 60  # how many of the best passages are read for that value
    value_cell: float = 0.9  # a short value passage right after a matching one: its share
    value_cell_chars: int = 160  # how short a value passage must be (a table cell)
    value_cell_kinds: tuple[str, ...] = ("amount",)


def normalise(scores: np.ndarray) -> np.ndarray:
    """Scale to [0, 1] by the maximum (0 stays 0); an all-zero vector stays zero."""
    top = float(scores.max()) if scores.size else 0.0
    return scores / top if top > 0 else np.zeros_like(scores)


def normalise_dense(scores: np.ndarray) -> np.ndarray:
    """Cosines to [0, 1] relative to the spread of this query's scores."""
    if not scores.size:
        return scores
    lo, hi = float(np.percentile(scores, 50)), float(scores.max())
    if hi <= lo:
        return np.zeros_like(scores)
    return np.clip((scores - lo) / (hi - lo), 0.0, 1.0)


def fuse(bm25: np.ndarray, dense: np.ndarray, weights: Weights) -> np.ndarray:
    return weights.bm25 * normalise(bm25) + weights.dense * normalise_dense(dense)


@dataclass(frozen=True)
class ChunkColumns:
    """The chunk attributes `structure_boost` reads, as arrays computed once per index
    (a Python loop over 1,500 chunks on every question costs most of a millisecond)."""

    ids: tuple[str, ...]
    documents: np.ndarray
    fields: np.ndarray
    signatures: np.ndarray

    @staticmethod
    def of(chunks: Sequence[Chunk]) -> ChunkColumns:
        return ChunkColumns(
            ids=tuple(c.id + "/" for c in chunks),
            documents=np.array([c.document_id for c in chunks], dtype=object),
            fields=np.array([c.field or "" for c in chunks], dtype=object),
            signatures=np.array([c.section.endswith("/signatures") for c in chunks], dtype=bool),
        )


def structure_boost(
    chunks: Sequence[Chunk],
    analysis: QueryAnalysis,
    weights: Weights,
    columns: ChunkColumns | None = None,
) -> np.ndarray:
    """Boosts for the units the question names and the fields its kind prefers."""
    columns = columns or ChunkColumns.of(chunks)
    boost = np.zeros(len(columns.ids), dtype=np.float32)
    patterns: list[str] = []
    if analysis.fiche:
        patterns.append(f"/fa-{re.escape(analysis.fiche)}/")
    if analysis.priority and analysis.objective:
        patterns.append(f"^[^/]+/p{analysis.priority}/o{analysis.objective}/")
    elif analysis.priority:
        # A priority is a document's top-level unit ("ptsm…/p2/", "feuille…/ap-2/"),
        # not the second paragraph of any section ("bilan…/sas/p2").
        patterns.append(f"^[^/]+/p{analysis.priority}/|^[^/]+/ap-{analysis.priority}/")
    if analysis.axis and not analysis.fiche:
        patterns.append(f"/fa-{analysis.axis}\\.\\d/|/synthese/fa-{analysis.axis}")
    in_named = np.zeros(len(columns.ids), dtype=bool)
    if patterns:
        named = re.compile("|".join(f"(?:{p})" for p in patterns))
        in_named = np.array([bool(named.search(cid)) for cid in columns.ids], dtype=bool)
        boost[in_named] += weights.structure
    if analysis.documents:
        boost[np.isin(columns.documents, list(analysis.documents))] += weights.document
    if analysis.signing:
        # "Quand le CLS a-t-il été signé ?": its place and date open the signature
        # block, whose words ("A Cambremer, le 10 juillet 2025") are not the question's.
        boost[columns.signatures] += weights.structure
    if analysis.fields:
        # "qui porte la fiche 2.3": that fiche's porteur field, not its title.
        preferred = np.isin(columns.fields, [f for f in analysis.fields if f])
        named_unit = bool(analysis.fiche or (analysis.priority and analysis.objective))
        boost[preferred & in_named] += weights.named_field if named_unit else weights.field
        boost[preferred & ~in_named] += weights.field
    return boost


def spelled_out(expansion: str, question: str, question_folded: str | None = None) -> bool:
    """Does the question spell out a glossary expansion, word for word or stem for stem
    ("centre ressources territorial" for "Centre de Ressources Territorial")?"""
    if fold(expansion) in (question_folded or fold(question)):
        return True
    return spelled_span(expansion, question, min_terms=3) is not None


def expand_query(question: str, glossary: Sequence[dict]) -> tuple[str, list[tuple[str, str]]]:
    """The question plus glossary expansions of its acronyms (and acronyms of expansions)."""
    question_folded = fold(question)
    extra: list[str] = []
    found: list[tuple[str, str]] = []
    for entry in glossary:
        term = entry["term"]
        expansions = entry["expansions"]
        if term_pattern(term).search(question):
            if expansions:
                extra.append(expansions[0])
                found.append((term, expansions[0]))
        elif any(len(e) > 12 and spelled_out(e, question, question_folded) for e in expansions):
            extra.append(term)
            found.append((term, expansions[0]))
    expanded = question if not extra else f"{question} ({'; '.join(extra)})"
    return expanded, found


def evidence_first(
    passages: Sequence[Passage], cited: Sequence[Passage], k: int = 10, lead: int = 3
) -> tuple[Passage, ...]:
    """The answer's first `lead` passages first, in citation order, then the rest as
    retrieved.

    The answer stage reads the best passages for the kind of value asked (the porteur
    field, the sentence with the amount, the date) and is a sharper ranker than the
    fused score: the passage it quotes leads the list, so the passages shown under an
    answer start with its evidence. A cited passage from beyond the retrieved list
    (a list's continuation, a unit named by the answer) enters it. Ranks are
    renumbered; scores stay the fused retrieval scores. A list answer cites one passage
    per item: only its first `lead` lead (an extractive answer quotes one to three
    sentences), the retrieval order is kept for the rest (all 694 questions: R@5 0.939
    with 3, 0.935 with every citation).
    """
    seen: set[str] = set()
    ordered = []
    for p in [*cited[:lead], *passages]:
        if p.id not in seen:
            seen.add(p.id)
            ordered.append(p)
    return tuple(replace(p, rank=rank) for rank, p in enumerate(ordered[:k], start=1))


class HybridRetriever:
    """Scores every chunk of a loaded index for a question."""

    def __init__(self, index: LoadedIndex, embedder: Embedder, weights: Weights) -> None:
        self.index = index
        self.embedder = embedder
        self.weights = weights
        self.chunks = index.chunks
        self.columns = ChunkColumns.of(index.chunks)
        # Each question is expanded twice (its embedding, then its scores): remember
        # the last few, the glossary scan costs about half a millisecond.
        self.expand = lru_cache(maxsize=64)(self._expand)

    def _expand(self, question: str) -> tuple[str, tuple[tuple[str, str], ...]]:
        expanded, found = expand_query(question, self.index.glossary)
        return expanded, tuple(found)

    def bm25_scores(self, text: str) -> np.ndarray:
        tokens = [t for t in analyze(text) if t in self.index.bm25.vocab_dict]
        if not tokens:
            return np.zeros(len(self.chunks), dtype=np.float32)
        return np.asarray(self.index.bm25.get_scores(tokens), dtype=np.float32)

    def query_vectors(self, questions: Sequence[str]) -> list[np.ndarray | None]:
        """The dense query vectors of several questions, embedded in one batch.

        The parts of a two-part question are retrieved separately; one batch of three
        short texts costs about 27 ms against 47 ms for three calls. Without a dense
        weight nothing is embedded.
        """
        if self.weights.dense <= 0:
            return [None] * len(questions)
        texts = [self.expand(q)[0] for q in questions]
        return list(self.embedder.embed_queries(texts))

    def dense_scores(self, text: str, vector: np.ndarray | None = None) -> np.ndarray:
        if vector is None:
            vector = self.embedder.embed_query(text)
        vector = vector.reshape(1, -1).astype(np.float32)
        n = len(self.chunks)
        scores, ids = self.index.dense.search(vector, n)
        out = np.zeros(n, dtype=np.float32)
        valid = ids[0] >= 0
        out[ids[0][valid]] = scores[0][valid]
        return out

    def scores(
        self,
        question: str,
        analysis: QueryAnalysis,
        mask: np.ndarray | None = None,
        vector: np.ndarray | None = None,
    ) -> tuple[np.ndarray, list[tuple[str, str]]]:
        """Fused scores of every chunk; `vector` is the question's embedding when known."""
        expanded, found = self.expand(question)
        # The words that name a document are served by the document boost; as BM25
        # terms they only favour tiny passages ("Calvados", "CLS : Contrat Local…").
        # An acronym's expansion feeds the dense side only: its common words ("santé",
        # "projet") dilute BM25, while an acronym added for its expansion is specific.
        topical = without_document_names(question) if analysis.documents else question
        acronyms = [term for term, _ in found if term not in question]
        bm25 = self.bm25_scores(" ".join([topical, *acronyms]))
        dense = (
            self.dense_scores(expanded, vector) if self.weights.dense > 0 else np.zeros_like(bm25)
        )
        fused = fuse(bm25, dense, self.weights) + structure_boost(
            self.chunks, analysis, self.weights, self.columns
        )
        if mask is not None:
            fused = np.where(mask, fused, -np.inf)
        fused += evidence_boost(self.chunks, fused, question, analysis, self.weights)
        fused += value_cell_boost(self.chunks, fused, question, analysis, self.weights)
        return fused, list(found)


def evidence_boost(
    chunks: Sequence[Chunk],
    scores: np.ndarray,
    question: str,
    analysis: QueryAnalysis,
    weights: Weights,
) -> np.ndarray:
    """A small boost for the best passages that hold the kind of evidence asked.

    "À quelle date le PRS a-t-il été publié ?" prefers "publié le 31 octobre 2023" to
    passages that only repeat "PRS 2023-2028". Only the top of the ranking is read.
    """
    boost = np.zeros(len(chunks), dtype=np.float32)
    holds = _asked_evidence(question, analysis)
    if holds is None or weights.evidence <= 0:
        return boost
    pool = np.argsort(-scores, kind="stable")[: weights.evidence_pool]
    for i in pool:
        if np.isfinite(scores[i]):
            boost[i] = weights.evidence * holds(chunks[i].text)
    return boost


def _asked_evidence(question: str, analysis: QueryAnalysis) -> Callable[[str], int] | None:
    """How strongly a passage's text holds the evidence the question asks (0, 1 or 2),
    or None when its kind has no such test."""
    if analysis.kind in ("amount", "date", "count"):

        def value(text: str) -> int:
            if not has_evidence(text, analysis.kind, None, question):
                return 0
            # "publié le 31 octobre 2023" for "quand … a-t-il été publié ?"
            return 2 if analysis.kind == "date" and dates_the_event(text, question) else 1

        return value
    announced = announced_count(question) if analysis.kind == "list" else None
    if announced is not None:
        # "c'est quoi les 3 actions proposées aux familles ?": the passage that announces
        # three actions ("3 actions sont donc proposées : …").
        return lambda text: int(states_count(text, announced))
    if analysis.kind == "definition":
        # "c'est quoi l'UAPED ?": the passage that spells the acronym out ("L'Unité
        # d'accueil pédiatrique … (UAPED) permet de …"), over the passages of its section
        # that only carry it in their heading; "que sont les directives anticipées ?":
        # the passage whose subject is the term, then the verb that says what it is.
        # "que veut dire SDRE dans le PTSM ?": the PTSM names the document, SDRE is asked.
        topical = set(re.findall(r"\w+", without_document_names(question)))
        acronyms = [a for a in acronyms_of(question) if fold(a) in topical]
        asked = content_terms(question)
        return lambda text: int(
            spells_out(text, acronyms) or len(asked & content_terms(defined_subject(text))) >= 2
        )
    return None


def value_cell_boost(
    chunks: Sequence[Chunk],
    scores: np.ndarray,
    question: str,
    analysis: QueryAnalysis,
    weights: Weights,
) -> np.ndarray:
    """Lifts a short passage holding the asked value up to just below the passage before it.

    The roadmap's tables are read cell by cell: the action ("Création d'une nouvelle
    antenne CSAPA …"), then its funding cell ("ONDAM PDS : 250.000 €"), then its
    indicator. The funding cell holds none of the question's words, so it ranks far below
    the action it funds; it now follows it.
    """
    boost = np.zeros(len(chunks), dtype=np.float32)
    if analysis.kind not in weights.value_cell_kinds or weights.value_cell <= 0:
        return boost
    pool = np.argsort(-scores, kind="stable")[: weights.evidence_pool]
    for j in pool:
        i = j + 1
        if not np.isfinite(scores[j]) or i >= len(chunks) or not np.isfinite(scores[i]):
            continue
        cell = chunks[i]
        if (
            cell.section == chunks[j].section
            and cell.document_id == chunks[j].document_id
            and len(cell.text) <= weights.value_cell_chars
            and has_evidence(cell.text, analysis.kind, None, question)
        ):
            boost[i] = max(boost[i], weights.value_cell * scores[j] - scores[i])
    return boost
