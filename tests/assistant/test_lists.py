"""Structure lists, lists that run over passages, and two-part questions (no model)."""

from assistant.lists import (
    asked_unit,
    continue_list,
    following_chunks,
    name_the_unit,
    names_unknown_unit,
    preceding_text,
    structure_answer,
    structure_request,
)
from assistant.multipart import compose_parts, split_question
from assistant.query import analyze_question
from assistant.types import Passage
from indexer.types import Chunk

DOC = "ptsm-test"


def _chunk(cid, locator, text, order, section, field=None, document=DOC):
    return Chunk(cid, document, tuple(locator), text, order, section, None, field)


def _to_passage(chunk):
    return Passage(
        0, chunk.id, "PTSM test", chunk.document_id, chunk.locator_path, None, chunk.text, 0.0
    )


P4 = "Priorité 4 « crise et urgences »"
P5 = "Priorité 5 « accès aux droits »"
CHUNKS = [
    _chunk(
        f"{DOC}/intro/p1",
        ["Propos introductifs", "§ 1"],
        "Priorité 4 : crise et urgences Enjeu 1 : accueil de la crise "
        "Objectif 1 : sensibiliser les élus à la crise psychique "
        "Objectif 2 : assurer la continuité des soins",
        0,
        f"{DOC}/intro",
    ),
    _chunk(
        f"{DOC}/p4/enjeu-1/p1",
        [P4, "Enjeu 1 : accueil de la crise", "§ 1"],
        "Un travail auprès des élus est à mener (objectif opérationnel n° 1).",
        1,
        f"{DOC}/p4/enjeu-1",
    ),
    _chunk(
        f"{DOC}/p4/o1/public",
        [
            P4,
            "Enjeu 1 : accueil de la crise",
            "Objectif 1 « sensibiliser les élus à la crise psychique »",
            "Public ciblé",
        ],
        "les élus",
        2,
        f"{DOC}/p4/o1",
        "public",
    ),
    _chunk(
        f"{DOC}/p4/o2/public",
        [
            P4,
            "Enjeu 1 : accueil de la crise",
            "Objectif 2 « assurer la continuité des soins »",
            "Public ciblé",
        ],
        "tous les usagers",
        3,
        f"{DOC}/p4/o2",
        "public",
    ),
    _chunk(
        f"{DOC}/p5/o1/public",
        [P5, "Enjeu 1 : droits", "Objectif 1 « informer les familles »", "Public ciblé"],
        "les familles",
        4,
        f"{DOC}/p5/o1",
        "public",
    ),
]


def test_structure_request_reads_the_asked_unit_and_its_stated_count():
    assert (
        structure_request("Quels objectifs opérationnels relèvent de la priorité 4 ?").unit
        == "objectif"
    )
    assert structure_request("Quelles sont les 12 actions prioritaires du PRS ?").count == 12
    assert (
        structure_request("Combien de fiches actions compte l'axe 2 et lesquelles ?").unit
        == "fiche"
    )
    assert structure_request("Qui porte la fiche action 2.3 ?") is None


def test_structure_answer_lists_the_units_of_the_named_parent_each_quoted_and_cited():
    q = "Quels objectifs opérationnels relèvent de la priorité 4 du PTSM ?"
    passages = [_to_passage(CHUNKS[1])]
    result = structure_answer(q, analyze_question(q), passages, CHUNKS, _to_passage)
    assert result is not None and not result.abstained
    assert "Objectif 1 : sensibiliser les élus à la crise psychique [1]" in result.text
    assert "Objectif 2 : assurer la continuité des soins [1]" in result.text
    assert "informer les familles" not in result.text  # priorité 5, not asked
    assert [c.id for c in result.citations] == [f"{DOC}/intro/p1"]


