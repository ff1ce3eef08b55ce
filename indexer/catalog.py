"""The corpus catalog (`corpus/catalog.toml`) and the discovery of corpus files."""

from __future__ import annotations

import re
import tomllib
import unicodedata
from collections.abc import Callable
from pathlib import Path

from indexer.errors import CorpusError
from indexer.types import DocumentInfo

SUPPORTED_SUFFIXES = (".txt", ".md", ".pdf")
KINDS = ("bilan", "feuille de route", "PTSM", "CLS", "document")
CATALOG_NAME = "catalog.toml"


def slugify(text: str, max_words: int = 8) -> str:
    """ASCII, lower-case, dash-separated slug of `text`."""
    text = text.replace("œ", "oe").replace("Œ", "Oe").replace("æ", "ae")
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+(?:\.[0-9]+)*", folded.lower())
    return "-".join(words[:max_words]) or "x"


def read_catalog(corpus_dir: Path) -> dict[str, DocumentInfo]:
    """Catalog entries keyed by file name.

    Raises:
        CorpusError: the folder or the catalog cannot be read, or an entry is invalid.
    """
    if not corpus_dir.is_dir():
        raise CorpusError(
            f"Le dossier du corpus « {corpus_dir} » n'existe pas. "
            "Indiquez le bon dossier avec --corpus ou ASSISTANT_CORPUS_DIR."
        )
    path = corpus_dir / CATALOG_NAME
    if not path.exists():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise CorpusError(
            f"Le catalogue « {path} » est illisible ({exc}). Corrigez sa syntaxe TOML."
        ) from exc
    entries: dict[str, DocumentInfo] = {}
    seen_ids: set[str] = set()
    for i, raw in enumerate(data.get("document", []), start=1):
        missing = [k for k in ("id", "file", "title") if not raw.get(k)]
        if missing:
            raise CorpusError(
                f"L'entrée n°{i} du catalogue « {path} » n'a pas de {', '.join(missing)}. "
                "Chaque [[document]] doit donner au moins id, file et title."
            )
        kind = raw.get("kind", "document")
        if kind not in KINDS:
            raise CorpusError(
                f"L'entrée « {raw['id']} » du catalogue a le type « {kind} », inconnu. "
                f"Types possibles : {', '.join(KINDS)}."
            )
        if raw["id"] in seen_ids or raw["id"] != slugify(raw["id"], 20):
            raise CorpusError(
                f"L'identifiant « {raw['id']} » du catalogue est en double ou mal formé : "
                "utilisez des minuscules, chiffres et tirets, une seule fois chacun."
            )
        seen_ids.add(raw["id"])
        entries[raw["file"]] = DocumentInfo(
            id=raw["id"],
            path=str(corpus_dir / raw["file"]),
            title=raw["title"],
            short_title=raw.get("short_title", raw["title"]),
            kind=kind,
            territory=raw.get("territory", ""),
            period=raw.get("period", ""),
            publisher=raw.get("publisher", ""),
        )
    return entries


def discover(corpus_dir: Path, warn: Callable[[str], None] = lambda _m: None) -> list[DocumentInfo]:
    """Every supported file of the corpus folder with its catalog entry (or defaults)."""
    catalog = read_catalog(corpus_dir)
    documents: list[DocumentInfo] = []
    for file in sorted(corpus_dir.iterdir()):
        if file.suffix.lower() not in SUPPORTED_SUFFIXES or not file.is_file():
            continue
        if file.name.lower() == "readme.md":
            continue
        info = catalog.get(file.name)
        if info is None:
            warn(
                f"« {file.name} » n'a pas d'entrée dans {CATALOG_NAME} : indexé avec "
                "des valeurs par défaut (ajoutez-lui une entrée pour un titre exact)."
            )
            info = DocumentInfo(
                id=slugify(file.stem, 20),
                path=str(file),
                title=file.stem.replace("_", " ").replace("-", " "),
                short_title=file.stem,
                kind="document",
                territory="",
                period="",
                publisher="",
            )
        documents.append(info)
    for name in sorted(set(catalog) - {Path(d.path).name for d in documents}):
        warn(f"Le catalogue décrit « {name} », absent du dossier du corpus : ignoré.")
    return documents
