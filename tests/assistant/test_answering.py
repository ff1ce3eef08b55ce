"""Fusion, expansion, sentence selection, citations and abstention."""

from dataclasses import replace

import numpy as np
import pytest

from assistant.answer import compose, has_evidence, split_sentences
from assistant.query import analyze_question
from assistant.retrieval import Weights, evidence_first, expand_query, fuse, normalise
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


def _hit(rank: int, id: str, score: float) -> Passage:
    return Passage(rank, id, "Doc", "doc", id, None, f"texte {id}", score)


def test_evidence_first_puts_the_cited_passages_first_and_renumbers():
    retrieved = [_hit(1, "a", 0.9), _hit(2, "b", 0.8), _hit(3, "c", 0.7)]
    shown = evidence_first(
        retrieved, [_hit(0, "c", 0.7), _hit(0, "z", 0.2), _hit(0, "c", 0.7)], k=4
    )
    assert [p.id for p in shown] == ["c", "z", "a", "b"]
    assert [p.rank for p in shown] == [1, 2, 3, 4]
    assert shown[0].score == 0.7  # the retrieval score is kept
    assert [p.id for p in evidence_first(retrieved, [], k=2)] == ["a", "b"]
    # A list answer's fourth citation does not jump the retrieved passages.
    items = [_hit(0, i, 0.1) for i in "wxyz"]
    assert [p.id for p in evidence_first(retrieved, items, k=5)] == ["w", "x", "y", "a", "b"]


def test_the_passage_an_answer_quotes_leads_its_passages(fake_assistant):
    # The fused ranking puts the fiche's title first; the answer quotes its porteur
    # field, which then leads the passages shown under the answer.
    question = "Qui porte la fiche 3.1 « De la fourche à la fourchette » ?"
    retrieved = [p.id for p in fake_assistant.search(question, k=10)]
    answer = fake_assistant.ask(question)
    cited = answer.citations[0].id
    assert not answer.abstained and retrieved[0] != cited
    assert answer.passages[0].id == cited
    assert [p.id for p in answer.passages[1:]] == [i for i in retrieved if i != cited][:9]
    assert [p.rank for p in answer.passages] == list(range(1, 11))


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
    # "Quelles équipes …" asks for several items, drawn from several passages.
    assert analyze_question("Quelles équipes de soins palliatifs sont renforcées ?").kind == "list"
    assert analyze_question("Quelle équipe porte l'EMAS ?").kind != "list"


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


def _answer(q, passages, fields=None, **options):
    """The extractive answer to `q` from these passages (table fields by passage id)."""
    return compose(q, analyze_question(q), passages, fields or {}, **options)


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
    result = _answer(q, passages)
    assert not result.abstained
    assert result.text == "L'ARS finance ces dispositifs à hauteur de 400.000 € par centre. [1]"
    assert result.citations[0].id == "doc/a/p1"
    q = "Quel est le montant alloué au centre de Dozulé ?"
    no_amount = [_p(1, "doc/a/p1", "Le CRT de Dozulé est actif depuis juin.")]
    assert _answer(q, no_amount).abstained


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
    # Typed in lower case, or pasted with typographic apostrophes, it reads the same.
    assert "400.000 €" in fake_assistant.ask("combien l’ars finance-t-elle chaque crt ?").answer
    sdre = fake_assistant.ask("que veut dire sdre dans le ptsm ?")
    assert "représentant de l" in sdre.answer.lower(), sdre.answer


def test_the_question_is_read_without_the_courtesy_and_context_around_it(fake_assistant):
    from assistant.query import as_question

    assert as_question("Bonjour, pourriez-vous me dire qui porte l'EMAS ? Merci d'avance") == (
        "Qui porte l'EMAS ?"
    )
    assert as_question("Je prépare un rapport pour l'ARS. quel budget pour le SAS ?") == (
        "Quel budget pour le SAS ?"
    )
    assert as_question("J'aimerais savoir si le PTSM cite le 3114, svp ?") == (
        "Le PTSM cite le 3114 ?"
    )
    assert as_question("Dites-moi, quelle date ?") == "Quelle date ?"
    # What is left after the asker's sentence would say too little on its own.
    kept = "Je cherche le porteur de la fiche 2.3. Qui est-ce ?"
    assert as_question(kept) == kept
    assert (
        as_question("Qui porte le dispositif « Merci » ?") == "Qui porte le dispositif « Merci » ?"
    )
    assert as_question("Bonjour") == "Bonjour"
    # The ARS of "un rapport pour l'ARS" is no longer a name the answer must hold.
    plain = fake_assistant.ask("Qui porte la fiche action 2.3 du CLS de Lisieux ?")
    wrapped = fake_assistant.ask(
        "Bonjour, je prépare un rapport pour l'ARS. Pourriez-vous me dire qui porte la "
        "fiche action 2.3 du CLS de Lisieux ? Merci"
    )
    assert wrapped.answer == plain.answer
    assert wrapped.question.startswith("Bonjour")


def test_question_readings_money_verbs_informal_definitions_and_question_sentences():
    assert analyze_question("Combien l'ARS a-t-elle versé à l'EPE ?").kind == "amount"
    assert analyze_question("La valisette a coûté combien ?").kind == "amount"
    assert analyze_question("Combien l'ARS met-elle sur chaque CRT ?").kind == "amount"
    assert analyze_question("Combien de places l'ARS met-elle en place ?").kind == "count"
    assert analyze_question("c quoi le Good Behavior Game ?").kind == "definition"
    q = "Pouvez-vous me rappeler ce qu'on entend par « mutuelle territorialisée » ?"
    assert analyze_question(q).kind == "definition"
    # A question written in the document is not an answer to it.
    text = (
        "Une mutuelle territorialisée, c'est quoi ? C'est une mutuelle sélectionnée par "
        "les élus d'un territoire afin de proposer un tarif préférentiel."
    )
    result = _answer(q, [_p(1, "c/fa-2.2/p3", text, locator="Fiche 2.2")])
    assert result.text.startswith("C'est une mutuelle sélectionnée"), result.text


def test_a_sentence_on_the_acronym_speaks_of_the_last_one_the_text_named():
    from assistant.evidence import refers_to_another

    q = "Combien de bénéficiaires le CRT de Lisieux a-t-il accompagnés fin 2024 ?"
    before = "Actif depuis juin 2024, le CRT de Dozulé s'est fortement mobilisé."
    sentence = "Fin 2024, le CRT a accompagné 18 bénéficiaires."
    assert refers_to_another(q, before, sentence)
    assert not refers_to_another(q, "Le CRT de Lisieux recrute.", sentence)
    assert not refers_to_another(q, "", sentence)
    assert not refers_to_another(q, before, "Le CRT de Lisieux a accompagné 5 personnes.")
    text = f"{before} {sentence}"
    assert _answer(q, [_p(1, "b/crt/p1", text, locator="CRT à Dozulé et à Lisieux")]).abstained
    # The place may come a few words after the acronym.
    carried = "Combien de bénéficiaires le CRT porté par le centre hospitalier de Lisieux ?"
    assert refers_to_another(carried, before, sentence)
    assert not refers_to_another(carried, "Le CRT de Lisieux recrute.", sentence)


def test_a_figure_for_another_departement_does_not_answer():
    from assistant.evidence import other_department

    q = "Quel pourcentage de la population du Calvados est couvert par une CPTS ?"
    line = "91% de la population de la seine Maritime est couverte par une CPTS"
    assert other_department(q, line)
    assert not other_department(q, "62 % de la population du Calvados est couverte par une CPTS")
    assert not other_department(q, "La population couverte par une CPTS progresse.")
    assert not other_department("Quel pourcentage de la population est couvert ?", line)
    assert not other_department("Et en Seine-Maritime ?", line)
    assert _answer(q, [_p(1, "h/cpts/p1", line, locator="CPTS")]).abstained
    assert not _answer(
        q.replace("du Calvados", "de Seine-Maritime"), [_p(1, "h/cpts/p1", line, locator="CPTS")]
    ).abstained


def test_a_slot_the_document_leaves_to_decide_does_not_answer():
    from assistant.evidence import left_undecided

    line = (
        "6 places dans le territoire du Bessin et 6 places dans un second territoire à identifier"
    )
    q = "Les 6 autres places d'accueil de jour iront dans quel territoire ?"
    assert left_undecided(q, line)
    assert not left_undecided("Combien de places dans le Bessin ?", line)
    assert left_undecided("Quel montant FIR ?", "FIR (montant à définir)")
    assert not left_undecided("Quel montant FIR ?", "FIR : 60 000 € par an")
    assert _answer(q, [_p(1, "f/ap-1/p3", line, locator="Accueil de jour")]).abstained


def test_a_definition_may_be_situated_by_names_found_around_it():
    q = "c quoi le GBG prévu dans la convention ARS/Rectorat ?"
    passages = [
        _p(
            1,
            "f/ap-6/prevention/p6",
            "Le GBG est une stratégie de gestion du comportement en classe.",
        ),
        _p(
            2,
            "f/ap-6/prevention/p1",
            "Mise en œuvre du plan d'actions de la convention ARS/Rectorat",
        ),
    ]
    assert "gestion du comportement" in _answer(q, passages).text
    # A factoid question still needs its names next to its answer.
    q = "Combien d'écoles appliquent le GBG selon le Rectorat ?"
    other = _p(1, "f/ap-6/prevention/p6", "Le GBG est appliqué dans 12 écoles.")
    rectorat = _p(2, "f/ap-6/prevention/p1", "Convention ARS/Rectorat")
    assert _answer(q, [other, rectorat]).abstained


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
    result = _answer(q, passages, idf={"sanitair": 2.0, "normand": 1.0})
    assert result.abstained


def test_real_corpus_abstains_on_a_word_it_never_uses(fake_assistant):
    assert fake_assistant.ask(
        "Combien d'hélicoptères sanitaires la Normandie possède-t-elle ?"
    ).abstained


def test_generative_mode_is_refused_clearly(fake_assistant):
    from indexer.errors import UsageError

    with pytest.raises(UsageError, match="extractive"):
        fake_assistant.ask("Qui porte l'EMAS ?", mode="generative")


def test_a_wrapped_line_stays_with_its_sentence_and_is_cited_line_by_line():
    from assistant.answer import quote

    text = "- Promouvoir les directives (s'appuyer sur\nl'équipe d'Ariane, Esquirol)\n- Autre point"
    parts = split_sentences(text)
    assert parts[0] == "- Promouvoir les directives (s'appuyer sur\nl'équipe d'Ariane, Esquirol)"
    assert parts[1] == "- Autre point"
    assert quote(parts[0], 2) == (
        "- Promouvoir les directives (s'appuyer sur [2] l'équipe d'Ariane, Esquirol) [2]"
    )


def test_numbers_and_dates_of_the_question_itself_are_not_answers():
    q = "Combien d'appels au 3114 ont été reçus en 2024 ?"
    assert not has_evidence("Nombre annuel d'appels au 3114 (source : 3114)", "count", None, q)
    assert has_evidence("Le 3114 a reçu 12 000 appels.", "count", None, q)
    assert not has_evidence("Il a été créé en 2024.", "count", None, "Combien de lits ?")
    assert not has_evidence("2 actions ont été contractualisées.", "date", None, "Quand ?")
    q = "Quel EHPAD porte le CRT de Dozulé ?"
    assert not has_evidence("Le CRT de Dozulé est actif.", "who", None, q)
    assert has_evidence("Le CRT de Dozulé est porté par l'EHPAD Topaze.", "who", None, q)


def test_count_prefers_the_number_of_the_counted_thing():
    passages = [
        _p(1, "doc/m/p4", "Des maraudes ont débuté en mars 2024 à Lisieux avec 14 bénévoles."),
        _p(2, "doc/m/p7", "- 53 maraudes ont eu lieu (42 maraudes en 2023).", score=0.8),
    ]
    q = "Combien de maraudes ont été réalisées en 2024 ?"
    result = _answer(q, passages)
    assert result.text == "- 53 maraudes ont eu lieu (42 maraudes en 2023). [1]"
    assert result.citations[0].id == "doc/m/p7"


def test_who_question_on_a_role_prefers_the_porteur_field():
    passages = [
        _p(1, "cls/fa-2.5/synthese", "FA2.5 | Collectif Santé Précarité | Coordonner les acteurs."),
        _p(
            2,
            "cls/fa-2.5/porteur",
            "DAC Appui 14 / ESI 14 / Association Itinéraires",
            locator="Fiche action 2.5 « Collectif Santé-Précarité » › Maître d'œuvre / Porteur",
            score=0.8,
        ),
    ]
    q = "Qui pilote le Collectif Santé-Précarité de la fiche action 2.5 ?"
    fields = {"cls/fa-2.5/porteur": "porteur", "cls/fa-2.5/synthese": "synthese"}
    result = _answer(q, passages, fields)
    assert result.citations[0].id == "cls/fa-2.5/porteur"


def test_a_sentence_about_a_neighbouring_entity_does_not_answer():
    text = (
        "- Janvier 2024 : ouverture d'une UEMA sur le Havre. Elle permet l'accompagnement "
        "de 7 enfants.\n- Septembre 2024 : création d'une EMAS sur le territoire de Lillebonne"
    )
    q = "Combien d'enfants sont accompagnés par l'UEMA de Lillebonne ?"
    assert _answer(q, [_p(1, "doc/uema/p1", text)]).abstained
    q = "Combien d'enfants sont accompagnés par l'UEMA du Havre ?"
    assert "7 enfants" in _answer(q, [_p(1, "doc/uema/p1", text)]).text


