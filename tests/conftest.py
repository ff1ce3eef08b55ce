"""Shared fixtures: every data and cache path points at a temporary folder."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"


@pytest.fixture(autouse=True)
def env_setup(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASSISTANT_INDEX_DIR", str(tmp_path / "index"))
    monkeypatch.setenv("ASSISTANT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("ASSISTANT_EMBEDDING_MODEL", "hashing")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    for name in ("BASE_URL", "MODEL", "API_KEY", "TIMEOUT", "PROMPT", "TEMPERATURE"):
        monkeypatch.delenv(f"ASSISTANT_LLM_{name}", raising=False)


@pytest.fixture(scope="session")
def parsed_corpus():
    """The real corpus, parsed once: {document id: ParsedDocument}."""
    from indexer.build import parse_corpus

    return {doc.info.id: doc for doc, _ in parse_corpus(CORPUS, lambda _m: None)}


@pytest.fixture(scope="session")
def hashing_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real corpus indexed with the fast deterministic embedder, built once."""
    from indexer.build import build_index
    from indexer.embeddings import HashingEmbedder

    root = tmp_path_factory.mktemp("hashing-index")
    build_index(CORPUS, root, HashingEmbedder())
    return root


@pytest.fixture(scope="session")
def fake_assistant(hashing_index: Path):
    from assistant.api import Assistant
    from assistant.settings import Settings
    from indexer.embeddings import HashingEmbedder

    return Assistant.load(hashing_index, Settings(embedding_model="hashing"), HashingEmbedder())


@pytest.fixture
def corpus_copy(tmp_path: Path) -> Path:
    """A writable copy of the corpus."""
    target = tmp_path / "corpus"
    shutil.copytree(CORPUS, target)
    return target
