"""Markdown and Word reports: notes that point at the passages, and a bibliography."""

from __future__ import annotations

import zipfile
from datetime import datetime

import docx
import pytest
from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import parse_xml
from docx.oxml.ns import qn

from assistant.report import (
    french_datetime,
    note_text,
    render_docx,
    render_markdown,
    write_report,
)
from assistant.types import Answer, Citation
from indexer.errors import UsageError
from tests.fakes_assistant import emas_answer, refused_answer

WHEN = "22 novembre 2025 à 17 h 33"
NBSP = "\u00a0"


def two_citation_answer() -> Answer:
    """A second cited answer: two documents, one of them already cited by the EMAS one."""
    calvados = emas_answer().citations[0]
    havre = Citation(
        2,
        "bilan-le-havre-2025/axe-1/emas-lillebonne",
        "Feuille de route territoriale du CTS du Havre — Bilan janvier 2025",
        "bilan-le-havre-2025",
        "Axe 1 › Scolarisation",
        None,
        "Création d'une EMAS\nsur le territoire de Lillebonne.",
    )
    return Answer(
        "Où des EMAS ont-elles été créées en 2024 ?",
        "À Caen [1] et à Lillebonne [2].",
        False,
        (calvados, havre),
        (),
        3.0,
    )


@pytest.fixture
def answers() -> list[Answer]:
    return [emas_answer(), refused_answer(), two_citation_answer()]


def test_note_follows_the_french_administrative_style():
    citation = emas_answer().citations[0]

    assert note_text(citation) == (
        "Feuille de route départementale du Calvados — Bilan janvier 2025, "
        f"{citation.locator}, p.{NBSP}12 — «{NBSP}Une nouvelle équipe médico-sociale (EMAS) "
        "a été créée à la rentrée de septembre 2024 pour intervenir sur la circonscription "
        f"académique de Caen 1 (30 établissements concernés).{NBSP}»."
    )


def test_note_without_page_omits_it_and_keeps_one_line():
    note = note_text(two_citation_answer().citations[1])
    assert "p." not in note
    assert "Création d'une EMAS sur le territoire" in note


def test_markdown_has_headings_footnote_calls_and_definitions(answers):
    text = render_markdown(answers, "Rapport EMAS", WHEN)

    assert text.startswith("# Rapport EMAS\n")
    assert WHEN in text
    assert "## 1. Qu'est-ce qu'une EMAS et où a-t-elle été créée ?" in text
    assert "circonscription académique de Caen 1[^1]." in text
    # Numbering runs across the report: the third answer's notes are 2 and 3.
    assert "À Caen[^2] et à Lillebonne[^3]." in text
    for n in (1, 2, 3):
        assert text.count(f"[^{n}]:") == 1
    assert (
        "[^1]: Feuille de route départementale du Calvados — Bilan janvier 2025, "
        "Axe 2 › Scolarisation" in text
    )


def test_markdown_refusal_is_explicit_with_see_also(answers):
    text = render_markdown(answers, "Rapport", WHEN)
    refusal = text.split("## 2.")[1].split("## 3.")[0]

    assert "**Les documents ne le disent pas.**" in refusal
    assert refusal.count("ne le disent pas") == 1, "the refusal is not repeated"
    assert "Aucun passage du corpus ne traite des hélicoptères." in refusal
    assert "Passages les plus proches" in refusal
    assert "[^" not in refusal


@pytest.mark.parametrize(
    ("text", "detail"),
    [
        ("Les documents ne le précisent pas. Aucun passage ne répond.", "Aucun passage ne répond."),
        ("Les documents ne le disent pas : rien sur ce point.", "Rien sur ce point."),
        ("Les documents ne le disent pas.", None),
        ("Aucun passage ne répond.", "Aucun passage ne répond."),
    ],
)
def test_refusal_is_said_once_then_what_the_answer_adds(text, detail):
    refused = Answer("Question ?", text, True, (), (), 1.0)
    section = render_markdown([refused], "R", WHEN).split("## 1. Question ?")[1]
    body = section.split("## Bibliographie")[0].strip().splitlines()

    assert body[0] == "**Les documents ne le disent pas.**"
    assert [line for line in body[1:] if line] == ([detail] if detail else [])


