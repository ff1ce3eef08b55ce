"""From structural units to index chunks. Pure functions.

A unit is already bounded by its fiche, objective or section; long units are split
on sentence boundaries with LangChain's recursive splitter, never across units.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from indexer.types import Chunk, DocumentInfo, ParsedDocument, Unit

MAX_CHARS = 1000
SEPARATORS = ["\n", ". ", "; ", ", ", " "]


def split_text(text: str, max_chars: int = MAX_CHARS) -> list[str]:
    """Sentence-aware split of a long passage; short ones come back whole."""
    if len(text) <= max_chars:
        return [text]
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    splitter = RecursiveCharacterTextSplitter(
        chunk_size=max_chars,
        chunk_overlap=0,
        separators=SEPARATORS,
        keep_separator="end",
        strip_whitespace=True,
    )
    return [part for part in splitter.split_text(text) if part.strip()]


def chunk_units(document_id: str, units: Sequence[Unit], max_chars: int = MAX_CHARS) -> list[Chunk]:
    chunks: list[Chunk] = []
    for unit in units:
        base = f"{document_id}/{'/'.join(unit.key)}"
        section = base.rsplit("/", 1)[0]
        parts = split_text(unit.text, max_chars)
        for n, part in enumerate(parts, start=1):
            chunk_id = base if n == 1 else f"{base}-partie-{n}"
            locator = (
                unit.locator
                if len(parts) == 1
                else (*unit.locator[:-1], f"{unit.locator[-1]} ({n}/{len(parts)})")
            )
            chunks.append(
                Chunk(
                    id=chunk_id,
                    document_id=document_id,
                    locator=locator,
                    text=part,
                    order=len(chunks),
                    section=section,
                    page=unit.page,
                    field=unit.field,
                )
            )
    return chunks


def chunk_document(parsed: ParsedDocument, max_chars: int = MAX_CHARS) -> list[Chunk]:
    return chunk_units(parsed.info.id, parsed.units, max_chars)


def indexed_text(chunk: Chunk, info: DocumentInfo) -> str:
    """What BM25 sees: the document title and full locator as a header, then the passage."""
    return f"{info.short_title or info.title}\n{chunk.locator_path}\n{chunk.text}"


def embedded_text(chunk: Chunk, info: DocumentInfo) -> str:
    """What the dense model sees: a shorter header (the two innermost locator levels).

    The full header repeats long priority titles on every chunk; the embedding cost is
    linear in tokens, and the innermost levels carry what distinguishes a chunk.
    """
    inner = [part for part in chunk.locator if not part.startswith("§")][-2:]
    return f"{info.short_title or info.title} › {' › '.join(inner)}\n{chunk.text}"


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:24]