def test_a_parent_named_by_its_title_not_its_number_limits_the_list():
    q = "Quels objectifs opérationnels relèvent de la priorité sur la crise et les urgences ?"
    passages = [_to_passage(CHUNKS[1])]
    result = structure_answer(q, analyze_question(q), passages, CHUNKS, _to_passage)
    assert result is not None and "sensibiliser les élus" in result.text
    assert "continuité des soins" in result.text
    assert "informer les familles" not in result.text  # priorité 5, not named
    # A bilan writes its priorities without their label: the title alone is enough.
    bare = [
        _chunk(
            f"{DOC}/{n}/c{i}",
            [title, f"Chantier : {chantier}", "§ 1"],
            f"Chantier : {chantier}",
            n * 10 + i,
            f"{DOC}/{n}/c{i}",
        )
        for n, (title, chantiers) in enumerate(
            [
                ("Mailler l'offre de soins", ["accès en proximité", "mobilités"]),
                ("Améliorer la santé mentale des Normands", ["PTSM", "périnatalité"]),
            ]
        )
        for i, chantier in enumerate(chantiers)
    ]
    q = "Quels chantiers relèvent de la priorité « Améliorer la santé mentale des Normands » ?"
    result = structure_answer(q, analyze_question(q), [_to_passage(bare[0])], bare, _to_passage)
    assert result is not None
    assert "PTSM" in result.text and "périnatalité" in result.text
    assert "mobilités" not in result.text and "proximité" not in result.text
    # Without a named enclosing unit, every unit is listed.
    q = "Quels sont les chantiers du bilan ?"
    result = structure_answer(q, analyze_question(q), [_to_passage(bare[0])], bare, _to_passage)
    assert result is not None and "mobilités" in result.text and "PTSM" in result.text


def test_a_count_that_asks_which_ones_and_fa_for_fiches_action():
    from assistant.lists import asks_which_ones

    request = structure_request("L'axe 6 du CLS regroupe combien de FA ? lesquelles ?")
    assert request is not None and request.unit == "fiche"
    assert asks_which_ones("Combien de fiches actions compte l'axe 2, et lesquelles ?")
    assert asks_which_ones("Combien d'objectifs ? Quels sont-ils ?")
    assert not asks_which_ones("Combien de fiches actions compte l'axe 2 ?")


def test_structure_answer_refuses_a_list_of_the_wrong_length():
    q = "Quels sont les 5 objectifs de la priorité 4 ?"
    passages = [_to_passage(CHUNKS[1])]
    assert structure_answer(q, analyze_question(q), passages, CHUNKS, _to_passage) is None


def test_unknown_fiche_or_objective_is_detected():
    ids = [c.id for c in CHUNKS] + ["cls/fa-2.3/porteur"]
    assert names_unknown_unit(analyze_question("Qui porte la fiche action 8.1 du CLS ?"), ids)
    assert not names_unknown_unit(analyze_question("Qui porte la fiche action 2.3 du CLS ?"), ids)
    assert names_unknown_unit(analyze_question("Public de l'objectif 9 de la priorité 4 ?"), ids)


SECTION = [
    _chunk(
        "b/intro/p5",
        ["Introduction", "§ 5"],
        "Le PRS s'articule autour de 3 priorités :",
        0,
        "b/intro",
    ),
    _chunk("b/intro/p6", ["Introduction", "§ 6"], "Action prioritaire #1", 1, "b/intro"),
    _chunk(
        "b/intro/p7", ["Introduction", "§ 7"], "- Relever le défi du vieillissement ;", 2, "b/intro"
    ),
    _chunk("b/intro/p8", ["Introduction", "§ 8"], "- Améliorer la santé mentale ;", 3, "b/intro"),
    _chunk(
        "b/intro/p9", ["Introduction", "§ 9"], "Pour en savoir plus, voir le site.", 4, "b/intro"
    ),
    _chunk("b/other/p1", ["Autre", "§ 1"], "- Hors section", 5, "b/other"),
]


def test_a_list_intro_is_followed_by_the_items_of_the_next_passages():
    from assistant.answer import render

    intro = render([(_to_passage(SECTION[0]), SECTION[0].text)])
    result = continue_list(intro, lambda cid: following_chunks(SECTION, 0), _to_passage)
    assert result.text == (
        "Le PRS s'articule autour de 3 priorités : [1] "
        "- Relever le défi du vieillissement ; [2] - Améliorer la santé mentale ; [3]"
    )
    assert [c.id for c in result.citations] == ["b/intro/p5", "b/intro/p7", "b/intro/p8"]
    assert preceding_text(SECTION, 1) == SECTION[0].text and preceding_text(SECTION, 5) == ""


