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
class RemovedSentence:
    """A generated sentence the checker refused, and why (in French)."""

    sentence: str
    reason: str


@dataclass(frozen=True)
class Generation:
    """How a generative answer was produced: the answer's manifest."""

    model: str
    prompt: str  # template name and version, e.g. "answer.v1"
    kept: int = 0  # generated sentences that passed the checker
    removed: tuple[RemovedSentence, ...] = ()
    fallback: str | None = None  # why the extractive answer is shown instead, in French
    latency_ms: float = 0.0


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
    generation: Generation | None = None  # set when the generative mode was asked for

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
            "generation": None if self.generation is None else asdict(self.generation),
        }
