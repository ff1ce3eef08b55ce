"""The command line: contract of --json and --batch, exit codes, French errors."""

import json

import pytest

from assistant.cli import main


@pytest.fixture
def indexed(hashing_index, monkeypatch):
    monkeypatch.setenv("ASSISTANT_INDEX_DIR", str(hashing_index))
    return hashing_index


def test_ask_json_contract(indexed, capsys):
    assert main(["ask", "Qui porte la fiche action 2.2 ?", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) >= {"question", "answer", "abstained", "citations", "passages", "latency_ms"}
    assert set(data["citations"][0]) >= {"n", "id", "document", "locator", "page", "text"}
    assert set(data["passages"][0]) >= {
        "rank",
        "id",
        "document",
        "locator",
        "page",
        "text",
        "score",
    }
    assert data["citations"][0]["id"] == "cls-lisieux-2025-2029/fa-2.2/porteur"


def test_ask_readable(indexed, capsys):
    assert main(["ask", "Combien l'ARS finance-t-elle chaque CRT ?"]) == 0
    out = capsys.readouterr().out
    assert "400.000 €" in out and "Sources :" in out and "[1]" in out


def test_batch_copies_fields_through(indexed, tmp_path, capsys):
    batch = tmp_path / "q.jsonl"
    batch.write_text(
        json.dumps({"id": "x1", "question": "Qui porte la fiche action 2.2 ?"})
        + "\n"
        + json.dumps({"id": "x2", "question": " "})
        + "\n",
        encoding="utf-8",
    )
    assert main(["ask", "--batch", str(batch)]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert rows[0]["id"] == "x1" and rows[0]["citations"]
    assert rows[1]["id"] == "x2" and "vide" in rows[1]["error"]


@pytest.mark.parametrize(
    ("argv", "code", "message"),
    [
        (["ask", "   "], 2, "La question est vide"),
        (["ask", "x" * 2001], 2, "2001 caractères"),
        (["ask", "Qui ?", "--document", "nulle-part"], 2, "Filtre document inconnu"),
        (["ask", "--batch", "/nonexistent.jsonl"], 2, "n'existe pas"),
        (["show", "pas/un/id"], 2, "Aucun passage"),
        (["ask", "Qui ?", "-k", "99"], 2, "Usage incorrect"),
        (["volez"], 2, "Usage incorrect"),
    ],
)
def test_bad_input_exit_codes(indexed, capsys, argv, code, message):
    assert main(argv) == code
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_missing_index(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("ASSISTANT_INDEX_DIR", str(tmp_path / "rien"))
    assert main(["ask", "Qui porte l'EMAS ?"]) == 1
    assert "assistant index" in capsys.readouterr().err


def test_an_unknown_query_precision_is_a_french_usage_error(indexed, monkeypatch, capsys):
    monkeypatch.setenv("ASSISTANT_QUERY_PRECISION", "half")
    assert main(["ask", "Qui porte l'EMAS ?"]) == 2
    err = capsys.readouterr().err
    assert "ASSISTANT_QUERY_PRECISION = 'half'" in err
    assert "valeurs possibles : 'auto', 'float32', 'bfloat16'" in err
    assert "Traceback" not in err


def test_show_and_glossary(indexed, capsys):
    assert main(["show", "cls-lisieux-2025-2029/fa-2.3/porteur"]) == 0
    assert "CIDFF" in capsys.readouterr().out
    assert main(["glossary", "EMAS"]) == 0
    assert "Scolarisation" in capsys.readouterr().out


def test_index_command_and_report(corpus_copy, tmp_path, capsys):
    assert main(["index", "--corpus", str(corpus_copy), "--quiet"]) == 0
    assert "Index construit" in capsys.readouterr().out
    assert main(["index", "--corpus", str(corpus_copy), "--quiet"]) == 0
    assert "Index à jour" in capsys.readouterr().out
    assert main(["index", "--corpus", str(corpus_copy), "--report"]) == 0
    out = capsys.readouterr().out
    assert "Fiches actions (19)" in out and "Objectifs opérationnels (29)" in out
