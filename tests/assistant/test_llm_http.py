"""Generative mode against a fake OpenAI-compatible HTTP server on localhost.

The real `Assistant` (hashing index of the real corpus) talks to the server through
LangChain's `ChatOpenAI`, as it would to Albert, vLLM or Ollama; the server's scripted
replies cover a faithful answer, an invented number, a citation of a passage that does
not exist, a timeout, malformed JSON, an HTTP error and an unreachable server.
"""

from __future__ import annotations

import json
import socket

import pytest

from assistant.api import Assistant
from assistant.settings import Settings
from tests.fake_openai import FakeOpenAI, Reply, echo_reply

QUESTION = "Quel organisme porte la nouvelle EMAS de l'agglomération de Caen ?"


@pytest.fixture(scope="module")
def server():
    fake = FakeOpenAI().start()
    yield fake
    fake.stop()


def assistant_for(index, base_url: str, timeout: float = 5.0) -> Assistant:
    settings = Settings(
        embedding_model="hashing",
        llm_base_url=base_url,
        llm_model="albert-test",
        llm_timeout=timeout,
    )
    return Assistant(index.index, index.embedder, writer=_writer(settings))


def _writer(settings: Settings):  # type: ignore[no-untyped-def]
    from assistant.generative import writer_from_settings

    return writer_from_settings(settings)


@pytest.fixture(scope="module")
def generative(fake_assistant, server) -> Assistant:
    return assistant_for(fake_assistant, server.base_url)


def first_passage_sentence(generative: Assistant) -> str:
    """What a faithful model would write: passage [1]'s first sentence, cited."""
    base = generative.ask(QUESTION)
    from assistant.prompts import build_messages

    messages = build_messages(generative.writer.prompt, QUESTION, base.passages[:5])
    return echo_reply([{"content": messages[-1][1]}])


def test_the_request_carries_the_prompt_model_and_settings(generative, server):
    server.script = [Reply(first_passage_sentence(generative))]
    generative.ask(QUESTION, mode="generative")

    request = server.requests[-1]
    assert request["model"] == "albert-test" and request["temperature"] == 0.0
    system, user = request["messages"]
    assert system["role"] == "system" and "passages numérotés" in system["content"]
    assert "[1] " in user["content"] and "[5] " in user["content"]
    assert user["content"].rstrip().endswith(":") and QUESTION in user["content"]


def test_faithful_answer_is_kept_with_its_citation(generative, server):
    reply = first_passage_sentence(generative)
    server.script = [Reply(reply)]
    answer = generative.ask(QUESTION, mode="generative")

    assert answer.mode == "generative" and not answer.abstained
    assert answer.answer == f"{reply.removesuffix(' [1]')} [1]"
    assert answer.citations[0].id == answer.passages[0].id
    assert answer.generation is not None and answer.generation.removed == ()


def test_invented_number_is_removed(generative, server):
    reply = first_passage_sentence(generative)
    server.script = [Reply(f"{reply}. Son budget annuel est de 987 654 euros [1].")]
    answer = generative.ask(QUESTION, mode="generative")

    assert answer.mode == "generative" and "987" not in answer.answer
    assert answer.generation is not None
    [removed] = answer.generation.removed
    assert removed.reason == "le nombre « 987654 » ne figure pas dans le passage cité"


def test_citation_of_a_missing_passage_falls_back_to_extractive(generative, server):
    server.script = [Reply("L'EMAS est portée par la Ligue de l'enseignement [9].")]
    answer = generative.ask(QUESTION, mode="generative")
    extractive = generative.ask(QUESTION)

    assert answer.mode == "extractive" and answer.answer == extractive.answer
    assert answer.generation is not None
    assert "[9], qui ne correspond à aucun passage" in answer.generation.removed[0].reason
    assert answer.generation.fallback == (
        "aucune phrase générée n'était appuyée par les passages cités : "
        "réponse extraite des documents."
    )


@pytest.mark.parametrize(
    ("reply", "reason"),
    [
        (Reply(malformed=True), "réponse inutilisable"),
        (Reply(status=500), "réponse inutilisable"),
        (Reply(status=404), "inconnu du serveur"),
        (Reply(status=401), "clé d'API"),
        (Reply("", delay_s=0), "aucune phrase générée"),
        (Reply("<html>Bad gateway</html> ### ???"), "aucune phrase générée"),
    ],
)
def test_garbage_or_errors_fall_back_with_a_french_reason(generative, server, reply, reason):
    server.script = [reply]
    answer = generative.ask(QUESTION, mode="generative")
    assert answer.mode == "extractive"
    assert answer.generation is not None and reason in (answer.generation.fallback or "")


