"""The HTTP API over a fake assistant: contracts, French errors, never a 500."""

from __future__ import annotations

import io
import threading
from concurrent.futures import ThreadPoolExecutor

import docx
import pytest
from fastapi.testclient import TestClient

from assistant.server import create_app, get_assistant
from indexer.errors import IndexNotFound
from tests.fakes_assistant import EMAS_ANSWER, FakeAssistant

EMAS_QUESTION = "Qu'est-ce qu'une EMAS et où a-t-elle été créée ?"
SLASHED_ID = "cls-lisieux-2025-2029/fa-2.3/porteur"


@pytest.fixture
def fake() -> FakeAssistant:
    return FakeAssistant()


@pytest.fixture
def client(fake):
    with TestClient(create_app(lambda: fake)) as client:
        yield client


def assert_french_error(response, status: int, *words: str) -> str:
    assert response.status_code == status, response.text
    detail = response.json()["detail"]
    assert isinstance(detail, str)
    for word in words:
        assert word in detail, detail
    return detail


# -- /ask ---------------------------------------------------------------------------------


def test_ask_returns_the_answer_contract_with_its_citation(client):
    body = client.post("/ask", json={"question": EMAS_QUESTION}).json()

    assert body["answer"] == EMAS_ANSWER
    assert body["abstained"] is False
    assert [c["n"] for c in body["citations"]] == [1]
    citation = body["citations"][0]
    assert citation["document_id"] == "bilan-calvados-2025"
    assert "Caen 1" in citation["text"]
    assert citation["page"] == 12
    assert body["expansions"] == [
        {"term": "EMAS", "expansion": "Equipe Mobile d'Appui à la Scolarisation"}
    ]
    assert set(body) == {
        "question",
        "answer",
        "abstained",
        "citations",
        "passages",
        "latency_ms",
        "mode",
        "expansions",
        "generation",
    }
    assert body["generation"] is None  # extractive: no language model involved


def test_ask_forwards_filters_k_and_mode(client, fake):
    response = client.post(
        "/ask",
        json={
            "question": EMAS_QUESTION,
            "k": 1,
            "documents": ["bilan-le-havre-2025"],
            "mode": "extractive",
        },
    )

    body = response.json()
    assert response.status_code == 200
    # The Calvados passage is filtered out, so the fake cannot cite it and abstains.
    assert body["abstained"] is True
    assert body["mode"] == "extractive"
    assert {p["document_id"] for p in body["passages"]} == {"bilan-le-havre-2025"}


def test_ask_strips_the_question(client, fake):
    client.post("/ask", json={"question": f"   {EMAS_QUESTION}\n"})
    assert fake.calls[-1] == ("ask", EMAS_QUESTION)


def test_unanswerable_question_abstains_with_see_also(client):
    body = client.post("/ask", json={"question": "Combien d'hélicoptères ?"}).json()

    assert body["abstained"] is True
    assert body["citations"] == []
    assert "Les documents ne le disent pas" in body["answer"]
    assert body["passages"], "the refusal offers « voir aussi » passages"


@pytest.mark.parametrize(
    ("payload", "status", "words"),
    [
        ({"question": ""}, 422, ["question", "vide"]),
        ({"question": "   \n "}, 422, ["question", "vide"]),
        ({"question": "x" * 2001}, 422, ["question", "2000", "2001"]),
        ({}, 422, ["question", "obligatoire"]),
        ({"question": EMAS_QUESTION, "k": 0}, 422, ["k", "supérieur ou égal à 1", "0"]),
        ({"question": EMAS_QUESTION, "k": 21}, 422, ["k", "inférieur ou égal à 20", "21"]),
        ({"question": EMAS_QUESTION, "k": "beaucoup"}, 422, ["k", "nombre entier"]),
        ({"question": EMAS_QUESTION, "mode": "poétique"}, 422, ["mode", "extractive"]),
        ({"question": EMAS_QUESTION, "documents": "bilan"}, 422, ["documents", "liste"]),
        ({"question": EMAS_QUESTION, "colour": "bleu"}, 422, ["colour", "pas attendu"]),
        (
            {"question": EMAS_QUESTION, "documents": ["inexistant"]},
            422,
            ["inexistant", "bilan-calvados-2025"],
        ),
        ({"question": EMAS_QUESTION, "territories": ["Bretagne"]}, 422, ["Bretagne"]),
    ],
)
def test_bad_ask_requests_get_a_french_message_naming_the_problem(client, payload, status, words):
    assert_french_error(client.post("/ask", json=payload), status, *words)


def test_validation_errors_keep_the_raw_errors(client):
    body = client.post("/ask", json={"question": "", "k": 0}).json()

    assert {tuple(e["loc"]) for e in body["errors"]} == {("body", "question"), ("body", "k")}
    assert "question" in body["detail"] and "« k »" in body["detail"]