def test_the_answering_sentence_itself_must_speak_of_the_question():
    # The heading matches the question; the only sentence with an amount is about
    # something else (a median income), so the documents do not say.
    passages = [
        _p(
            1,
            "cls/fa-3.1/contexte/p14",
            "Le revenu médian sur le territoire de la CALN est de 21 633 €.",
            locator="Fiche action 3.1 « De la fourche à la fourchette » (ESI 14) › Contexte",
        )
    ]
    q = "Quel montant de subvention la CALN verse-t-elle à l'ESI 14 pour l'action « De la fourche à la fourchette » ?"
    from indexer.lexical import analyze

    idf = {t: 3.0 for t in analyze(q)} | {t: 0.5 for t in analyze("CALN montant action")}
    idf |= {t: 1.0 for t in analyze("revenu médian territoire")}
    assert _answer(q, passages, idf=idf).abstained


def test_a_list_intro_brings_its_items_from_the_same_passage():
    text = "- Sensibiliser les élus selon 2 modalités :\no 1ère modalité : ½ journée\no 2e modalité : conseils municipaux\n- Autre action"
    q = "Comment le PTSM compte-t-il sensibiliser les élus ?"
    result = _answer(q, [_p(1, "ptsm/p4/o1/moyens", text)])
    assert "o 1ère modalité : ½ journée [1] o 2e modalité : conseils municipaux [1]" in result.text
    assert "Autre action" not in result.text


def test_document_names_leave_the_lexical_query():
    from assistant.query import without_document_names

    q = "Qu'entend-on par postvention dans le PTSM du Calvados ?"
    assert "ptsm" not in without_document_names(q) and "postvention" in without_document_names(q)
    q = "Qui porte la fiche 2.3 du CLS de Lisieux ?"
    assert without_document_names(q) == "qui porte la fiche 2.3 du de ?"


def test_retrieval_does_not_favour_a_passage_that_only_names_the_document(fake_assistant):
    from assistant.api import Assistant

    lexical = Assistant(fake_assistant.index, fake_assistant.embedder, Weights(bm25=1.0, dense=0.0))
    passages = lexical.search("Qu'entend-on par postvention dans le PTSM du Calvados ?", k=3)
    assert any("postvention" in p.text.lower() for p in passages)
    assert all(p.text.strip() != "Calvados" for p in passages)


def test_definition_prefers_the_sentence_whose_subject_is_the_term():
    passages = [
        _p(
            1,
            "ptsm/p4/enjeu-5/p6",
            "Ces actions visent à soulager la détresse liée à la postvention.",
        ),
        _p(
            2,
            "ptsm/p4/enjeu-5/p5",
            "La postvention regroupe les actions qui accompagnent les personnes exposées à un "
            "décès par suicide.",
        ),
    ]
    q = "Qu'entend-on par postvention dans le PTSM ?"
    result = _answer(q, passages)
    assert result.text.startswith("La postvention regroupe")


def test_date_prefers_the_sentence_dating_the_asked_event():
    passages = [
        _p(1, "b/p1", "À la rentrée, la loi de 2024 crée pour les premiers internes une 4e année."),
        _p(
            2,
            "h/p3",
            "Les premiers internes entreront en 4e année à la rentrée 2026-2027.",
            score=0.8,
        ),
    ]
    q = "À partir de quelle rentrée les premiers internes feront-ils leur 4e année ?"
    assert "2026-2027" in _answer(q, passages).text


def test_partners_question_prefers_the_partnership_sentence():
    passages = [
        _p(
            1,
            "b/act/p6",
            "L'ARS a créé ces nouvelles places d'ACT avec la Croix-Rouge pour 109.000 €.",
        ),
        _p(
            2,
            "b/act/p4",
            "Ces places d'ACT ont été créées grâce à un partenariat entre l'ARS, la DDETS et le SPIP.",
            score=0.7,
        ),
    ]
    q = "Avec quels partenaires l'ARS a-t-elle créé les places d'ACT ?"
    assert "DDETS" in _answer(q, passages).text


def test_opening_hours_and_percentages_are_not_counts():
    from assistant.evidence import has_evidence

    question = "Combien de médecins régulateurs composent le vivier ?"
    hours = (
        "Une ligne de régulation sur les horaires du SAS (8h – 20h en semaine et 8h-12h le samedi)."
    )
    assert not has_evidence(hours, "count", None, question)
    assert not has_evidence("Le taux de réponse atteint 85 % des appels.", "count", None, question)
    assert has_evidence("Le vivier compte 12 médecins (8h-20h).", "count", None, question)


def test_the_asked_field_of_a_named_fiche_outranks_its_other_fields():
    from assistant.retrieval import structure_boost
    from indexer.types import Chunk

    def chunk(cid, field):
        return Chunk(
            id=cid,
            document_id="cls",
            locator=("Fiche",),
            text="texte",
            order=0,
            section=cid.rsplit("/", 1)[0],
            field=field,
        )

    chunks = [
        chunk("cls/fa-2.1/intitule", "intitule"),
        chunk("cls/fa-2.1/porteur", "porteur"),
        chunk("cls/fa-2.1/partenaires", "partenaires"),
        chunk("cls/fa-3.1/porteur", "porteur"),
    ]
    who = structure_boost(chunks, analyze_question("Qui porte l'action 2.1 du CLS ?"), Weights())
    assert int(np.argmax(who)) == 1
    assert who[1] - who[0] > Weights().field  # more than the generic field boost
    assert who[3] == pytest.approx(Weights().field)  # another fiche's porteur: small boost
    partners = structure_boost(
        chunks, analyze_question("Quels partenaires pour la fiche 2.1 ?"), Weights()
    )
    assert int(np.argmax(partners)) == 2
    assert analyze_question("Quel public vise la fiche 4.1 ?").fields == ("public",)
    assert analyze_question("Combien de places en 2024 ?").fields == ()


def test_a_named_document_and_unit_lift_their_chunks_by_their_weights():
    from assistant.retrieval import ChunkColumns, structure_boost
    from indexer.types import Chunk

    def chunk(cid):
        doc = cid.split("/")[0]
        return Chunk(
            id=cid, document_id=doc, locator=("x",), text="t", order=0, section=cid, field=None
        )

    chunks = [
        chunk("ptsm-calvados-2026-2030/p2/enjeu-1/p1"),
        chunk("ptsm-calvados-2026-2030/p3/enjeu-1/p1"),
        chunk("cls-lisieux-2025-2029/fa-5.1/objectifs"),
        chunk("cls-lisieux-2025-2029/synthese/fa-5"),
        chunk("bilan-calvados-2025/sas/p2"),
    ]
    w = Weights()
    priority = analyze_question("Que prévoit la priorité 2 du PTSM du Calvados ?")
    boost = structure_boost(chunks, priority, w)
    assert boost.tolist() == pytest.approx([w.structure + w.document, w.document, 0, 0, 0])
    axis = analyze_question("Quelles fiches composent l'axe 5 du CLS ?")
    boost = structure_boost(chunks, axis, w, ChunkColumns.of(chunks))
    lifted = w.structure + w.document
    assert boost.tolist() == pytest.approx([0, 0, lifted, lifted, 0])


def test_who_prefers_the_sentence_naming_the_role_over_a_closer_description():
    text = (
        "Une nouvelle équipe mobile d'appui (EMAS) a été créée à la rentrée 2024 pour "
        "intervenir sur la circonscription de Caen 1, au côté des équipes du Calvados. "
        "Le pilotage de cette nouvelle EMAS est portée par la ligue de l'enseignement."
    )
    q = "Qui pilote la nouvelle EMAS ouverte en 2024 sur la circonscription Caen 1 ?"
    result = _answer(q, [_p(1, "bilan/emas/p3", text)])
    assert result.text.startswith("Le pilotage de cette nouvelle EMAS") and "[1]" in result.text
    # A management question is answered by the "gestionnaire" sentence, and a label
    # line that names no role ("Financement : …") is not an answer to "qui".
    text = (
        "Le GEM est une association d'usagers.\n"
        "Il est également aidé par une association gestionnaire, les Établissements "
        "publics médico-sociaux de Fécamp (EPMSF).\n- Financement : 91 000€/an"
    )
    q = "Quelle structure assure la gestion du GEM de Fécamp ?"
    result = compose(
        q, analyze_question(q), [_p(1, "havre/gem/p1", text, locator="GEM de Fécamp")], {}
    )
    assert "EPMSF" in result.text and "91 000" not in result.text


def test_relative_qui_and_porter_sur_do_not_make_a_who_question():
    assert (
        analyze_question("Comment s'appelle l'équipe mobile qui intervient à l'ASE ?").kind != "who"
    )
    assert analyze_question("Sur quels leviers porte la feuille de route ?").kind != "who"
    assert analyze_question("La fiche 6.2 porte sur quels thèmes ?").kind != "who"
    assert analyze_question("Dans le CLS, qui porte la fiche 2.3 ?").kind == "who"
    assert analyze_question("Par qui est financé le GEM de Fécamp ?").kind == "who"
    assert analyze_question("Combien coûterait l'extension des lits ?").kind == "amount"


def test_retrieval_prefers_top_passages_holding_the_asked_kind_of_value():
    from assistant.retrieval import evidence_boost
    from indexer.types import Chunk

    texts = [
        "Le projet régional de santé 2023-2028 compte 12 priorités.",
        "Le projet régional de santé a été publié le 31 octobre 2023.",
        "Publié le 2 mai 2024, hors du haut du classement.",
        "Le projet régional de santé, en vigueur depuis novembre 2023, compte 12 axes.",
    ]
    chunks = [
        Chunk(id=f"d/p{i}", document_id="d", locator=("S",), text=t, order=i, section="d")
        for i, t in enumerate(texts)
    ]
    q = "À quelle date le projet régional de santé 2023-2028 a-t-il été publié ?"
    scores = np.array([1.0, 0.95, 0.1, 0.9])
    boost = evidence_boost(chunks, scores, q, analyze_question(q), Weights(evidence_pool=3))
    # "2023-2028" is the question's own; a date right after the asked event ("publié le
    # 31 octobre 2023") counts twice, another date once.
    assert boost.tolist() == [0.0, pytest.approx(0.2), 0.0, pytest.approx(0.1)]
    assert not evidence_boost(
        chunks, scores, "Qui porte le PRS ?", analyze_question("Qui porte le PRS ?"), Weights()
    ).any()


def test_a_bare_value_needs_more_of_the_question_than_a_framed_field():
    # The passage is on the question's subject; the only count is in a sentence that
    # shares two of its eight words: another thing's number.
    text = (
        "La ligne d'écoute nationale du 3114 répond aux appels. "
        "Au total, 144 étudiants ont été reçus en 2024."
    )
    q = "Combien d'étudiants la ligne d'écoute nationale du 3114 a-t-elle reçus en appel cet hiver ?"
    passages = [_p(1, "doc/s/p1", text)]
    assert _answer(q, passages).abstained
    relaxed = _answer(q, passages, min_factoid_coverage=0.15)
    assert "144 étudiants" in relaxed.text


def test_rates_contacts_and_presiding_need_their_own_kind_of_evidence():
    q = "Quel est le taux d'obésité des enfants sur le territoire de la CALN ?"
    assert analyze_question(q).kind == "rate"
    text = "Sur les 33 291 ménages de la CALN, des enfants vivent dans 8 700 familles."
    assert _answer(q, [_p(1, "cls/ctx/p1", text)]).abstained
    rate = "Le taux d'obésité des enfants de la CALN atteint 18 %."
    assert "18 %" in _answer(q, [_p(1, "cls/ctx/p2", rate)]).text
    q = "Quel est le numéro de téléphone de la Maison des 1000 premiers jours ?"
    assert analyze_question(q).kind == "contact"
    about = "La Maison des 1000 premiers jours accueille les parents depuis 2023."
    assert _answer(q, [_p(1, "h/m/p1", about)]).abstained
    q = "Qui préside le Conseil territorial de santé ?"
    text = "Le Conseil territorial de santé réunit les acteurs du territoire et l'ARS."
    assert _answer(q, [_p(1, "f/p/p1", text)]).abstained
    signed = "Philippe GUERARD Président du Conseil territorial de santé du Calvados"
    assert "GUERARD" in _answer(q, [_p(1, "f/p/p8", signed)]).text


def test_a_value_dated_another_year_does_not_answer():
    from assistant.evidence import other_year

    q = "Combien d'examens médico-légaux l'unité a-t-elle réalisés en 2023 ?"
    assert other_year(q, "UAPED 162 examens réalisés en 2024", "162 examens réalisés en 2024")
    assert not other_year(q, "Bilan 2023 › 162 examens réalisés", "162 examens réalisés")
    assert not other_year(
        "Combien de maraudes en 2024 ?", "53 maraudes (42 en 2023)", "53 maraudes (42 en 2023)"
    )
    assert not other_year("Combien de maraudes ?", "53 maraudes en 2023", "53 maraudes en 2023")
    line = "76 victimes dont 67 femmes recensées, contre 89 pour 77 en 2023."
    assert not other_year("Combien de victimes en 2024 ?", line, line)
    assert other_year("Combien de victimes en 2022 ?", "76 victimes en 2023", "76 victimes en 2023")
    text = "L'unité a réalisé 162 examens médico-légaux en 2024."
    assert _answer(q, [_p(1, "h/u/p1", text, locator="UAPED")]).abstained


