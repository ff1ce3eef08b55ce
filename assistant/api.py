"""The Python API: `Assistant.load(...)`, `.ask(...)`, `.search(...)`.

It wires the seams together (index files, embedder, retriever, composer); the CLI,
the web service and the evaluation runner all go through it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from assistant.answer import ABSTAIN_TEXT, Composition, compose
from assistant.generative import Writer, answer_events, writer_from_settings
from assistant.lists import (
    asks_which_ones,
    continue_list,
    following_chunks,
    heading_weight,
    name_the_unit,
    names_unknown_unit,
    preceding_text,
    structure_answer,
    without_asked_unit,
)
from assistant.multipart import compose_parts, split_question
from assistant.query import (
    MAX_QUESTION_CHARS,
    QueryAnalysis,
    analyze_question,
    as_question,
    asked_sentence,
    corpus_spelling,
    in_corpus_words,
    with_corpus_spelling,
)
from assistant.retrieval import HybridRetriever, Weights, evidence_first
from assistant.settings import Settings, get_settings
from assistant.types import Answer, Filters, Passage
from indexer.embeddings import Embedder, load_embedder
from indexer.errors import (
    EmptyQuestion,
    LLMNotConfigured,
    QuestionTooLong,
    UnknownCitation,
    UnknownDocument,
    UnknownFilter,
    UsageError,
)
from indexer.lexical import analyze
from indexer.store import LoadedIndex, load_index
from indexer.types import Chunk


def inverse_document_frequencies(chunks: Sequence[Chunk]) -> dict[str, float]:
    """IDF of every analysed term of the corpus, for the abstention's coverage measure."""
    import math

    df: dict[str, int] = {}
    for chunk in chunks:
        for term in set(analyze(f"{chunk.locator_path} {chunk.text}")):
            df[term] = df.get(term, 0) + 1
    n = len(chunks)
    return {t: math.log(1 + n / d) for t, d in df.items()}


def check_question(question: str) -> str:
    """The stripped question, or a French error for an empty or too long one."""
    if not isinstance(question, str) or not question.strip():
        raise EmptyQuestion("La question est vide : saisissez une question en français.")
    if len(question) > MAX_QUESTION_CHARS:
        raise QuestionTooLong(
            f"La question fait {len(question)} caractères ; la limite est de "
            f"{MAX_QUESTION_CHARS}. Raccourcissez-la."
        )
    return question.strip()


