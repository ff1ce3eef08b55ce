"""Structure recovery on the five real documents."""

import re
from pathlib import Path

from indexer.chunking import chunk_document


def _ids(doc):
    return {"/".join(u.key): u for u in doc.units}


def test_cls_has_19_fiches_with_their_fields(parsed_corpus):
    doc = parsed_corpus["cls-lisieux-2025-2029"]
    fiches = sorted({u.key[0] for u in doc.units if u.key[0].startswith("fa-")})
    assert len(fiches) == 19
    assert fiches[0] == "fa-1.1" and fiches[-1] == "fa-7.1"
    units = _ids(doc)
    porteur = units["fa-2.2/porteur"]
    assert porteur.text == "Communauté d'Agglomération Lisieux Normandie"
    assert porteur.locator[-1] == "Maître d'œuvre / Porteur"
    assert porteur.locator[1].startswith("Fiche action 2.2 « Mutuelle intercommunale")
    assert units["fa-2.3/porteur"].text.startswith("CIDFF / CALN")
    assert units["fa-2.2/type"].text == "Action nouvelle"


def test_cls_mislabelled_table_belongs_to_fiche_3_2(parsed_corpus):
    units = _ids(parsed_corpus["cls-lisieux-2025-2029"])
    assert units["fa-3.2/intitule"].text.startswith("Lutte contre l'inactivité physique")
    assert "Lutte contre l'inactivité" not in units["fa-3.1/intitule"].text


def test_cls_fields_carry_no_markup(parsed_corpus):
    for unit in parsed_corpus["cls-lisieux-2025-2029"].units:
        assert not re.search(r"<[a-z/][^>]*>|\t|\*\*", unit.text), unit.key


def test_ptsm_has_29_objectives_under_their_priorities(parsed_corpus):
    doc = parsed_corpus["ptsm-calvados-2026-2030"]
    objectives = {
        (u.key[0], u.key[1]) for u in doc.units if len(u.key) == 3 and u.key[1].startswith("o")
    }
    assert len(objectives) == 29
    per_priority = {p: sum(1 for q, _ in objectives if q == p) for p in {q for q, _ in objectives}}
    assert per_priority == {"p1": 4, "p2": 8, "p3": 1, "p4": 7, "p5": 5, "p6": 4}
    moyens = _ids(doc)["p4/o6/moyens"]
    assert moyens.locator[0].startswith("Priorité 4")
    assert moyens.locator[1].startswith("Enjeu 5")
    assert moyens.locator[2].startswith("Objectif 6 « renforcer la prise en charge précoce")
    assert moyens.locator[3] == "Moyens à envisager"


def test_calvados_bilan_emas_paragraph(parsed_corpus):
    units = _ids(parsed_corpus["bilan-calvados-2025"])
    emas = units["emas-caen/p3"]
    assert "ligue de l'enseignement" in emas.text
    assert emas.locator[0] == "Renforcer l'évolution inclusive de la société"
    assert "(EMAS)" in emas.locator[1]
    assert emas.locator[-1] == "§ 3"


def test_le_havre_bilan_parts(parsed_corpus):
    units = parsed_corpus["bilan-le-havre-2025"].units
    bilan = [u for u in units if "UAPED" in " ".join(u.locator) and u.locator[-2] == "Bilan"]
    assert any("162 évaluations médico-légales" in u.text for u in bilan)


def test_roadmap_tables_under_priority_and_chantier(parsed_corpus):
    units = parsed_corpus["feuille-de-route-calvados-2024"].units
    crt = [u for u in units if "400.000 € par CRT" in u.text]
    assert len(crt) == 1
    assert crt[0].locator[0].startswith("Action prioritaire #1")
    assert (
        crt[0].locator[1]
        == "Chantier « Diversifier l’offre d’hébergement en établissement et promouvoir les alternatives »"
    )


