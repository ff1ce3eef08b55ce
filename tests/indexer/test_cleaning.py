from indexer.cleaning import clean_passage, dehyphenate, fold, normalize_line


def test_checkboxes_keep_only_the_ticked_label():
    line = '<input checked="" type="checkbox"/> Action renouvelée <input type="checkbox"/> Action nouvelle\t\t'
    assert clean_passage(line) == "Action renouvelée"
    line = '<input type="checkbox"/> Action renouvelée <input checked="" type="checkbox"/> Action nouvelle'
    assert clean_passage(line) == "Action nouvelle"


def test_html_tags_entities_and_cells_are_removed():
    text = "\t<p>4-3 - Proposer des cycles</p> <p>Santé &amp; bien-être</p>\t\t"
    assert clean_passage(text) == "4-3 - Proposer des cycles Santé & bien-être"
    assert "<" not in clean_passage('<ul style="list-style-type: none"> • Réseau</ul>')


def test_markdown_emphasis_headings_links_and_superscripts():
    text = "### ■ Mailler **l'offre** de [soins](#) : 4<sup>e</sup> mois, 4^{ème} année"
    assert clean_passage(text) == "Mailler l'offre de soins : 4e mois, 4ème année"


def test_private_use_bullets_become_list_items_and_wraps_are_joined():
    text = "\uf0a7 Déclinaison du dispositif Caennais \nd'orientation\n\n\uf0a7 Deuxième point"
    assert (
        clean_passage(text)
        == "- Déclinaison du dispositif Caennais d'orientation\n- Deuxième point"
    )


def test_hyphenation_across_lines():
    vocabulary = {"développement"}
    assert dehyphenate("le déve-\nloppement", vocabulary) == "le développement"
    assert dehyphenate("le médico-\nsocial", vocabulary) == "le médico-social"


def test_lost_fi_ligature_is_repaired_and_unicode_composed():
    assert (
        normalize_line("Diversi\ufffdier a\ufffdin la \ufffdilière")
        == "Diversifier afin la filière"
    )
    assert normalize_line("Priorite\u0301 1 ") == "Priorité 1"


def test_fold_ignores_case_accents_and_apostrophes():
    assert fold("L’Équipe  Mobile") == fold("l'equipe mobile")


def test_an_acronym_cut_from_its_name_by_a_blank_line_joins_it_again():
    text = "- Equipe Mobile Psychiatrie Précarité (EMPP)\n- Centre Ressource pour les Intervenants\n\n(CRIAVS)\n- Réseau Santé Précarité"
    assert clean_passage(text) == (
        "- Equipe Mobile Psychiatrie Précarité (EMPP)\n"
        "- Centre Ressource pour les Intervenants (CRIAVS)\n- Réseau Santé Précarité"
    )
    # After a full stop, a bracketed acronym stays where it is.
    assert clean_passage("Fin de phrase.\n\n(ARS)") == "Fin de phrase.\n(ARS)"