def test_the_period_in_a_document_title_does_not_date_a_sentence():
    text = (
        "Entre 2022 et 2024, les dispositifs déployés sur le territoire ont permis la "
        "réalisation de plus de 1 000 téléconsultations."
    )
    passage = Passage(1, "c/fa-2/p3", "CLS 2025-2029", "cls", "Fiche 2.1", None, text, 0.9)
    assert _answer("Combien de téléconsultations en 2025 ?", [passage]).abstained
    assert "1 000" in _answer("Combien de téléconsultations ?", [passage]).text
    titled = Passage(1, "b/x/p3", "Bilan 2025", "b", "Fiche", None, "48 téléconsultations.", 0.9)
    assert "48" in _answer("Combien de téléconsultations en 2025 ?", [titled]).text


def test_a_count_read_from_le_nombre_de_and_a_document_abbreviation_is_not_a_name():
    q = "Combien d'effections médicales par mois pour le SAS ?"
    text = (
        "Le nombre d'effections médicales est en progression constante (entre 500 et 600 par mois)."
    )
    result = _answer(q, [_p(1, "b/sas/p7", text, locator="SAS")])
    assert "500 et 600" in result.text
    other = (
        "Concernant le métier de médiateur de santé pair : suivre la formation licence 3 "
        "de médiateur (payée par l'ARS), puis trouver un employeur."
    )
    q = "Combien de médiateurs sont employés ?"
    assert _answer(q, [_p(1, "p/m/p1", other)]).abstained
    q = "budget de fonctionnement de la communauté 360 dans la FDR 2024 ?"
    assert analyze_question(q).documents == ("feuille-de-route-calvados-2024",)
    line = "CNR : 347.522 € (fonctionnement de la C 360)"
    passages = [_p(1, "f/ap-4/p2", line, locator="Communauté 360 du Calvados")]
    assert "347.522 €" in _answer(q, passages).text


def test_inhabitants_names_read_as_their_place():
    from assistant.query import in_corpus_words

    assert in_corpus_words("Quelle part des Seinomarins vit ici ?") == (
        "Quelle part des habitants de Seine-Maritime vit ici ?"
    )
    assert in_corpus_words("la population havraise") == "la population du Havre"
    assert in_corpus_words("le territoire lexovien") == "le territoire de Lisieux"
    assert in_corpus_words("Le Havre et Caen") == "Le Havre et Caen"


def test_counts_over_months_and_figures_that_look_like_years():
    from assistant.evidence import other_year

    text = (
        "La montée en puissance du SAS s'est manifestée par le nombre croissant de patients "
        "régulés, passant d'un peu plus de 2000 au mois de septembre à près de 3300 en décembre."
    )
    q = "Combien de patients le SAS régulait-il par mois en fin d'année 2024 ?"
    result = _answer(q, [_p(1, "b/sas/p6", text, locator="SAS")])
    assert "3300" in result.text  # "plus de 2000" is a count, not the year 2000
    q = "Combien de patients le SAS a-t-il régulés en janvier 2025 ?"
    assert other_year(q, text, text)  # a December figure does not answer for January
    assert _answer(q, [_p(1, "b/sas/p6", text, locator="SAS")]).abstained
    assert not other_year("Combien en décembre 2024 ?", text, text)


def test_a_table_row_value_is_read_with_the_item_it_qualifies():
    row = (
        "Développement de consultations dentaires destinées aux usagers de l'EPSM de Caen. "
        "Montant FIR : 60 000€ / an Ouverture du lieu de consultation"
    )
    q = "Quel montant annuel de FIR est prévu pour les consultations dentaires de l'EPSM de Caen ?"
    passages = [_p(1, "f/ap-4/p7", row, locator="Chantier « Accompagner les parcours »")]
    assert "60 000€" in _answer(q, passages).text


def test_a_verb_the_corpus_never_uses_is_not_required_in_the_answer():
    from assistant.answer import content_terms

    idf = {"maison": 3.0, "mspu": 5.0, "havr": 4.0, "regroup": 3.0, "subvent": 4.0}
    assert "composent" not in content_terms("Quelles maisons composent la MSPU ?", idf)
    assert "composent" in content_terms("Quelles maisons composent la MSPU ?")
    # A noun ending like a verb stem stays: "subvention" is what the question is about.
    assert "subvent" in content_terms("Quelle subvention la CALN verse-t-elle ?", idf)


def test_a_team_question_lists_its_members():
    from assistant.query import asks_composition

    q = "Quels professionnels composent la nouvelle EMAS de Caen 1 ?"
    assert analyze_question(q).kind == "list" and asks_composition(q)
    assert analyze_question("De qui se compose l'équipe de l'UAPED ?").kind == "list"
    assert not asks_composition("Quelles maisons de santé composent la MSPU ?")
    text = (
        "Une nouvelle EMAS a été créée à la rentrée 2024 pour la circonscription de Caen 1. "
        "Le pilotage de cette nouvelle EMAS est porté par la ligue de l'enseignement. "
        "Elle est composée d'une éducatrice spécialisée, ainsi que d'un temps "
        "d'orthophoniste et de psychologue."
    )
    passages = [_p(1, "b/emas/p1", text, locator="Création d'une nouvelle EMAS")]
    assert "éducatrice spécialisée" in _answer(q, passages).text


def test_a_definition_is_a_sentence_that_defines_read_through_the_glossary():
    from assistant.evidence import defines

    assert defines("La postvention regroupe les actions mises en place.")
    assert defines("Les ACT proposent un hébergement.") and defines("Le SAS permet d'orienter.")
    q = "Qu'est-ce que le Good Behavior Game déployé dans les écoles primaires ?"
    assert analyze_question("Comment le CLS définit-il l'urbanisme ?").kind == "definition"
    passages = [
        _p(1, "f/ap-6/p1", "- Programme Good Behavior Game (GBG) dans des écoles primaires"),
        _p(
            2,
            "f/ap-6/p2",
            "Le GBG est une stratégie de gestion du comportement en classe élémentaire.",
            score=0.6,
        ),
    ]
    aliases = [("GBG", "Good Behavior Game")]
    # Without the glossary the definition does not even name the asked term.
    assert "Programme" in _answer(q, passages).text
    result = _answer(q, passages, aliases=aliases)
    assert result.text.startswith("Le GBG est une stratégie")
    q = "Que signifie HTES dans la fiche sur l'accueil des étudiants ?"
    fiche = "Fiche action 5.3 « Accueil des étudiants en santé »"
    passages = [
        _p(1, "c/fa-5.3/p1", "Charte HTES", locator=fiche),
        _p(2, "c/fa-5.3/p2", "Signer la Charte des Hébergements Territoriaux (HTES).", fiche, 0.7),
    ]
    aliases = [("HTES", "Hébergements Territoriaux")]
    result = _answer(q, passages, aliases=aliases)
    assert result.text.startswith("Signer la Charte")


def test_a_two_part_question_embeds_its_parts_in_one_batch(hashing_index):
    """Each part is retrieved on its own vector, and all are embedded in one call."""
    from assistant.api import Assistant
    from assistant.settings import Settings
    from indexer.embeddings import HashingEmbedder

    class Recording(HashingEmbedder):
        def __init__(self):
            super().__init__()
            self.batches = []

        def embed_query(self, text):
            self.batches.append([text])
            return super().embed_query(text)

        def embed_queries(self, texts):
            self.batches.append(list(texts))
            return super().embed_queries(texts)

    embedder = Recording()
    assistant = Assistant.load(hashing_index, Settings(embedding_model="hashing"), embedder)
    q = (
        "Quand ont été créées la nouvelle EMAS de Lillebonne "
        "et celle de la circonscription Caen 1 ?"
    )
    answer = assistant.ask(q)
    assert len(embedder.batches) == 1 and len(embedder.batches[0]) == 3
    assert "Caen 1" in embedder.batches[0][2] and "Lillebonne" not in embedder.batches[0][2]
    # The batch gives the vectors one call each would.
    one_by_one = np.vstack([embedder.embed_query(t) for t in embedder.batches[0]])
    assert np.allclose(embedder.embed_queries(embedder.batches[0]), one_by_one)
    assert answer.passages
    embedder.batches.clear()
    assistant.ask("Quel organisme porte l'EMAS de Caen ?")
    assert [len(b) for b in embedder.batches] == [1]


def test_an_acronym_counts_only_when_named_in_the_same_part_of_the_document():
    """'Financement ARS : 2.6M€' under another chantier is not the MSPU's financing."""
    mspu = _p(
        1,
        "havre/formation/mspu/p1",
        "Conventionnement de la 1ère MSPU du territoire : MSPU au Havre, pour une durée de 5 ans.",
        locator="Bilan du Havre › Chantier formation › MSPU",
    )
    other = _p(
        2,
        "havre/parcours/dispositif/p3",
        "- Financement ARS : 2.6M€ (secteur enfants 1.7M€, secteur adultes : 900 000€)",
        locator="Bilan du Havre › Chantier parcours › Dispositif",
    )
    q = "Quel financement l'ARS a-t-elle accordé pour la MSPU du Havre ?"
    assert _answer(q, [mspu, other]).abstained
    # The same line in the MSPU's own part (its "Bilan" under it) does answer.
    own = _p(
        2, "havre/formation/mspu/bilan/p3", other.text, locator="Bilan du Havre › MSPU › Bilan"
    )
    result = _answer(q, [mspu, own])
    assert not result.abstained and "2.6M€" in result.text


def test_spoken_definition_questions_and_when_questions_are_read_for_their_kind():
    assert analyze_question("UAPED, ça sert à quoi concrètement ?").kind == "definition"
    assert analyze_question("À quoi ça sert, un CRT ?").kind == "definition"
    # "De quand date…" asks a date even when it names a definition.
    q = "De quand date la note à laquelle le PTSM emprunte sa définition de la postvention ?"
    assert analyze_question(q).kind == "date"
    # Spoken fillers and relative pronouns are not words an answer must hold.
    from assistant.answer import content_terms

    assert content_terms("UAPED, ça sert à quoi concrètement ?") == {"uaped"}
    assert "laquel" not in content_terms(q)
    # "ça veut dire quoi" and "qu'entend le PTSM par" ask a definition too, even with
    # "chiffres" (an amount word) or "quand" (a date word) further on.
    q = "AVIP dans les chiffres de la police, ça veut dire quoi ?"
    assert analyze_question(q).kind == "definition"
    assert content_terms(q) == {"avip", "chiffr", "polic"}
    q = "Qu'entend le PTSM par « milieu ordinaire » quand il parle de maintien ?"
    assert analyze_question(q).kind == "definition"
    assert analyze_question("Quand le CLS entend-il agir par la prévention ?").kind == "date"


def test_an_item_of_a_list_run_on_one_line_is_read_with_the_line_start():
    text = (
        "- Activités : lits pandas (2021 – 2024) : 113 dyades ; 25 % de femmes de moins "
        "de 20 ans dans la file active ; HDJ : 20 familles/an"
    )
    q = "Lits Panda : quelle part de la file active a moins de 20 ans ?"
    locator = (
        "Santé mentale › Chantier : Poursuivre la structuration de la filière › "
        "Accompagnement régional / financement national › Bilan"
    )
    passage = _p(1, "havre/panda/p1", text, locator=locator)
    result = _answer(q, [passage])
    assert not result.abstained and "25 %" in result.text


def test_an_institutional_common_noun_is_not_a_name_the_answer_must_repeat():
    from assistant.evidence import question_names

    q = "De quand date la note de la Direction générale de la santé sur la postvention ?"
    assert question_names(q) == []
    assert question_names("Qui porte le CRT de Dozulé ?") == ["CRT", "Dozulé"]


def test_france_is_said_by_the_national_average():
    from assistant.evidence import missing_names

    q = "Quel taux dans le Calvados, par rapport à la région et à la France ?"
    said = "Dans le Calvados, un taux de 212.1, supérieur à la moyenne nationale (128.7)."
    assert missing_names(q, said) == []
    assert missing_names(q, "Dans le Calvados, un taux de 212.1.") == ["France"]


def test_a_count_of_a_named_thing_needs_that_thing_counted():
    q = "Combien de familles ont participé aux ateliers Réflexe santé en 2024 ?"
    assert not has_evidence(
        "Courant 2024, l'ARS a traduit les fiches Réflexe Santé en 7 langues.", "count", None, q
    )
    assert has_evidence("En 2024, 35 familles ont participé aux ateliers.", "count", None, q)
    assert has_evidence("Nombre de familles accompagnées : 35", "count", None, q)
    # Clipped words are read in full first, and "combien de personnes" accepts any
    # head count.
    from assistant.query import in_corpus_words

    q = in_corpus_words("combien d'assos d'aide alimentaire sur l'agglo ?")
    assert has_evidence("19 associations d'aide alimentaire sont recensées.", "count", None, q)
    q = "Combien de personnes le CRT a-t-il accompagnées ?"
    assert has_evidence("Le CRT a accompagné 18 bénéficiaires.", "count", None, q)


