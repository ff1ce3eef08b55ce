"""A scripted OpenAI-compatible chat server on localhost, for tests and demonstrations.

Each request to POST /v1/chat/completions takes the next reply of the script (the last
one repeats): a text, a pause longer than the client's timeout, malformed JSON, or an
HTTP error. Streaming requests (`"stream": true`) get the text as server-sent events,
a few characters per event, as real servers send it. Every request is recorded.

    python -m tests.fake_openai --port 8765 --echo   # answers by quoting passage [1]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class Reply:
    text: str = ""
    delay_s: float = 0.0
    malformed: bool = False
    status: int = 200


def echo_reply(messages: list[dict[str, Any]]) -> str:
    """A 'model' that answers with the first sentence of passage [1], cited."""
    user = messages[-1]["content"]
    match = re.search(r"\[1\] [^\n]*\n« (.*?) »\n\n(?:\[2\] |Question)", user, re.S)
    if not match:
        return "Les documents ne le précisent pas."
    first = re.split(r"(?<=[.!?])\s+", match.group(1).strip(), maxsplit=1)[0]
    return f"{first} [1]"


@dataclass
class FakeOpenAI:
    script: list[Reply] = field(default_factory=lambda: [Reply("Réponse [1].")])
    echo: bool = False
    invent: str = ""  # appended to echo replies: a sentence the checker must remove
    requests: list[dict[str, Any]] = field(default_factory=list)
    _server: ThreadingHTTPServer | None = None

    @property
    def base_url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def next_reply(self, body: dict[str, Any]) -> Reply:
        self.requests.append(body)
        if self.echo:
            return Reply(f"{echo_reply(body['messages'])} {self.invent}".strip())
        return self.script.pop(0) if len(self.script) > 1 else self.script[0]

    def start(self, port: int = 0) -> FakeOpenAI:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                reply = fake.next_reply(body)
                if reply.delay_s:
                    time.sleep(reply.delay_s)
                if reply.status != 200:
                    self._send(reply.status, b'{"error": {"message": "boom"}}')
                elif reply.malformed:
                    self._send(200, b'{"id": "x", "choices": [ {"message": ')
                elif body.get("stream"):
                    self._stream(reply.text, body.get("model", "fake"))
                else:
                    self._send(200, json.dumps(_completion(reply.text, body)).encode())

            def _send(self, status: int, payload: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def _stream(self, text: str, model: str) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.end_headers()
                pieces = [text[i : i + 7] for i in range(0, len(text), 7)]
                for piece in pieces:
                    self._event(_chunk(piece, model, None))
                self._event(_chunk("", model, "stop"))
                self.wfile.write(b"data: [DONE]\n\n")
                self.wfile.flush()

            def _event(self, data: dict[str, Any]) -> None:
                self.wfile.write(f"data: {json.dumps(data)}\n\n".encode())
                self.wfile.flush()

        self._server = _Server(("127.0.0.1", port), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()


class _Server(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that timed out has hung up before its delayed reply: not an error of
        # the fake, and its traceback would land in whichever test captures stderr next.
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


def _completion(text: str, body: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": 0,
        "model": body.get("model", "fake"),
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": text},
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    }


def _chunk(piece: str, model: str, finish: str | None) -> dict[str, Any]:
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion.chunk",
        "created": 0,
        "model": model,
        "choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": finish}],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description="Serveur de chat compatible OpenAI, scripté")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--echo", action="store_true", help="cite la 1re phrase du passage [1]")
    parser.add_argument("--invent", default="", help="phrase inventée ajoutée à chaque réponse")
    args = parser.parse_args()
    fake = FakeOpenAI(echo=args.echo, invent=args.invent).start(args.port)
    print(f"Faux modèle sur {fake.base_url}", flush=True)
    threading.Event().wait()


if __name__ == "__main__":
    main()