class Assistant:
    """Answers French questions from the indexed corpus, with citations."""

    def __init__(
        self,
        index: LoadedIndex,
        embedder: Embedder,
        weights: Weights | None = None,
        writer: Writer | None = None,
    ):
        self.index = index
        self.writer = writer  # generative mode; None when no language model is configured
        self.embedder = embedder
        self.retriever = HybridRetriever(index, embedder, weights or Weights())
        self._by_id = {c.id: i for i, c in enumerate(index.chunks)}
        # Each chunk's table field ("porteur"…), read for any passage an answer may cite.
        self._fields = {c.id: c.field for c in index.chunks}
        self._titles = {d["id"]: d["title"] for d in index.documents}
        self._lock = threading.Lock()  # torch inference is not re-entrant-safe everywhere
        self.idf = inverse_document_frequencies(index.chunks)
        self.spelling = corpus_spelling(c.text for c in index.chunks)

    @classmethod
    def load(
        cls,
        index_dir: Path | str | None = None,
        settings: Settings | None = None,
        embedder: Embedder | None = None,
    ) -> Assistant:
        """Load the index and the embedding model.

        Raises:
            IndexNotFound, IndexDamaged, EmbedderMismatch, ModelUnavailable.
        """
        settings = settings or get_settings()
        if index_dir is not None:
            settings = settings.model_copy(update={"index_dir": Path(index_dir)})
        embedder = embedder or load_embedder(
            settings.embedding_model,
            settings.cache_dir,
            settings.batch_size,
            settings.query_precision,
        )
        index = load_index(settings.index_dir, embedder.name, embedder.dimension)
        return cls(
            index,
            embedder,
            Weights(bm25=settings.bm25_weight, dense=settings.dense_weight),
            writer=writer_from_settings(settings),
        )

    # -- filters -------------------------------------------------------------------
    def filter_values(self) -> dict[str, list[str]]:
        docs = self.index.documents
        return {
            "documents": [d["id"] for d in docs],
            "kinds": sorted({d["kind"] for d in docs}),
            "territories": sorted({d["territory"] for d in docs if d["territory"]}),
        }

    def _mask(self, filters: Filters) -> np.ndarray | None:
        valid = self.filter_values()
        for name, values in (
            ("documents", filters.documents),
            ("kinds", filters.kinds),
            ("territories", filters.territories),
        ):
            unknown = [v for v in values if v not in valid[name]]
            if unknown:
                label = {"documents": "document", "kinds": "type", "territories": "territoire"}[
                    name
                ]
                raise UnknownFilter(
                    f"Filtre {label} inconnu : {', '.join(unknown)}. "
                    f"Valeurs possibles : {', '.join(valid[name])}."
                )
        if not (filters.documents or filters.kinds or filters.territories):
            return None
        allowed = {
            d["id"]
            for d in self.index.documents
            if (not filters.documents or d["id"] in filters.documents)
            and (not filters.kinds or d["kind"] in filters.kinds)
            and (not filters.territories or d["territory"] in filters.territories)
        }
        return np.array([c.document_id in allowed for c in self.index.chunks])

    # -- retrieval -----------------------------------------------------------------
    def _passages(self, scores: np.ndarray, k: int) -> list[Passage]:
        k = min(k, len(scores))
        order = np.argsort(-scores, kind="stable")[:k]
        out = []
        for rank, i in enumerate(order, start=1):
            if not np.isfinite(scores[i]):
                break
            chunk = self.index.chunks[i]
            out.append(self._passage(chunk, rank, float(scores[i])))
        return out

    def _passage(self, chunk: Chunk, rank: int, score: float) -> Passage:
        return Passage(
            rank=rank,
            id=chunk.id,
            document=self._titles.get(chunk.document_id, chunk.document_id),
            document_id=chunk.document_id,
            locator=chunk.locator_path,
            page=chunk.page,
            text=chunk.text,
            score=round(score, 4),
        )

    def search(
        self,
        query: str,
        k: int = 10,
        documents: Sequence[str] = (),
        kinds: Sequence[str] = (),
        territories: Sequence[str] = (),
    ) -> list[Passage]:
        """The top-k passages for a query, best first."""
        query = self._in_corpus_words(check_question(query))
        _, scores, _ = self._score(query, documents, kinds, territories)
        return self._passages(scores, k)

    def _score(
        self,
        question: str,
        documents: Sequence[str],
        kinds: Sequence[str],
        territories: Sequence[str],
        vector: np.ndarray | None = None,
    ) -> tuple[Any, np.ndarray, list[tuple[str, str]]]:
        """Question analysis, fused scores of every chunk (filtered), glossary expansions."""
        mask = self._mask(Filters(tuple(documents), tuple(kinds), tuple(territories)))
        analysis = analyze_question(question)
        with self._lock:
            scores, expansions = self.retriever.scores(question, analysis, mask, vector)
        return analysis, scores, expansions

    def ask(
        self,
        question: str,
        k: int = 5,
        documents: Sequence[str] = (),
        kinds: Sequence[str] = (),
        territories: Sequence[str] = (),
        mode: str = "extractive",
    ) -> Answer:
        """Answer a question with cited sentences, or abstain.

        Args:
            k: how many top passages the answer may draw on (the response always
                lists the top 10 retrieved passages).
        Raises:
            EmptyQuestion, QuestionTooLong, UnknownFilter.
        """
        started = time.perf_counter()
        question = check_question(question)
        writer = self._writer_for(mode)
        query = self._in_corpus_words(question)
        # "La fiche 2.4 veut informer sur le SAS 14. Sur quelles plages horaires
        # fonctionne ce service ?": the whole text is searched, the asking sentence is
        # answered; the statement before it is searched with each part too.
        asked = asked_sentence(query)
        statement = query[: len(query) - len(asked)]
        # A two-part question is also retrieved part by part: all its texts are
        # embedded in one batch.
        parts = [p.text for p in split_question(asked)]
        parts = parts if len(parts) > 1 else []
        texts = [query, *(statement + p for p in parts)]
        if statement:
            texts.append(asked)
        with self._lock:
            vectors = dict(zip(texts, self.retriever.query_vectors(texts), strict=True))
        analysis, scores, expansions = self._score(
            query, documents, kinds, territories, vectors[query]
        )
        if statement:
            # The asking sentence alone weighs as much as the whole text: the statement's
            # words ("la feuille de route prévoyait un projet à Lisieux") are context,
            # the asking sentence's are what the answer must speak of.
            scores = (
                scores + self._score(asked, documents, kinds, territories, vectors[asked])[1]
            ) / 2
        passages = self._passages(scores, max(10, k))

        def search(part: str) -> list[Passage]:
            text = statement + part
            found = self._score(text, documents, kinds, territories, vectors.get(text))
            return self._passages(found[1], k)

        composition = self._extractive(
            asked, analysis, passages, k, search, expansions, parts, statement
        )
        text = composition.text
        if composition.abstained:
            text = (
                f"{ABSTAIN_TEXT} Aucun passage du corpus ne répond à cette question ; "
                "voir aussi les passages les plus proches ci-dessous."
            )
        shown = tuple(passages[:10])
        if not composition.abstained:
            shown = evidence_first(
                passages, [self._cited(c.id, scores) for c in composition.citations]
            )
        answer = Answer(
            question=question,
            answer=text,
            abstained=composition.abstained,
            citations=composition.citations,
            passages=shown,
            latency_ms=(time.perf_counter() - started) * 1000,
            mode="extractive",
            expansions=tuple(expansions),
        )
        # Generative mode writes over the same retrieval; the extractive answer is its
        # fallback whenever the model fails or no sentence survives the checker.
        return writer.rewrite(answer, k) if writer else answer

    def _cited(self, chunk_id: str, scores: np.ndarray) -> Passage:
        """A cited chunk as a passage, with its fused retrieval score."""
        i = self._by_id[chunk_id]
        score = float(scores[i])
        return self._passage(self.index.chunks[i], 0, score if np.isfinite(score) else 0.0)

    def _in_corpus_words(self, question: str) -> str:
        """Retrieval and answer read the question itself (without "Bonjour, pourriez-vous
        me dire … ? Merci"), in the documents' words: places for
        inhabitants' names, clipped words in full, the documents' capitals and accents
        on words typed without them ("le gem de fecamp" → "le GEM de Fécamp")."""
        return with_corpus_spelling(in_corpus_words(as_question(question)), self.spelling)

    def _extractive(
        self,
        question: str,
        analysis: QueryAnalysis,
        passages: Sequence[Passage],
        k: int,
        search: Callable[[str], list[Passage]] | None = None,
        aliases: Sequence[tuple[str, str]] = (),
        parts: Sequence[str] = (),
        statement: str = "",
    ) -> Composition:
        """The extractive answer: the listed structure, cited sentences, or an abstention.

        A count of units ("combien d'objectifs…") is answered by the sentence that
        states it when one does, else by listing the units.

        `search` retrieves for one of the `parts` of a two-part question ("… l'EMAS de
        Lillebonne et celle de Caen 1"): each part gets its own best passages.
        """
        chunks = self.index.chunks
        top = passages[: max(1, k)]

        def to_passage(chunk: Chunk) -> Passage:
            return self._passage(chunk, 0, 0.0)

        if names_unknown_unit(analysis, self._by_id):
            return Composition(ABSTAIN_TEXT, (), True)
        listing = structure_answer(question, analysis, top, chunks, to_passage)
        if listing is not None and (analysis.kind != "count" or asks_which_ones(question)):
            # "Combien de fiches compte l'axe 6 ? Lesquelles ?": the list answers both.
            return listing
        pools = {part: search(part) for part in parts} if search else {}
        extra = [p for pool in pools.values() for p in pool]
        fields = self._fields
        # A table cell's row goes on after it: read for the value cells the retriever lifts.
        weights = self.retriever.weights
        cell = weights.value_cell_chars if analysis.kind in weights.value_cell_kinds else 0
        context = {p.id: preceding_text(chunks, self._by_id[p.id], cell) for p in [*top, *extra]}
        composed = compose_parts(
            question,
            top,
            fields,
            idf=self.idf,
            context=context,
            pools=pools,
            aliases=aliases,
            statement=statement,
            search=search,
        )

        def named(composition: Composition) -> Composition:
            # "Dans quelle fiche action …": the answer first names the unit.
            return name_the_unit(question, composition, chunks, self._by_id.__getitem__, to_passage)

        if composed is not None:
            return named(composed)
        # "Dans quelle fiche action figure la mutuelle ?": the unit's heading holds the
        # question's words, and the unit is the answer; its sentences need add nothing.
        heading = heading_weight(question)
        residual = {"min_residual": 0.0, "heading": heading} if heading else {}
        composition = compose(
            without_asked_unit(question),
            analysis,
            top,
            fields,
            idf=self.idf,
            context=context,
            aliases=aliases,
            **residual,
        )
        if composition.abstained and listing is not None:
            # "Combien d'objectifs compte la priorité 2 ?": no sentence states the count,
            # so the answer lists the objectives themselves.
            return listing
        return named(
            continue_list(
                composition,
                lambda cid: following_chunks(chunks, self._by_id[cid]),
                to_passage,
                question=question,
            )
        )

    def ask_stream(
        self,
        question: str,
        k: int = 5,
        documents: Sequence[str] = (),
        kinds: Sequence[str] = (),
        territories: Sequence[str] = (),
        mode: str = "generative",
    ) -> Iterator[dict[str, Any]]:
        """The answer as events: checked sentences as they are written, then the answer.

        Bad input raises here, before any event (so the API can still answer 422).
        Events: {"event": "sentence", "text", "citations"}, {"event": "removed",
        "sentence", "reason"}, and last {"event": "answer", "answer": Answer}.
        """
        writer = self._writer_for(mode)
        return answer_events(self.ask(question, k, documents, kinds, territories), writer, k)

    def _writer_for(self, mode: str) -> Writer | None:
        """The writer for a generative request, None for extractive; French error otherwise."""
        if mode == "extractive":
            return None
        if mode != "generative":
            raise UsageError(
                f"Mode inconnu : « {mode} ». Modes possibles : extractive, generative."
            )
        if self.writer is None:
            raise LLMNotConfigured(
                "Le mode « generative » demande un modèle de langue : définissez "
                "ASSISTANT_LLM_BASE_URL et ASSISTANT_LLM_MODEL (point d'accès compatible "
                "OpenAI), ou utilisez le mode « extractive »."
            )
        return self.writer

    # -- browsing ------------------------------------------------------------------
    def passage(self, citation_id: str, context: int = 2) -> dict[str, Any]:
        """A passage with its neighbours in the same section."""
        if citation_id not in self._by_id:
            raise UnknownCitation(
                f"Aucun passage n'a l'identifiant « {citation_id} ». Les identifiants "
                "figurent dans les citations (ex. cls-lisieux-2025-2029/fa-2.3/porteur)."
            )
        i = self._by_id[citation_id]
        chunk = self.index.chunks[i]
        same = [
            j
            for j in range(max(0, i - 30), min(len(self.index.chunks), i + 31))
            if self.index.chunks[j].section == chunk.section
        ]
        pos = same.index(i)

        def brief(j: int) -> dict[str, Any]:
            c = self.index.chunks[j]
            return {"id": c.id, "locator": c.locator_path, "text": c.text}

        return {
            "id": chunk.id,
            "document": self._titles.get(chunk.document_id, chunk.document_id),
            "document_id": chunk.document_id,
            "locator": chunk.locator_path,
            "page": chunk.page,
            "text": chunk.text,
            "before": [brief(j) for j in same[max(0, pos - context) : pos]],
            "after": [brief(j) for j in same[pos + 1 : pos + 1 + context]],
        }

    def documents(self) -> list[dict[str, Any]]:
        return [
            {
                k: d.get(k)
                for k in (
                    "id",
                    "title",
                    "short_title",
                    "kind",
                    "territory",
                    "period",
                    "publisher",
                    "chunks",
                )
            }
            for d in self.index.documents
        ]

    def outline(self, document_id: str) -> dict[str, Any]:
        """The document's structure: nested sections as the parser recovered them."""
        if document_id not in self._titles:
            raise UnknownDocument(
                f"Document inconnu : « {document_id} ». Documents : {', '.join(self._titles)}."
            )
        root: dict[str, Any] = {
            "id": document_id,
            "title": self._titles[document_id],
            "sections": [],
        }
        for chunk in self.index.chunks:
            if chunk.document_id != document_id:
                continue
            level = root["sections"]
            for depth, title in enumerate(chunk.locator[:-1]):
                node = next((n for n in level if n["title"] == title), None)
                if node is None:
                    node = {
                        "title": title,
                        "id": chunk.section if depth == len(chunk.locator) - 2 else None,
                        "children": [],
                    }
                    level.append(node)
                level = node["children"]
        return root

    def glossary(self, term: str | None = None) -> list[dict[str, Any]]:
        entries = self.index.glossary
        if term is None:
            return list(entries)
        from indexer.cleaning import fold

        wanted = fold(term)
        exact = [e for e in entries if fold(e["term"]) == wanted]
        return exact or [
            e
            for e in entries
            if wanted in fold(e["term"]) or any(wanted in fold(x) for x in e["expansions"])
        ]

    def expansions(self, question: str) -> list[tuple[str, str]]:
        return list(self.retriever.expand(question)[1])

    def health(self) -> dict[str, Any]:
        return {
            "status": "ok",
            "index_built_at": self.index.manifest.get("built_at"),
            "embedder": self.embedder.name,
            "chunks": len(self.index.chunks),
            "llm": self.writer.describe() if self.writer else None,
        }