def test_clipped_spoken_words_are_read_in_full():
    from assistant.query import in_corpus_words

    assert in_corpus_words("combien d'assos sur l'agglo de Lisieux ?") == (
        "combien d'associations sur l'agglomération de Lisieux ?"
    )
    assert in_corpus_words("les pros qui suivent les ados") == (
        "les professionnels qui suivent les adolescents"
    )
    assert in_corpus_words("Les prospectives et l'Adosphère") == "Les prospectives et l'Adosphère"
    assert in_corpus_words("les medocs et les médocs") == "les médicaments et les médicaments"


def test_a_bm25_only_configuration_embeds_nothing(hashing_index):
    from assistant.api import Assistant
    from assistant.retrieval import Weights
    from indexer.embeddings import HashingEmbedder

    class Refusing(HashingEmbedder):
        def embed_queries(self, texts):
            raise AssertionError("no query should be embedded without a dense weight")

        def embed_query(self, text):
            raise AssertionError("no query should be embedded without a dense weight")

    base = Assistant.load(hashing_index, embedder=HashingEmbedder())
    embedder = Refusing()
    bm25_only = Assistant(base.index, embedder, Weights(bm25=1.0, dense=0.0))
    q = "Quand ont été créées la nouvelle EMAS de Lillebonne et celle de la circonscription Caen 1 ?"
    assert bm25_only.ask(q).passages


def test_a_total_over_a_period_does_not_answer_for_one_of_its_years():
    from assistant.evidence import other_year

    q = "Combien de dyades les lits Panda ont-ils accueillies sur la seule année 2024 ?"
    total = "- Activités : lits pandas (2021 – 2024) : 113 dyades ;"
    assert other_year(q, total, total)
    year = "En 2024, les lits Panda ont accueilli 30 dyades."
    assert not other_year(q, year, year)
    # A question on the period itself is answered by it.
    assert not other_year("Combien de dyades sur 2021-2024 ?", total, total)


def test_a_list_line_attributing_places_to_a_body_answers_who():
    text = (
        "À la suite de l'AMI CNH 2024, de nouvelles solutions ont été apportées :\n"
        "- 9 places d'IME TSA/TND :\n"
        "- 4 places - EPAHK (IME Jules Guesdes)\n"
        "- 5 places en situation complexe - Ligue Havraise (IMP L'Espérance)\n"
        "- 10 places de SAMSAH : 4 places pour l'APAJH et 6 places pour Vivre et Devenir"
    )
    q = "Quel gestionnaire porte les 4 places d'IME ouvertes à l'IME Jules Guesdes ?"
    result = _answer(q, [_p(1, "havre/ami/p1", text)])
    assert not result.abstained and "EPAHK" in result.text and "Ligue" not in result.text
    q = "Les 6 places de SESSAD, elles sont rattachées à quel gestionnaire ?"
    assert analyze_question(q).kind == "who"
    line = "- 6 places de SESSAD TSA/TND : à Fécamp, au sein de l'UGECAM"
    result = _answer(q, [_p(1, "havre/ami/p3", line)])
    assert "UGECAM" in result.text
    q = "Qui porte les places de SAMSAH ouvertes après l'AMI CNH 2024 ?"
    result = _answer(q, [_p(1, "havre/ami/p1", text)])
    assert "APAJH" in result.text and "EPAHK" not in result.text
    # A line that names no body after its places is no porteur.
    q = "Qui porte les places d'accueil de jour ouvertes après l'AMI CNH 2024 ?"
    text = "- 3 places d'accueil de jour : ouverture prévue en 2025"
    result = _answer(q, [_p(1, "havre/ami/p2", text)])
    assert result.abstained


def test_a_question_with_typographic_apostrophes_reads_as_with_plain_ones():
    from assistant.evidence import count_unit, unit_then_number
    from assistant.query import in_corpus_words

    pasted = in_corpus_words("Combien d’enfants sont suivis par l‘UEMA ?")
    assert pasted == "Combien d'enfants sont suivis par l'UEMA ?"
    assert count_unit(pasted) == "enfant"
    # The documents use all three apostrophes ("nombre d‘équipements … 32 à 33").
    assert unit_then_number("nombre d‘équipements lourds (cible : de 32 à 33)", "equip")


def test_acronyms_and_names_typed_in_lower_case_get_the_documents_capitals():
    from assistant.query import corpus_spelling, with_corpus_spelling

    texts = [
        "L'EMAS de Caen intervient auprès des écoles. Le SDRE est une mesure.",
        "Une équipe à Caen ; le sas d'entrée. Le SAS est ouvert. DEVELOPPER LE LIEN VILLE-HOPITAL",
        "Le centre hospitalier de Fécamp et l'hôpital de Fécamp. Voir gem.bolbec@exemple.fr",
    ]
    spelling = corpus_spelling(texts)
    q = "qui porte l'emas de caen et que veut dire sdre pour fecamp ?"
    assert with_corpus_spelling(q, spelling) == (
        "qui porte l'EMAS de Caen et que veut dire SDRE pour Fécamp ?"
    )
    # A word the documents also write in lower case (even with accents) stays as typed,
    # and so does a word the user capitalised.
    assert with_corpus_spelling("le sas et l'hopital", spelling) == "le sas et l'hôpital"
    assert with_corpus_spelling("Le Developper", spelling) == "Le Developper"
    # A capital at the start of a sentence does not make a name; addresses are ignored.
    assert "une" not in spelling and "bolbec" not in spelling
    # Accents come back on words the documents always accent, one way only.
    spelling = corpus_spelling(["La rentrée scolaire, une équipe, un élève au niveau élevé."])
    assert with_corpus_spelling("a la rentree l'equipe", spelling) == "a la rentrée l'équipe"
    assert with_corpus_spelling("un eleve", spelling) == "un eleve"  # élève or élevé?


def test_a_body_asked_with_an_amount_word_is_a_who_question():
    q = "Ces formations sont financées via quel opérateur dans la FDR ?"
    assert analyze_question(q).kind == "who"
    assert analyze_question("Quel montant finance l'opérateur ?").kind == "amount"


def test_a_programme_named_in_capitals_may_be_spelled_out_around_the_answer():
    from assistant.evidence import missing_names

    q = "Les places créées dans le cadre de NormHANDI'CAP à Fécamp ?"
    local = "6 places de SESSAD : à Fécamp, au sein de l'UGECAM"
    wide = "Le plan régional NormHANDI'CAP a été installé en 2024."
    assert missing_names(q, local, wide) == []
    assert missing_names(q, local, "") == ["NormHANDI'CAP"]
    assert missing_names("Le GEM de Bolbec ?", "Le GEM de Fécamp", "Bolbec") == ["Bolbec"]


def test_a_gap_is_a_rate_and_ce_taux_is_read_with_the_sentence_it_refers_to():
    q = "De combien la mortalité par suicide dépasse-t-elle la moyenne nationale à Lisieux ?"
    assert analyze_question(q).kind == "rate"
    assert analyze_question("De combien de places dispose l'EMAS ?").kind == "count"
    text = (
        "Les suicides sont nombreux chez les 15-34 ans. En regard de la France, la "
        "surmortalité normande par suicide est de +35 %. Sur le territoire de Lisieux, ce "
        "taux est supérieur à 45%."
    )
    result = _answer(q, [_p(1, "cls/etat/p12", text)])
    assert "45%" in result.text and "15-34" not in result.text


def test_which_fiche_is_answered_by_its_number_on_the_real_corpus(fake_assistant):
    # The fiche's heading holds every word of the question: its passages need add
    # nothing for "dans quelle fiche", the unit itself is the answer.
    answer = fake_assistant.ask("Dans quelle fiche action figure la mutuelle intercommunale ?")
    assert not answer.abstained
    assert answer.answer.startswith("FA2.2 | Mutuelle intercommunale [1]"), answer.answer


def test_a_fiches_operational_objectives_are_its_descriptif_rows(fake_assistant):
    from assistant.query import wanted_fields

    assert wanted_fields("quels sont les objectifs operationnels de la fiche 1.1", "list") == (
        "descriptif",
    )
    answer = fake_assistant.ask("Quels sont les objectifs opérationnels de la fiche 1.1 ?")
    assert not answer.abstained
    assert answer.citations[0].id == "cls-lisieux-2025-2029/fa-1.1/descriptif"


def test_a_statement_before_the_question_is_why_it_is_asked_not_where_the_answer_is():
    """'La fiche 2.4 du CLS parle du SAS 14. Quels horaires … ?' asks of the SAS."""
    from assistant.query import asked_sentence, statement_topic

    q = (
        "La fiche 2.4 du CLS de Lisieux veut faire connaître le SAS 14. Quels sont les "
        "horaires de sa régulation de médecine générale ?"
    )
    # "sa régulation" leans on the statement: the whole text is the question.
    assert asked_sentence(q) == q
    q = q.replace("sa régulation", "la régulation du SAS")
    assert asked_sentence(q).startswith("Quels sont les horaires")
    analysis = analyze_question(q)
    assert analysis.fiche is None and analysis.documents == ()
    # Without a statement, the same units are read as before.
    assert analyze_question("Qui porte la fiche 2.4 du CLS ?").fiche == "2.4"
    # A question leaning on the statement's unit keeps it.
    leaning = "La fiche 2.3 du CLS porte sur la mutuelle. Quels sont ses partenaires ?"
    assert analyze_question(leaning).fiche == "2.3"
    assert analyze_question("La fiche 2.3 du CLS porte sur la mutuelle. Qui la porte ?").fiche
    # Two questions, or a last sentence that says nothing alone, stay whole.
    assert asked_sentence("Qui porte l'EMAS ? Et combien coûte-t-elle ?").startswith("Qui")
    kept = "Je cherche le porteur de la fiche 2.3. Qui est-ce ?"
    assert asked_sentence(kept) == kept
    assert (
        asked_sentence("Que prévoit la fiche 2.3 du CLS ?") == "Que prévoit la fiche 2.3 du CLS ?"
    )
    # The statement's subject, without its units and documents, helps read the parts.
    topic = statement_topic("La fiche 5.1 du CLS de Lisieux prévoit de communiquer sur le CRT. ")
    assert "5.1" not in topic and "cls" not in topic and "communiquer sur le crt" in topic


def test_a_statement_naming_a_fiche_does_not_pull_the_answer_into_that_fiche(fake_assistant):
    plain = fake_assistant.ask("Combien l'ARS finance-t-elle chaque CRT ?")
    assert "400.000 €" in plain.answer
    stated = fake_assistant.ask(
        "La fiche 5.1 du CLS de Lisieux veut faire connaître le centre de ressources "
        "territorial pour personnes âgées. Combien l'ARS finance-t-elle chaque CRT ?"
    )
    assert "400.000 €" in stated.answer, stated.answer
    assert stated.citations[0].id == plain.citations[0].id


def test_a_noun_derived_from_a_verb_is_searched_with_it():
    """'signé' finds 'Signatures' and 'signataires'; 'porteur' stays apart from 'porté'."""
    from indexer.lexical import analyze

    assert len(set(analyze("signé signature signataires"))) == 1
    assert len(set(analyze("pilotage piloté"))) == 1
    assert analyze("ouverture") == analyze("ouvert")
    # "Porteur" heads every fiche's porteur field: joined to "porte", it would pull
    # every fiche into a "qui porte le CRT" question.
    assert analyze("porteur") != analyze("porté")
    # A short root is left whole: "nature" is not "nat".
    assert analyze("nature") == ["natur"]


def test_the_signatures_are_found_for_when_and_by_whom_the_contract_was_signed(fake_assistant):
    for question in (
        "Où et quand le CLS 2025-2029 de Lisieux a-t-il été signé ?",
        "Qui a signé le CLS 2025-2029 au nom de l'ARS Normandie ?",
    ):
        top = fake_assistant.search(question, k=5)
        assert any(p.text.startswith("A Cambremer, le 10 juillet 2025") for p in top), question


def test_what_an_acronym_means_is_its_expansion_written_by_it():
    """'Que signifie EMER ?' — the line that spells it out, not what the team does."""
    spelled = _p(
        1,
        "fdr/ap-2/p1",
        "Création d'une équipe mobile d'expertise en réadaptation neurolocomotrice "
        "(1 EMER pour 500 000 habitants)",
    )
    role = _p(
        2,
        "fdr/ap-2/p2",
        "Renforcement des moyens : l'EMER est une unité pluridisciplinaire qui a pour objectif "
        "de faciliter le retour dans son lieu de vie d'un patient en situation de handicap.",
    )
    aliases = [("EMER", "équipe mobile d'expertise en réadaptation")]
    meaning = _answer("Que signifie EMER ?", [spelled, role], aliases=aliases)
    assert meaning.text.startswith("Création d'une équipe mobile"), meaning.text
    # A question that already spells it out asks what the team is for.
    purpose = _answer(
        "À quoi sert une équipe mobile d'expertise en réadaptation (EMER) ?",
        [spelled, role],
        aliases=aliases,
    )
    assert "unité pluridisciplinaire" in purpose.text, purpose.text


