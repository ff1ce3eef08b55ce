"""The PTSM (projet territorial de santé mentale): priorités › enjeux › objectifs.

Objectives are not numbered in the body: their titles come from the table of contents
(`Objectif N : title … Page P`), numbered within their priority as the document does,
and are found in the body by their opening words. Each objective's fields (public ciblé,
acteurs, points de vigilance, articulation, moyens, indicateurs…) are units of their own.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

from indexer.cleaning import fold
from indexer.structure.common import (
    heading_text,
    looks_like_title,
    number_paragraphs,
    paragraphs,
    sectioned,
)
from indexer.types import Line, Unit

_PRIORITY = re.compile(r"^\s*Priorité (\d) : (.+?)\s*$")
_ENJEU = re.compile(r"^\W*\s*Enjeux? (\d)(?: et (\d))? : (.+?)\s*$")
_TOC_OBJECTIVE = re.compile(r"^\s*Objectif (\d+) : (.+)$")
_PAGE = re.compile(r"\s*Page (\d+)\s*$")

# Field labels at the start of a line, with the key of their citation id.
FIELDS: tuple[tuple[str, str, str], ...] = (
    (r"Public cibl[ée]", "public", "Public ciblé"),
    (r"Acteurs mobilis[ée]s", "acteurs", "Acteurs mobilisés et à mobiliser"),
    (r"Institutions mobilis[ée]es", "institutions", "Institutions mobilisées et à mobiliser"),
    (r"Points de vigilance", "vigilance", "Points de vigilance"),
    (r"Pr[ée] ?requis", "prerequis", "Pré requis"),
    (
        r"Articulation avec la feuille de route",
        "articulation-nationale",
        "Articulation avec la feuille de route nationale",
    ),
    (
        r"Articulation avec (?:les )?autres plans",
        "articulation-plans",
        "Articulation avec autres plans ou schémas",
    ),
    (r"Liens? à prévoir", "liens", "Liens à prévoir avec les autres dispositifs de coordination"),
    (r"Moyens à envisager", "moyens", "Moyens à envisager"),
    (r"Couverture territoriale", "couverture", "Couverture territoriale"),
    (r"Indicateurs", "indicateurs", "Indicateurs et méthode d'évaluation envisagée"),
)
_FIELD_RE = [(re.compile(rf"^\W*\s*{pattern}"), key, label) for pattern, key, label in FIELDS]


@dataclass(frozen=True)
class TocObjective:
    priority: int
    number: int
    title: str
    page: int | None


def read_toc(lines: Sequence[Line]) -> tuple[list[TocObjective], int]:
    """Objectives listed in the table of contents, in order, and the line ending it."""
    objectives: list[TocObjective] = []
    end = 0
    priority = 0
    pending: tuple[int, str] | None = None
    for i, line in enumerate(lines):
        text = line.text.strip()
        match_p = _PRIORITY.match(text)
        if match_p and not pending:
            priority = int(match_p.group(1))
            if objectives and priority < objectives[-1].priority:
                break  # back in the body: the table of contents is over
            continue
        match_o = _TOC_OBJECTIVE.match(text)
        if match_o and priority and not pending:
            pending = (int(match_o.group(1)), match_o.group(2))
        elif pending and text and not _ENJEU.match(text) and not _PRIORITY.match(text):
            pending = (pending[0], f"{pending[1]} {text}")
        if pending:
            page = _PAGE.search(pending[1])
            if page:
                title = _PAGE.sub("", pending[1]).strip()
                objectives.append(TocObjective(priority, pending[0], title, int(page.group(1))))
                pending = None
                end = i
    return objectives, end


def parse(lines: Sequence[Line]) -> list[Unit]:
    toc, toc_end = read_toc(lines)
    if not toc:
        return []
    body_start = next(
        (i for i in range(toc_end, len(lines)) if _PRIORITY.match(lines[i].text)), None
    )
    if body_start is None:
        return []
    units = sectioned(lines[:body_start], _intro_level, first_section="Présentation")
    units += _body(lines[body_start:], toc)
    return units


def _intro_level(text: str, lines: Sequence[Line], i: int) -> int | None:
    raw = lines[i].text
    if (
        raw.startswith(" ")
        and looks_like_title(text, 60)
        and not text.endswith(":")
        and not any(c.isdigit() for c in text)
    ):
        return 1
    return None


def _body(lines: Sequence[Line], toc: list[TocObjective]) -> list[Unit]:
    units: list[Unit] = []
    # Locate objective title lines in order.
    starts: dict[int, TocObjective] = {}
    cursor = 0
    for objective in toc:
        probe = fold(objective.title)[:32]
        first_word = probe.split()[0]
        for i in range(cursor, len(lines)):
            window = fold(lines[i].text)
            if not window.startswith(first_word) or _PRIORITY.match(lines[i].text):
                continue
            window = fold(" ".join(ln.text for ln in lines[i : i + 3]))[: len(probe)]
            if SequenceMatcher(None, window, probe).ratio() >= 0.8:
                starts[i] = objective
                cursor = i + 1
                break

    priority_no = 0
    priority_title = ""
    enjeu_label = ""
    enjeu_key = ""
    objective: TocObjective | None = None
    field: tuple[str, str] | None = None  # (key, label)
    buf: list[Line] = []
    skip_title_lines = 0

    def flush() -> None:
        nonlocal buf
        if not any(ln.text.strip() for ln in buf):
            buf = []
            return
        p_label = f"Priorité {priority_no} « {priority_title} »"
        page = buf[0].page
        if objective is None:
            section = enjeu_label or "Contexte"
            key = (f"p{priority_no}", enjeu_key or "contexte")
            units.extend(number_paragraphs((p_label, section), key, list(paragraphs(buf))))
        else:
            o_label = f"Objectif {objective.number} « {objective.title} »"
            f_key, f_label = field or ("presentation", "Présentation")
            text = "\n".join(ln.text for ln in buf)
            units.append(
                Unit(
                    (p_label, enjeu_label, o_label, f_label)
                    if enjeu_label
                    else (p_label, o_label, f_label),
                    (f"p{priority_no}", f"o{objective.number}", f_key),
                    text,
                    page if page is not None else objective.page,
                    f_key,
                )
            )
        buf = []

    for i, line in enumerate(lines):
        text = line.text
        if skip_title_lines:
            skip_title_lines -= 1
            continue
        match_p = _PRIORITY.match(text)
        if match_p:
            flush()
            priority_no, priority_title = int(match_p.group(1)), match_p.group(2)
            enjeu_label, enjeu_key, objective, field = "", "", None, None
            continue
        match_e = _ENJEU.match(text)
        if match_e:
            flush()
            number = match_e.group(1)
            enjeu_label = heading_text(re.sub(r"^\W+", "", text))
            enjeu_key = f"enjeu-{number}"
            objective, field = None, None
            continue
        if i in starts:
            flush()
            objective, field = starts[i], None
            # The title may wrap over two lines: skip what the title covers.
            covered, j = fold(lines[i].text), i
            while len(covered) < len(fold(objective.title)) - 3 and j + 1 < len(lines):
                j += 1
                covered = fold(f"{covered} {lines[j].text}")
            skip_title_lines = j - i
            continue
        matched = next(((k, lab) for rx, k, lab in _FIELD_RE if rx.match(text)), None)
        if matched and objective is not None:
            flush()
            field = matched
            rest = re.sub(r"^[^:]*:\s*", "", text, count=1) if ":" in text[:120] else ""
            buf = [Line(rest, line.page)] if rest.strip() else []
            continue
        buf.append(line)
    flush()
    return units
