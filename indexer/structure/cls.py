"""The CLS (contrat local de santé): introduction sections, then fiches actions.

A fiche starts at `Éléments de contexte de l'action X.Y` (its context section), then its
table: one line per field (`Maître d'œuvre / Porteur<TAB>…`), continuation lines
starting with a tab. The fiche number comes from the context header, not from the
table's `Action X.Y` cell (one table is mislabelled). Each field is a unit:
`Axe 2 › Fiche action 2.3 « … » › Maître d'œuvre / Porteur`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from indexer.catalog import slugify
from indexer.structure.common import (
    looks_like_title,
    number_paragraphs,
    paragraphs,
    sectioned,
)
from indexer.types import Line, Unit

_CONTEXT = re.compile(r"^\s*[ÉE]l[ée]ments de contexte de l.action (?:FA ?)?(\d)\.(\d)", re.I)
_TABLE_START = re.compile(r"^(?:<p>)?Axe stratégique\t")
_SYNTHESIS = re.compile(r"^Axes stratégiques\tCode\t")
_SIGLES = re.compile(r"^\s*Liste des Sigles\s*$")
_SEPARATOR = re.compile(r"^[-\t ]+$")
_AXIS_HEADER = re.compile(r"^Axe (\d)\b")
_ACTION_CELL = re.compile(r"^Action (\d)\.(\d)\s*:\s*(.*)")

# (pattern at the start of a table line, citation key, label shown in locators)
FIELDS: tuple[tuple[str, str, str], ...] = (
    (r"Axe stratégique", "axe", "Axe stratégique"),
    (r"Action \d\.\d", "intitule", "Intitulé de l'action"),
    (r"<input", "type", "Type d'action"),
    (r"Articulations? avec", "articulation", "Articulation avec les autres dispositifs"),
    (r"Objectif général", "objectif", "Objectif général"),
    (r"Maître d.œuvre", "porteur", "Maître d'œuvre / Porteur"),
    (r"Public visé", "public", "Public visé"),
    (r"Descriptif des actions", "descriptif", "Descriptif des actions"),
    (r"Déroulé de l.action", "deroule", "Déroulé de l'action"),
    (r"Partenaires", "partenaires", "Partenaires à solliciter pour la mise en œuvre"),
    (r"Outils Evaluation", "evaluation", "Évaluation et modalités de suivi"),
    (r"Outils", "outils", "Outils"),
    (r"[EÉ]valuation", "evaluation", "Évaluation et modalités de suivi"),
)
_FIELD_RE = [(re.compile(rf"^(?:<p>)?{p}"), key, label) for p, key, label in FIELDS]
_LABEL_PREFIX = re.compile(r"^(?:<p>)?[^\t]*?(?:</p>)?\t")


def parse(lines: Sequence[Line]) -> list[Unit]:
    first_fiche = next(
        (i for i, ln in enumerate(lines) if _CONTEXT.match(ln.text) or _TABLE_START.match(ln.text)),
        None,
    )
    if first_fiche is None:
        return []
    synthesis = next((i for i, ln in enumerate(lines) if _SYNTHESIS.match(ln.text)), None)
    sigles = next(
        (i for i in range(first_fiche, len(lines)) if _SIGLES.match(lines[i].text)), len(lines)
    )
    intro_end = synthesis if synthesis is not None else first_fiche
    units = sectioned(lines[:intro_end], _intro_level, first_section="Introduction")
    axes: dict[int, str] = {}
    titles: dict[tuple[int, int], str] = {}
    if synthesis is not None:
        units += _synthesis(lines[synthesis:first_fiche], axes, titles)
    units += _fiches(lines[first_fiche:sigles], axes, titles)
    for line in lines[sigles + 1 :]:
        text = line.text.strip()
        if ":" in text and len(text) > 4:
            term = text.split(":", 1)[0].strip()
            units.append(
                Unit(
                    ("Liste des sigles", term), ("sigles", slugify(term)), text, line.page, "sigle"
                )
            )
    return units


def _intro_level(text: str, lines: Sequence[Line], i: int) -> int | None:
    before = lines[i - 1].text.strip() if i > 0 else ""
    after = lines[i + 1].text.strip() if i + 1 < len(lines) else ""
    if "\t" in lines[i].text or text.startswith(("-", "•")) or before or after:
        return None
    if looks_like_title(text.rstrip(" :"), 100) and not text.endswith(":"):
        return 1 if len(text) < 60 and not any(c.isdigit() for c in text[1:]) else 2
    if text.endswith(":") and len(text) < 60:
        return 2
    return None


def _synthesis(
    lines: Sequence[Line], axes: dict[int, str], titles: dict[tuple[int, int], str]
) -> list[Unit]:
    """One unit per row of the synthesis table of fiches actions."""
    rows: list[tuple[str, int | None]] = []
    for line in lines[1:]:
        if not line.text.strip():
            continue
        if "\t" in line.text or not rows:
            rows.append((line.text, line.page))
        else:
            rows[-1] = (f"{rows[-1][0]} {line.text}", rows[-1][1])
    units = []
    axis = 0
    for text, page in rows:
        cells = [c.strip() for c in text.split("\t")]
        match = _AXIS_HEADER.match(cells[0])
        if match:
            axis = int(match.group(1))
            axes[axis] = cells[0][len(match.group(0)) :].strip(" :")
        code = next((c for c in cells if re.fullmatch(r"FA\d\.\d", c)), None)
        if not code:
            continue
        position = cells.index(code)
        if position + 1 < len(cells):
            titles[(int(code[2]), int(code[4]))] = cells[position + 1]
        label = f"Axe {axis} « {axes.get(axis, '')} »" if axis else "Axes"
        units.append(
            Unit(
                ("Synthèse générale des fiches actions", label, code),
                ("synthese", code.lower().replace("fa", "fa-")),
                " | ".join(c for c in cells if c),
                page,
                "synthese",
            )
        )
    return units


def _fiches(
    lines: Sequence[Line], axes: dict[int, str], titles: dict[tuple[int, int], str]
) -> list[Unit]:
    units: list[Unit] = []
    fiche: tuple[int, int] | None = None
    title = ""
    in_table = False
    context: list[Line] = []
    fields: list[tuple[str, str, list[Line]]] = []
    seen_per_axis: dict[int, int] = {}

    def locator_head() -> tuple[str, ...]:
        assert fiche is not None
        axis_label = f"Axe {fiche[0]}" + (f" « {axes[fiche[0]]} »" if fiche[0] in axes else "")
        fiche_label = f"Fiche action {fiche[0]}.{fiche[1]}" + (f" « {title} »" if title else "")
        return (axis_label, fiche_label)

    def close() -> None:
        nonlocal context, fields, fiche, title, in_table
        if fiche is None:
            return
        title = titles.get(fiche, title)
        head = locator_head()
        key = f"fa-{fiche[0]}.{fiche[1]}"
        paras = list(paragraphs(context))
        units.extend(number_paragraphs((*head, "Éléments de contexte"), (key, "contexte"), paras))
        merged: dict[str, tuple[str, list[Line]]] = {}
        for f_key, f_label, f_lines in fields:
            if f_key in merged:
                merged[f_key][1].extend(f_lines)
            else:
                merged[f_key] = (f_label, list(f_lines))
        for f_key, (f_label, f_lines) in merged.items():
            text = "\n".join(ln.text for ln in f_lines)
            page = f_lines[0].page if f_lines else None
            units.append(Unit((*head, f_label), (key, f_key), text, page, f_key))
        context, fields, fiche, title, in_table = [], [], None, "", False

    for line in lines:
        text = line.text
        context_match = _CONTEXT.match(text)
        if context_match:
            close()
            fiche = (int(context_match.group(1)), int(context_match.group(2)))
            seen_per_axis[fiche[0]] = max(seen_per_axis.get(fiche[0], 0), fiche[1])
            continue
        if _TABLE_START.match(text):
            if in_table or fiche is None:
                close()
                axis_match = re.search(r"Axe (\d)", text)
                axis = int(axis_match.group(1)) if axis_match else 0
                fiche = (axis, seen_per_axis.get(axis, 0) + 1)
                seen_per_axis[axis] = fiche[1]
            in_table = True
        if fiche is None:
            continue
        if not in_table:
            if _AXIS_HEADER.match(text.strip()) and not text.strip().startswith("Axe stratégique"):
                continue
            context.append(line)
            continue
        if _SEPARATOR.match(text) and text.strip():
            continue
        if not text.strip():
            continue
        matched = next(((k, lab) for rx, k, lab in _FIELD_RE if rx.match(text)), None)
        if matched and not text.startswith("\t"):
            value = _LABEL_PREFIX.sub("", text, count=1) if matched[0] != "type" else text
            if matched[0] == "intitule":
                action = _ACTION_CELL.match(text)
                value = action.group(3) if action else value
                if action and not title:
                    title = action.group(3).split("\t")[0].strip()
            fields.append((matched[0], matched[1], [Line(value, line.page)]))
        elif fields:
            fields[-1][2].append(line)
        elif _AXIS_HEADER.match(text.strip()):
            continue
    close()
    return units