def test_a_count_written_in_words_answers_a_how_many_question():
    from assistant.evidence import has_evidence, in_digits

    assert (
        in_digits("la CALN a recruté six médecins salariés")
        == "la CALN a recruté 6 médecins salariés"
    )
    # "un" is an article and "neuf" also means new: neither is read as a count.
    assert in_digits("un bâtiment neuf") == "un bâtiment neuf"
    q = "Combien de médecins salariés la CALN a-t-elle recrutés ?"
    assert has_evidence("Dans ce cadre, la CALN a recruté six médecins salariés.", "count", None, q)
    assert not has_evidence("La CALN a recruté des médecins salariés.", "count", None, q)
    # "jusqu'à combien" is answered by the target, not by the current count.
    panda = "Bilan du Havre › Périnatalité"
    now = _p(1, "h/panda/p1", "Le projet du GHH comprend deux lits PANDA.", locator=panda)
    target = _p(
        2,
        "h/panda/p2",
        "Proposition de passer de 2 à 6 lits PANDA au GHH pour répondre à la demande.",
        locator=panda,
        score=0.8,
    )
    result = _answer("Jusqu'à combien de lits PANDA le GHH veut-il monter ?", [now, target])
    assert result.text.startswith("Proposition de passer"), result.text


def test_the_words_that_open_a_heading_or_a_title_are_not_competing_names():
    from assistant.evidence import competing_names

    q = "Combien de médecins la CALN a-t-elle recrutés pour le centre de santé de Cambremer ?"
    section = "Fiche action 5.1 « Liens ville hôpital »\nÉléments de contexte"
    assert competing_names(q, f"{section}\n\nDans ce cadre, la CALN a recruté 6 médecins.") == []
    assert competing_names(q, f"{section}\n\nLe centre de Dozulé a recruté 6 médecins.") == [
        "Dozulé"
    ]


def test_a_list_item_is_dated_by_the_line_that_introduces_it():
    """'En 2024 : - 53 maraudes (42 en 2023)' answers neither 2022 nor 2023, but 2024."""
    passage = _p(
        1,
        "cls/fa-2.5/contexte/p6",
        "En 2024 :\n- 53 maraudes ont eu lieu (42 maraudes en 2023), 21 avec les LHSS.\n"
        "- 49 personnes ont été rencontrées.",
        locator="Fiche action 2.5 › Contexte",
    )
    assert _answer("Combien de maraudes ont eu lieu en 2022 ?", [passage]).abstained
    assert _answer("Combien de maraudes ont eu lieu en 2023 ?", [passage]).abstained
    answered = _answer("Combien de maraudes ont eu lieu en 2024 ?", [passage])
    assert "53 maraudes" in answered.text, answered.text
    # Without a year asked, the item answers.
    assert "53 maraudes" in _answer("Combien de maraudes ont eu lieu ?", [passage]).text


def test_a_sentence_about_the_first_one_does_not_answer_of_the_current_one():
    from assistant.evidence import about_an_earlier_one

    first = (
        "Forte de son ambition en matière de santé, la Communauté d'Agglomération de Lisieux "
        "Normandie s'est engagée à réaliser un Contrat Local de Santé (CLS) dont le premier "
        "a été signé le 20 janvier 2022."
    )
    signed = _p(
        2,
        "cls/signatures/p1",
        "A Cambremer, le 10 juillet 2025 Le Président de la Communauté d'Agglomération "
        "Lisieux Normandie, François AUBEY",
        locator="Signatures",
        score=0.5,
    )
    q = "Quand a été signé le CLS de Lisieux ?"
    assert about_an_earlier_one(q, first)
    result = _answer(q, [_p(1, "cls/preambule/p1", first, locator="Préambule"), signed])
    assert "10 juillet 2025" in result.text, result.text
    # Asked of the first one, it answers.
    assert not about_an_earlier_one("Quand a été signé le premier CLS de Lisieux ?", first)
    # "le premier décile", "la première génération de PTSM" speak of something else.
    assert not about_an_earlier_one(
        "Combien les ménages dépensent-ils pour le chauffage ?",
        "Les ménages consacrent 2 049€/an au chauffage, soit 19% du revenu du premier décile.",
    )
    assert about_an_earlier_one(
        "Combien de fiches actions compte le CLS ?", "Le premier CLS comptait 14 fiches actions."
    )


def test_which_chantier_and_which_action_prioritaire_are_named_with_their_number(fake_assistant):
    chantier = fake_assistant.ask(
        "Dans quel chantier de la feuille de route est inscrite la consultation dentaire "
        "avancée pour les usagers de l'EPSM de Caen ?"
    )
    # The roadmap page's own title block names the chantier and its priority.
    assert chantier.answer.startswith(
        "Chantier : Accompagner les parcours de vie auxquels aspirent les personnes "
        "accompagnées Action prioritaire #4 [1]"
    ), chantier.answer
    assert chantier.citations[0].locator.endswith("Intitulé")
    priority = fake_assistant.ask(
        "Le programme Tabado est dans quelle action prioritaire de la feuille de route ?"
    )
    # The roadmap states the priority's title without its number; the bilan's list of
    # the regional plan's priorities gives both.
    assert priority.answer.startswith("Action prioritaire #6 [1] - Agir collectivement")
    assert priority.citations[0].document_id == "bilan-calvados-2025"
    assert "Programme Tabado" in priority.answer


def test_a_place_named_earlier_in_the_same_section_situates_a_passage():
    """'… de Caen ?': the section's first paragraph names Caen, the answer's does not."""
    loc = "Bilan › Santé mentale des étudiants"
    opening = _p(
        1,
        "bilan/etudiants/p1",
        "L'université de Caen a ouvert en 2023 un service de santé étudiante.",
        locator=loc,
    )
    nurses = _p(
        2,
        "bilan/etudiants/p3",
        "En complément des psychologues, 3 infirmiers ont également été recrutés.",
        locator=loc,
    )
    q = "Combien d'infirmiers ont été recrutés au service de santé étudiante de Caen ?"
    result = _answer(q, [opening, nurses])
    assert "3 infirmiers" in result.text, result.text
    # A paragraph that names another place is not situated by its neighbour.
    rouen = _p(2, "bilan/etudiants/p3", "A Rouen, 3 infirmiers ont été recrutés.", locator=loc)
    assert _answer(q, [opening, rouen]).abstained
    # Nor is a paragraph of another section.
    elsewhere = _p(2, "bilan/autre/p3", nurses.text, locator="Bilan › Autre chantier")
    assert _answer(q, [opening, elsewhere]).abstained


def test_a_date_right_after_the_asked_event_dates_it():
    from assistant.evidence import dates_the_event

    q = "À quelle date le projet régional de santé 2023-2028 a-t-il été publié ?"
    assert dates_the_event("le projet régional de santé publié le 31 octobre 2023", q)
    assert not dates_the_event("L'année 2023 s'est poursuivie par les travaux du PRS", q)
    assert dates_the_event(
        "une antenne ouverte en septembre 2024", "Quand l'antenne a-t-elle été ouverte ?"
    )


def test_a_long_statement_does_not_drown_the_question_it_precedes(fake_assistant):
    """The asking sentence weighs as much as the whole text in retrieval."""
    statement = (
        "Le bilan du Havre décrit longuement la maison des femmes, l'UAPED et les lits "
        "PANDA du GHH, avec leurs équipes. "
    )
    crt = fake_assistant.ask(statement + "Combien l'ARS finance-t-elle chaque CRT ?")
    assert "400.000 €" in crt.answer, crt.answer
    emas = fake_assistant.ask(statement + "Quel organisme porte l'EMAS de Caen ?")
    assert "ligue de l'enseignement" in emas.answer.lower(), emas.answer


def test_a_rate_must_measure_what_the_question_rates():
    passage = _p(
        1,
        "ptsm/p4/contexte/p10",
        "Dans le Calvados, le taux de passage aux urgences pour tentative de suicide est "
        "très élevé (212.1 pour 100 000 hab).",
        locator="Priorité 4 › Contexte",
    )
    asked = "Quel est le taux de passage aux urgences pour tentative de suicide dans le Calvados ?"
    assert "212.1" in _answer(asked, [passage]).text
    other = "Quel est le taux d'hospitalisation en psychiatrie dans le Calvados ?"
    assert _answer(other, [passage]).abstained
    # A share of a population may name it in the documents' own words.
    share = _p(
        1,
        "havre/hdj/p2",
        "Activités : 45 dyades accueillies ; 25 % de femmes de moins de 21 ans.",
        locator="HDJ mère-bébé du GHH",
    )
    q = "HDJ mère-bébé du GHH : quelle proportion des mamans suivies a moins de 21 ans ?"
    assert "25 %" in _answer(q, [share]).text


def test_a_person_asked_by_name_needs_a_name_in_the_answer():
    team = _p(
        1,
        "havre/uaped/p2",
        "Equipe composée d'un pédopsychiatre référent, une psychologue, un secrétariat.",
        locator="Bilan du Havre › UAPED du GHH",
    )
    q = "Comment s'appelle le pédopsychiatre référent de l'UAPED du GHH ?"
    assert _answer(q, [team]).abstained
    named = _p(
        1,
        "havre/uaped/p2",
        "Le Dr Martin, pédopsychiatre référent de l'UAPED, anime une équipe de trois personnes.",
        locator="Bilan du Havre › UAPED du GHH",
    )
    assert "Dr Martin" in _answer(q, [named]).text
    # "Comment s'appelle l'équipe mobile …" asks a name, not a person's.
    from assistant.evidence import asks_person

    assert not asks_person("Comment s'appelle l'équipe mobile qui intervient à l'ASE ?")


def test_a_head_count_counts_people_and_approximate_counts_count():
    from assistant.evidence import has_evidence, in_digits

    q = "Combien de personnes âgées le CRT de Lisieux accompagne-t-il ?"
    assert not has_evidence(
        "Dans le Calvados, 2 Centres Ressources Territoriaux ont été autorisés.", "count", None, q
    )
    assert has_evidence("Fin 2024, le CRT a accompagné 18 bénéficiaires.", "count", None, q)
    # Whatever the documents count people with: "entre 1100 et 1400 inclusions".
    vigilans = "Chaque année entre 1100 et 1400 inclusions dans le dispositif ont été réalisées."
    assert has_evidence(vigilans, "count", None, "Combien de personnes entrent dans VigilanS ?")
    assert in_digits("une soixantaine de participants") == "une 60 participants"
    assert in_digits("une semaine de travail") == "une semaine de travail"
    q = "Combien de personnes ont participé à la journée de travail ?"
    assert has_evidence("Elle a réuni une soixantaine de participants.", "count", None, q)


def test_a_spoken_what_does_it_mean_is_a_part_of_its_own():
    from assistant.multipart import split_question

    parts = split_question("EMER, ça veut dire quoi, et combien l'ARS prévoit-elle par équipe ?")
    assert [p.analysis.kind for p in parts] == [
        "definition",
        "amount",
    ]  # the answer is "140.000 € par EMER"
    assert parts[0].text == "EMER, ça veut dire quoi"


def test_an_acronym_counts_as_the_noun_it_abbreviates():
    """'combien de groupes d'entraide mutuelle ?' — '4 GEM « handicap psychique »'."""
    gem = _p(
        1,
        "ptsm/p5/contexte/p3",
        "Le département du Calvados compte 4 GEM « handicap psychique » et un GEM « TSA ».",
        locator="Priorité 5 › Contexte",
    )
    q = "Combien de groupes d'entraide mutuelle « handicap psychique » compte le Calvados ?"
    aliases = [("GEM", "Groupe d'Entraide Mutuelle")]
    assert "4 GEM" in _answer(q, [gem], aliases=aliases).text
    assert _answer(q, [gem]).abstained  # without the glossary, "GEM" counts no groups


def test_and_who_after_a_pause_asks_a_second_thing():
    from assistant.multipart import split_question

    q = "Le GEM de Fécamp : quelle association en est le parrain, et qui est l'association gestionnaire ?"
    assert [p.analysis.kind for p in split_question(q)] == ["who", "other"]
    # "qui l'avait recruté" asks of the first part's answer; a relative "qui" asks nothing.
    for q in (
        "Quel cabinet a évalué le premier CLS, et qui l'avait recruté ?",
        "Quelles structures accueillent les jeunes et qui financent les séjours ?",
    ):
        assert len(split_question(q)) == 1, q


def test_the_year_asked_in_the_sentence_itself_is_preferred():
    doc = "Feuille de route territoriale du Havre — bilan 2024"
    loc = "Améliorer la santé mentale › Chantier : Conforter l'approche territoriale"
    about = Passage(
        1,
        "havre/gem/p1",
        doc,
        "havre",
        loc,
        None,
        "Le GEM constitue également un lieu de rencontre des partenaires du territoire.",
        0.9,
    )
    created = Passage(
        2,
        "havre/gem/p3",
        doc,
        "havre",
        loc,
        None,
        "Création en avril 2024 de l'association « GEM a por'T de mains » à Fécamp.",
        0.85,
    )
    q = "Quel GEM a été créé en 2024 sur le territoire du Havre ?"
    result = _answer(q, [about, created])
    assert result.text.startswith("Création en avril 2024"), result.text


def test_durations_periods_in_words_and_the_coordonnateur():
    from assistant.evidence import asks_person, has_evidence, other_year

    q = "En cas de litige, combien de temps a-t-on pour trouver une solution à l'amiable ?"
    line = "Une solution amiable sera envisagée dans un délai de 6 mois suite à la saisine."
    assert has_evidence(line, "count", None, q)
    assert not has_evidence("Les parties saisissent le conciliateur.", "count", None, q)
    # "entre 2022 et 2024" is a period, like "2022-2024".
    total = "Entre 2022 et 2024, les dispositifs ont permis plus de 1 000 téléconsultations."
    assert other_year("Combien de téléconsultations sur la seule année 2024 ?", total, total)
    assert not other_year("Combien de téléconsultations entre 2022 et 2024 ?", total, total)
    assert asks_person("Comment s'appelle le coordonnateur du PTSM ?")
    assert asks_person("Comment s'appelle la coordinatrice du RTPS ?")


