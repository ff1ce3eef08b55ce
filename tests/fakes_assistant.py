"""A deterministic stand-in for `assistant.api.Assistant`, shared by the API, report and
browser tests.

It follows the duck-typed interface of the real assistant (ask, search, passage,
documents, outline, glossary, expansions, health) over a tiny hand-written corpus taken
from the real documents, and raises the real error classes.

Behaviour worth knowing in tests:
- a question mentioning « EMAS » gets an answer with one citation ([1]);
- a question mentioning « hélicoptère » abstains, with « voir aussi » passages;
- any other question abstains too, and its refusal text quotes the question back (so
  the page's escaping of user input is exercised);
- empty or too long questions, unknown filters, citations and documents raise.

`fake_app()` is the uvicorn factory of the browser tests:
`python -m uvicorn --factory tests.fakes_assistant:fake_app`.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Iterator

from assistant.generative import Writer, answer_events
from assistant.types import Answer, Citation, Passage
from indexer.errors import (
    EmptyQuestion,
    LLMNotConfigured,
    QuestionTooLong,
    UnknownCitation,
    UnknownDocument,
    UnknownFilter,
)

MAX_QUESTION_CHARS = 2000

DOCUMENTS: tuple[dict, ...] = (
    {
        "id": "bilan-calvados-2025",
        "title": "Feuille de route départementale du Calvados — Bilan janvier 2025",
        "short_title": "Bilan 2024 de la feuille de route du Calvados",
        "kind": "bilan",
        "territory": "Calvados",
        "period": "résultats 2024, publié en janvier 2025",
        "publisher": "ARS Normandie — Direction départementale du Calvados",
        "chunks": 3,
    },
    {
        "id": "bilan-le-havre-2025",
        "title": "Feuille de route territoriale du CTS du Havre — Bilan janvier 2025",
        "short_title": "Bilan 2024 de la feuille de route du Havre",
        "kind": "bilan",
        "territory": "Le Havre",
        "period": "résultats 2024, publié en janvier 2025",
        "publisher": "ARS Normandie — Direction départementale de la Seine-Maritime",
        "chunks": 1,
    },
    {
        "id": "cls-lisieux-2025-2029",
        "title": (
            "Contrat local de santé 2025-2029 de la Communauté d'Agglomération Lisieux Normandie"
        ),
        "short_title": "CLS Lisieux Normandie 2025-2029",
        "kind": "CLS",
        "territory": "Lisieux Normandie",
        "period": "2025-2029",
        "publisher": "Communauté d'Agglomération Lisieux Normandie et ARS Normandie",
        "chunks": 1,
    },
)

_TITLES = {d["id"]: d["title"] for d in DOCUMENTS}
_CALVADOS = "bilan-calvados-2025"
_EMAS_SECTION = "Axe 2 › Scolarisation › Création d'une nouvelle EMAS sur l'agglomération de Caen"


def _passage(rank: int, id: str, locator: str, page: int | None, text: str, score: float):
    document_id = id.split("/", 1)[0]
    return Passage(rank, id, _TITLES[document_id], document_id, locator, page, text, score)


# In document order within each document: `passage()` takes its context from here.
CHUNKS: tuple[Passage, ...] = (
    _passage(
        0,
        "bilan-calvados-2025/axe-2/emas-caen/p-1",
        f"{_EMAS_SECTION} › §1",
        12,
        "L'installation des EMAS dans un établissement scolaire est une particularité "
        "normande favorisant l'interconnaissance des professionnels de l'Education "
        "Nationale et du médico-social.",
        0.0,
    ),
    _passage(
        0,
        "bilan-calvados-2025/axe-2/emas-caen/p-2",
        f"{_EMAS_SECTION} › §2",
        12,
        "Une nouvelle équipe médico-sociale (EMAS) a été créée à la rentrée de septembre "
        "2024 pour intervenir sur la circonscription académique de Caen 1 "
        "(30 établissements concernés).",
        0.0,
    ),
    _passage(
        0,
        "bilan-calvados-2025/axe-2/emas-caen/p-3",
        f"{_EMAS_SECTION} › §3",
        13,
        "Sur la période d'activité du dernier trimestre 2024, l'EMAS a été sollicitée "
        "pour 9 interventions.",
        0.0,
    ),
    _passage(
        0,
        "bilan-le-havre-2025/axe-1/emas-lillebonne",
        "Axe 1 › Scolarisation des enfants en situation de handicap",
        None,
        "Septembre 2024 : renfort de la couverture territoriale via la création d'une "
        "EMAS sur le territoire de Lillebonne.",
        0.0,
    ),
    _passage(
        0,
        "cls-lisieux-2025-2029/fa-2.3/porteur",
        "Axe 2 › Fiche action 2.3 « Prévenir les conduites addictives » › Maître d'œuvre / Porteur",
        None,
        "Porteur : Communauté d'Agglomération Lisieux Normandie, service santé.",
        0.0,
    ),
)
_BY_ID = {c.id: c for c in CHUNKS}

GLOSSARY: tuple[dict, ...] = (
    {
        "term": "EMAS",
        "expansions": ["Equipe Mobile d'Appui à la Scolarisation"],
        "documents": ["bilan-calvados-2025", "bilan-le-havre-2025"],
    },
    {
        "term": "CLS",
        "expansions": ["Contrat local de santé"],
        "documents": ["cls-lisieux-2025-2029"],
    },
)

EMAS_ANSWER = (
    "Une nouvelle Equipe Mobile d'Appui à la Scolarisation (EMAS) a été créée à la "
    "rentrée de septembre 2024 sur la circonscription académique de Caen 1 [1]."
)
REFUSAL = "Les documents ne le disent pas"


def _ranked(chunks: Iterable[Passage], scores: Iterable[float]) -> tuple[Passage, ...]:
    return tuple(
        Passage(i, c.id, c.document, c.document_id, c.locator, c.page, c.text, s)
        for i, (c, s) in enumerate(zip(chunks, scores, strict=False), start=1)
    )


class FakeAssistant:
    """Deterministic answers over `CHUNKS`; counts its calls for the tests."""

    # The real generative writer over a fake chat model (`fake_writer`), or None.
    # Not an __init__ argument: FastAPI would take it for a request parameter when the
    # class itself overrides the dependency.
    writer: Writer | None = None

    def __init__(self) -> None:
        self.calls: list[tuple[str, str]] = []
        self._lock = threading.Lock()

    def _record(self, method: str, arg: str) -> None:
        with self._lock:
            self.calls.append((method, arg))

    # -- validation shared by ask and search, with the real error classes ---------------

    def _check_question(self, question: str) -> str:
        question = question.strip()
        if not question:
            raise EmptyQuestion("La question est vide. Saisissez une question en français.")
        if len(question) > MAX_QUESTION_CHARS:
            raise QuestionTooLong(
                f"La question fait {len(question)} caractères ; la limite est de "
                f"{MAX_QUESTION_CHARS}. Raccourcissez-la."
            )
        return question

    def _check_filters(self, documents=(), kinds=(), territories=()) -> None:
        known = {
            "document": {d["id"] for d in DOCUMENTS},
            "type": {d["kind"] for d in DOCUMENTS},
            "territoire": {d["territory"] for d in DOCUMENTS},
        }
        for label, values in (
            ("document", documents),
            ("type", kinds),
            ("territoire", territories),
        ):
            for value in values:
                if value not in known[label]:
                    raise UnknownFilter(
                        f"Le filtre {label} « {value} » est inconnu. Valeurs possibles : "
                        f"{', '.join(sorted(known[label]))}."
                    )

    def _filtered(self, documents=(), kinds=(), territories=()) -> list[Passage]:
        meta = {d["id"]: d for d in DOCUMENTS}
        return [
            c
            for c in CHUNKS
            if (not documents or c.document_id in documents)
            and (not kinds or meta[c.document_id]["kind"] in kinds)
            and (not territories or meta[c.document_id]["territory"] in territories)
        ]

    # -- the Assistant interface -------------------------------------------------------

    def ask(
        self,
        question: str,
        k: int = 5,
        documents=(),
        kinds=(),
        territories=(),
        mode: str = "extractive",
    ) -> Answer:
        self._record("ask", question)
        writer = self._writer_for(mode)
        base = self._extractive(question, k, documents, kinds, territories)
        return writer.rewrite(base, k) if writer else base

    def ask_stream(
        self, question: str, k: int = 5, documents=(), kinds=(), territories=(), mode="generative"
    ) -> Iterator[dict]:
        self._record("ask_stream", question)
        writer = self._writer_for(mode)
        return answer_events(
            self._extractive(question, k, documents, kinds, territories), writer, k
        )

    def _writer_for(self, mode: str) -> Writer | None:
        if mode == "generative" and self.writer is None:
            raise LLMNotConfigured("Le mode « generative » demande un modèle de langue.")
        return self.writer if mode == "generative" else None

    def _extractive(self, question: str, k: int, documents, kinds, territories) -> Answer:
        mode = "extractive"
        question = self._check_question(question)
        self._check_filters(documents, kinds, territories)
        pool = self._filtered(documents, kinds, territories)
        expansions = tuple(self.expansions(question))
        if "emas" in question.lower() and "hélicoptère" not in question.lower():
            hits = [c for c in pool if "EMAS" in c.text][:k]
            passages = _ranked(hits, (0.9 - 0.1 * i for i in range(len(hits))))
            emas = _BY_ID["bilan-calvados-2025/axe-2/emas-caen/p-2"]
            if emas in pool:
                citation = Citation(
                    1, emas.id, emas.document, emas.document_id, emas.locator, emas.page, emas.text
                )
                return Answer(
                    question, EMAS_ANSWER, False, (citation,), passages, 12.5, mode, expansions
                )
        see_also = _ranked(pool[:2], (0.21, 0.18))
        if "hélicoptère" in question.lower():
            text = (
                f"{REFUSAL} : aucun passage du corpus ne traite des hélicoptères. "
                "Passages les plus proches ci-dessous."
            )
        else:
            text = f"{REFUSAL} : aucun passage ne répond à « {question} »."
        return Answer(question, text, True, (), see_also, 8.0, mode, expansions)

    def search(
        self, query: str, k: int = 10, documents=(), kinds=(), territories=()
    ) -> list[Passage]:
        self._record("search", query)
        query = self._check_question(query)
        self._check_filters(documents, kinds, territories)
        words = {w for w in re.findall(r"\w+", query.lower()) if len(w) > 2}
        pool = self._filtered(documents, kinds, territories)
        hits = [c for c in pool if words & set(re.findall(r"\w+", c.text.lower()))][:k]
        return list(_ranked(hits, (1.0 / (i + 1) for i in range(len(hits)))))

    def passage(self, citation_id: str) -> dict:
        self._record("passage", citation_id)
        chunk = _BY_ID.get(citation_id)
        if chunk is None:
            raise UnknownCitation(
                f"La citation « {citation_id} » n'existe pas dans l'index. Vérifiez "
                "l'identifiant (il commence par l'identifiant du document)."
            )
        same_doc = [c for c in CHUNKS if c.document_id == chunk.document_id]
        i = same_doc.index(chunk)

        def brief(c: Passage) -> dict:
            return {"id": c.id, "locator": c.locator, "text": c.text}

        return {
            "id": chunk.id,
            "document": chunk.document,
            "document_id": chunk.document_id,
            "locator": chunk.locator,
            "page": chunk.page,
            "text": chunk.text,
            "before": [brief(c) for c in same_doc[max(0, i - 2) : i]],
            "after": [brief(c) for c in same_doc[i + 1 : i + 3]],
        }

    def documents(self) -> list[dict]:
        self._record("documents", "")
        return [dict(d) for d in DOCUMENTS]

    def outline(self, document_id: str) -> dict:
        self._record("outline", document_id)
        if document_id not in _TITLES:
            raise UnknownDocument(
                f"Le document « {document_id} » n'est pas dans l'index. Documents "
                f"disponibles : {', '.join(sorted(_TITLES))}."
            )
        sections = []
        if document_id == _CALVADOS:
            sections = [
                {
                    "title": "Axe 2",
                    "id": f"{_CALVADOS}/axe-2",
                    "children": [
                        {
                            "title": "Création d'une nouvelle EMAS",
                            "id": f"{_CALVADOS}/axe-2/emas-caen",
                            "children": [],
                        }
                    ],
                }
            ]
        return {"id": document_id, "title": _TITLES[document_id], "sections": sections}

    def glossary(self, term: str | None = None) -> list[dict]:
        self._record("glossary", term or "")
        if term is None:
            return [dict(g) for g in GLOSSARY]
        return [dict(g) for g in GLOSSARY if g["term"].lower() == term.strip().lower()]

    def expansions(self, question: str) -> list[tuple[str, str]]:
        found = []
        for entry in GLOSSARY:
            if re.search(rf"\b{entry['term']}\b", question):
                found.append((entry["term"], entry["expansions"][0]))
        return found

    def health(self) -> dict:
        return {
            "status": "ok",
            "index_built_at": "2025-11-22T17:30:00+01:00",
            "embedder": "fake-embedder",
            "chunks": len(CHUNKS),
            "llm": self.writer.describe() if self.writer else None,
        }


def emas_answer() -> Answer:
    """The answer the fake gives to the EMAS question."""
    return FakeAssistant().ask("Qu'est-ce qu'une EMAS et où a-t-elle été créée ?")


def refused_answer() -> Answer:
    """An abstained answer, with « voir aussi » passages."""
    return FakeAssistant().ask("Combien d'hélicoptères sanitaires dans le Calvados ?")


# What the fake chat model "writes" for the EMAS question: two supported sentences and,
# between them, one with an invented number that the checker must remove.
GENERATED_EMAS = (
    "L'EMAS de Caen a été créée à la rentrée de septembre 2024 pour la circonscription "
    "académique de Caen 1 [2]. Elle compte 45 établissements [2]. Elle a été sollicitée "
    "pour 9 interventions au dernier trimestre 2024 [3]."
)


def fake_writer(*replies: str) -> Writer:
    """The real writer and checker over LangChain's fake chat model."""
    from langchain_core.language_models.fake_chat_models import FakeListChatModel

    from assistant.prompts import load_prompt

    chat = FakeListChatModel(responses=list(replies or [GENERATED_EMAS]))
    return Writer(chat=chat, prompt=load_prompt("answer"), model="faux-modele")


def fake_app():
    """uvicorn factory: the real app over the fake assistant (browser tests).

    With ASSISTANT_LLM_BASE_URL and ASSISTANT_LLM_MODEL set, the generative mode is on,
    through the real writer and `ChatOpenAI`, as in production.
    """
    from assistant.generative import writer_from_settings
    from assistant.server import create_app
    from assistant.settings import get_settings

    def load() -> FakeAssistant:
        writer = writer_from_settings(get_settings())
        return with_writer(writer) if writer else FakeAssistant()

    return create_app(load)


def with_writer(writer: Writer) -> FakeAssistant:
    """A fake assistant whose generative mode is on."""
    fake = FakeAssistant()
    fake.writer = writer
    return fake