def test_roadmap_closing_sections_after_the_last_table_are_kept(parsed_corpus):
    import re

    from indexer.cleaning import fold, normalize_line

    doc = parsed_corpus["feuille-de-route-calvados-2024"]
    by_text = {u.text: u for u in doc.units}
    ecology = next(u for t, u in by_text.items() if "comité dédié le 20 décembre 2023" in t)
    assert ecology.locator[-2] == "La transition écologique du système de santé"
    assert ecology.locator[0].startswith("LES PRIORITÉS RÉGIONALES TRANSVERSALES")
    animation = next(u for t, u in by_text.items() if "chargé de l’animation et du suivi" in t)
    assert animation.locator[0] == "L’ANIMATION DE LA FEUILLE DE ROUTE ET LES PERSPECTIVES"

    # Nothing of the document is lost: every line of five words or more is indexed.
    def words(text: str) -> str:
        return re.sub(r"\W+", " ", fold(text)).strip()

    indexed = words(" ".join(f"{' '.join(u.locator)} {u.text}" for u in doc.units))
    lines = [words(normalize_line(x)) for x in Path(doc.info.path).read_text().splitlines()]
    lines = [x for x in lines if len(x.split()) >= 5]
    lost = [x for x in lines if x not in indexed]
    assert len(lost) <= len(lines) // 100, lost[:5]


def test_chunks_never_cross_units_and_ids_are_unique(parsed_corpus):
    for doc in parsed_corpus.values():
        chunks = chunk_document(doc)
        ids = [c.id for c in chunks]
        assert len(ids) == len(set(ids)), doc.info.id
        assert all(len(c.text) <= 1000 for c in chunks)
        assert all(c.id.startswith(doc.info.id + "/") for c in chunks)


def test_citation_ids_are_stable_across_parses(parsed_corpus):
    from indexer.build import parse_corpus
    from tests.conftest import CORPUS

    again = {d.info.id: d for d, _ in parse_corpus(CORPUS, lambda _m: None)}
    for doc_id, doc in parsed_corpus.items():
        assert [u.key for u in doc.units] == [u.key for u in again[doc_id].units]


def test_paragraphs_cut_by_the_conversion_are_joined_and_keys_do_not_move():
    from indexer.structure import join_broken_paragraphs
    from indexer.types import Unit

    def para(n, text, section="Préface"):
        return Unit((section, f"§ {n}"), ("preface", f"p{n}"), text)

    units = [
        para(1, "Philippe GUERARD Président du Conseil territorial"),
        para(2, "de santé du Calvados"),
        para(3, "Le plan vise à :"),
        para(4, "- recenser les dispositifs ;\n- informer les jeunes."),
        para(5, "Une phrase finie."),
        para(6, "minuscule après un point : reste seule."),
        para(7, "Titre sans point", section="Autre section"),
    ]
    joined = join_broken_paragraphs(units)
    assert [u.key[-1] for u in joined] == ["p1", "p3", "p5", "p6", "p7"]
    assert (
        joined[0].text == "Philippe GUERARD Président du Conseil territorial de santé du Calvados"
    )
    assert (
        joined[1].text == "Le plan vise à :\n- recenser les dispositifs ;\n- informer les jeunes."
    )
    # Every item of a list that the conversion cut into paragraphs joins its intro, while
    # they fit in one passage; a paragraph that is not an item ends the list.
    items = [
        para(1, "Ces compétences sont classées en trois catégories :"),
        para(2, "- Les compétences émotionnelles."),
        para(3, "- Les compétences cognitives."),
        para(4, "- Les compétences sociales."),
        para(5, "Une autre phrase."),
        para(6, "- Un tiret après une phrase finie."),
    ]
    listed = join_broken_paragraphs(items)
    assert [u.key[-1] for u in listed] == ["p1", "p5", "p6"]
    assert listed[0].text.count("\n- ") == 3
    long_item = "- " + "mot " * 150 + "fin."
    cut = join_broken_paragraphs([items[0], para(2, long_item), para(3, long_item)])
    assert [u.key[-1] for u in cut] == ["p1", "p3"]
    # A table field is never joined to a paragraph, whatever its case.
    field = Unit(("Fiche", "Public visé"), ("fa-1.1", "public"), "tout public", None, "public")
    assert len(join_broken_paragraphs([para(1, "Contexte sans point"), field])) == 2