def test_an_announced_enumeration_is_followed_by_the_passage_that_names_it():
    from assistant.answer import render

    chunks = [
        _chunk("b/r/p5", ["R", "§ 5"], "Trois porteurs ont répondu à l'appel.", 0, "b/r"),
        _chunk(
            "b/r/p6",
            ["R", "§ 6"],
            "Il s'agit du pôle d'Isigny, du pôle d'Ifs et du pôle d'Hérouville.",
            1,
            "b/r",
        ),
    ]
    first = render([(_to_passage(chunks[0]), chunks[0].text)])
    result = continue_list(first, lambda cid: following_chunks(chunks, 0), _to_passage)
    assert result.text.endswith(
        "Il s'agit du pôle d'Isigny, du pôle d'Ifs et du pôle d'Hérouville. [2]"
    )
    # A sentence from another passage after the announcement gives way to the names.
    other = _chunk(
        "b/r/p9", ["R", "§ 9"], "En 2025, de nouvelles perspectives à Deauville.", 3, "b/r"
    )
    two = render([(_to_passage(chunks[0]), chunks[0].text), (_to_passage(other), other.text)])
    result = continue_list(two, lambda cid: following_chunks(chunks, 0), _to_passage)
    assert result.text == (
        "Trois porteurs ont répondu à l'appel. [1] "
        "Il s'agit du pôle d'Isigny, du pôle d'Ifs et du pôle d'Hérouville. [2]"
    )
    assert [c.id for c in result.citations] == ["b/r/p5", "b/r/p6"]


def _p(rank, pid, document_id, text, locator="Loc", score=0.9):
    return Passage(rank, pid, document_id, document_id, locator, None, text, score)


def test_two_part_question_is_split_with_its_shared_words():
    parts = split_question(
        "Pour les 3 places d'ACT, quel montant la feuille de route 2024 prévoyait-elle "
        "et combien l'ARS a-t-elle finalement financé ?"
    )
    assert len(parts) == 2
    assert parts[0].analysis.documents == ("feuille-de-route-calvados-2024",)
    assert (
        parts[1].text.startswith("Pour les 3 places d'ACT") and parts[1].analysis.kind == "amount"
    )
    assert len(split_question("Où et quand le CLS a-t-il été signé ?")) == 1
    assert len(split_question("Qui porte la fiche 2.3 ?")) == 1


def test_two_part_question_gets_one_cited_sentence_per_part_and_document():
    passages = [
        _p(
            1,
            "bilan/act/p6",
            "bilan-calvados-2025",
            "L'ARS a financé ces nouvelles places d'ACT pour 109.000 €.",
        ),
        _p(
            2,
            "fdr/act/p1",
            "feuille-de-route-calvados-2024",
            "100.000 € : 3 places d'ACT pour sortants de détention",
            score=0.6,
        ),
    ]
    q = (
        "Pour les 3 places d'ACT destinées aux sortants de détention, quel montant la "
        "feuille de route 2024 prévoyait-elle et combien l'ARS a-t-elle finalement financé ?"
    )
    result = compose_parts(q, passages, {})
    assert result is not None
    assert "100.000 €" in result.text and "109.000 €" in result.text
    assert {c.id for c in result.citations} == {"bilan/act/p6", "fdr/act/p1"}
    assert compose_parts("Qui finance les places d'ACT ?", passages, {}) is None


def test_two_entities_after_the_same_preposition_each_get_the_question():
    q = "Les nouvelles EMAS de Caen et de Lillebonne ont-elles le même financement annuel ?"
    assert [p.text for p in split_question(q)] == [
        "Les nouvelles EMAS de Caen ont-elles le même financement annuel ?",
        "Les nouvelles EMAS de Lillebonne ont-elles le même financement annuel ?",
    ]
    # Each entity's question may itself ask two things.
    q = "Dans les bilans du Calvados et du Havre, où sont les EMAS et quel est leur budget ?"
    parts = [p.text for p in split_question(q)]
    assert len(parts) == 4 and sum("du Havre" in p for p in parts) == 2
    # Not two names: "de Caen et de sa région", "l'ARS et le Département".
    assert len(split_question("Quelle EMAS de Caen et de sa région est financée ?")) == 1
    assert len(split_question("Que financent l'ARS et le Département ?")) == 1


def test_a_part_answered_by_a_list_intro_brings_its_items():
    q = "Combien de places ont été créées au total, et comment se répartissent-elles ?"
    total = _p(1, "havre/cnh/p3", "bilan-le-havre-2025", "Soit la création de 28 places au total.")
    split = _p(
        2,
        "havre/cnh/p1",
        "bilan-le-havre-2025",
        "De nouvelles places ont été créées et se répartissent ainsi :\n"
        "- Secteur enfants : 15 places\n- Secteur adultes : 13 places\nLe comité suit.",
    )
    result = compose_parts(q, [total, split], {})
    assert result is not None
    assert "28 places" in result.text
    assert "Secteur enfants : 15 places [2]" in result.text
    assert "Secteur adultes : 13 places [2]" in result.text
    assert "Le comité suit" not in result.text


