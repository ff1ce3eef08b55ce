"""Fusion, expansion, sentence selection, citations and abstention."""

import numpy as np
import pytest

from assistant.answer import compose, has_evidence, split_sentences
from assistant.query import analyze_question
from assistant.retrieval import Weights, expand_query, fuse, normalise
from assistant.types import Passage
from indexer.errors import EmptyQuestion, QuestionTooLong, UnknownFilter


def test_fusion_weights_bm25_and_dense():
    bm25 = np.array([10.0, 0.0, 5.0])
    dense = np.array([0.1, 0.9, 0.5])
    fused = fuse(bm25, dense, Weights(bm25=1.0, dense=0.0))
    assert list(np.argsort(-fused)) == [0, 2, 1]
    fused = fuse(bm25, dense, Weights(bm25=0.0, dense=1.0))
    assert int(np.argmax(fused)) == 1
    assert normalise(np.zeros(3)).tolist() == [0, 0, 0]


def test_query_expansion_both_ways():
    glossary = [{"term": "EMAS", "expansions": ["équipe mobile d'appui à la scolarisation"]}]
    expanded, found = expand_query("Qui porte l'EMAS ?", glossary)
    assert "appui à la scolarisation" in expanded and found[0][0] == "EMAS"
    expanded, found = expand_query(
        "Qui porte l'équipe mobile d'appui à la scolarisation ?", glossary
    )
    assert expanded.endswith("(EMAS)")


def test_question_analysis():
    assert analyze_question("Qui porte la fiche action 2.3 du CLS ?").fiche == "2.3"
    assert analyze_question("Qui porte la fiche action 2.3 du CLS ?").kind == "who"
    assert analyze_question("Combien l'ARS finance-t-elle chaque CRT ?").kind == "amount"
    assert analyze_question("Combien d'étudiants ont été accompagnés ?").kind == "count"
    assert analyze_question("Depuis quand le SAS fonctionne-t-il ?").kind == "date"
    a = analyze_question("Quels moyens pour l'objectif 6 de la priorité 4 du PTSM ?")
    assert (a.priority, a.objective, a.documents) == (4, 6, ("ptsm-calvados-2026-2030",))


def test_sentences_are_verbatim_substrings():
    text = "Le CRT a accompagné 18 bénéficiaires. L'ARS finance 400.000 €; Fin.\n- un point"
    parts = split_sentences(text)
    assert all(p in text for p in parts)
    assert parts[0] == "Le CRT a accompagné 18 bénéficiaires."


def test_evidence_by_kind():
    assert has_evidence("L'ARS finance à hauteur de 400.000 €", "amount")
    assert not has_evidence("L'ARS finance ces dispositifs", "amount")
    assert has_evidence("Créé en septembre 2024", "date")
    assert has_evidence("CAF et CALN", "who", "porteur")


def _p(rank, pid, text, locator="Loc", score=0.9):
    return Passage(rank, pid, "Doc", "doc", locator, None, text, score)


def test_compose_cites_the_sentence_and_abstains_without_evidence():
    passages = [
        _p(
            1,
            "doc/a/p1",
            "Le CRT de Dozulé est actif. L'ARS finance ces dispositifs à hauteur de 400.000 € par centre.",
        ),
        _p(2, "doc/b/p1", "Autre chose sans montant.", score=0.3),
    ]
    q = "Combien l'ARS finance-t-elle chaque centre ?"
    result = compose(q, analyze_question(q), passages, {})
    assert not result.abstained
    assert result.text == "L'ARS finance ces dispositifs à hauteur de 400.000 € par centre. [1]"
    assert result.citations[0].id == "doc/a/p1"
    q = "Quel est le montant alloué au centre de Dozulé ?"
    no_amount = [_p(1, "doc/a/p1", "Le CRT de Dozulé est actif depuis juin.")]
    assert compose(q, analyze_question(q), no_amount, {}).abstained


