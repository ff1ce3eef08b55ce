from indexer.glossary import build_glossary, inline_definitions, sigles_from_list


def test_inline_definitions_match_initials():
    text = "Création d'une nouvelle Equipe Mobile d'Appui à la scolarisation (EMAS)"
    assert inline_definitions(text) == [("EMAS", "Equipe Mobile d'Appui à la scolarisation")]
    assert inline_definitions("le Service d'Accès aux Soins (SAS)") == [
        ("SAS", "Service d'Accès aux Soins")
    ]
    assert inline_definitions("une équipe dédiée (EMAS)") == []
    # An acronym opening a parenthesis, after words it leaves out.
    text = "une équipe mobile d'expertise en réadaptation neurolocomotrice (1 EMER pour 500 000)"
    assert inline_definitions(text) == [("EMER", "équipe mobile d'expertise en réadaptation")]
    assert inline_definitions("Association Education Solidarité Information 14 (ESI 14)") == [
        ("ESI", "Education Solidarité Information")
    ]
    assert inline_definitions("Consultations Jeunes Consommateurs (ESI et Addictions)") == []
    # "auprès des" spells no letter of the acronym.
    text = "- Centre Ressource pour les Intervenants auprès des Auteurs de Violences Sexuelles (CRIAVS)"
    assert inline_definitions(text) == [
        (
            "CRIAVS",
            "Centre Ressource pour les Intervenants auprès des Auteurs de Violences Sexuelles",
        )
    ]


def test_list_of_sigles():
    assert sigles_from_list("CAF : Caisse d'Allocations Familiales") == [
        ("CAF", "Caisse d'Allocations Familiales")
    ]


def test_glossary_merges_spellings_and_documents():
    entries = build_glossary(
        [
            ("a", "le Service d'Accès aux Soins (SAS)", False),
            ("b", "le service d'accès aux soins (SAS)", False),
            ("c", "SAS : Service d'Accès aux Soins", True),
        ]
    )
    assert len(entries) == 1
    assert entries[0].term == "SAS"
    assert entries[0].expansions == ("Service d'Accès aux Soins",)
    assert entries[0].documents == ("a", "b", "c")


def test_corpus_glossary(fake_assistant):
    emas = fake_assistant.glossary("EMAS")[0]
    assert any("Appui à la Scolarisation".lower() in e.lower() for e in emas["expansions"])
    assert "bilan-calvados-2025" in emas["documents"]
    ars = fake_assistant.glossary("ARS")[0]
    assert "Agence Régionale de Santé" in ars["expansions"]
    assert "cls-lisieux-2025-2029" in ars["documents"]