def test_a_later_count_part_counts_its_own_noun():
    q = "Combien d'évaluations l'unité a-t-elle réalisées en 2024, et combien de signalements ?"
    evaluations = _p(
        1, "havre/uaped/p3", "bilan-le-havre-2025", "- 162 évaluations réalisées en 2024."
    )
    reports = _p(2, "havre/uaped/p5", "bilan-le-havre-2025", "- 21 signalements au parquet.")
    result = compose_parts(q, [evaluations, reports], {})
    assert result is not None
    assert "162 évaluations" in result.text and "21 signalements" in result.text


def test_a_part_asked_of_the_unit_the_first_answer_names_is_searched_for_that_unit():
    q = "Le PTSM renvoie à une action du CLS pour la pair-aidance : laquelle, et qui la porte ?"
    first, second = split_question(q)
    assert second.chain and second.text == "qui la porte"
    link = _p(
        1,
        "ptsm/p5/o4/liens",
        "ptsm-calvados-2026-2030",
        "Le CLS a une action en lien avec la pair-aidance :\n"
        "- Action 4.1 – changer les regards sur les troubles psychiques",
    )
    porteur = _p(
        1,
        "cls/fa-4.1/porteur",
        "cls-lisieux-2025-2029",
        "Coordinatrice du RTPS et CALN (Santé)",
        locator="Axe 4 › Fiche action 4.1 « Changer les regards » › Maître d'œuvre / Porteur",
    )
    asked = []

    def search(text):
        asked.append(text)
        return [porteur] if "4.1" in text else []

    result = compose_parts(q, [link], {"cls/fa-4.1/porteur": "porteur"}, search=search)
    assert asked == ["qui porte la fiche action 4.1"]
    assert result is not None
    assert (
        "Action 4.1" in result.text and "Coordinatrice du RTPS et CALN (Santé) [2]" in result.text
    )
    # "qui en assure le portage", "qui en est le porteur": the same, said with "en".
    q2 = "Pour la pair-aidance, le PTSM renvoie à une fiche : laquelle, et qui en assure le portage ?"
    assert split_question(q2)[1].chain
    asked.clear()
    compose_parts(q2, [link], {"cls/fa-4.1/porteur": "porteur"}, search=search)
    assert asked == ["qui assure le portage de la fiche action 4.1"]
    # Without a unit in the first answer, the chained part is left unanswered.
    vague = _p(1, "ptsm/p5/o4/p1", "ptsm-calvados-2026-2030", "Le CLS agit pour la pair-aidance.")
    result = compose_parts(q, [vague], {}, search=search)
    assert result is not None and "RTPS" not in result.text


def test_a_part_shares_the_topic_before_a_colon_and_a_named_document_is_only_preferred():
    q = (
        "valisette de téléconsultation de l'agglomération de Lisieux : elle a coûté "
        "combien, et depuis quand une infirmière l'accompagne ?"
    )
    first, second = split_question(q)
    assert first.analysis.kind == "amount"
    # The second part asks a date of the valisette, not what it cost.
    assert "coûté" not in second.text and second.analysis.kind == "date"
    # "Lisieux" names the CLS, but the cost is in the roadmap.
    cost = _p(
        1,
        "fdr/ap-2/p6",
        "feuille-de-route-calvados-2024",
        "Exemple d'accès à des téléconsultations : valisette de télémédecine (9.769 €) "
        "dans l'arrondissement de Lisieux",
    )
    nurse = _p(
        2,
        "cls/fa-2.1/p7",
        "cls-lisieux-2025-2029",
        "Une infirmière formée à la télémédecine accompagne la valisette depuis mars 2023. "
        "Une visite chez le généraliste coûte 30 €.",
    )
    result = compose_parts(q, [cost, nurse], {})
    assert result is not None
    assert "9.769 €" in result.text and "mars 2023" in result.text
    assert "30 €" not in result.text


def test_the_same_question_of_two_entities_is_asked_of_each_with_its_own_passages():
    q = (
        "Quel financement annuel est prévu pour la nouvelle EMAS de Lillebonne "
        "et pour celle de l'agglomération de Caen ?"
    )
    first, second = split_question(q)
    assert first.text.endswith("EMAS de Lillebonne")
    assert second.text == (
        "Quel financement annuel est prévu pour la nouvelle EMAS de l'agglomération de Caen"
    )
    assert second.analysis.kind == "amount" and not second.topic
    caen = _p(
        1,
        "calvados/emas/p3",
        "bilan-calvados-2025",
        "L'EMAS de l'agglomération de Caen est financée dans le cadre du PRIAC pour un "
        "montant de 100.000 €/an",
    )
    lillebonne = _p(
        1,
        "havre/emas/p4",
        "bilan-le-havre-2025",
        "Création d'une EMAS supplémentaire sur le territoire de Lillebonne. "
        "Financement : PRIAC 100 000€/an",
    )
    # The whole question's passages miss Lillebonne; its part retrieves its own.
    alone = compose_parts(q, [caen], {})
    assert alone is not None and [c.id for c in alone.citations] == ["calvados/emas/p3"]
    result = compose_parts(q, [caen], {}, pools={first.text: [lillebonne]})
    assert result is not None
    assert [c.id for c in result.citations] == ["havre/emas/p4", "calvados/emas/p3"]


