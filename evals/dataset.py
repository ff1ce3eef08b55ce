"""The evaluation set (`evals/questions.jsonl`): loading and validation."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from indexer.cleaning import clean_passage, fold

EVALS_DIR = Path(__file__).resolve().parent
QUESTIONS = EVALS_DIR / "questions.jsonl"
# dev: tuned on; test: kept for a final check; holdout: written afterwards by someone who
# never saw the system's answers (see README, "Évaluation").
SPLITS = (
    "dev",
    "test",
    "holdout",
    "holdout2",
    "holdout3",
    "holdout4",
    "holdout5",
    "holdout6",
    "holdout7",
    "holdout8",
    "holdout9",
    "holdout10",
    "holdout11",
    "holdout12",
)
KINDS = (
    "who",
    "amount",
    "count",
    "date",
    "list",
    "definition",
    "acronym",
    "paraphrase",
    "cross-document",
    "structure",
    "unanswerable",
)


@dataclass(frozen=True)
class Source:
    document: str
    quote: str


@dataclass(frozen=True)
class Item:
    id: str
    question: str
    answerable: bool
    kind: str
    answer: str
    facts: tuple[tuple[str, ...], ...]
    sources: tuple[Source, ...]
    split: str


def load_items(path: Path = QUESTIONS, split: str | None = None) -> list[Item]:
    items = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        items.append(
            Item(
                id=row["id"],
                question=row["question"],
                answerable=bool(row["answerable"]),
                kind=row["kind"],
                answer=row["answer"],
                facts=tuple(tuple(f) for f in row["facts"]),
                sources=tuple(Source(s["document"], s["quote"]) for s in row["sources"]),
                split=row.get("split", "dev"),
            )
        )
    return [i for i in items if split in (None, "all", i.split)]


def validate(items: list[Item], corpus_dir: Path) -> list[str]:
    """Problems with the set: every quote must be in its document, every fact in its answer."""
    from indexer.catalog import discover

    texts = {
        info.id: fold(clean_passage(Path(info.path).read_text(encoding="utf-8")))
        for info in discover(corpus_dir)
    }
    problems = []
    seen = set()
    for item in items:
        if item.id in seen:
            problems.append(f"{item.id}: identifiant en double")
        seen.add(item.id)
        if item.kind not in KINDS:
            problems.append(f"{item.id}: type « {item.kind} » inconnu")
        if item.split not in SPLITS:
            problems.append(f"{item.id}: split « {item.split} » inconnu")
        if item.answerable != (item.kind != "unanswerable"):
            problems.append(f"{item.id}: answerable incohérent avec le type")
        if item.answerable and (not item.facts or not item.sources):
            problems.append(f"{item.id}: question répondable sans faits ou sans sources")
        for fact in item.facts:
            if fold(fact[0]) not in fold(item.answer):
                problems.append(
                    f"{item.id}: le fait « {fact[0]} » n'est pas dans la réponse de référence"
                )
        for source in item.sources:
            if source.document not in texts:
                problems.append(f"{item.id}: document « {source.document} » inconnu")
            elif fold(clean_passage(source.quote)) not in texts[source.document]:
                problems.append(
                    f"{item.id}: citation introuvable dans {source.document} : « {source.quote[:60]} »"
                )
    return problems
