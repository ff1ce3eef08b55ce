"""The evaluation set is valid: quotes are in their documents, facts in the answers."""

from collections import Counter

from evals.dataset import load_items, validate
from evals.metrics import answer_sentences, correct, faithful_share, holds
from tests.conftest import CORPUS


def test_every_quote_and_fact_checks_out():
    items = load_items()
    assert validate(items, CORPUS) == []


def test_set_size_spread_and_split():
    items = load_items()
    assert len(items) >= 150
    kinds = Counter(i.kind for i in items)
    assert kinds["unanswerable"] / len(items) >= 0.15
    documents = Counter(s.document for i in items for s in i.sources)
    assert set(documents) == {
        "bilan-calvados-2025",
        "feuille-de-route-calvados-2024",
        "bilan-le-havre-2025",
        "ptsm-calvados-2026-2030",
        "cls-lisieux-2025-2029",
    }
    assert {i.split for i in items} == {
        "dev",
        "test",
        "holdout",
        "holdout2",
        "holdout3",
        "holdout4",
        "holdout5",
        "holdout6",
        "holdout7",
        "holdout8",
        "holdout9",
        "holdout10",
        "holdout11",
        "holdout12",
    }


def test_validator_catches_a_wrong_quote():
    from dataclasses import replace

    from evals.dataset import Source

    item = next(i for i in load_items() if i.answerable)
    bad = replace(
        item, sources=(Source(item.sources[0].document, "une phrase qui n'existe pas du tout"),)
    )
    assert validate([bad], CORPUS)


def test_metrics():
    assert holds(
        "Le pilotage est porté par la Ligue de l’enseignement.",
        "porté par la ligue de l'enseignement",
    )
    assert correct("Porté par la Ligue de l'Enseignement", [["ligue de l'enseignement"]])
    assert not correct("Porté par la CAF", [["ligue de l'enseignement"]])
    assert answer_sentences("A b. [1] C d. [2]") == [("A b.", [1]), ("C d.", [2])]
    assert faithful_share("A b. [1] X. [2]", {1: "A b. suite", 2: "autre"}) == 0.5


def test_a_field_passage_is_scored_with_its_label():
    from evals.dataset import Item, Source
    from evals.runner import score_item

    quote = "Maître d'œuvre / Porteur\tDAC Appui 14 / ESI 14 / Association Itinéraires"
    item = Item(
        "x",
        "Qui porte la fiche 2.5 ?",
        True,
        "who",
        "",
        (("ESI 14",),),
        (Source("cls", quote),),
        "dev",
    )
    field = {
        "id": "cls/fa-2.5/porteur",
        "locator": "Axe 2 › Fiche action 2.5 › Maître d'œuvre / Porteur",
        "text": "DAC Appui 14 / ESI 14 / Association Itinéraires",
    }
    paragraph = {"id": "cls/p1", "locator": "Axe 2 › § 4", "text": "Autre texte"}
    result = {
        "answer": "DAC Appui 14 / ESI 14 / Association Itinéraires [1]",
        "abstained": False,
        "citations": [{"n": 1, **field}],
        "passages": [paragraph, field],
    }
    row = score_item(item, result)
    assert row["rank"] == 2 and row["citation_precision"] == 1.0
    # Only the label: a paragraph's "§ 4" adds nothing, and another field's label alone
    # does not hold the quote.
    other = {**field, "text": "CALN"}
    assert score_item(item, {**result, "passages": [paragraph, other]})["rank"] is None


def test_a_cell_of_a_quoted_table_row_holds_the_quote_when_it_states_a_fact():
    quote = "ONDAM PDS : 250.000 € File active des personnes reçues sur le site CSAPA de Falaise"
    facts = [["250.000 €", "250 000 €"]]
    assert holds("ONDAM PDS : 250.000 €", quote, facts)
    # The row's other cell is part of the quote but states no fact; without the facts,
    # a part of the quote is not the quote.
    assert not holds("File active des personnes reçues sur le site CSAPA de Falaise", quote, facts)
    assert not holds("ONDAM PDS : 250.000 €", quote)
    # A passage that holds the fact but is not part of the quote.
    assert not holds("ONDAM PDS : 250.000 € pour un autre projet", quote, facts)


def test_a_report_run_without_thresholds_still_says_which_are_missed(
    hashing_index, monkeypatch, tmp_path, capsys
):
    """`make eval` does not fail on the thresholds, but its report must not claim them met."""
    import json as _json

    import evals.runner as runner

    monkeypatch.setenv("ASSISTANT_INDEX_DIR", str(hashing_index))
    monkeypatch.setenv("ASSISTANT_EMBEDDING_MODEL", "hashing")
    unreachable = tmp_path / "thresholds.json"
    unreachable.write_text(_json.dumps({"recall@5": 1.01, "mrr": 0.0}), encoding="utf-8")
    monkeypatch.setattr(runner, "THRESHOLDS", unreachable)
    argv = ["--split", "dev", "--limit", "4", "--no-baselines", "--output", str(tmp_path)]
    assert runner.main([*argv, "--no-thresholds"]) == 0
    summary = _json.loads(capsys.readouterr().out.rsplit("Rapport", 1)[0])["assistant"]
    report = next(tmp_path.glob("eval-*.md")).read_text(encoding="utf-8")
    assert summary["recall@5"] < 1.01
    assert f"**Seuils non atteints :** recall@5 = {summary['recall@5']} < 1.01" in report
    assert "Tous les seuils sont atteints" not in report
    assert runner.main(argv) == 1  # without the flag, the same run fails