def test_a_count_of_units_is_a_structure_request():
    request = structure_request("Combien d'objectifs opérationnels la priorité 2 comporte-t-elle ?")
    assert request is not None and request.unit == "objectif"
    assert structure_request("Combien de fiches actions compte l'axe 4 ?").unit == "fiche"


def test_a_question_on_which_unit_is_answered_by_naming_it_first():
    from assistant.answer import render

    fiche = "Fiche action 2.1 « Santé et numérique »"
    chunks = [
        _chunk(
            "cls/synthese/p1",
            ["Synthèse"],
            "FA2.1 | Santé et numérique",
            0,
            "cls/s",
            document="cls",
        ),
        _chunk(
            "cls/fa-2.1/intitule",
            ["Axe 2", fiche, "Intitulé"],
            "Santé et numérique",
            1,
            "cls/fa",
            document="cls",
        ),
        _chunk(
            "cls/fa-2.1/p3",
            ["Axe 2", fiche, "Contexte"],
            "La valisette de téléconsultation pourra perdurer.",
            2,
            "cls/fa",
            document="cls",
        ),
    ]
    by_id = {c.id: i for i, c in enumerate(chunks)}
    q = "Dans quelle fiche action du CLS parle-t-on de la valisette ?"
    assert asked_unit(q) is not None and asked_unit("Qui porte la fiche 2.1 ?") is None
    answer = render([(_to_passage(chunks[2]), "La valisette de téléconsultation pourra perdurer.")])
    named = name_the_unit(q, answer, chunks, by_id.__getitem__, _to_passage)
    # "Which fiche" is answered by its number: the summary's "FA2.1 | Santé et numérique"
    # is quoted rather than the fiche's bare title.
    assert named.text == (
        "FA2.1 | Santé et numérique [1] La valisette de téléconsultation pourra perdurer. [2]"
    )
    assert [c.id for c in named.citations] == ["cls/synthese/p1", "cls/fa-2.1/p3"]
    assert [c.n for c in named.citations] == [1, 2]
    # A question that asks no unit is left as it is.
    assert (
        name_the_unit("Que devient la valisette ?", answer, chunks, by_id.__getitem__, _to_passage)
        == answer
    )


def test_the_unit_is_named_with_its_number_when_a_summary_gives_it():
    from assistant.answer import render

    fiche = "Fiche action 2.2 « Mutuelle intercommunale »"
    chunks = [
        _chunk(
            "cls/synthese/fa-2.2",
            ["Synthèse", "FA2.2"],
            "FA2.2 | Mutuelle intercommunale | Limiter le renoncement aux soins",
            0,
            "cls/synthese",
            document="cls",
        ),
        _chunk(
            "cls/fa-2.2/intitule",
            ["Axe 2", fiche, "Intitulé"],
            "Mutuelle intercommunale",
            1,
            "cls/fa",
            document="cls",
        ),
        _chunk(
            "cls/fa-2.2/p1",
            ["Axe 2", fiche, "Contexte"],
            "Une étude de faisabilité est prévue.",
            2,
            "cls/fa",
            document="cls",
        ),
    ]
    by_id = {c.id: i for i, c in enumerate(chunks)}
    q = "Dans quelle fiche action figure la mutuelle intercommunale ?"
    study = render([(_to_passage(chunks[2]), "Une étude de faisabilité est prévue.")])
    named = name_the_unit(q, study, chunks, by_id.__getitem__, _to_passage)
    assert named.text == (
        "FA2.2 | Mutuelle intercommunale [1] Une étude de faisabilité est prévue. [2]"
    )
    # An answer that was the bare title is replaced by the numbered mention.
    title = render([(_to_passage(chunks[1]), "Mutuelle intercommunale")])
    named = name_the_unit(q, title, chunks, by_id.__getitem__, _to_passage)
    assert named.text == "FA2.2 | Mutuelle intercommunale [1]"
    assert [c.id for c in named.citations] == ["cls/synthese/fa-2.2"]


