"""The 2024 departmental roadmap (feuille de route), extracted from a PDF of tables.

Each page holds one chantier table (`Actions Financement Indicateur Commentaires`),
closed by ` Engagements du CTS`, then — after the table — the chantier's name
(`Chantier : …`) and its priority (`Action prioritaire #N`). Priority titles are the PRS's twelve.

The table columns are interleaved line by line, so rows cannot be recovered reliably:
each table is kept whole and searchable, split into its blank-line separated blocks
(`Tableau › bloc n`), under `Action prioritaire #N › Chantier « … »`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from indexer.structure.common import (
    PRS_PRIORITIES,
    number_paragraphs,
    paragraphs,
    sectioned,
    short_slug,
)
from indexer.types import Line, Unit

_TABLE_HEADER = "Actions Financement Indicateur Commentaires"
_TABLE_END = "Engagements du CTS"
_PRIORITY_NUMBER = re.compile(r"^#(\d{1,2})$")
_BRANDING = {"2023-2028", "Projet régional", "de santé", "Normandie"}


def _priority_marker(lines: Sequence[Line], i: int) -> int | None:
    """N when lines[i:] read `Action` / `prioritaire` / (blank) / `#N`."""
    if lines[i].text.strip() != "Action":
        return None
    rest = [ln.text.strip() for ln in lines[i + 1 : i + 5] if ln.text.strip()]
    if len(rest) >= 2 and rest[0] == "prioritaire":
        match = _PRIORITY_NUMBER.match(rest[1])
        if match:
            return int(match.group(1))
    return None


def parse(lines: Sequence[Line]) -> list[Unit]:
    starts = [i for i, ln in enumerate(lines) if ln.text.strip() == _TABLE_HEADER]
    if not starts:
        return []
    markers = {i: n for i in range(len(lines)) if (n := _priority_marker(lines, i))}
    first_marker = min(markers)
    units = _introduction(lines[:first_marker])

    chantier_counts: dict[int, int] = {}
    for start in starts:
        end = next(
            (j for j in range(start, len(lines)) if lines[j].text.strip() == _TABLE_END), None
        )
        if end is None:
            end = len(lines)
        marker = next((j for j in sorted(markers) if j > end), None)
        number = markers[marker] if marker is not None else 0
        chantier = ""
        trailer = [ln.text.strip() for ln in lines[end + 1 : marker] if ln.text.strip()]
        if trailer and trailer[0].startswith("Chantier"):
            chantier = (
                " ".join(trailer[1:])
                if trailer[0].rstrip(" :") == "Chantier"
                else (" ".join(trailer)[len("Chantier") :].strip(" :"))
            )
        chantier_counts[number] = chantier_counts.get(number, 0) + 1
        priority_label = f"Action prioritaire #{number}"
        if 1 <= number <= len(PRS_PRIORITIES):
            priority_label += f" « {PRS_PRIORITIES[number - 1]} »"
        chantier_label = (
            f"Chantier « {chantier} »"
            if chantier
            else f"Tableau {chantier_counts[number]} (chantier non nommé)"
        )
        slug = short_slug(chantier) if chantier else f"tableau-{chantier_counts[number]}"
        body = [ln for ln in lines[start + 1 : end] if ln.text.strip() not in _BRANDING]
        units.extend(
            number_paragraphs(
                (priority_label, chantier_label),
                (f"ap-{number}", slug),
                list(paragraphs(body)),
            )
        )
    return units


def _introduction(lines: Sequence[Line]) -> list[Unit]:
    def level(text: str, _lines: Sequence[Line], _i: int) -> int | None:
        stripped = text.strip()
        if stripped.isupper() and len(stripped) > 8:
            return 1
        if stripped.startswith("RAPPEL DES 12 AXES"):
            return 1
        return None

    return sectioned(lines, level, first_section="Préface")
