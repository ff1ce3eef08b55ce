"""Bilans of the departmental roadmaps (Calvados, Le Havre).

Headings, in the documents' own terms: a PRS priority, a chantier (or `■` heading),
an action title, then the `Bilan` / `Perspectives 2025` parts; paragraphs are numbered
within their section: `priority › action › § n`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from indexer.structure.common import heading_text, looks_like_title, prs_priority_number, sectioned
from indexer.types import Line, Unit

_PART = re.compile(
    r"^(?:#+\s*)?(?:\*\*)?\s*(Bilan|Perspectives(?: \d{4})?)\s*(?:\*\*)?\s*:?\s*(?:\*\*)?\s*(.*)$"
)
_CHANTIER = re.compile(r"^(?:#+\s*)?(?:\*\*)?\s*Chantier\b")


def _split_part_lines(lines: Sequence[Line]) -> list[Line]:
    """`Bilan : text…` becomes a `Bilan` heading line followed by its text."""
    out: list[Line] = []
    for line in lines:
        match = _PART.match(line.text.strip())
        if match and not heading_text(line.text).startswith("Perspectives régionales"):
            out.append(Line(f"#### {match.group(1)}", line.page))
            rest = match.group(2).strip().strip("*").strip()
            if rest:
                out.append(Line("", line.page))
                out.append(Line(rest, line.page))
        else:
            out.append(line)
    return out


def _raw_level(text: str) -> int | None:
    bare = heading_text(text)
    if not bare or text.lstrip().startswith(("-", "•")) and not text.rstrip().endswith(":"):
        return None
    if (
        _PART.match(text)
        and text.startswith("####")
        and bare.split()[0]
        in (
            "Bilan",
            "Perspectives",
        )
    ):
        return 4
    if bare.startswith("Perspectives régionales"):
        return 1
    if _CHANTIER.match(text):
        return 2
    if not text.lstrip().startswith(("-", "•")) and prs_priority_number(bare):
        return 1
    if "■" in text[:6]:
        return 2
    if text.startswith("#"):
        hashes = len(text) - len(text.lstrip("#"))
        if text.startswith("####") and "**" in text:
            return 4
        return 1 if hashes <= 2 else 2
    if text.lstrip().startswith("-") and text.rstrip().endswith(":") and len(text) < 250:
        return 2
    return None


def parse(lines: Sequence[Line]) -> list[Unit]:
    lines = _split_part_lines(lines)
    levels: dict[int, int] = {}
    previous_heading: int | None = None
    previous_nonblank: int | None = None
    for i, line in enumerate(lines):
        text = line.text.strip()
        if not text:
            continue
        level = _raw_level(text)
        after_chantier = (
            previous_nonblank is not None
            and previous_nonblank == previous_heading
            and levels.get(previous_heading) == 2
        )
        after_priority = previous_nonblank is not None and levels.get(previous_nonblank) == 1
        if level is None and after_priority and text.startswith("- ") and len(text) < 300:
            level = 2
        elif (
            level is None
            and after_chantier
            and (
                (looks_like_title(text, 220) and not text.endswith(":"))
                or (text.startswith("- ") and len(text) < 300)
            )
            and not text.startswith(('"', "«"))
        ):
            level = 3
        elif (
            level == 2
            and text.startswith("-")
            and previous_nonblank is not None
            and (levels.get(previous_nonblank) != 1)
            and not text.endswith(":")
        ):
            level = None
        if level is not None:
            levels[i] = level
            previous_heading = i
        previous_nonblank = i
    return sectioned(lines, lambda _t, _l, i: levels.get(i))