def test_a_spelled_out_name_is_read_as_its_acronym():
    from assistant.answer import with_acronyms
    from assistant.retrieval import expand_query, spelled_out

    expansion = "Centre de Ressources Territorial"
    q = "Combien de bénéficiaires le centre ressources territorial de Lisieux a-t-il accompagnés ?"
    assert spelled_out(expansion, q)
    assert not spelled_out(expansion, "Combien de centres de santé à Lisieux ?")
    glossary = [{"term": "CRT", "expansions": [expansion]}]
    assert expand_query(q, glossary)[1] == [("CRT", expansion)]
    aliases = [("CRT", expansion)]
    assert "le CRT de Lisieux" in with_acronyms(q, aliases)
    # "le CRT a accompagné 18 bénéficiaires" after "le CRT de Dozulé" is Dozulé's.
    dozule = _p(
        1,
        "bilan/crt/p5",
        "Actif depuis juin 2024, le CRT de Dozulé s'est fortement mobilisé. Fin 2024, le CRT a "
        "accompagné 18 bénéficiaires.",
        locator="Bilan › Centres Ressources Territoriaux à Dozulé et à Lisieux",
    )
    assert _answer(q, [dozule], aliases=aliases).abstained


def test_who_is_the_role_prefers_the_sentence_naming_that_role():
    loc = "Bilan du Havre › GEM de Fécamp"
    created = _p(
        1,
        "havre/gem/p3",
        "Création en avril 2024 de l'association « GEM a por'T de mains » à Fécamp.",
        locator=loc,
    )
    sponsor = _p(
        2, "havre/gem/p4", "LE GEM est soutenu par un parrain, l'association UNAFAM.", locator=loc
    )
    q = "Qui est le parrain du GEM « a por'T de mains » de Fécamp ?"
    assert _answer(q, [created, sponsor]).text.startswith("LE GEM est soutenu par un parrain")


def test_a_hyphenated_name_and_a_list_that_goes_on_in_the_next_sentences():
    from assistant.evidence import names_in

    assert names_in("Eco-soins", {"fiche", "eco", "soins"})
    assert not names_in("Eco-soins", {"eco", "responsable"})
    passage = _p(
        1,
        "cls/fa-6.3/contexte/p4",
        "Parmi les principaux postes d'émissions, il y a l'achat de médicaments (33 % des "
        "émissions). Viennent ensuite les dispositifs médicaux (22 % des émissions) - et en "
        "troisième place les transports d'usagers (16 % des émissions). Des pistes existent.",
        locator="Axe 6 › Fiche action 6.3 « Éco-soins » › Éléments de contexte",
    )
    q = "Quels sont les principaux postes d'émissions du secteur de la santé dans la fiche Eco-soins ?"
    text = _answer(q, [passage]).text
    assert "médicaments" in text and "dispositifs médicaux" in text and "transports" in text, text
    assert "Des pistes" not in text


def test_combien_with_a_planning_verb_asks_an_amount():
    for q in (
        "Combien l'ARS prévoit-elle par équipe ?",
        "Combien est prévu pour créer l'antenne CSAPA de Falaise ?",
        "Combien le département consacre-t-il au SAS ?",
    ):
        assert analyze_question(q).kind == "amount", q
    for q in ("Combien de places sont prévues ?", "Combien d'équipes sont prévues ?"):
        assert analyze_question(q).kind == "count", q


def _row_chunk(cid, text, order, section="fdr/ap-6"):
    from indexer.types import Chunk

    return Chunk(
        id=cid, document_id="fdr", locator=("AP 6",), text=text, order=order, section=section
    )


def test_a_funding_cell_follows_the_action_it_funds():
    from assistant.retrieval import value_cell_boost

    chunks = [
        _row_chunk("fdr/p12", "Création d'une nouvelle antenne CSAPA", 0),
        _row_chunk("fdr/p13", "ONDAM PDS : 250.000 €", 1),
        _row_chunk("fdr/p14", "File active du site CSAPA de Falaise (cible 2024 : 40)", 2),
        _row_chunk("x/p1", "Montant : 9.000 €", 3, section="x"),
    ]
    scores = np.array([1.0, 0.05, 0.6, 0.0])
    q = "Combien est prévu pour créer l'antenne CSAPA ?"
    boosted = scores + value_cell_boost(chunks, scores, q, analyze_question(q), Weights())
    assert boosted[1] == pytest.approx(Weights().value_cell * 1.0)
    assert list(np.argsort(-boosted)) == [0, 1, 2, 3]
    assert boosted[3] == 0.0  # another section's cell is another row
    # Not for other kinds of question, nor for a passage without the asked value.
    who = "Qui porte l'antenne CSAPA ?"
    assert not value_cell_boost(chunks, scores, who, analyze_question(who), Weights()).any()
    chunks[1] = _row_chunk("fdr/p13", "Financement à définir", 1)
    assert not value_cell_boost(chunks, scores, q, analyze_question(q), Weights()).any()


def test_a_value_under_its_label_is_read_with_the_label_and_the_row():
    cell = _p(
        1, "fdr/tableau-1/p2", "ONDAM PDS (personnes à difficultés spécifiques) :\n• 230.000 €"
    )
    q = "Combien est prévu pour renforcer l'addictologie en milieu pénitentiaire ?"
    action = "Renforcement des dispositifs d'addictologie en milieu pénitentiaire."
    passages = [_p(2, "fdr/tableau-1/p1", action), cell]
    result = _answer(q, passages, context={cell.id: action})
    assert not result.abstained and "230.000 €" in result.text
    assert result.citations[0].id == cell.id
    # Without its row, the value speaks of nothing asked.
    assert _answer(q, passages).abstained


def test_a_meeting_body_acronym_is_read_in_full():
    from assistant.query import in_corpus_words

    assert in_corpus_words("Quand le COPIL du plan a-t-il été installé ?") == (
        "Quand le comité de pilotage du plan a-t-il été installé ?"
    )
    assert "comité technique" in in_corpus_words("qui siège au cotech ?")


def test_a_signing_date_is_read_from_the_signature_block_and_only_a_signing_date():
    from assistant.retrieval import structure_boost
    from indexer.types import Chunk

    chunks = [
        Chunk(
            id=f"cls/{s}/p1", document_id="cls", locator=(s,), text="t", order=i, section=f"cls/{s}"
        )
        for i, s in enumerate(["preambule", "signatures"])
    ]
    signed = analyze_question("Quand le CLS de Lisieux a-t-il été signé ?")
    assert signed.signing
    boost = structure_boost(chunks, signed, Weights())
    assert boost[1] - boost[0] == pytest.approx(Weights().structure)
    for q in ("Quand le premier CLS a-t-il été signé ?", "Qui a signé le CLS ?"):
        assert not analyze_question(q).signing, q

    block = _p(
        1,
        "cls/signatures/p1",
        "A Cambremer, le 10 juillet 2025 Le Président de la Communauté d'Agglomération, "
        "François AUBEY",
        locator="Signatures › § 1",
    )
    block = replace(block, document="Contrat local de santé 2025-2029 de Lisieux Normandie")
    for q in (
        "Quand le contrat local de santé de Lisieux a-t-il été signé ?",
        "Le nouveau contrat local de santé Lisieux Normandie a été signé à quelle date ?",
    ):
        answer = _answer(q, [block])
        assert not answer.abstained and "10 juillet 2025" in answer.text, q
    # The place and date of the signature date nothing else held in Cambremer.
    assert _answer(
        "En quelle année le centre de santé de Cambremer a-t-il ouvert ?", [block]
    ).abstained


def test_which_firm_asks_a_body():
    for q in (
        "Quel cabinet a réalisé l'évaluation du premier CLS ?",
        "Quel prestataire gère la plateforme ?",
        "Quelle collectivité porte le projet ?",
    ):
        assert analyze_question(q).kind == "who", q


def test_which_unit_prefers_the_unit_whose_heading_holds_the_question_words():
    from assistant.lists import without_asked_unit

    q = "La prévention du suicide relève de quelle priorité du PTSM ?"
    assert without_asked_unit(q) == "La prévention du suicide relève de  du PTSM ?"
    assert without_asked_unit("Qui porte le GEM ?") == "Qui porte le GEM ?"
    mention = _p(
        1,
        "ptsm/p6/contexte/p12",
        "Les acteurs participent au comité de pilotage sur le suicide.",
        locator="Priorité 6 « promotion de la santé mentale » › Contexte",
        score=0.72,
    )
    unit = _p(
        2,
        "ptsm/p4/enjeu-5/p4",
        "La prévention du suicide passe notamment par la formation.",
        locator="Priorité 4 « crise et urgences » › Enjeu 5 : prévention du suicide",
        score=0.7,
    )
    options = {"min_residual": 0.0}
    asked = without_asked_unit(q)
    assert _answer(asked, [mention, unit], **options).citations[0].id == mention.id
    chosen = _answer(asked, [mention, unit], heading=0.5, **options)
    assert chosen.citations[0].id == unit.id


def test_a_statement_may_end_with_a_colon_a_topic_may_not():
    from assistant.query import asked_sentence

    q = "Le CLS veut faire connaître le CRT pour personnes âgées : qui porte le CRT de Lisieux ?"
    assert asked_sentence(q) == "qui porte le CRT de Lisieux ?"
    juniors = (
        "Le CLS veut accueillir des docteurs juniors : quand arrivent les premiers "
        "étudiants de 4e année de médecine générale ?"
    )
    assert analyze_question(juniors).documents == ()  # the CLS is why it is asked
    # A topic before the colon is what the question asks of.
    for kept in (
        "FDR Calvados 2024, action prioritaire #6 : quels chantiers ?",
        "SAS du Calvados : quel budget 2024 dans la feuille de route ?",
        # Someone who wants, not a document that says.
        "Un médecin qui veut joindre la filière gériatrique : quel numéro appeler ?",
        # "ce PTSM" is the statement's document.
        "La fiche 4.1 du CLS se réfère au PTSM du Calvados : quelle période couvrait ce PTSM ?",
    ):
        assert asked_sentence(kept) == kept, kept


def test_what_the_roadmap_planned_is_read_in_the_roadmap():
    roadmap = "feuille-de-route-calvados-2024"
    for q in (
        "Combien était prévu dans la feuille de route pour les places d'ACT ?",
        "Quel montant la feuille de route prévoyait-elle pour l'EMAS ?",
    ):
        assert analyze_question(q).documents == (roadmap,), q
    # "la feuille de route" alone may be its bilan ("Feuille de route … — Bilan").
    assert analyze_question("Que dit la feuille de route sur l'EMAS ?").documents == ()


def test_a_list_answer_takes_another_passage_only_when_it_scores_close_or_announces_items():
    q = "Quelles CPTS sont actives dans le Calvados ?"
    listed = _p(
        1,
        "ptsm/p1",
        "Dans le Calvados, nous avons à ce jour 2 CPTS actives (CPTS Caen Couronne et CPTS "
        "Axanté Bessin).",
        locator="Priorité 1 › Contexte",
        score=0.9,
    )
    remark = _p(
        2,
        "ptsm/p2",
        "La bonne couverture du Calvados par des CPTS actives est notée.",
        locator="Priorité 1 › Contexte",
        score=0.42,
    )
    intro = replace(remark, id="ptsm/p3", text="Les CPTS actives du Calvados sont les suivantes :")
    assert [c.id for c in _answer(q, [listed, remark]).citations] == ["ptsm/p1"]
    assert [c.id for c in _answer(q, [listed, intro]).citations] == ["ptsm/p1", "ptsm/p3"]


def test_a_document_s_own_year_and_a_period_that_misses_the_asked_year():
    from assistant.evidence import other_year, without_document_years

    assert "2025" not in without_document_years("D'après le bilan 2025 du Calvados, combien ?")
    assert "2024" in without_document_years("Selon le bilan de janvier 2025, combien en 2024 ?")
    # "Bilan janvier 2025" is when the bilan was published, not when its figures were.
    bilan = Passage(
        1,
        "b/crt/p4",
        "Feuille de route départementale du Calvados — Bilan janvier 2025",
        "bilan-calvados-2025",
        "CRT de Dozulé",
        None,
        "Fin 2024, le CRT de Dozulé a accompagné 18 bénéficiaires.",
        0.9,
    )
    assert _answer(
        "Combien de bénéficiaires le CRT de Dozulé a-t-il accompagnés en 2025 ?", [bilan]
    ).abstained
    asked = "Selon le bilan 2025, combien de bénéficiaires le CRT de Dozulé a-t-il accompagnés ?"
    assert "18" in _answer(asked, [bilan]).text
    # A figure over a period that ends before the asked year.
    line = "Chaque année entre 1100 et 1400 inclusions dans VigilanS (de 2021 à 2024)."
    assert other_year("Combien d'inclusions dans VigilanS en 2025 ?", line, line)
    assert not other_year("Combien d'inclusions dans VigilanS ?", line, line)