def test_more_two_part_shapes_a_count_of_two_units_a_bare_question_word_a_preposition():
    first, second = split_question("Le PTSM est structuré en combien d'enjeux et d'objectifs ?")
    assert (first.text, second.text) == (
        "Le PTSM est structuré en combien d'enjeux",
        "Le PTSM est structuré en combien d'objectifs",
    )
    first, second = split_question("Le CLS a été signé à quelle date, et où ?")
    assert second.text == "Le CLS a été signé où" and first.analysis.kind == "date"
    parts = split_question(
        "Le répit est rattaché à quelle action prioritaire, et avec quel financement ?"
    )
    assert len(parts) == 2 and parts[1].analysis.kind == "amount"
    parts = split_question("La CALN a recruté combien de médecins, et ça fait combien d'ETP ?")
    assert len(parts) == 2
    # Two question words with nothing before them stay one question.
    assert len(split_question("Où et quand le CLS a-t-il été signé ?")) == 1
    # … one part of two, when a second part follows.
    q = "Quand et où a été signé le CLS, et quand avait été signé le premier CLS ?"
    assert [p.text for p in split_question(q)] == [
        "Quand et où a été signé le CLS",
        "quand avait été signé le premier CLS",
    ]
    three = split_question("Le PTSM compte combien de priorités, d'enjeux et d'objectifs ?")
    assert [p.text for p in three] == [
        "Le PTSM compte combien de priorités",
        "Le PTSM compte combien d'enjeux",
        "Le PTSM compte combien d'objectifs",
    ]
    assert [p.text for p in split_question("Combien de places et de lits ?")] == [
        "Combien de places",
        "Combien de lits",
    ]
    # "et qui est l'association …" asks, even without a comma; a relative "qui" does not.
    q = "Pour le GEM de Fécamp, quelle association est son parrain et qui est le gestionnaire ?"
    assert [p.text for p in split_question(q)][1].endswith("qui est le gestionnaire")
    assert len(split_question("Quelles structures accueillent et qui financent le GEM ?")) == 1


def test_a_statement_before_et_is_context_not_a_part():
    q = (
        "Le bilan donne 91 % de couverture CPTS en Seine-Maritime ; et dans l'Eure, "
        "quel pourcentage de la population est couvert ?"
    )
    assert len(split_question(q)) == 1
    q = "Quel pourcentage est couvert selon le bilan du Havre et selon le PTSM ?"
    assert len(split_question(q)) == 2


def test_a_sentence_that_answers_both_parts_is_not_followed_by_a_weaker_one():
    q = (
        "Combien de médecins retraités sont mobilisés au Havre, "
        "et depuis quand le dispositif fonctionne-t-il ?"
    )
    both = _p(
        1,
        "lh/pole/p1",
        "bilan-le-havre-2025",
        "Depuis le 18 mars 2024, 11 médecins retraités sont mobilisés au sein du "
        "Pôle santé 100% LH au Havre.",
    )
    heading = _p(
        2, "lh/pole/p2", "bilan-le-havre-2025", "Le dispositif du Havre : BILAN janvier 2025"
    )
    result = compose_parts(q, [both, heading], {})
    assert result is not None
    assert [c.id for c in result.citations] == ["lh/pole/p1"]
    # A part whose best sentence is its own still gets it.
    own = _p(
        2,
        "lh/pole/p3",
        "bilan-le-havre-2025",
        "Le dispositif fonctionne au Havre depuis 2023 grâce aux médecins retraités.",
    )
    result = compose_parts(q, [both, own], {})
    assert [c.id for c in result.citations] == ["lh/pole/p1", "lh/pole/p3"]


def test_a_table_cell_is_read_with_the_row_that_goes_on_after_it():
    row = [
        _chunk(
            "fdr/ap-6/p12", ["AP 6", "§ 12"], "Création d'une nouvelle antenne CSAPA", 0, "fdr/ap-6"
        ),
        _chunk("fdr/ap-6/p13", ["AP 6", "§ 13"], "ONDAM PDS : 250.000 €", 1, "fdr/ap-6"),
        _chunk(
            "fdr/ap-6/p14", ["AP 6", "§ 14"], "File active du site CSAPA de Falaise", 2, "fdr/ap-6"
        ),
    ]
    assert preceding_text(row, 1) == "Création d'une nouvelle antenne CSAPA"
    assert preceding_text(row, 1, cell_chars=160) == (
        "Création d'une nouvelle antenne CSAPA File active du site CSAPA de Falaise"
    )
    # A long passage is a paragraph, not a cell; the next section is another row.
    assert preceding_text(row, 0, cell_chars=10) == ""
    assert preceding_text([*row[:2], _chunk("x/p1", ["X"], "Autre", 2, "x")], 1, 160) == (
        "Création d'une nouvelle antenne CSAPA"
    )


