"""Request and response schemas of the HTTP API: pydantic lives at this edge only.

Response models are lenient on the dicts of the core (extra keys pass through), so a new
field in `Answer.to_dict()` never turns into a 500; descriptions are French because they
are the API documentation at /docs.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from assistant.query import MAX_QUESTION_CHARS
from assistant.report import DEFAULT_TITLE

MAX_REPORT_QUESTIONS = 50

Question = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_QUESTION_CHARS)
]
FilterValues = Annotated[list[str], Field(default_factory=list)]


class AskRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    question: Question = Field(
        description="La question, en français (1 à 2000 caractères).",
        examples=["Qu'est-ce qu'une EMAS et où a-t-elle été créée ?"],
    )
    k: int = Field(5, ge=1, le=20, description="Nombre de passages à retenir (1 à 20).")
    documents: FilterValues = Field(description="Identifiants de documents ; vide = tous.")
    kinds: FilterValues = Field(description="Types de documents (bilan, CLS, PTSM…).")
    territories: FilterValues = Field(description="Territoires (Calvados, Le Havre…).")
    mode: Literal["extractive", "generative"] = Field(
        "extractive",
        description="« extractive » cite les passages tels quels ; « generative » fait "
        "rédiger la réponse par le modèle de langue configuré, chaque phrase vérifiée "
        "contre le passage qu'elle cite (repli sur l'extractif en cas d'échec).",
    )


class ReportRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    questions: list[Question] = Field(
        min_length=1,
        max_length=MAX_REPORT_QUESTIONS,
        description="Les questions du rapport (1 à 50).",
    )
    format: Literal["md", "docx"] = Field("md", description="« md » (Markdown) ou « docx ».")
    title: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)
    ] = Field(DEFAULT_TITLE, description="Titre du rapport.")
    k: int = Field(5, ge=1, le=20, description="Nombre de passages par question.")
    documents: FilterValues = Field(description="Identifiants de documents ; vide = tous.")
    kinds: FilterValues = Field(description="Types de documents.")
    territories: FilterValues = Field(description="Territoires.")
    mode: Literal["extractive", "generative"] = "extractive"


class _Open(BaseModel):
    # Lenient on the dicts of the core: extra keys pass through, none are required
    # beyond the contract, so a new field never turns into a 500.
    model_config = ConfigDict(extra="allow")


class CitationOut(_Open):
    n: int
    id: str
    document: str
    document_id: str
    locator: str
    page: int | None = None
    text: str


class PassageOut(_Open):
    rank: int
    id: str
    document: str
    document_id: str
    locator: str
    page: int | None = None
    text: str
    score: float


class ExpansionOut(_Open):
    term: str
    expansion: str


class RemovedOut(_Open):
    sentence: str
    reason: str


class GenerationOut(_Open):
    model: str
    prompt: str = Field(description="Gabarit de prompts/ qui a produit la réponse.")
    kept: int = Field(description="Phrases générées retenues par le vérificateur.")
    removed: list[RemovedOut] = Field(description="Phrases retirées, et pourquoi.")
    fallback: str | None = Field(None, description="Pourquoi la réponse extractive est donnée.")
    latency_ms: float = 0.0


class AnswerOut(_Open):
    question: str
    answer: str
    abstained: bool = Field(description="Vrai quand les documents ne répondent pas.")
    citations: list[CitationOut]
    passages: list[PassageOut]
    latency_ms: float
    mode: str
    expansions: list[ExpansionOut] = Field(description="Sigles de la question et leur sens.")
    generation: GenerationOut | None = Field(
        None, description="Mode génératif : modèle, gabarit, phrases retirées, repli."
    )


class NeighbourOut(_Open):
    id: str
    locator: str = ""
    text: str


class PassageContextOut(_Open):
    id: str
    document: str
    document_id: str
    locator: str
    page: int | None = None
    text: str
    before: list[NeighbourOut] = []
    after: list[NeighbourOut] = []


class DocumentOut(_Open):
    id: str
    title: str
    short_title: str = ""
    kind: str = ""
    territory: str = ""
    period: str = ""
    publisher: str = ""
    chunks: int | None = None
    llm: dict[str, Any] | None = Field(
        None, description="Modèle de langue du mode génératif (absent : extractif seul)."
    )


class SectionOut(_Open):
    title: str
    id: str | None = None
    children: list[SectionOut] = []


class OutlineOut(_Open):
    id: str
    title: str
    sections: list[SectionOut] = []


class GlossaryEntryOut(_Open):
    term: str
    expansions: list[str] = []
    documents: list[str] = []


class HealthOut(_Open):
    status: str
    index_built_at: str | None = None
    embedder: str | None = None
    chunks: int | None = None


class ErrorOut(BaseModel):
    detail: str = Field(
        description="Message en français : la valeur fautive, la règle, la correction."
    )


class ValidationErrorOut(ErrorOut):
    errors: list[dict[str, Any]] = Field(description="Les erreurs brutes de validation.")


ERRORS: dict[int | str, dict[str, Any]] = {
    422: {"model": ValidationErrorOut, "description": "Requête invalide."},
    503: {"model": ErrorOut, "description": "Index absent ou inutilisable."},
}
NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorOut, "description": "Élément introuvable."},
    **ERRORS,
}