def test_timeout_falls_back_to_extractive(fake_assistant, server):
    slow = assistant_for(fake_assistant, server.base_url, timeout=0.3)
    server.script = [Reply("Trop tard [1].", delay_s=1.5)]
    answer = slow.ask(QUESTION, mode="generative")

    assert answer.mode == "extractive"
    assert answer.generation is not None
    assert answer.generation.fallback == (
        "le modèle de langue n'a pas répondu dans le délai de 0.3 s : "
        "réponse extraite des documents."
    )


def test_unreachable_server_falls_back(fake_assistant):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed once the block ends: nothing listens there
    answer = assistant_for(fake_assistant, f"http://127.0.0.1:{port}/v1").ask(
        QUESTION, mode="generative"
    )
    assert answer.generation is not None
    assert answer.generation.fallback == (
        "le modèle de langue est injoignable : réponse extraite des documents."
    )


def test_streaming_over_http_emits_checked_sentences(generative, server):
    reply = first_passage_sentence(generative)
    server.script = [Reply(f"{reply} Elle emploie 321 personnes [1]. {reply}")]
    events = list(generative.ask_stream(QUESTION, mode="generative"))

    assert [e["event"] for e in events] == ["sentence", "removed", "sentence", "answer"]
    assert server.requests[-1]["stream"] is True
    final = events[-1]["answer"]
    assert final.mode == "generative" and "321" not in final.answer


# -- command line and benchmark runner, over the same fake server ---------------------


@pytest.fixture
def llm_env(hashing_index, server, monkeypatch):
    monkeypatch.setenv("ASSISTANT_INDEX_DIR", str(hashing_index))
    monkeypatch.setenv("ASSISTANT_LLM_BASE_URL", server.base_url)
    monkeypatch.setenv("ASSISTANT_LLM_MODEL", "albert-test")
    server.echo = True
    yield server
    server.echo = False


def test_cli_ask_and_report_in_generative_mode(llm_env, tmp_path, capsys):
    from assistant.cli import main

    assert main(["ask", QUESTION, "--mode", "generative", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["mode"] == "generative" and data["generation"]["prompt"] == "answer.v1"

    assert main(["ask", QUESTION, "--mode", "generative"]) == 0
    assert "Rédigé par albert-test (gabarit answer.v1)." in capsys.readouterr().out

    questions = tmp_path / "q.txt"
    questions.write_text(f"{QUESTION}\n", encoding="utf-8")
    out = tmp_path / "r.md"
    assert main(["report", str(questions), "-o", str(out), "--mode", "generative"]) == 0
    assert "[^1]" in out.read_text(encoding="utf-8")


def test_runner_reports_generative_metrics(llm_env, tmp_path, capsys):
    from evals.runner import main as eval_main

    argv = ["--split", "dev", "--limit", "4", "--no-baselines", "--no-thresholds"]
    assert eval_main([*argv, "--mode", "generative", "--output", str(tmp_path)]) == 0
    summary = json.loads(capsys.readouterr().out.rsplit("Rapport", 1)[0])["assistant"]
    assert summary["sentences_kept"] >= 1 and "sentences_removed" in summary
    assert 0.0 <= summary["fallbacks"] <= 1.0
    report = next(tmp_path.glob("eval-*.md")).read_text(encoding="utf-8")
    assert "Mode : **génératif**" in report and "sentences_removed" in report


@pytest.mark.parametrize(
    ("env", "argv", "message"),
    [
        ({}, ["ask", QUESTION, "--mode", "generative"], "ASSISTANT_LLM_BASE_URL"),
        ({"ASSISTANT_LLM_TIMEOUT": "abc"}, ["ask", QUESTION], "ASSISTANT_LLM_TIMEOUT"),
        ({"ASSISTANT_LLM_PROMPT": "reponse"}, ["ask", QUESTION], "answer.v1"),
        ({}, ["ask", QUESTION, "--mode", "poetique"], "Usage incorrect"),
    ],
)
def test_cli_generative_misconfiguration_is_a_french_usage_error(
    hashing_index, monkeypatch, capsys, env, argv, message
):
    from assistant.cli import main

    monkeypatch.setenv("ASSISTANT_INDEX_DIR", str(hashing_index))
    if "ASSISTANT_LLM_PROMPT" in env:
        monkeypatch.setenv("ASSISTANT_LLM_BASE_URL", "http://127.0.0.1:9/v1")
        monkeypatch.setenv("ASSISTANT_LLM_MODEL", "x")
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_streaming_timeout_ends_with_the_extractive_answer(fake_assistant, server):
    slow = assistant_for(fake_assistant, server.base_url, timeout=0.3)
    server.script = [Reply("Trop tard [1].", delay_s=1.5)]
    events = list(slow.ask_stream(QUESTION, mode="generative"))

    assert [e["event"] for e in events] == ["answer"]
    assert events[0]["answer"].mode == "extractive"
    assert "délai de 0.3 s" in events[0]["answer"].generation.fallback