def test_a_list_of_numbered_units_with_their_titles_is_followed_to_its_end():
    from assistant.answer import render

    chunks = [
        _chunk("b/i/p5", ["I", "§ 5"], "Le PRS s'articule autour de 12 priorités :", 0, "b/i"),
        *(
            _chunk(
                f"b/i/p{6 + n}",
                ["I", f"§ {6 + n}"],
                f"Action prioritaire #{n}\n- Priorité numéro {n} ;",
                n,
                "b/i",
            )
            for n in range(1, 13)
        ),
    ]
    intro = render([(_to_passage(chunks[0]), chunks[0].text)])
    result = continue_list(intro, lambda cid: following_chunks(chunks, 0), _to_passage)
    assert len(result.citations) == 13
    assert "Action prioritaire #1 [2] - Priorité numéro 1 ; [2]" in result.text
    assert result.text.endswith("Action prioritaire #12 [13] - Priorité numéro 12 ; [13]")


def test_a_later_part_that_names_only_what_it_asks_speaks_of_the_first_parts_subject():
    q = (
        "Dans le PTSM 2026-2030, combien y a-t-il de GEM « handicap psychique » dans le "
        "Calvados et dans quelles villes ?"
    )
    first, second = split_question(q)
    # "dans quelles villes" asks a question: it is not the first part asked of a source.
    assert second.text == "Dans le PTSM 2026-2030 dans quelles villes"
    assert "GEM" in second.topic and second.analysis.kind == "list"
    # Shared words that name a subject are the later part's topic.
    q = (
        "Pour la concertation du CNR santé fin 2022, combien de réunions ont eu lieu "
        "dans le Calvados, et dans quels arrondissements ?"
    )
    assert split_question(q)[1].topic == (
        "Pour la concertation du CNR santé fin 2022 dans quels arrondissements"
    )
    # "… selon le bilan du Havre et selon le PTSM ?" is the same question of two sources.
    q = "Pour quelle période la santé mentale est-elle grande cause selon le bilan et selon le PTSM ?"
    assert split_question(q)[1].text.endswith("grande cause selon le PTSM")
    # "A quelle date et dans quelle commune …": one question of one subject.
    q = "A quelle date et dans quelle commune le nouveau CLS de Lisieux a-t-il été signé ?"
    assert len(split_question(q)) == 1


def test_a_part_the_first_sentence_already_answers_adds_no_citation():
    planned = _p(
        1,
        "fdr/ap-1/p9",
        "feuille-de-route-calvados-2024",
        "Développement de l'offre en matière d'accueil de jour : 142 380 € pour 12 places "
        "d'accueil de jour pour les personnes âgées.",
    )
    other = _p(
        2,
        "bilan/act/p3",
        "bilan-calvados-2025",
        "Pour développer l'accueil de jour des personnes âgées, le nombre de places est "
        "de 35 places.",
        score=1.0,
    )
    q = (
        "Quelle enveloppe la feuille de route 2024 prévoit-elle pour développer l'accueil "
        "de jour des personnes âgées, et pour combien de places ?"
    )
    # For the count, the sentence of another document is preferred by a little; the
    # first answer already gives the places ("pour 12 places"): no second citation.
    result = compose_parts(q, [other, planned], {})
    assert result is not None and [c.id for c in result.citations] == ["fdr/ap-1/p9"]