def test_malformed_json_is_a_422_in_french(client):
    response = client.post(
        "/ask", content=b"{question:", headers={"Content-Type": "application/json"}
    )
    assert_french_error(response, 422, "JSON")


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/ask", b'{"question": "EMAS \\ud800 ?"}', "question"),
        ("/ask", b'{"question": "EMAS", "documents": ["\\udfff"]}', None),
        ("/report", b'{"questions": ["\\ud800"]}', "questions[0]"),
    ],
)
def test_malformed_unicode_is_a_422_not_a_500(client, path, body, field):
    # A lone surrogate is valid JSON but cannot be encoded back: echoing it must not crash.
    response = client.post(path, content=body, headers={"Content-Type": "application/json"})
    assert_french_error(response, 422, *([f"« {field} »", "Unicode"] if field else []))


def test_a_2000_character_question_is_accepted(client):
    assert client.post("/ask", json={"question": "é" * 2000}).status_code == 200


# -- /search, /passages, /documents, /glossary, /healthz -----------------------------------


def test_search_returns_ranked_passages(client):
    passages = client.get("/search", params={"q": "EMAS Caen", "k": 2}).json()

    assert [p["rank"] for p in passages] == [1, 2]
    assert all("EMAS" in p["text"] for p in passages)


def test_search_filters_by_document(client):
    passages = client.get(
        "/search", params={"q": "EMAS", "documents": ["bilan-le-havre-2025"]}
    ).json()
    assert [p["document_id"] for p in passages] == ["bilan-le-havre-2025"]


@pytest.mark.parametrize(
    ("params", "words"),
    [
        ({"q": ""}, ["q"]),
        ({"q": "   "}, ["vide"]),
        ({}, ["q", "obligatoire"]),
        ({"q": "EMAS", "k": 0}, ["k"]),
        ({"q": "EMAS", "k": 51}, ["k", "50"]),
        ({"q": "EMAS", "kinds": ["roman"]}, ["roman"]),
    ],
)
def test_bad_searches_are_422_in_french(client, params, words):
    assert_french_error(client.get("/search", params=params), 422, *words)


def test_passage_ids_with_slashes_reach_the_assistant(client):
    body = client.get(f"/passages/{SLASHED_ID}").json()

    assert body["id"] == SLASHED_ID
    assert body["document_id"] == "cls-lisieux-2025-2029"
    assert "Porteur" in body["text"]


def test_passage_comes_with_its_neighbours(client):
    body = client.get("/passages/bilan-calvados-2025/axe-2/emas-caen/p-2").json()

    assert [p["id"] for p in body["before"]] == ["bilan-calvados-2025/axe-2/emas-caen/p-1"]
    assert body["after"][0]["id"] == "bilan-calvados-2025/axe-2/emas-caen/p-3"


def test_unknown_citation_is_a_french_404(client):
    response = client.get("/passages/bilan-calvados-2025/nulle-part")
    assert_french_error(response, 404, "bilan-calvados-2025/nulle-part", "n'existe pas")


def test_documents_lists_the_catalog(client):
    documents = client.get("/documents").json()

    assert "bilan-calvados-2025" in [d["id"] for d in documents]
    assert {
        "id",
        "title",
        "short_title",
        "kind",
        "territory",
        "period",
        "publisher",
        "chunks",
    } <= set(documents[0])


def test_document_outline(client):
    outline = client.get("/documents/bilan-calvados-2025").json()

    assert outline["id"] == "bilan-calvados-2025"
    assert outline["sections"][0]["children"][0]["title"] == "Création d'une nouvelle EMAS"


def test_unknown_document_is_a_french_404(client):
    assert_french_error(client.get("/documents/atlantide"), 404, "atlantide")


def test_glossary_whole_and_by_term(client, fake):
    assert {g["term"] for g in client.get("/glossary").json()} == {"EMAS", "CLS"}
    entries = client.get("/glossary", params={"q": " emas "}).json()
    assert entries[0]["expansions"] == ["Equipe Mobile d'Appui à la Scolarisation"]
    assert fake.calls[-1] == ("glossary", "emas")


def test_healthz(client):
    assert client.get("/healthz").json()["status"] == "ok"


def test_unknown_route_and_method_are_french(client):
    assert_french_error(client.get("/nulle-part"), 404, "introuvable", "/nulle-part")
    assert_french_error(client.get("/ask"), 405, "GET")


# -- errors of the assistant ------------------------------------------------------------------


def test_loading_error_makes_every_endpoint_a_503_with_the_fix():
    def missing_index():
        raise IndexNotFound(
            "Aucun index dans « var/index ». Reconstruisez l'index avec "
            "« assistant index --rebuild »."
        )

    with TestClient(create_app(missing_index)) as client:
        assert_french_error(client.get("/healthz"), 503, "assistant index --rebuild")
        assert_french_error(client.post("/ask", json={"question": EMAS_QUESTION}), 503)
        # The page itself still loads and can show the message.
        assert client.get("/").status_code == 200


