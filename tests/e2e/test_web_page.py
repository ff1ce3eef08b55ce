"""The web page in a real browser, against a real uvicorn server.

By default the server is the app over the fake assistant. To run the same scenarios
against another server:
- `E2E_BASE_URL=http://127.0.0.1:8000` uses a server that is already running;
- `E2E_SERVER_CMD="python -m uvicorn --factory assistant.server:create_app --port {port}"`
  starts that command instead (from the project root; `{port}` is replaced by a free
  port, and the server must listen on 127.0.0.1);
- `E2E_STARTUP_TIMEOUT` (seconds, default 60) bounds the wait for /healthz.
The assertions hold for any assistant that answers the EMAS question from the corpus and
abstains on the helicopter one; the exact texts of the fake are not checked.
"""

from __future__ import annotations

import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.fake_openai import FakeOpenAI

playwright_api = pytest.importorskip("playwright.sync_api")
SUFFIX = os.environ.get("E2E_SCREENSHOT_SUFFIX", "")
expect = playwright_api.expect

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = os.environ.get("E2E_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
FAKE_SERVER = (
    "{python} -m uvicorn --factory tests.fakes_assistant:fake_app "
    "--host 127.0.0.1 --port {port} --log-level warning"
)

EMAS_QUESTION = "Qu'est-ce qu'une EMAS et où a-t-elle été créée dans le Calvados ?"
UNANSWERABLE = "Combien d'hélicoptères sanitaires la Normandie possède-t-elle ?"
MARKUP = "<script>alert(1)</script><img src=x onerror=alert(2)>"
INVENTED = "Elle dispose d'un budget de 987 654 euros [1]."


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_for_health(
    base_url: str, timeout: float, server: subprocess.Popen | None, log: Path | None
) -> None:
    def server_log() -> str:
        return log.read_text(errors="replace")[-3000:] if log and log.exists() else ""

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server is not None and server.poll() is not None:
            pytest.fail(f"the server exited with {server.returncode}:\n{server_log()}")
        try:
            response = httpx.get(f"{base_url}/healthz", timeout=2)
        except httpx.TransportError:
            time.sleep(0.2)
            continue
        if response.status_code == 200:
            return
        pytest.fail(f"/healthz answered {response.status_code}: {response.text}")
    pytest.fail(f"no answer from {base_url}/healthz after {timeout:.0f} s:\n{server_log()}")


def _stop(server: subprocess.Popen) -> None:
    if server.poll() is not None:
        return
    # The server leads its own process group (start_new_session): stop it and its children.
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=10)


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    timeout = float(os.environ.get("E2E_STARTUP_TIMEOUT", "60"))
    if url := os.environ.get("E2E_BASE_URL"):
        url = url.rstrip("/")
        _wait_for_health(url, timeout, None, None)
        yield url
        return
    # The generative mode talks to a scripted OpenAI-compatible model on localhost: it
    # quotes passage [1] and adds an invented number the checker must remove.
    llm = FakeOpenAI(echo=True, invent=INVENTED).start()
    port = _free_port()
    command = os.environ.get("E2E_SERVER_CMD", FAKE_SERVER)
    argv = shlex.split(command.format(port=port, python=shlex.quote(sys.executable)))
    log = tmp_path_factory.mktemp("server") / "server.log"
    with log.open("wb") as out:
        server = subprocess.Popen(
            argv,
            cwd=ROOT,
            env=os.environ
            | {"ASSISTANT_LLM_BASE_URL": llm.base_url, "ASSISTANT_LLM_MODEL": "modele-test"},
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    try:
        url = f"http://127.0.0.1:{port}"
        _wait_for_health(url, timeout, server, log)
        yield url
    finally:
        _stop(server)
        llm.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM} (set E2E_CHROMIUM)")
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class PageProblems:
    """What a user would never see but must never happen: dialogs, script errors."""

    def __init__(self, page) -> None:
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        page.on("dialog", self._on_dialog)
        page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        page.on(
            "console",
            lambda msg: (
                self.errors.append(msg.text)
                if msg.type == "error" and "status of 422" not in msg.text
                else None
            ),
        )

    def _on_dialog(self, dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()


@pytest.fixture
def page(browser, base_url):
    context = browser.new_context(
        base_url=base_url, locale="fr-FR", viewport={"width": 1100, "height": 1000}
    )
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base_url)
    page = context.new_page()
    page.set_default_timeout(15_000)
    problems = PageProblems(page)
    page.goto("/")
    expect(page.locator("#documents input[type=checkbox]").first).to_be_attached()
    yield page
    context.close()
    assert problems.dialogs == [], "a dialog opened: page text was run as code"
    assert problems.errors == [], "the page logged errors"


def ask(page, question: str) -> None:
    page.fill("#question", question)
    page.click("#ask")
    expect(page.locator("#result")).to_be_visible()


