"""Read corpus files into lines, keeping PDF page numbers."""

from __future__ import annotations

from pathlib import Path

from indexer.errors import CorpusError
from indexer.types import Line


def load_lines(path: Path) -> list[Line]:
    """The file's text as lines; PDF lines carry their 1-based page number.

    Raises:
        CorpusError: the file cannot be read or decoded.
    """
    suffix = path.suffix.lower()
    try:
        if suffix == ".pdf":
            return _load_pdf(path)
        raw = path.read_bytes()
    except OSError as exc:
        raise CorpusError(f"Impossible de lire « {path.name} » : {exc.strerror}.") from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = raw.decode("cp1252")
        except UnicodeDecodeError as exc:
            raise CorpusError(
                f"« {path.name} » n'est ni en UTF-8 ni en Windows-1252 : convertissez-le en UTF-8."
            ) from exc
    if "\x00" in text:
        raise CorpusError(f"« {path.name} » contient des octets nuls : ce n'est pas du texte.")
    return [Line(t) for t in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]


def _load_pdf(path: Path) -> list[Line]:
    try:
        from pypdf import PdfReader
        from pypdf.errors import PyPdfError
    except ImportError as exc:  # pragma: no cover - pypdf is a dependency
        raise CorpusError("La lecture des PDF demande le paquet pypdf.") from exc
    try:
        reader = PdfReader(str(path))
        lines: list[Line] = []
        for number, page in enumerate(reader.pages, start=1):
            for text in (page.extract_text() or "").split("\n"):
                lines.append(Line(text, number))
            lines.append(Line("", number))
    except (PyPdfError, OSError, ValueError) as exc:
        raise CorpusError(f"Le PDF « {path.name} » est illisible : {exc}.") from exc
    if not any(line.text.strip() for line in lines):
        raise CorpusError(
            f"Le PDF « {path.name} » ne contient pas de texte extractible (PDF scanné ?)."
        )
    return lines
