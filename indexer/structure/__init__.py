"""Structure recovery: each document kind's own parser turns lines into units.

Every parser is a pure function `parse(lines) -> list[Unit]`; `parse_document`
cleans the units' text and picks the parser from the catalog kind.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from indexer.cleaning import clean_passage, normalize_line, vocabulary_of
from indexer.structure import bilan, cls, generic, ptsm, roadmap
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
    return ParsedDocument(info, tuple(_dedupe_keys(cleaned)), tuple(warnings))


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
