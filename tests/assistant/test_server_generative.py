"""The generative mode over HTTP: /ask with mode generative, and the SSE stream."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from assistant.server import create_app
from tests.fakes_assistant import FakeAssistant, fake_writer, with_writer

EMAS_QUESTION = "Qu'est-ce qu'une EMAS et où a-t-elle été créée ?"


def parse_sse(text: str) -> list[tuple[str, dict]]:
    events = []
    for frame in text.strip().split("\n\n"):
        lines = dict(line.split(": ", 1) for line in frame.splitlines())
        events.append((lines["event"], json.loads(lines["data"])))
    return events


@pytest.fixture
def client():
    with TestClient(create_app(lambda: with_writer(fake_writer()))) as client:
        yield client


def test_health_tells_the_page_which_model_writes(client):
    assert client.get("/healthz").json()["llm"] == {"model": "faux-modele", "prompt": "answer.v1"}


def test_generative_answer_keeps_checked_sentences_and_says_what_was_removed(client):
    body = client.post("/ask", json={"question": EMAS_QUESTION, "mode": "generative"}).json()

    assert body["mode"] == "generative" and body["abstained"] is False
    assert "45" not in body["answer"]
    assert body["answer"].endswith("au dernier trimestre 2024. [2]")
    assert [c["id"] for c in body["citations"]] == [
        "bilan-calvados-2025/axe-2/emas-caen/p-2",
        "bilan-calvados-2025/axe-2/emas-caen/p-3",
    ]
    generation = body["generation"]
    assert generation["prompt"] == "answer.v1" and generation["kept"] == 2
    [removed] = generation["removed"]
    assert "45 établissements" in removed["sentence"] and "« 45 »" in removed["reason"]


def test_stream_sends_checked_sentences_then_the_answer(client):
    with client.stream(
        "POST", "/ask/stream", json={"question": EMAS_QUESTION, "mode": "generative"}
    ) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        events = parse_sse(response.read().decode())

    assert [kind for kind, _ in events] == ["sentence", "removed", "sentence", "answer"]
    first, removed, second, (_, final) = events[0][1], events[1][1], events[2][1], events[3]
    assert first["text"].endswith("[1]") and [c["n"] for c in first["citations"]] == [1]
    assert "« 45 »" in removed["reason"]
    assert final["answer"]["answer"] == f"{first['text']} {second['text']}"
    assert final["answer"]["generation"]["kept"] == 2


def test_stream_in_extractive_mode_is_one_answer_event(client):
    response = client.post("/ask/stream", json={"question": EMAS_QUESTION, "mode": "extractive"})
    [(kind, data)] = parse_sse(response.text)
    assert kind == "answer" and data["answer"]["mode"] == "extractive"


def test_stream_rejects_bad_input_before_streaming(client):
    response = client.post("/ask/stream", json={"question": "  "})
    assert response.status_code == 422
    assert "question" in response.json()["detail"].lower()


def test_generative_without_a_model_is_a_french_422():
    with TestClient(create_app(FakeAssistant)) as client:
        for path in ("/ask", "/ask/stream"):
            response = client.post(path, json={"question": EMAS_QUESTION, "mode": "generative"})
            assert response.status_code == 422
            assert "modèle de langue" in response.json()["detail"]
