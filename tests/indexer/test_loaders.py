"""Loading .txt, .md and .pdf files; PDF page numbers reach the citations."""

from pathlib import Path

import pytest

from indexer.errors import CorpusError
from indexer.loaders import load_lines


def _pdf(path: Path, pages: list[str]) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.backends.backend_pdf import PdfPages

    with PdfPages(path) as pdf:
        for text in pages:
            fig = plt.figure(figsize=(8.3, 11.7))
            fig.text(0.1, 0.8, text, fontsize=12)
            pdf.savefig(fig)
            plt.close(fig)


def test_pdf_lines_carry_their_page(tmp_path):
    path = tmp_path / "note.pdf"
    _pdf(path, ["Première page du document", "La maison de santé ouvre à Honfleur"])
    lines = load_lines(path)
    pages = {line.page for line in lines if "Honfleur" in line.text}
    assert pages == {2}


def test_pdf_page_reaches_the_index(corpus_copy, tmp_path):
    from indexer.build import build_index
    from indexer.embeddings import HashingEmbedder
    from indexer.store import load_index

    _pdf(
        corpus_copy / "note-pdf.pdf",
        ["Introduction générale", "La maison de santé ouvre à Honfleur"],
    )
    build_index(corpus_copy, tmp_path / "idx", HashingEmbedder())
    chunk = next(
        c
        for c in load_index(tmp_path / "idx").chunks
        if "Honfleur" in c.text and c.document_id == "note-pdf"
    )
    assert chunk.page == 2


def test_text_encodings_and_binary_files(tmp_path):
    latin = tmp_path / "a.txt"
    latin.write_bytes("Santé publique".encode("cp1252"))
    assert load_lines(latin)[0].text == "Santé publique"
    binary = tmp_path / "b.txt"
    binary.write_bytes(b"abc\x00def")
    with pytest.raises(CorpusError, match="b.txt"):
        load_lines(binary)