def test_real_corpus_answers_with_exact_citations(fake_assistant):
    answer = fake_assistant.ask("Qui porte la fiche action 2.3 du CLS de Lisieux ?")
    assert not answer.abstained
    assert answer.citations[0].id == "cls-lisieux-2025-2029/fa-2.3/porteur"
    assert answer.citations[0].locator.endswith("Maître d'œuvre / Porteur")
    assert "CIDFF" in answer.answer
    assert len(answer.passages) == 10
    crt = fake_assistant.ask("Combien l'ARS finance-t-elle chaque CRT ?")
    assert "400.000 €" in crt.answer
    import re

    cited = {c.n: c.text for c in crt.citations}
    for sentence, n in re.findall(r"(.+?) \[(\d+)\](?: |$)", crt.answer):
        assert sentence.strip() in cited[int(n)]
    assert fake_assistant.ask("Quel est le budget de la fiche action 4.1 du CLS ?").abstained


def test_filters_and_bad_input(fake_assistant):
    answer = fake_assistant.ask("Qui porte l'EMAS ?", documents=["bilan-le-havre-2025"])
    assert {p.document_id for p in answer.passages} == {"bilan-le-havre-2025"}
    with pytest.raises(UnknownFilter, match="bilan-calvados-2025"):
        fake_assistant.ask("Qui ?", documents=["inconnu"])
    with pytest.raises(EmptyQuestion):
        fake_assistant.ask("   ")
    with pytest.raises(QuestionTooLong, match="2000"):
        fake_assistant.ask("x" * 2001)


def test_passage_context_and_outline(fake_assistant):
    data = fake_assistant.passage("cls-lisieux-2025-2029/fa-2.3/porteur")
    assert data["before"] and data["after"]
    assert all(
        b["id"].startswith("cls-lisieux-2025-2029/fa-2.3/") for b in data["before"] + data["after"]
    )
    outline = fake_assistant.outline("cls-lisieux-2025-2029")
    titles = [s["title"] for s in outline["sections"]]
    assert any(t.startswith("Axe 2") for t in titles)


def test_langchain_retriever(fake_assistant):
    from assistant.langchain import HybridLangChainRetriever

    retriever = HybridLangChainRetriever(assistant=fake_assistant, k=3)
    docs = retriever.invoke("Qui porte la fiche action 2.2 du CLS ?")
    assert len(docs) == 3
    assert all("fa-2.2" in d.metadata["citation_id"] for d in docs)
    assert set(docs[0].metadata) == {
        "citation_id",
        "document",
        "document_id",
        "locator",
        "page",
        "score",
    }


def test_idf_weighted_coverage_and_unknown_words():
    from assistant.answer import weighted_coverage
    from indexer.lexical import analyze

    ars, finance, crt = analyze("ARS finance CRT")
    idf = {ars: 1.0, finance: 2.0, crt: 5.0}
    terms = {ars, finance, crt}
    assert weighted_coverage(terms, "L'ARS finance le CRT", idf, 8.0) == 1.0
    assert weighted_coverage(terms, "L'ARS finance", idf, 8.0) == 3 / 8
    passages = [_p(1, "doc/a/p1", "La Normandie compte 3 projets sanitaires.")]
    q = "Combien d'hélicoptères sanitaires la Normandie possède-t-elle ?"
    result = compose(q, analyze_question(q), passages, {}, idf={"sanitair": 2.0, "normand": 1.0})
    assert result.abstained


def test_real_corpus_abstains_on_a_word_it_never_uses(fake_assistant):
    assert fake_assistant.ask(
        "Combien d'hélicoptères sanitaires la Normandie possède-t-elle ?"
    ).abstained


def test_generative_mode_is_refused_clearly(fake_assistant):
    from indexer.errors import UsageError

    with pytest.raises(UsageError, match="extractive"):
        fake_assistant.ask("Qui porte l'EMAS ?", mode="generative")