def test_emas_question_shows_a_cited_answer_its_source_and_context(page):
    ask(page, EMAS_QUESTION)

    expect(page.locator("#answer")).to_contain_text("EMAS")
    expect(page.locator("#refusal")).to_be_hidden()
    expect(page.locator("#expansions dt").first).to_have_text("EMAS")
    expect(page.locator("#expansions dd").first).to_contain_text("Appui")
    marker = page.locator("#answer .citation-marker").first
    expect(marker).to_have_text(re.compile(r"^\[\d+\]$"))

    marker.click()
    n = marker.get_attribute("data-n")
    source = page.locator(f"#source-{n}")
    expect(source).to_have_class(re.compile(r"\bhighlight\b"))
    expect(source).to_be_in_viewport()
    expect(source.locator(".source-locator")).not_to_be_empty()
    expect(source.locator(".source-quote")).not_to_be_empty()
    expect(source).to_contain_text("Calvados")

    source.locator(".context-toggle").click()
    cited = source.locator(".context .context-passage.cited")
    expect(cited).to_be_visible()
    quote = source.locator(".source-quote").inner_text()
    expect(cited).to_contain_text(quote[:40])
    expect(source.locator(".context-toggle")).to_have_text("Masquer le contexte")

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"web-page{SUFFIX}.png"), full_page=True)

    page.click("#copy")
    expect(page.locator("#copy-status")).to_have_text("Copié dans le presse-papiers.")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.startswith(f"Question : {EMAS_QUESTION}")
    assert f"[{n}] " in copied and "Sources :" in copied
    assert quote.strip()[:40] in copied


def test_unanswerable_question_shows_the_refusal(page):
    ask(page, UNANSWERABLE)

    refusal = page.locator("#refusal")
    expect(refusal).to_be_visible()
    expect(refusal).to_contain_text("Les documents ne le disent pas")
    expect(page.locator("#answer-block")).to_be_hidden()
    expect(page.locator("#sources .source")).to_have_count(0)
    page.screenshot(path=str(ARTIFACTS / f"web-page-refusal{SUFFIX}.png"), full_page=True)


def test_markup_in_a_question_is_shown_as_text(page):
    ask(page, MARKUP)

    expect(page.locator("#asked-question")).to_have_text(MARKUP)
    page.wait_for_load_state("networkidle")  # an injected <img> would have failed by now
    assert page.locator("#result script, #result img").count() == 0
    assert MARKUP in page.locator("#result").inner_text()


def test_api_errors_are_shown_with_their_french_detail(page):
    page.click("#ask")
    expect(page.locator("#error")).to_have_text("Saisissez une question avant de l'envoyer.")

    # A filter value the server does not know: its French 422 detail must reach the user.
    page.evaluate("""() => {
        const box = document.createElement("input");
        box.type = "checkbox"; box.name = "document"; box.value = "document-inconnu";
        box.checked = true;
        document.getElementById("documents").append(box);
    }""")
    ask_button = page.locator("#ask")
    page.fill("#question", EMAS_QUESTION)
    ask_button.click()

    error = page.locator("#error")
    expect(error).to_be_visible()
    expect(error).to_contain_text("document-inconnu")
    expect(page.locator("#result")).to_be_hidden()
    expect(ask_button).to_be_enabled()


def test_document_filter_is_sent_with_the_question(page):
    first = page.locator("#documents input[type=checkbox]").first
    document_id = first.get_attribute("value")
    page.click("#filters summary")
    first.check()
    expect(page.locator("#filter-count")).to_have_text("(1 document sélectionné)")

    page.fill("#question", EMAS_QUESTION)
    with page.expect_request("**/ask") as request:
        page.press("#question", "Enter")
    assert request.value.post_data_json["documents"] == [document_id]
    expect(page.locator("#result")).to_be_visible()


def test_generative_answer_streams_only_checked_sentences(page):
    option = page.locator("#generative-option")
    expect(option).to_be_visible()
    expect(option).to_contain_text("modele-test")
    page.check("#generative")
    ask(page, EMAS_QUESTION)

    expect(page.locator("#generation-text")).to_contain_text("Réponse rédigée par modele-test")
    expect(page.locator("#answer")).to_contain_text(re.compile(r"EMAS|[ée]quipe mobile", re.I))
    expect(page.locator("#answer")).not_to_contain_text("987")
    expect(page.locator("#answer .citation-marker")).to_have_count(1)
    expect(page.locator("#sources .source")).to_have_count(1)
    removed = page.locator("#removed-block")
    expect(removed).to_be_visible()
    removed.locator("summary").click()
    expect(page.locator("#removed li")).to_have_count(1)
    expect(page.locator("#removed li")).to_contain_text("« 987654 »")
    page.screenshot(path=str(ARTIFACTS / f"web-page-generative{SUFFIX}.png"), full_page=True)

    page.uncheck("#generative")
    ask(page, EMAS_QUESTION)
    expect(page.locator("#generation")).to_be_hidden()