def test_markdown_bibliography_lists_each_cited_document_once(answers):
    bibliography = render_markdown(answers, "Rapport", WHEN).split("## Bibliographie")[1]

    assert bibliography.strip().splitlines() == [
        "- Feuille de route départementale du Calvados — Bilan janvier 2025",
        "- Feuille de route territoriale du CTS du Havre — Bilan janvier 2025",
    ]


def test_markdown_escapes_text_that_would_become_markup():
    answer = Answer(
        "<script>alert(1)</script> *gras* ?",
        "# pas un titre [1]",
        False,
        (emas_answer().citations[0],),
        (),
        1.0,
    )
    text = render_markdown([answer], "Rapport", WHEN)

    assert "<script>" not in text
    assert "\\<script\\>" in text and "\\*gras\\*" in text
    assert "\n\\# pas un titre[^1]" in text


def test_uncalled_citations_are_still_called_at_the_end():
    answer = Answer(
        "Question ?", "Réponse sans appel de note.", False, (emas_answer().citations[0],), (), 1.0
    )
    assert "Réponse sans appel de note.[^1]" in render_markdown([answer], "R", WHEN)


def test_markdown_without_citations_says_so():
    text = render_markdown([refused_answer()], "R", WHEN)
    assert text.rstrip().endswith("Aucun document cité.")


