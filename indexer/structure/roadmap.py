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
        if chantier and marker is not None:
            # The page's own title block, after its table: "Chantier : Favoriser le
            # maintien à domicile … / Action / prioritaire / #1". It is the one passage
            # that names the chantier and its priority in the document's words.
            title_block = [*trailer, "Action prioritaire", f"#{number}"]
            units.append(
                Unit(
                    (priority_label, chantier_label, "Intitulé"),
                    (f"ap-{number}", slug, "intitule"),
                    " ".join(t for t in title_block if t not in _BRANDING),
                    lines[end].page,
                    "intitule",
                )
            )
    # What follows the last table (the PRS's cross-cutting priorities, the roadmap's
    # animation and perspectives) is prose with headings, like the introduction.
    last = max(markers)
    tail = next(
        (j for j in range(last + 1, len(lines)) if _PRIORITY_NUMBER.match(lines[j].text.strip())),
        last,
    )
    units.extend(_conclusion(lines[tail + 1 :]))
    return units


def _conclusion(lines: Sequence[Line]) -> list[Unit]:
    """Closing sections: upper-case titles, then short titled blocks of prose."""
    merged: list[Line] = []
    headings: dict[int, int] = {}  # index in `merged` -> level
    blocks: list[list[Line]] = [[]]
    for line in lines:
        text = line.text.strip()
        if not text:
            if blocks[-1]:
                blocks.append([])
            continue
        if blocks[-1] and _is_title(text) and not _is_title(blocks[-1][-1].text.strip()):
            blocks.append([])  # an upper-case title right under a paragraph
        blocks[-1].append(line)
    for block in blocks:
        if not block:
            continue
        texts = [ln.text.strip() for ln in block]
        titled = [t for t in texts if _is_title(t)]
        if titled and texts[: len(titled)] == titled:
            # "LES PRIORITÉS RÉGIONALES … / APPLIQUÉES DANS …", glued or not to its text
            headings[len(merged)] = 1
            merged.append(Line(" ".join(titled), block[0].page))
            block, texts = block[len(titled) :], texts[len(titled) :]
            if not block:
                continue
        elif len(block) > 1 and len(texts[0]) < 80 and not texts[0].endswith((".", ":", ";", ",")):
            title = texts[0]
            taken = 1
            if len(texts[1]) < 40 and texts[1][:1].islower():  # a title wrapped on two lines
                title, taken = f"{title} {texts[1]}", 2
            headings[len(merged)] = 2
            merged.append(Line(title, block[0].page))
            block, texts = block[taken:], texts[taken:]
        merged.extend(block)
        merged.append(Line("", block[-1].page if block else None))

    def level(_text: str, _lines: Sequence[Line], i: int) -> int | None:
        return headings.get(i)

    return sectioned(merged, level, first_section="Conclusion")


def _is_title(text: str) -> bool:
    return text.isupper() and len(text) > 8


def _introduction(lines: Sequence[Line]) -> list[Unit]:
    def level(text: str, _lines: Sequence[Line], _i: int) -> int | None:
        stripped = text.strip()
        if stripped.isupper() and len(stripped) > 8:
            return 1
        if stripped.startswith("RAPPEL DES 12 AXES"):
            return 1
        return None

    return sectioned(lines, level, first_section="Préface")
