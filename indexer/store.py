"""The index directory on disk: plain, versioned files with a manifest.

Layout::

    <root>/current -> builds/<stamp>      (symlink, switched atomically)
    <root>/builds/<stamp>/manifest.json   embedder, versions, hashes, build time
                         chunks.jsonl     one chunk per line (text, locator, ids)
                         dense.faiss      FAISS inner-product index of the embeddings
                         bm25/            bm25s files
                         glossary.json    acronyms and expansions
                         documents.json   catalog entries of the indexed documents

A build writes a fresh `builds/.tmp-*` directory, renames it, then repoints `current`
with an atomic `os.replace` of a symlink: an interrupted build (even `kill -9`) leaves
the previous index in place and usable.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from indexer.errors import REBUILD_HINT, EmbedderMismatch, IndexDamaged, IndexNotFound
from indexer.types import Chunk

# 2: BM25 terms of derived nouns joined to their verb ("signature" → "sign").
FORMAT_VERSION = 2
CURRENT = "current"
BUILDS = "builds"


@dataclass(frozen=True)
class IndexData:
    """Everything a build produces, before it is written."""

    manifest: dict[str, Any]
    chunks: list[Chunk]
    vectors: np.ndarray
    bm25_tokens: list[list[str]]
    glossary: list[dict[str, Any]]
    documents: list[dict[str, Any]]


@dataclass
class LoadedIndex:
    path: Path
    manifest: dict[str, Any]
    chunks: list[Chunk]
    dense: Any  # faiss.Index
    bm25: Any  # bm25s.BM25
    glossary: list[dict[str, Any]]
    documents: list[dict[str, Any]]

    def vectors(self) -> np.ndarray:
        return self.dense.reconstruct_n(0, self.dense.ntotal)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def current_dir(root: Path) -> Path | None:
    link = root / CURRENT
    if link.is_symlink() or link.is_dir():
        target = link.resolve()
        if target.is_dir():
            return target
    return None


def write_index(root: Path, data: IndexData) -> Path:
    """Write a new build and make it current atomically. Returns the build directory."""
    import bm25s
    import faiss

    builds = root / BUILDS
    builds.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%S") + f"-{os.getpid()}-{time.monotonic_ns() % 10**6}"
    tmp = builds / f".tmp-{stamp}"
    tmp.mkdir()
    with (tmp / "chunks.jsonl").open("w", encoding="utf-8") as fh:
        for chunk in data.chunks:
            row = asdict(chunk)
            row["locator"] = list(chunk.locator)
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    dim = int(data.manifest["embedder"]["dimension"])
    index = faiss.IndexFlatIP(dim)
    if len(data.vectors):
        index.add(np.ascontiguousarray(data.vectors, dtype=np.float32))
    faiss.write_index(index, str(tmp / "dense.faiss"))
    retriever = bm25s.BM25()
    retriever.index(_bm25_corpus(data.bm25_tokens), show_progress=False)
    retriever.save(str(tmp / "bm25"), show_progress=False)
    (tmp / "glossary.json").write_text(
        json.dumps(data.glossary, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    (tmp / "documents.json").write_text(
        json.dumps(data.documents, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    files = {str(p.relative_to(tmp)): _sha256(p) for p in sorted(tmp.rglob("*")) if p.is_file()}
    manifest = dict(data.manifest, format_version=FORMAT_VERSION, files=files)
    (tmp / "manifest.json").write_text(
        json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    _fsync_tree(tmp)
    final = builds / stamp
    os.rename(tmp, final)
    link_tmp = root / f".{CURRENT}.{stamp}"
    os.symlink(Path(BUILDS) / stamp, link_tmp)
    os.replace(link_tmp, root / CURRENT)
    _fsync_dir(root)
    prune(root, keep=2)
    return final


def _bm25_corpus(token_lists: list[list[str]]) -> Any:
    """bm25s wants ids and a vocabulary; an empty document gets a placeholder token."""
    from bm25s.tokenization import Tokenized

    vocab: dict[str, int] = {"": 0}
    ids = []
    for tokens in token_lists:
        ids.append([vocab.setdefault(t, len(vocab)) for t in tokens] or [0])
    return Tokenized(ids=ids, vocab=vocab)


def _fsync_tree(path: Path) -> None:
    for p in path.rglob("*"):
        if p.is_file():
            with p.open("rb") as fh:
                os.fsync(fh.fileno())
    _fsync_dir(path)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def prune(root: Path, keep: int = 2) -> None:
    """Remove interrupted builds and all but the `keep` newest complete ones."""
    builds = root / BUILDS
    if not builds.is_dir():
        return
    current = current_dir(root)
    complete = sorted(p for p in builds.iterdir() if not p.name.startswith("."))
    for stale in builds.glob(".tmp-*"):
        # Another build may be writing right now: only remove old temporary dirs.
        if time.time() - stale.stat().st_mtime > 3600:
            shutil.rmtree(stale, ignore_errors=True)
    for old in complete[:-keep]:
        if current is None or old.resolve() != current:
            shutil.rmtree(old, ignore_errors=True)
    for link in root.glob(f".{CURRENT}.*"):
        link.unlink(missing_ok=True)


def read_manifest(root: Path) -> dict[str, Any] | None:
    path = current_dir(root)
    if path is None or not (path / "manifest.json").exists():
        return None
    try:
        return json.loads((path / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return None


def load_index(
    root: Path, embedder_name: str | None = None, dimension: int | None = None
) -> LoadedIndex:
    """Load and check the current index.

    Raises:
        IndexNotFound: no index was built in `root`.
        IndexDamaged: a file is missing, altered or unreadable.
        EmbedderMismatch: the index was built with another embedding model.
    """
    import bm25s
    import faiss

    path = current_dir(root)
    if path is None:
        raise IndexNotFound(
            f"Aucun index dans « {root} ». Construisez-le avec « assistant index » "
            "(ou « make index »)."
        )
    try:
        manifest = json.loads((path / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise IndexDamaged(
            f"Le manifeste de l'index « {path} » est illisible. {REBUILD_HINT}"
        ) from exc
    if manifest.get("format_version") != FORMAT_VERSION:
        raise IndexDamaged(
            f"L'index « {path} » a le format {manifest.get('format_version')}, "
            f"cette version attend le format {FORMAT_VERSION}. {REBUILD_HINT}"
        )
    for name, digest in manifest.get("files", {}).items():
        file = path / name
        if not file.exists() or _sha256(file) != digest:
            raise IndexDamaged(
                f"Le fichier « {name} » de l'index est absent ou altéré. {REBUILD_HINT}"
            )
    built_with = manifest["embedder"]
    if embedder_name is not None and (
        built_with["name"] != embedder_name
        or (dimension is not None and int(built_with["dimension"]) != dimension)
    ):
        raise EmbedderMismatch(
            f"L'index a été construit avec le modèle « {built_with['name']} » "
            f"(dimension {built_with['dimension']}), mais le modèle configuré est "
            f"« {embedder_name} ». {REBUILD_HINT}"
        )
    try:
        chunks = [
            _chunk_from_row(json.loads(line))
            for line in (path / "chunks.jsonl").open(encoding="utf-8")
        ]
        dense = faiss.read_index(str(path / "dense.faiss"))
        bm25 = bm25s.BM25.load(str(path / "bm25"), show_progress=False)
        glossary = json.loads((path / "glossary.json").read_text(encoding="utf-8"))
        documents = json.loads((path / "documents.json").read_text(encoding="utf-8"))
    except (OSError, ValueError, RuntimeError, KeyError) as exc:
        raise IndexDamaged(f"L'index « {path} » est illisible ({exc}). {REBUILD_HINT}") from exc
    if dense.ntotal != len(chunks):
        raise IndexDamaged(f"L'index « {path} » est incohérent. {REBUILD_HINT}")
    return LoadedIndex(path, manifest, chunks, dense, bm25, glossary, documents)


def _chunk_from_row(row: dict[str, Any]) -> Chunk:
    row = dict(row)
    row["locator"] = tuple(row["locator"])
    return Chunk(**row)