def test_an_indicator_target_year_dates_no_event():
    from assistant.evidence import new_dates

    cell = "File active des personnes reçues sur le site CSAPA de Falaise (cible 2024 : 40)"
    assert new_dates(cell, "Quand l'antenne a-t-elle ouvert ?") == []
    assert new_dates("L'antenne a ouvert en 2024.", "Quand l'antenne a-t-elle ouvert ?") == ["2024"]
    q = "À quelle date l'antenne CSAPA de Falaise a-t-elle ouvert ses portes ?"
    assert _answer(q, [_p(1, "fdr/ap-6/p14", cell, locator="Chantier")]).abstained


def test_who_represents_a_body_asks_a_person():
    from assistant.evidence import asks_person

    assert asks_person("Qui représente la CALN comme signataire du contrat local de santé ?")
    assert asks_person("Quel dirigeant de l'ARS figure parmi les signataires ?")
    assert not asks_person("Qui porte la fiche 2.3 ?")
    q = "Qui représente la Communauté d'Agglomération Lisieux Normandie comme signataire ?"
    body = _p(
        1,
        "cls/art-1/p1",
        "Communauté d'Agglomération Lisieux Normandie (CALN)",
        locator="Article 1",
    )
    assert _answer(q, [body]).abstained  # a body, not the person who represents it


def test_a_figure_restated_in_the_next_sentence_goes_with_it():
    text = (
        "Dans ce cadre, la CALN a recruté six médecins salariés, repartis sur les quatre "
        "sites. Ce qui représente 4.1 équivalents temps pleins. Le centre est ouvert le samedi."
    )
    q = "Combien de médecins salariés la CALN a-t-elle recrutés ?"
    answer = _answer(q, [_p(1, "cls/fa-5.1/p9", text, locator="Fiche action 5.1")])
    assert "six médecins" in answer.text and "4.1 équivalents temps pleins" in answer.text
    assert "samedi" not in answer.text


def test_a_count_in_etp_is_read_in_full_time_equivalents_with_the_figure_it_restates():
    from dataclasses import replace

    text = (
        "Un Centre de santé à Cambremer et trois antennes ont été créés. Dans ce cadre, la "
        "CALN a recruté six médecins salariés, repartis sur les quatre sites. Ce qui "
        "représente 4.1 équivalents temps pleins. Le centre est ouvert le samedi."
    )
    q = "Centre de santé de Cambremer : ça représente combien d'ETP de médecins par l'agglo ?"
    cls = Passage(
        1,
        "cls/fa-5.1/p4",
        "Contrat local de santé 2025-2029 de la Communauté d'Agglomération Lisieux Normandie",
        "cls",
        "Fiche action 5.1 › Éléments de contexte › § 4",
        None,
        text,
        0.9,
    )
    answer = _answer(q, [cls])
    # "Ce qui représente …" goes with the sentence whose figure it restates.
    assert answer.text.startswith("Dans ce cadre, la CALN a recruté six médecins")
    assert "4.1 équivalents temps pleins" in answer.text and "samedi" not in answer.text
    # The CLS's own body ("CALN") is no other body than the agglomeration asked about;
    # in a document of another body it names someone else.
    assert _answer(q, [replace(cls, document="Bilan de l'ARS")]).abstained


def test_who_carries_a_team_is_not_answered_by_its_expansion_nor_by_a_list_item_verb():
    from dataclasses import replace

    q = "Quelle structure a été retenue pour porter la nouvelle EMAS de Lillebonne ?"
    plan = _p(
        1,
        "fdr/emas/p4",
        "- Renforcer la couverture territoriale des Équipes Mobiles d'Appui à la "
        "Scolarisation (EMAS) par la création d'une EMAS supplémentaire sur le territoire "
        "de Lillebonne par appel à projets\n- Financement : PRIAC 100 000€/an",
        locator="EMAS › § 4",
    )
    aliases = [("EMAS", "Équipes Mobiles d'Appui à la Scolarisation")]
    # "Renforcer" starts an item and the expansion names the team asked about: the
    # item names no body. PRIAC funds the team: "porter" asks for a porteur.
    item = replace(plan, text=plan.text.split("\n")[0], locator="Chantier › § 4")
    charged = "Quelle structure est chargée de la nouvelle EMAS de Lillebonne ?"
    assert _answer(charged, [item], aliases=aliases).abstained
    assert _answer(q, [plan], aliases=aliases).abstained
    carried = _p(
        1,
        "bilan/emas-lillebonne/p2",
        "Une EMAS a été créée sur le territoire de Lillebonne. Elle est portée par "
        "l'association Les PEP 76.",
        locator="EMAS de Lillebonne › § 2",
    )
    answer = _answer(q, [carried, plan], aliases=aliases)
    assert not answer.abstained and "PEP 76" in answer.text


def test_definition_prefers_the_term_followed_by_what_it_is_and_its_next_sentence():
    # One sentence spells the acronym out, the other has its expansion for subject and a
    # verb that says what it is: that one defines it, and its next sentence ("Elle …",
    # "Il s'agit …") goes with it.
    passages = [
        _p(
            1,
            "b/emas/p1",
            "Une équipe mobile d'appui à la scolarisation est une équipe "
            "médico-sociale qui renforce la scolarisation des élèves handicapés. "
            "Elle apporte une expertise aux écoles. Elle intervient à Caen.",
        ),
        _p(
            2,
            "b/emas/p3",
            "Une nouvelle équipe médico-sociale (EMAS) a été créée à la rentrée de "
            "septembre 2024 sur la circonscription de Caen 1.",
        ),
    ]
    q = "Qu'est-ce qu'une EMAS d'après le bilan du Calvados ?"
    result = _answer(q, passages, aliases=[("EMAS", "équipe mobile d'appui à la scolarisation")])
    assert result.text == (
        "Une équipe mobile d'appui à la scolarisation est une équipe médico-sociale "
        "qui renforce la scolarisation des élèves handicapés. [1] "
        "Elle apporte une expertise aux écoles. [1]"
    )
    from assistant.evidence import defined_subject

    assert defined_subject("Le Cocolupa est une instance créée en 2020.") == "Le Cocolupa "
    assert defined_subject("Depuis sa création, en 2020, le comité, " * 4 + "est actif.") == ""
    assert defined_subject("Le comité a été créé en 2020.") == ""


def test_a_proper_name_spelled_out_in_brackets_is_defined_there():
    passages = [
        _p(1, "cls/fa-3.1/p6", "Le Cocolupa a pour objectif de :"),
        _p(
            2,
            "cls/fa-3.1/p4",
            "Le Comité national de coordination de la lutte contre la précarité "
            "alimentaire (Cocolupa) est une instance qui rassemble les acteurs de la lutte "
            "contre la précarité.",
            score=0.8,
        ),
    ]
    q = "c'est quoi le Cocolupa cité dans la fiche alimentation du CLS ?"
    result = _answer(q, passages)
    assert result.text.startswith("Le Comité national de coordination")
    from assistant.evidence import acronyms_of, spells_out

    assert acronyms_of(q) == ["CLS", "Cocolupa"]
    assert spells_out("Le Comité national (Cocolupa) rassemble.", ["Cocolupa"])
    assert spells_out("CMPP : Centre Médico Psychopédagogique", ["CMPP"])
    assert not spells_out("Le Cocolupa rassemble les acteurs.", ["Cocolupa"])


def test_questions_that_ask_what_things_are_or_list_announced_items():
    q = "Que sont les directives anticipées en psychiatrie selon le PTSM ?"
    assert analyze_question(q).kind == "definition"
    assert analyze_question("Qu'est une EMAS ?").kind == "definition"
    q = "Familli'bulle au Havre : c'est quoi les 3 actions proposées aux familles ?"
    assert analyze_question(q).kind == "list"
    assert analyze_question("c'est quoi le Cocolupa ?").kind == "definition"
    from assistant.evidence import announced_count, states_count

    assert announced_count(q) == ("3", "action")
    assert announced_count("Quels sont les trois porteurs du projet ?") == ("3", "porte")
    assert announced_count("Quelles sont les actions du CLS ?") is None
    assert states_count("3 actions sont donc proposées : les ateliers", ("3", "action"))
    assert states_count("trois porteurs ont répondu", ("3", "porte"))
    assert not states_count("30 actions sont proposées", ("3", "action"))
    assert not states_count("3 ateliers sont proposés", ("3", "action"))


def test_a_list_question_that_announces_a_count_prefers_the_sentence_giving_it():
    passages = [
        _p(
            1,
            "h/familli/p2",
            "Familli'bulle est une association havraise qui propose un service de soutien "
            "à la parentalité aux familles.",
            locator="Le Havre › 1000 premiers jours › § 2",
        ),
        _p(
            2,
            "h/familli/p3",
            "3 actions sont donc proposées aux familles : les ateliers parents enfants, la "
            "consultation de puéricultrice et un référent accueil inclusif.",
            locator="Le Havre › 1000 premiers jours › § 3",
            score=0.5,
        ),
    ]
    q = "Familli'bulle au Havre : c'est quoi les 3 actions proposées aux familles ?"
    assert _answer(q, passages).text.startswith("3 actions sont donc proposées")


def test_retrieval_lifts_the_passage_that_defines_or_announces_what_is_asked():
    from assistant.retrieval import evidence_boost
    from indexer.types import Chunk

    texts = [
        "Equipe composée d'un pédopsychiatre et d'une psychologue.",
        "L'Unité d'accueil pédiatrique Enfance en Danger (UAPED) permet de prendre en "
        "charge les mineurs victimes de violences.",
        "Les directives anticipées en psychiatrie, appelées plan de crise conjoint, "
        "permettent d'exprimer ses volontés.",
        "3 actions sont donc proposées : les ateliers, la consultation, le référent.",
    ]
    chunks = [
        Chunk(id=f"d/p{i}", document_id="d", locator=("S",), text=t, order=i, section="d")
        for i, t in enumerate(texts)
    ]
    scores = np.array([1.0, 0.8, 0.7, 0.6])

    def boost(q):
        return evidence_boost(chunks, scores, q, analyze_question(q), Weights()).tolist()

    assert boost("C'est quoi l'UAPED ?") == [0.0, pytest.approx(0.1), 0.0, 0.0]
    q = "Que sont les directives anticipées en psychiatrie ?"
    assert boost(q) == [0.0, 0.0, pytest.approx(0.1), 0.0]
    assert boost("C'est quoi les 3 actions proposées ?") == [0.0, 0.0, 0.0, pytest.approx(0.1)]
    assert not any(boost("Quelles actions sont proposées ?"))


def test_a_list_goes_on_in_another_passage_only_with_names_of_its_own():
    mspu = _p(
        1,
        "h/mspu/p1",
        "La MSPU du Havre regroupe 2 maisons de santé (MSP Les Jardins de Bleville, MSP Santéco).",
    )
    q = "Quelles MSP composent la MSPU du Havre ?"
    same = "Les MSP de la MSPU du Havre accueillent aussi des étudiants, des internes."
    named = "Les MSP de la MSPU du Havre accueillent aussi des étudiants de Rouen, de Caen."
    for text, kept in ((same, False), (named, True)):
        result = _answer(q, [mspu, _p(2, "h/mspu/p2", text, score=0.9)])
        assert result.text.startswith("La MSPU du Havre regroupe")
        assert (len(result.citations) == 2) is kept, result.text
    from assistant.evidence import new_names

    assert new_names("à Deauville et Honfleur", "le Havre et Deauville") == ["Honfleur"]


def test_which_number_to_call_is_a_contact_answered_by_the_sentence_giving_it():
    q = "Quel numéro permet d'accéder au service d'accès aux soins dans le Calvados ?"
    assert analyze_question(q).kind == "contact"
    passages = [
        _p(
            1,
            "b/sas/p2",
            "Pour le patient sans médecin traitant, le service d'accès aux soins doit "
            "permettre d'accéder à toute heure à un professionnel de santé du Calvados.",
        ),
        _p(
            2,
            "b/sas/p1",
            "Le service d'accès aux soins du Calvados est accessible par le numéro 15.",
            score=0.7,
        ),
    ]
    assert _answer(q, passages).text == (
        "Le service d'accès aux soins du Calvados est accessible par le numéro 15. [1]"
    )
    assert not has_evidence("Le service compte 15 médecins.", "contact")


def test_a_body_named_after_its_kind_places_the_question_like_a_town():
    from assistant.evidence import situating_names

    q = "ESSIP de l'association Revivre : combien de places aujourd'hui ?"
    assert situating_names(q) == ["Revivre"]
    assert situating_names("Combien de places selon le Rectorat ?") == []
    # The table cell gives the count; the action it belongs to, just before it in its
    # section, names the association.
    passages = [
        _p(1, "fdr/ap-5/t2/p4", "Nombre de places d'ESSIP (valeur 7 ; cible 10)"),
        _p(
            2,
            "fdr/ap-5/t2/p1",
            "Renforcement de l'ESSIP portée par l'association Revivre pour les personnes "
            "en grande précarité",
            score=0.8,
        ),
    ]
    assert _answer(q, passages).text == "Nombre de places d'ESSIP (valeur 7 ; cible 10) [1]"


