"""Sourced reports of answers, in Markdown or Word: pure rendering over `Answer`s.

French administrative style: one heading per question, the answer with numbered note
calls, notes « Document, emplacement, p. N — « passage cité » », and a final
bibliography of the documents cited. Notes are numbered continuously across the report,
as Word numbers footnotes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import IO

from assistant.types import Answer, Citation
from indexer.errors import UsageError

DEFAULT_TITLE = "Réponses sourcées de l'assistant documentaire"
REFUSAL = "Les documents ne le disent pas."
NBSP = "\u00a0"
_MARKER = re.compile(r"\[(\d+)\]")
# « Les documents ne le disent pas. », « … ne le précisent pas : » — said once, as a heading.
_REFUSAL_OPENING = re.compile(r"^les documents ne l[e'’]\s*\w+ pas\s*[.:;,—-]*\s*", re.IGNORECASE)
_MONTHS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)


def french_datetime(moment: datetime) -> str:
    """« 22 novembre 2025 à 17 h 33 »."""
    day = "1er" if moment.day == 1 else str(moment.day)
    return f"{day} {_MONTHS[moment.month - 1]} {moment.year} à {moment:%H} h {moment:%M}"


def _guillemets(text: str) -> str:
    return f"«{NBSP}{text}{NBSP}»"


def _one_line(text: str) -> str:
    # Not str.split(): it would also eat the non-breaking spaces of French typography.
    return re.sub(r"[ \t\r\n\f\v]+", " ", text).strip()


def note_text(citation: Citation) -> str:
    """« Document, emplacement, p. N — « passage » » (no page when unknown)."""
    parts = [citation.document, citation.locator]
    if citation.page is not None:
        parts.append(f"p.{NBSP}{citation.page}")
    where = ", ".join(_one_line(p) for p in parts if p)
    return f"{where} — {_guillemets(_one_line(citation.text))}."


def _numbered(answers: Sequence[Answer]) -> list[dict[int, int]]:
    """For each answer, its citation numbers mapped to report-wide note numbers."""
    next_note, mapping = 1, []
    for answer in answers:
        local = {}
        for citation in sorted(answer.citations, key=lambda c: c.n):
            local[citation.n] = next_note
            next_note += 1
        mapping.append(local)
    return mapping


def _segments(answer: Answer, notes: dict[int, int]) -> list[str | int]:
    """The answer text split into text and note numbers; uncalled notes go at the end."""
    out: list[str | int] = []
    called: set[int] = set()
    pos = 0
    for match in _MARKER.finditer(answer.answer):
        n = int(match.group(1))
        if n not in notes:
            continue
        out.append(answer.answer[pos : match.start()].rstrip(" "))
        out.append(notes[n])
        called.add(n)
        pos = match.end()
    out.append(answer.answer[pos:])
    out.extend(notes[n] for n in sorted(notes) if n not in called)
    return [s for s in out if s != ""]


def cited_documents(answers: Iterable[Answer]) -> list[str]:
    """Titles of the documents cited, in order of first citation, without repeats."""
    titles: dict[str, str] = {}
    for answer in answers:
        for citation in answer.citations:
            titles.setdefault(citation.document_id, citation.document)
    return list(titles.values())


def _refusal_lines(answer: Answer) -> list[str]:
    """The refusal sentence, then what the answer adds to it (without repeating it)."""
    extra = _REFUSAL_OPENING.sub("", answer.answer.strip(), count=1)
    return [REFUSAL] + ([extra[:1].upper() + extra[1:]] if extra else [])


# -- Markdown ------------------------------------------------------------------------------

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|])")


def _md(text: str) -> str:
    """Escape what would turn plain text into Markdown or HTML."""
    text = _MD_SPECIAL.sub(r"\\\1", text)
    return re.sub(r"(?m)^(\s*)([#>+-]|\d+\.)(\s)", r"\1\\\2\3", text)


def render_markdown(answers: Sequence[Answer], title: str, generated_at: str) -> str:
    """The report as Markdown with `[^n]` footnotes (GitHub, pandoc, Obsidian…).

    Args:
        answers: the answers, in the order of their questions.
        title: the report title.
        generated_at: when, already formatted for readers (see `french_datetime`).

    Returns:
        The Markdown text, ending with a newline.
    """
    lines = [
        f"# {_md(_one_line(title))}",
        "",
        f"*Rapport produit le {generated_at} à partir des documents indexés. "
        "Chaque affirmation renvoie, en note, au passage cité.*",
        "",
    ]
    for i, (answer, notes) in enumerate(zip(answers, _numbered(answers), strict=True), 1):
        lines += [f"## {i}. {_md(_one_line(answer.question))}", ""]
        if answer.expansions:
            sigles = " ; ".join(f"{_md(t)} : {_md(e)}" for t, e in answer.expansions)
            lines += [f"*Sigles : {sigles}.*", ""]
        if answer.abstained:
            refusal, *rest = _refusal_lines(answer)
            lines += [f"**{refusal}**", ""] + [_md(r) + "\n" for r in rest]
            if answer.passages:
                lines.append("Passages les plus proches, à consulter :")
                lines += [f"- {_md(p.document)}, {_md(p.locator)}" for p in answer.passages]
                lines.append("")
        else:
            text = "".join(
                f"[^{s}]" if isinstance(s, int) else _md(s) for s in _segments(answer, notes)
            )
            lines += [text, ""]
        lines += [
            f"[^{notes[c.n]}]: {_md(note_text(c))}"
            for c in sorted(answer.citations, key=lambda c: c.n)
        ]
        if answer.citations:
            lines.append("")
    lines += ["## Bibliographie", ""]
    documents = cited_documents(answers)
    lines += [f"- {_md(t)}" for t in documents] or ["Aucun document cité."]
    return "\n".join(lines).rstrip("\n") + "\n"


# -- Word ----------------------------------------------------------------------------------


_XML_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _xml_safe(text: str) -> str:
    """Drop the characters XML (hence DOCX) cannot hold: controls, lone surrogates."""
    return _XML_UNSAFE.sub("", text)


def _xml_safe_answer(answer: Answer) -> Answer:
    from dataclasses import replace

    def clean_source(source):
        # Citations and passages share the three text fields that reach the document.
        return replace(
            source,
            text=_xml_safe(source.text),
            locator=_xml_safe(source.locator),
            document=_xml_safe(source.document),
        )

    return replace(
        answer,
        question=_xml_safe(answer.question),
        answer=_xml_safe(answer.answer),
        citations=tuple(clean_source(c) for c in answer.citations),
        passages=tuple(clean_source(p) for p in answer.passages),
        expansions=tuple((_xml_safe(t), _xml_safe(e)) for t, e in answer.expansions),
    )


def render_docx(
    answers: Sequence[Answer], title: str, generated_at: str, path: str | Path | IO[bytes]
) -> None:
    """The report as a Word document, saved to `path` (a file path or a binary stream).

    Notes are real Word footnotes (see `assistant.docx_footnotes`), which Word numbers
    continuously across the report. A citation called twice gets two footnotes.
    """
    from docx import Document  # heavy-ish import, only when writing Word files

    from assistant.docx_footnotes import add_footnote

    answers = [_xml_safe_answer(a) for a in answers]
    title = _xml_safe(title)
    doc = Document()
    doc.core_properties.title = title
    doc.core_properties.language = "fr-FR"
    doc.core_properties.author = "Assistant documentaire"
    doc.add_heading(_one_line(title), level=0)
    intro = doc.add_paragraph()
    intro.add_run(
        f"Rapport produit le {generated_at} à partir des documents indexés. "
        "Chaque affirmation renvoie, en note, au passage cité."
    ).italic = True

    for i, (answer, notes) in enumerate(zip(answers, _numbered(answers), strict=True), 1):
        doc.add_heading(f"{i}. {_one_line(answer.question)}", level=1)
        if answer.expansions:
            sigles = " ; ".join(f"{t} : {e}" for t, e in answer.expansions)
            doc.add_paragraph().add_run(f"Sigles : {sigles}.").italic = True
        if answer.abstained:
            refusal, *rest = _refusal_lines(answer)
            doc.add_paragraph().add_run(refusal).bold = True
            for line in rest:
                doc.add_paragraph(line)
            if answer.passages:
                doc.add_paragraph("Passages les plus proches, à consulter :")
                for p in answer.passages:
                    doc.add_paragraph(f"{p.document}, {p.locator}", style="List Bullet")
        else:
            cited = {notes[c.n]: c for c in answer.citations}
            paragraph = doc.add_paragraph()
            for segment in _segments(answer, notes):
                if isinstance(segment, int):
                    add_footnote(paragraph, note_text(cited[segment]))
                else:
                    paragraph.add_run(segment)

    doc.add_heading("Bibliographie", level=1)
    documents = cited_documents(answers)
    for title_ in documents:
        doc.add_paragraph(title_, style="List Bullet")
    if not documents:
        doc.add_paragraph("Aucun document cité.")
    doc.save(path)  # type: ignore[arg-type]  # python-docx accepts paths and streams


def write_report(
    answers: Sequence[Answer], fmt: str, out_path: str | Path, title: str = DEFAULT_TITLE
) -> Path:
    """Render `answers` as `fmt` ("md" or "docx") into `out_path`, dated now.

    Raises:
        UsageError: `fmt` is neither "md" nor "docx".
    """
    out = Path(out_path)
    generated_at = french_datetime(datetime.now().astimezone())
    if fmt == "md":
        out.write_text(render_markdown(answers, title, generated_at), encoding="utf-8")
    elif fmt == "docx":
        render_docx(answers, title, generated_at, out)
    else:
        raise UsageError(
            f"Le format de rapport « {fmt} » est inconnu. Formats possibles : md, docx."
        )
    return out
