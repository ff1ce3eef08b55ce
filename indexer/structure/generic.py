"""Fallback parser: paragraphs under markdown or title-like headings."""

from __future__ import annotations

from collections.abc import Sequence

from indexer.structure.common import looks_like_title, sectioned
from indexer.types import Line, Unit


def _level(text: str, lines: Sequence[Line], i: int) -> int | None:
    if text.startswith("#"):
        return min(len(text) - len(text.lstrip("#")), 4)
    before = lines[i - 1].text.strip() if i > 0 else ""
    after = lines[i + 1].text.strip() if i + 1 < len(lines) else ""
    if looks_like_title(text, 90) and not before and not after:
        return 2
    return None


def parse(lines: Sequence[Line]) -> list[Unit]:
    return sectioned(lines, _level)