def test_dependency_override_replaces_the_assistant():
    def never_loaded():
        raise AssertionError("the provider must not be needed")

    class Other(FakeAssistant):
        def health(self) -> dict:
            return {"status": "remplacé"}

    app = create_app(never_loaded)
    app.dependency_overrides[get_assistant] = Other
    client = TestClient(app)  # no lifespan: only the override can answer

    assert client.get("/healthz").json()["status"] == "remplacé"
    assert client.post("/ask", json={"question": EMAS_QUESTION}).json()["answer"] == EMAS_ANSWER


def test_concurrent_requests_run_in_parallel_threads():
    # Each ask waits until four others are inside too: serialised endpoints would
    # break the barrier (500) instead of answering.
    barrier = threading.Barrier(4, timeout=10)

    class Gathering(FakeAssistant):
        def ask(self, question, **kwargs):
            barrier.wait()
            return super().ask(question, **kwargs)

    with TestClient(create_app(Gathering)) as client, ThreadPoolExecutor(20) as pool:
        responses = list(
            pool.map(
                lambda i: client.post("/ask", json={"question": f"{EMAS_QUESTION} ({i})"}),
                range(20),
            )
        )

    assert [r.status_code for r in responses] == [200] * 20
    assert {r.json()["question"] for r in responses} == {
        f"{EMAS_QUESTION} ({i})" for i in range(20)
    }


# -- /report ------------------------------------------------------------------------------------


def test_markdown_report_is_an_attachment_with_footnotes(client):
    response = client.post(
        "/report", json={"questions": [EMAS_QUESTION, "Combien d'hélicoptères ?"], "format": "md"}
    )

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/markdown")
    assert 'attachment; filename="rapport-assistant-' in response.headers["content-disposition"]
    assert response.headers["content-disposition"].endswith('.md"')
    text = response.text
    assert "[^1]: Feuille de route départementale du Calvados" in text
    assert "## Bibliographie" in text
    assert "Les documents ne le disent pas" in text


def test_docx_report_opens_in_word(client):
    response = client.post(
        "/report", json={"questions": [EMAS_QUESTION], "format": "docx", "title": "Rapport EMAS"}
    )

    assert response.headers["content-type"] == (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    assert response.headers["content-disposition"].endswith('.docx"')
    paragraphs = [p.text for p in docx.Document(io.BytesIO(response.content)).paragraphs]
    assert paragraphs[0] == "Rapport EMAS"
    assert "Bibliographie" in paragraphs


@pytest.mark.parametrize(
    ("payload", "words"),
    [
        ({"questions": []}, ["questions", "au moins 1 élément"]),
        ({"questions": ["q"] * 51}, ["questions", "au plus 50"]),
        ({"questions": [EMAS_QUESTION, " "]}, ["questions[1]", "vide"]),
        ({"questions": [EMAS_QUESTION], "format": "pdf"}, ["format", "md"]),
        ({"questions": [EMAS_QUESTION], "documents": ["inconnu"]}, ["inconnu"]),
    ],
)
def test_bad_report_requests_are_422_in_french(client, payload, words):
    assert_french_error(client.post("/report", json=payload), 422, *words)


# -- the page and the docs ---------------------------------------------------------------------


def test_the_page_is_served_with_its_elements(client):
    response = client.get("/")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    html = response.text
    for element_id in (
        "question",
        "ask",
        "answer",
        "refusal",
        "copy",
        "expansions",
        "error",
        "sources",
        "documents",
    ):
        assert f'id="{element_id}"' in html
    assert '<html lang="fr">' in html


@pytest.mark.parametrize("asset", ["app.js", "style.css"])
def test_static_assets_are_served(client, asset):
    response = client.get(f"/static/{asset}")
    assert response.status_code == 200
    assert len(response.content) > 1000


def test_page_script_never_writes_html_strings(client):
    script = client.get("/static/app.js").text
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
        assert sink not in script


def test_openapi_is_in_french(client):
    schema = client.get("/openapi.json").json()

    assert schema["paths"]["/ask"]["post"]["summary"] == "Poser une question"
    assert "/passages/{citation_id}" in schema["paths"]
    assert client.get("/docs").status_code == 200


def test_api_docs_are_served_without_a_cdn():
    from fastapi.testclient import TestClient

    from tests.fakes_assistant import fake_app

    with TestClient(fake_app()) as client:
        page = client.get("/docs")
        assert page.status_code == 200
        assert "cdn" not in page.text.lower()
        assert "docs-assets/swagger-ui-bundle.js" in page.text
        assert client.get("/docs-assets/swagger-ui-bundle.js").status_code == 200
