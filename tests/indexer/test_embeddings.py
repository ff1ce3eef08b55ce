"""The embedder seam: which precision a model runs in, read from the CPU's flags."""

import pytest

from indexer.embeddings import cpu_flags, resolve_precision


def test_auto_takes_bfloat16_only_where_the_cpu_computes_it_natively():
    assert resolve_precision("auto", frozenset({"avx2", "avx512f", "avx512_bf16"})) == "bfloat16"
    assert resolve_precision("auto", frozenset({"amx_bf16", "amx_tile"})) == "bfloat16"
    # AVX-512 without its bfloat16 extension emulates it: slower than float32.
    assert resolve_precision("auto", frozenset({"avx2", "avx512f", "avx512bw"})) == "float32"
    assert resolve_precision("auto", frozenset()) == "float32"


def test_an_explicit_precision_is_kept_whatever_the_cpu():
    assert resolve_precision("float32", frozenset({"avx512_bf16"})) == "float32"
    assert resolve_precision("bfloat16", frozenset()) == "bfloat16"
    with pytest.raises(ValueError):
        resolve_precision("half", frozenset())


def test_cpu_flags_are_read_from_cpuinfo(tmp_path):
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text(
        "processor\t: 0\nmodel name\t: Some CPU\nflags\t\t: fpu sse2 avx2 avx512_bf16\n\n"
        "processor\t: 1\nflags\t\t: fpu sse2 avx2 avx512_bf16\n",
        encoding="utf-8",
    )
    assert cpu_flags(cpuinfo) == frozenset({"fpu", "sse2", "avx2", "avx512_bf16"})
    assert cpu_flags(tmp_path / "absent") == frozenset()
    (tmp_path / "other").write_text("Hardware : none\n", encoding="utf-8")
    assert cpu_flags(tmp_path / "other") == frozenset()