def docx_parts(path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as package:
        return {name: package.read(name) for name in package.namelist()}


def footnotes(path) -> dict[int, str]:
    """The report's footnotes (separators excluded), by id."""
    root = parse_xml(docx_parts(path)["word/footnotes.xml"])
    return {
        int(note.get(qn("w:id"))): "".join(t.text for t in note.iter(qn("w:t")))
        for note in root.iterchildren(qn("w:footnote"))
        if note.get(qn("w:type")) is None
    }


def paragraph_items(paragraph) -> list[str | int]:
    """A body paragraph as its texts and footnote-call ids, in reading order."""
    items: list[str | int] = []
    for run in paragraph._p.iterchildren(qn("w:r")):
        call = run.find(qn("w:footnoteReference"))
        if call is not None:
            assert run.find(qn("w:rPr")).find(qn("w:rStyle")).get(qn("w:val")) == (
                "FootnoteReference"
            )
            items.append(int(call.get(qn("w:id"))))
        elif run.text:
            items.append(run.text)
    return items


def test_docx_holds_the_answers_and_bibliography_without_a_notes_section(answers, tmp_path):
    path = tmp_path / "rapport.docx"
    render_docx(answers, "Rapport EMAS", WHEN, path)

    document = docx.Document(str(path))
    paragraphs = [p.text for p in document.paragraphs]
    assert paragraphs[0] == "Rapport EMAS"
    assert document.core_properties.language == "fr-FR"
    assert "1. Qu'est-ce qu'une EMAS et où a-t-elle été créée ?" in paragraphs
    assert "À Caen et à Lillebonne." in paragraphs, "calls are footnotes, not text"
    assert "Notes" not in paragraphs
    assert not any("«" in p for p in paragraphs), "no passage quoted in the body"
    assert "Les documents ne le disent pas." in paragraphs
    bibliography = paragraphs[paragraphs.index("Bibliographie") + 1 :]
    assert bibliography == [
        "Feuille de route départementale du Calvados — Bilan janvier 2025",
        "Feuille de route territoriale du CTS du Havre — Bilan janvier 2025",
    ]


def test_docx_footnotes_part_is_declared_as_word_expects(answers, tmp_path):
    path = tmp_path / "rapport.docx"
    render_docx(answers, "Rapport", WHEN, path)
    parts = docx_parts(path)

    rels = parse_xml(parts["word/_rels/document.xml.rels"])
    assert [r.get("Target") for r in rels if r.get("Type") == RT.FOOTNOTES] == ["footnotes.xml"]
    types = parse_xml(parts["[Content_Types].xml"])
    overrides = {o.get("PartName"): o.get("ContentType") for o in types}
    assert overrides["/word/footnotes.xml"] == CT.WML_FOOTNOTES
    notes = parse_xml(parts["word/footnotes.xml"]).iterchildren(qn("w:footnote"))
    separators = [(n.get(qn("w:id")), n.get(qn("w:type"))) for n in notes][:2]
    assert separators == [("-1", "separator"), ("0", "continuationSeparator")]
    styles = parse_xml(parts["word/styles.xml"])
    reference = next(
        s
        for s in styles.iterchildren(qn("w:style"))
        if s.get(qn("w:styleId")) == "FootnoteReference"
    )
    assert reference.find(f"{qn('w:rPr')}/{qn('w:vertAlign')}").get(qn("w:val")) == "superscript"


def test_docx_has_one_footnote_per_citation_called_where_the_fact_is(answers, tmp_path):
    path = tmp_path / "rapport.docx"
    render_docx(answers, "Rapport", WHEN, path)

    notes = footnotes(path)
    assert notes == {
        1: f" {note_text(answers[0].citations[0])}",
        2: f" {note_text(answers[2].citations[0])}",
        3: f" {note_text(answers[2].citations[1])}",
    }
    assert "Création d'une EMAS sur le territoire de Lillebonne." in notes[3]
    body = docx.Document(str(path)).paragraphs
    emas = next(p for p in body if p.text.startswith("Une nouvelle"))
    assert paragraph_items(emas)[-2:] == [1, "."]
    # Ids follow the calls across the report, so Word's numbers are the Markdown ones.
    caen = next(p for p in body if p.text.startswith("À Caen"))
    assert paragraph_items(caen) == ["À Caen", 2, " et à Lillebonne", 3, "."]


def test_docx_without_citations_has_no_footnotes(tmp_path):
    path = tmp_path / "rapport.docx"
    render_docx([refused_answer()], "Rapport", WHEN, path)

    assert "word/footnotes.xml" not in docx_parts(path)


@pytest.mark.parametrize("fmt", ["md", "docx"])
def test_write_report(answers, tmp_path, fmt):
    out = write_report(answers, fmt, tmp_path / f"r.{fmt}", title="Rapport écrit")

    assert out.stat().st_size > 0
    if fmt == "md":
        assert out.read_text(encoding="utf-8").startswith("# Rapport écrit")
    else:
        assert docx.Document(str(out)).paragraphs[0].text == "Rapport écrit"


def test_write_report_refuses_an_unknown_format_in_french(answers, tmp_path):
    with pytest.raises(UsageError, match="« pdf » est inconnu"):
        write_report(answers, "pdf", tmp_path / "r.pdf")


def test_french_datetime():
    assert french_datetime(datetime(2025, 11, 1, 9, 5)) == "1er novembre 2025 à 09 h 05"


def test_docx_survives_control_characters(tmp_path):
    """Found by the API fuzz run: a control character in a question broke the DOCX."""
    from dataclasses import replace

    from docx import Document

    from assistant.report import render_docx
    from tests.fakes_assistant import emas_answer

    citation = replace(emas_answer().citations[0], text="Une EMAS\x0c créée.")
    answer = replace(emas_answer(), question="Qui porte\x00 l'EMAS\x1f ?", citations=(citation,))
    path = tmp_path / "r.docx"
    render_docx([answer], "Titre\x0b", "2026-11-22", path)
    assert "Qui porte l'EMAS ?" in "\n".join(p.text for p in Document(str(path)).paragraphs)
    assert f"«{NBSP}Une EMAS créée.{NBSP}»" in footnotes(path)[1], "footnotes are cleaned too"