def test_a_unit_named_beside_the_asked_one_makes_headings_count_more():
    from assistant.lists import heading_weight, without_asked_unit

    q = "Dans quelle priorité du PTSM est rangé l'objectif sur les GEM pour les jeunes ?"
    assert heading_weight(q) == 1.0
    assert heading_weight("La prévention du suicide relève de quelle priorité du PTSM ?") == 0.5
    assert heading_weight("Qui porte le GEM ?") == 0.0
    context = _p(
        1,
        "ptsm/p5/contexte/p11",
        "Constatant que le public jeune ne participe pas aux GEM existants, les acteurs "
        "proposent de développer des GEM pour les jeunes.",
        locator="Priorité 5 « accès aux droits » › Contexte",
        score=0.9,
    )
    objective = _p(
        2,
        "ptsm/p5/e2/o2/moyens",
        "- Faire émerger le projet de GEM jeunes qui a été amorcé",
        locator="Priorité 5 › Enjeu 2 › Objectif 2 « poursuivre le développement des GEM, "
        "notamment pour le public jeune » › Moyens à envisager",
        score=0.6,
    )
    asked = without_asked_unit(q)
    half = _answer(asked, [context, objective], min_residual=0.0, heading=0.5)
    assert half.citations[0].id == context.id
    full = _answer(asked, [context, objective], min_residual=0.0, heading=heading_weight(q))
    assert full.citations[0].id == objective.id


def test_which_are_the_porteurs_asks_who_and_reads_the_porteur_field():
    q = "Quels sont les porteurs de la fiche 2.5 Collectif Santé-Précarité ?"
    analysis = analyze_question(q)
    assert analysis.kind == "who" and analysis.fields == ("porteur",)
    assert analyze_question("Quel est l'organisme gestionnaire du GEM ?").kind == "who"
    assert analyze_question("Quels sont les axes du CLS ?").kind == "list"
    fiche = "Axe 2 › Fiche action 2.5 « Collectif Santé-Précarité : Vers un Réseau »"
    passages = [
        _p(
            1,
            "cls/fa-2.5/intitule",
            "Collectif Santé-Précarité : Vers un Réseau",
            f"{fiche} › Intitulé",
        ),
        _p(
            2,
            "cls/fa-2.5/porteur",
            "DAC Appui 14 / ESI 14 / Association Itinéraires",
            f"{fiche} › Maître d'œuvre / Porteur",
            score=0.7,
        ),
        _p(3, "cls/fa-2.5/titre", "Réseau Santé Précarité", f"{fiche} › Titre", score=0.8),
    ]
    fields = {"cls/fa-2.5/porteur": "porteur"}
    result = _answer(q, passages, fields)
    assert result.text == "DAC Appui 14 / ESI 14 / Association Itinéraires [1]"


def test_beside_a_list_a_sentence_naming_nothing_new_is_left_out():
    q = "Quelles solutions ont été ouvertes au Havre après l'AMI CNH 2024 ?"
    listed = _p(
        2,
        "h/ami/bilan/p1",
        "À la suite de l'AMI CNH 2024, de nouvelles solutions ont été ouvertes au Havre :\n"
        "- 10 places de SAMSAH\n- 3 places d'accueil de jour",
        score=0.8,
    )
    aliases = [("AMI", "Appel à Manifestation d'intérêt")]
    for by, kept in (("", False), (" par la Ligue havraise", True)):
        announced = _p(
            1,
            "h/ami/p4",
            f"Un Appel à Manifestation d'intérêt (AMI CNH) a été publié{by} au Havre en "
            "2024 pour que des solutions soient ouvertes.",
            score=1.0,
        )
        result = _answer(q, [announced, listed], aliases=aliases)
        assert result.text.endswith("- 3 places d'accueil de jour [2]" if kept else "[1]")
        # The spelled-out acronym of the question is not a new name; the Ligue is.
        cited = ["h/ami/p4", "h/ami/bilan/p1"] if kept else ["h/ami/bilan/p1"]
        assert [c.id for c in result.citations] == cited


def test_a_passage_from_another_departments_document_does_not_answer():
    from assistant.evidence import other_territory

    havre = "Feuille de route territoriale du CTS du Havre — Bilan janvier 2025"
    q = "Combien d'enfants sont accompagnés par l'UEMA du Calvados ?"
    assert other_territory(q, havre, "UEMA › Elle permet l'accompagnement de 7 enfants.")
    assert not other_territory(q, havre, "Dans le Calvados, l'UEMA accompagne 7 enfants.")
    assert not other_territory(q, "Feuille de route départementale du Calvados", "7 enfants")
    both = "Une EMAS a été créée dans le Calvados et sur le territoire du Havre : où ?"
    assert not other_territory(both, havre, "EMAS de Lillebonne")
    assert not other_territory("Combien d'enfants accompagne l'UEMA ?", havre, "7 enfants")
    passage = Passage(
        1,
        "havre/uema/p2",
        havre,
        "bilan-le-havre-2025",
        "UEMA",
        None,
        "Elle permet l'accompagnement de 7 enfants.",
        0.9,
    )
    assert _answer(q, [passage]).abstained


def test_monthly_figures_do_not_answer_a_years_total():
    from assistant.evidence import gives_months_for_year

    q = "Combien de patients le SAS 14 a-t-il régulés sur l'ensemble de l'année 2024 ?"
    monthly = (
        "Le SAS 14 a régulé un nombre croissant de patients, passant de 2000 patients au "
        "mois de septembre à 3300 patients en décembre."
    )
    assert gives_months_for_year(q, monthly)
    assert not gives_months_for_year(q, "Au total, 30 000 patients ont été régulés en 2024.")
    assert not gives_months_for_year("Combien de patients en septembre 2024 ?", monthly)
    assert _answer(q, [_p(1, "b/sas/p4", monthly, locator="SAS 14")]).abstained
    yearly = "En 2024, le SAS 14 a régulé 30 000 patients au total, dont 3300 en décembre."
    assert "30 000" in _answer(q, [_p(1, "b/sas/p4", yearly, locator="SAS 14")]).text


def test_a_count_that_asks_which_ones_is_answered_by_the_list(fake_assistant):
    answer = fake_assistant.ask(
        "Combien de FA compte l'axe « Bien-être et santé mentale » du CLS, et lesquelles ?"
    )
    assert not answer.abstained
    for title in ("Changer les regards", "Faciliter le parcours", "Compétences psychosociales"):
        assert title in answer.answer
    assert "Soutien à la parentalité" not in answer.answer  # another axe
    assert len(answer.citations) == 3


def test_the_same_question_of_two_named_entities_cites_each_ones_document(fake_assistant):
    answer = fake_assistant.ask(
        "Quel est le financement annuel des nouvelles EMAS de Caen et de Lillebonne ?"
    )
    assert not answer.abstained
    assert {c.document_id for c in answer.citations} == {
        "bilan-calvados-2025",
        "bilan-le-havre-2025",
    }
    assert "100.000 €/an" in answer.answer and "100 000€/an" in answer.answer


def test_a_document_the_question_names_as_such_is_where_its_answer_is_read():
    from assistant.query import named_documents

    assert named_documents("CMPP dans la FDR Calvados, ça veut dire quoi ?") == (
        "feuille-de-route-calvados-2024",
    )
    assert named_documents("Dans le bilan du Havre, combien de places ?") == (
        "bilan-le-havre-2025",
    )
    # A place is not a document; a document a statement says does something is why the
    # question is asked, not where its answer is.
    assert named_documents("Qui porte la fiche 4.1 à Lisieux ?") == ()
    assert named_documents("Le CLS prévoit d'informer sur le SAS : à quelles heures ?") == ()

    def passage(rank, document_id, text):
        return Passage(
            rank, f"{document_id}/p{rank}", document_id, document_id, "Loc", None, text, 0.9
        )

    glossary = passage(1, "cls-lisieux-2025-2029", "CMPP : Centre Médico Psychopédagogique")
    roadmap = passage(
        2,
        "feuille-de-route-calvados-2024",
        "Renforcement des CMPP (Centre Médico-Psycho Pédagogique) en vue de l'intervention précoce.",
    )
    q = "CMPP dans la FDR, ça veut dire quoi ?"
    assert _answer(q, [glossary, roadmap]).citations[0].document_id == roadmap.document_id
    q = "CMPP, ça veut dire quoi ?"
    assert _answer(q, [glossary, roadmap]).citations[0].document_id == glossary.document_id
    # "D'après le bilan, combien …" when only the roadmap's plan gives a figure: the bilan
    # does not say.
    plan = passage(
        1, "feuille-de-route-calvados-2024", "Accueil de jour : 6 places dans le Bessin."
    )
    report = passage(2, "bilan-calvados-2025", "L'accueil de jour du Bessin a été étudié en 2024.")
    q = "D'après le bilan, combien de places d'accueil de jour dans le Bessin ?"
    assert _answer(q, [plan, report]).abstained
    q = "Combien de places d'accueil de jour dans le Bessin ?"
    assert "6 places" in _answer(q, [plan, report]).text


def test_where_the_asker_works_is_not_part_of_the_question(fake_assistant):
    from assistant.query import as_question

    assert as_question("Je travaille au CMP de Lisieux : qui porte la fiche 4.2 ?") == (
        "Qui porte la fiche 4.2 ?"
    )
    assert as_question("Je suis infirmière au CMP de Bayeux : quelles CPTS sont actives ?") == (
        "Quelles CPTS sont actives ?"
    )
    from assistant.query import asked_sentence

    # "… à une fiche du CLS : laquelle, et …" asks of the statement's fiche: all of it.
    q = "Le PTSM renvoie à une fiche du CLS de Lisieux : laquelle, et qui en assure le suivi ?"
    assert asked_sentence(q) == q
    # What the asker writes about is the topic: kept.
    kept = "Je rédige une note sur la transition écologique : à quelle date ?"
    assert as_question(kept) == kept
    # The asker's workplace is not a name the answer must repeat.
    answer = fake_assistant.ask(
        "Je travaille au CMP de Bayeux : qui porte la fiche action 4.2 du CLS de Lisieux ?"
    )
    assert not answer.abstained and "DAC 14" in answer.answer


def test_a_numbered_fiche_written_fa3_2_is_not_a_name_the_answer_must_repeat(fake_assistant):
    from assistant.evidence import question_names

    assert question_names("Pour la fiche sur la sédentarité (FA3.2), qui ?") == []
    assert question_names("Le CRT de Dozulé (FA5.1) ?") == ["CRT", "Dozulé"]
    answer = fake_assistant.ask(
        "Pour la fiche du CLS sur la lutte contre l'inactivité physique (FA3.2), qui la porte ?"
    )
    assert not answer.abstained and "Académie des sports" in answer.answer


def test_how_often_is_asked_and_answered_by_a_frequency():
    for q in (
        "Le COTECH du CLS, il se réunit tous les combien ?",
        "Le comité technique, il se voit souvent ?",
        "A quelle fréquence se réunit le comité de pilotage ?",
        "Combien de fois par an le COPIL se réunit-il ?",
    ):
        assert analyze_question(q).kind == "frequency", q
    # Counting the times something happened is a count.
    assert analyze_question("Combien de fois l'EMAS a-t-elle été sollicitée ?").kind == "count"
    assert has_evidence("Il se réunit deux fois par an.", "frequency")
    assert has_evidence("Le comité se réunit annuellement.", "frequency")
    assert has_evidence("Une journée par semaine de consultation.", "frequency")
    assert not has_evidence("Le comité réunit 40 partenaires.", "frequency")
    assert not has_evidence("Financement : 100 000 € par an.", "frequency")
    passages = [
        _p(1, "cls/gov/p1", "Le comité technique coordonne les partenaires et suit les actions."),
        _p(2, "cls/gov/p2", "Le comité technique se réunira jusqu'à deux fois par an.", score=0.5),
    ]
    q = "Le comité technique, il se voit souvent ?"
    from indexer.lexical import analyze

    idf = {t: 1.0 for t in analyze(" ".join([q, *(p.text for p in passages)]))}
    idf |= {"voit": 8.0, "souvent": 8.0}  # rare in the corpus, so they would weigh most
    # "voit" and "souvent" ask how often; no sentence need say them.
    result = _answer(q, passages, idf=idf)
    assert result.text == "Le comité technique se réunira jusqu'à deux fois par an. [1]"


def test_an_action_the_ptsm_cites_then_who_carries_it_in_the_cls(fake_assistant):
    answer = fake_assistant.ask(
        "Concernant la pair-aidance, le PTSM cite une action du CLS de Lisieux : "
        "laquelle, et qui la porte ?"
    )
    assert "4.1" in answer.answer and "RTPS" in answer.answer
    assert {c.document_id for c in answer.citations} == {
        "ptsm-calvados-2026-2030",
        "cls-lisieux-2025-2029",
    }


def test_a_count_of_qualified_things_needs_the_qualifier_around_the_number():
    from assistant.evidence import count_qualifier

    q = "Combien de places d'appartements de coordination thérapeutique y a-t-il au Havre ?"
    assert count_qualifier(q) == {"appart", "coordin", "therapeut"}
    assert count_qualifier("Combien de fiches actions compte l'axe 2 ?") == frozenset()
    handicap = _p(1, "havre/ime/p1", "- Secteur enfants : 15 places en IME au Havre", "Handicap")
    assert _answer(q, [handicap]).abstained
    act = _p(1, "havre/act/p1", "Au Havre, 12 places d'appartements de coordination thérapeutique.")
    assert "12 places" in _answer(q, [act]).text
