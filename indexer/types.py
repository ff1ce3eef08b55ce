"""Domain types of the indexing stage: plain frozen dataclasses."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class DocumentInfo:
    """A catalog entry: what a corpus file is."""

    id: str
    path: str
    title: str
    kind: str  # bilan | feuille de route | PTSM | CLS | document
    territory: str
    period: str
    publisher: str
    short_title: str = ""


@dataclass(frozen=True)
class Line:
    """One line of a loaded document, with its PDF page when known."""

    text: str
    page: int | None = None


@dataclass(frozen=True)
class Unit:
    """A structural leaf of a document: a paragraph, a table field, a context section.

    `locator` is the human path in the document's own terms; `key` the slug path
    that makes the citation id. Units never span two fiches, objectives or sections.
    """

    locator: tuple[str, ...]
    key: tuple[str, ...]
    text: str
    page: int | None = None
    field: str | None = None


@dataclass(frozen=True)
class Chunk:
    """What the index stores: a passage to retrieve and to quote."""

    id: str  # the citation id, e.g. cls-lisieux-2025-2029/fa-2.3/porteur
    document_id: str
    locator: tuple[str, ...]
    text: str  # the cleaned passage, quoted in citations
    order: int  # position in the document, for context and outlines
    section: str  # citation id prefix shared by the chunks of one section
    page: int | None = None
    field: str | None = None

    @property
    def locator_path(self) -> str:
        return " › ".join(self.locator)


@dataclass(frozen=True)
class ParsedDocument:
    info: DocumentInfo
    units: tuple[Unit, ...]
    warnings: tuple[str, ...] = field(default=())
