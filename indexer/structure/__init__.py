"""Structure recovery: each document kind's own parser turns lines into units.

Every parser is a pure function `parse(lines) -> list[Unit]`; `parse_document`
cleans the units' text and picks the parser from the catalog kind.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from indexer.chunking import MAX_CHARS
from indexer.cleaning import clean_passage, normalize_line, vocabulary_of
from indexer.structure import bilan, cls, generic, ptsm, roadmap
from indexer.structure.common import BULLET_START
from indexer.types import DocumentInfo, Line, ParsedDocument, Unit

PARSERS: dict[str, Callable[[Sequence[Line]], list[Unit]]] = {
    "bilan": bilan.parse,
    "feuille de route": roadmap.parse,
    "PTSM": ptsm.parse,
    "CLS": cls.parse,
    "document": generic.parse,
}


def parse_document(info: DocumentInfo, lines: Sequence[Line]) -> ParsedDocument:
    """Units of a document with cleaned, quotable text; empty units dropped."""
    normalized = [Line(normalize_line(line.text), line.page) for line in lines]
    warnings: list[str] = []
    parser = PARSERS.get(info.kind, generic.parse)
    units = parser(normalized)
    if not units and parser is not generic.parse:
        warnings.append(
            f"« {info.id} » : la structure attendue pour le type « {info.kind} » n'a pas "
            "été reconnue ; découpage générique par paragraphes."
        )
        units = generic.parse(normalized)
    vocabulary = vocabulary_of("\n".join(line.text for line in normalized))
    cleaned = []
    for unit in units:
        text = clean_passage(unit.text, vocabulary)
        if len(text) >= 3 and any(c.isalnum() for c in text):
            cleaned.append(Unit(unit.locator, unit.key, text, unit.page, unit.field))
    return ParsedDocument(
        info, tuple(_dedupe_keys(join_broken_paragraphs(cleaned))), tuple(warnings)
    )


_LOWER_START = re.compile(r"^(?:[-–•▪◦*]\s*)?[a-zà-ÿ]")
_BARE_LABEL = re.compile(r"^(?:Action prioritaire|Priorité|Axe|Objectif|Enjeu)\s*#?\s*\d{1,2}$")


def join_broken_paragraphs(units: Sequence[Unit], max_chars: int = MAX_CHARS) -> list[Unit]:
    """Paragraphs the PDF conversion cut in two, joined again; a list joined to its intro.

    A paragraph that starts in lower case after one that does not end a sentence
    continues it ("Président du Conseil territorial" + "de santé du Calvados"), or is
    the next item of its enumeration ("…perte d'autonomie ;" + "mailler l'offre…"); a
    bulleted list follows the sentence ending in ":" that introduces it, item after
    item, while they fit in one passage ("classées en trois catégories :" and its three
    items); a bare label ("Action prioritaire #6") is joined to the title after it.
    Only paragraphs (`§ n`) of the same section are joined; the joined unit keeps the
    first one's citation key, so the other keys do not move. (A place and date of
    signature never reaches here: `sectioned` opens the signatures with it.)
    """
    out: list[Unit] = []
    for unit in units:
        prev = out[-1] if out else None
        if (
            prev is not None
            and _is_paragraph(prev)
            and _is_paragraph(unit)
            and prev.locator[:-1] == unit.locator[:-1]
            and prev.field == unit.field
        ):
            end = prev.text.rstrip()[-1:]
            continued = end not in ".!?…" and _LOWER_START.match(unit.text)
            listed = (
                _open_list(prev.text)
                and BULLET_START.match(unit.text)
                and len(prev.text) + len(unit.text) < max_chars
            )
            # "Action prioritaire #6" alone, then "- Agir collectivement …": a label and
            # its title.
            labelled = _BARE_LABEL.match(prev.text.strip())
            if continued or listed or labelled:
                item = end in ";:" or BULLET_START.match(unit.text) or labelled
                sep = "\n" if item else " "
                out[-1] = Unit(
                    prev.locator, prev.key, f"{prev.text}{sep}{unit.text}", prev.page, prev.field
                )
                continue
        out.append(unit)
    return out


def _open_list(text: str) -> bool:
    """Does the text end with a list intro ("… catégories :") and only its items since?"""
    lines = text.rstrip().split("\n")
    for n in range(len(lines) - 1, -1, -1):
        if lines[n].rstrip().endswith(":"):
            return all(BULLET_START.match(line) for line in lines[n + 1 :])
    return False


def _is_paragraph(unit: Unit) -> bool:
    return bool(unit.locator) and unit.locator[-1].startswith("§")


def _dedupe_keys(units: list[Unit]) -> list[Unit]:
    """Make citation keys unique within a document (`-2`, `-3` suffixes)."""
    seen: dict[tuple[str, ...], int] = {}
    out = []
    for unit in units:
        count = seen.get(unit.key, 0) + 1
        seen[unit.key] = count
        key = unit.key if count == 1 else (*unit.key[:-1], f"{unit.key[-1]}-{count}")
        out.append(Unit(unit.locator, key, unit.text, unit.page, unit.field))
    return out
