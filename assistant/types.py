"""Domain types of the answering stage: small frozen dataclasses.

`Answer.to_dict()` is the JSON contract shared by `assistant ask --json`, `--batch`,
the API and the evaluation runner.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Passage:
    """A retrieved chunk with its rank and fused score."""

    rank: int
    id: str
    document: str  # document title
    document_id: str
    locator: str  # "Axe 2 › Fiche action 2.3 « … » › Maître d'œuvre / Porteur"
    page: int | None
    text: str
    score: float


@dataclass(frozen=True)
class Citation:
    n: int
    id: str
    document: str
    document_id: str
    locator: str
    page: int | None
    text: str


@dataclass(frozen=True)
class Filters:
    documents: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    territories: tuple[str, ...] = ()


@dataclass(frozen=True)
class Answer:
    question: str
    answer: str
    abstained: bool
    citations: tuple[Citation, ...]
    passages: tuple[Passage, ...]
    latency_ms: float
    mode: str = "extractive"
    expansions: tuple[tuple[str, str], ...] = field(default=())  # (acronym, expansion)

    def to_dict(self) -> dict[str, Any]:
        """The public JSON contract."""
        return {
            "question": self.question,
            "answer": self.answer,
            "abstained": self.abstained,
            "citations": [
                {k: v for k, v in asdict(c).items() if k != "document_id"}
                | {"document_id": c.document_id}
                for c in self.citations
            ],
            "passages": [asdict(p) for p in self.passages],
            "latency_ms": round(self.latency_ms, 1),
            "mode": self.mode,
            "expansions": [{"term": t, "expansion": e} for t, e in self.expansions],
        }