def test_a_question_asking_two_units_names_both_outer_first():
    from assistant.answer import render
    from assistant.lists import asked_units

    priority = "Priorité 4 « crise et urgences »"
    objective = "Objectif 4 « promouvoir les directives anticipées »"
    chunks = [
        _chunk(
            "p/presentation/p22",
            ["Présentation", "§ 22"],
            "Priorité 4 : Crise et urgences",
            0,
            "p/pr",
        ),
        _chunk(
            "p/p4/e3/o4/titre",
            [priority, "Enjeu 3 : anticipation", objective, "Intitulé"],
            "Objectif 4 : promouvoir les directives anticipées",
            1,
            "p/p4/e3/o4",
        ),
        _chunk(
            "p/p4/e3/o4/prerequis",
            [priority, "Enjeu 3 : anticipation", objective, "Pré requis"],
            "- Inclure les directives anticipées dans le DMP",
            2,
            "p/p4/e3/o4",
        ),
    ]
    by_id = {c.id: i for i, c in enumerate(chunks)}
    q = "Dans quelle priorité du PTSM se trouve l'objectif sur les directives anticipées ?"
    assert [p.pattern for p in asked_units(q)] == ["^Priorité \\d+", "^Objectif \\d+"]
    assert [p.pattern for p in asked_units("Dans quelle priorité est le GEM ?")] == [
        "^Priorité \\d+"
    ]
    # The objective is named only beside an asked unit.
    assert asked_units("Que dit l'objectif sur les directives anticipées ?") == []
    answer = render([(_to_passage(chunks[2]), chunks[2].text)])
    named = name_the_unit(q, answer, chunks, by_id.__getitem__, _to_passage)
    assert named.text == (
        "Priorité 4 : Crise et urgences [1] "
        "Objectif 4 : promouvoir les directives anticipées [2] "
        "- Inclure les directives anticipées dans le DMP [3]"
    )
    assert [c.id for c in named.citations] == [
        "p/presentation/p22",
        "p/p4/e3/o4/titre",
        "p/p4/e3/o4/prerequis",
    ]


def test_units_listed_or_named_are_quoted_with_their_numbers():
    cls = "cls"

    def fiche(n, title):
        return f"Fiche action 4.{n} « {title} »"

    chunks = [
        _chunk(
            "cls/synthese/fa-4.1",
            ["Synthèse", "Axe 4", "FA4.1"],
            "FA4.1 | Changer les regards | Informer",
            0,
            "cls/s",
            document=cls,
        ),
        _chunk(
            "cls/fa-4.1/intitule",
            ["Axe 4", fiche(1, "Changer les regards"), "Intitulé"],
            "Changer les regards",
            1,
            "cls/fa-4.1",
            document=cls,
        ),
        _chunk(
            "cls/fa-4.2/intitule",
            ["Axe 4", fiche(2, "Parcours de soins"), "Intitulé"],
            "Parcours de soins",
            2,
            "cls/fa-4.2",
            document=cls,
        ),
        _chunk(
            "cls/fa-4.2/p1",
            ["Axe 4", fiche(2, "Parcours de soins"), "Contexte"],
            "Action 4.2 : Parcours de soins\nLe parcours est long.",
            3,
            "cls/fa-4.2",
            document=cls,
        ),
    ]
    q = "Quelles fiches actions composent l'axe 4 du CLS ?"
    result = structure_answer(q, analyze_question(q), [_to_passage(chunks[1])], chunks, _to_passage)
    assert result is not None
    # Fiche 4.1's own passages give only its title: the summary numbers it. Fiche 4.2's
    # own table line gives its number: it is quoted rather than the bare title.
    assert result.text == "FA4.1 | Changer les regards [1] Action 4.2 : Parcours de soins [2]"
    assert [c.id for c in result.citations] == ["cls/synthese/fa-4.1", "cls/fa-4.2/p1"]


def test_an_announcement_the_question_already_says_gives_way_to_the_named_items():
    from assistant.answer import render

    chunks = [
        _chunk(
            "b/r/p5",
            ["R", "§ 5"],
            "Dans le Calvados, trois porteurs ont répondu à l'appel Réflexe santé de l'ARS.",
            0,
            "b/r",
        ),
        _chunk(
            "b/r/p6",
            ["R", "§ 6"],
            "Il s'agit du pôle d'Isigny, du pôle d'Ifs et du pôle d'Hérouville.",
            1,
            "b/r",
        ),
    ]
    q = "Quels sont les trois porteurs de Réflexe santé dans le Calvados ?"
    items = "Il s'agit du pôle d'Isigny, du pôle d'Ifs et du pôle d'Hérouville. [1]"
    first = render([(_to_passage(chunks[0]), chunks[0].text)])
    result = continue_list(first, lambda cid: following_chunks(chunks, 0), _to_passage, question=q)
    assert result.text == items
    assert [(c.n, c.id) for c in result.citations] == [(1, "b/r/p6")]
    # The same when the answer already quotes both passages.
    both = render([(_to_passage(c), c.text) for c in chunks])
    result = continue_list(both, lambda cid: following_chunks(chunks, 0), _to_passage, question=q)
    assert result.text == items and [c.id for c in result.citations] == ["b/r/p6"]
    # An announcement that names something of its own ("Réflexe santé") is kept.
    other = "Quels porteurs ont répondu à l'appel dans le Calvados ?"
    result = continue_list(
        first, lambda cid: following_chunks(chunks, 0), _to_passage, question=other
    )
    assert [c.id for c in result.citations] == ["b/r/p5", "b/r/p6"]