def test_the_place_and_date_of_signature_is_text_not_a_heading(parsed_corpus):
    from indexer.structure.common import looks_like_title

    assert not looks_like_title("A Cambremer, le 10 juillet 2025")
    assert looks_like_title("Article 11 : Gestion des litiges")
    units = parsed_corpus["cls-lisieux-2025-2029"].units
    signed = [u for u in units if "A Cambremer, le 10 juillet 2025" in u.text]
    assert not any("Cambremer, le" in element for u in units for element in u.locator)
    # It opens the signatures: with each signatory's title and name, not with names
    # taken for headings ("François AUBEY").
    assert len(signed) == 1 and signed[0].locator[0] == "Signatures"
    assert signed[0].text.startswith("A Cambremer, le 10 juillet 2025")
    assert (
        "Le Directeur général de l'Agence Régionale de Santé de Normandie, "
        "François MENGIN LECREULX" in signed[0].text
    )
    assert not any("AUBEY" in element for u in units for element in u.locator)
    # The list that follows ("Les annexes :" and its items) is not a signature.
    annexes = [u for u in units if "II. Les fiches actions" in u.text]
    assert annexes and annexes[0].locator[0] != "Signatures"


def test_signature_blocks_are_cut_into_the_signatories_and_the_lists_after_them():
    from indexer.structure.common import sectioned
    from indexer.types import Line

    text = (
        "Article 2\n\nLes parties s'engagent.\n\nFait à Caen, le 3 mars 2025\n\nLa Présidente\n"
        "de la Région,\n\nMarie DUPONT\n\nLes signataires :\n\nA\tB\nC\tD\n\n"
        "Les annexes :\n\n- I. Synthèse\n- II. Fiches"
    )

    def level(t, lines, i):
        return 1 if t in ("Article 2", "Marie DUPONT", "Les annexes :") else None

    units = sectioned([Line(t, 1) for t in text.split("\n")], level)
    by_section = [(u.locator[0], u.text) for u in units]
    assert by_section[:2] == [
        ("Article 2", "Les parties s'engagent."),
        ("Signatures", "Fait à Caen, le 3 mars 2025\nLa Présidente de la Région, Marie DUPONT"),
    ]
    assert by_section[2] == ("Signatures", "Les signataires :\nA\tB\nC\tD")
    assert by_section[-1][0] == "Les annexes"


def test_a_long_heading_is_shortened_in_the_locator_but_quoted_whole():
    from indexer.structure.common import sectioned
    from indexer.types import Line

    heading = "Chantier : " + " ".join(["poursuivre la structuration de la filière"] * 5)
    units = sectioned([Line(heading, 1), Line("", 1)], lambda t, lines, i: 1 if t else None)
    assert units[0].locator[0].endswith(" …") and len(units[0].locator[0]) <= 150
    assert units[0].text == heading


def test_the_real_long_chantier_heading_is_quoted_whole(parsed_corpus):
    doc = parsed_corpus["bilan-le-havre-2025"]
    texts = [u.text for u in doc.units]
    assert any(
        t.endswith("portées par les acteurs havrais sur la psychiatrie périnatale") for t in texts
    )
    assert not any(t.endswith(" …") for t in texts)


def test_the_real_preface_signature_is_one_passage(parsed_corpus):
    doc = parsed_corpus["feuille-de-route-calvados-2024"]
    texts = [u.text for u in doc.units]
    assert "Philippe GUERARD Président du Conseil territorial de santé du Calvados" in texts
    assert "de santé du Calvados" not in texts


def test_a_bare_label_is_joined_to_the_title_after_it():
    from indexer.structure import join_broken_paragraphs
    from indexer.types import Unit

    def para(n, text):
        return Unit(("Introduction", f"§ {n}"), ("introduction", f"p{n}"), text, 1)

    units = [
        para(1, "Action prioritaire #6"),
        para(2, "- Agir collectivement sur les déterminants de santé publique ;"),
        para(3, "Action prioritaire #7"),
    ]
    joined = join_broken_paragraphs(units)
    assert [u.text for u in joined] == [
        "Action prioritaire #6\n- Agir collectivement sur les déterminants de santé publique ;",
        "Action prioritaire #7",
    ]


def test_each_roadmap_chantier_keeps_its_title_block(parsed_corpus):
    units = parsed_corpus["feuille-de-route-calvados-2024"].units
    titles = [u for u in units if u.field == "intitule"]
    assert len(titles) >= 20
    soutien = [u for u in titles if "Soutenir les aidants" in u.text]
    assert [u.text for u in soutien] == ["Chantier : Soutenir les aidants Action prioritaire #7"]
    assert soutien[0].locator[0].startswith("Action prioritaire #7 «")
    assert soutien[0].locator[1:] == ("Chantier « Soutenir les aidants »", "Intitulé")
