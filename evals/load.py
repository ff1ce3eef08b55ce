"""`make load`: concurrent clients against a real uvicorn on localhost, for a bounded time.

Reports throughput, p50/p95 latency and errors. Traffic goes to 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Test de charge de l'API")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=20.0)
    args = parser.parse_args(argv)

    from evals.dataset import load_items
    from evals.metrics import percentile

    port = _free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            "assistant.server:create_app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 120
        while time.time() < deadline:
            try:
                if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.5)
        else:
            print("le serveur n'a pas démarré", file=sys.stderr)
            return 1
        questions = [i.question for i in load_items()]
        latencies: list[float] = []
        errors: list[str] = []
        lock = threading.Lock()
        stop = time.time() + args.seconds

        def client(offset: int) -> None:
            with httpx.Client(base_url=base, timeout=30) as http:
                n = offset
                while time.time() < stop:
                    q = questions[n % len(questions)]
                    n += args.clients
                    started = time.perf_counter()
                    try:
                        r = http.post("/ask", json={"question": q})
                        ok = r.status_code == 200
                        detail = f"HTTP {r.status_code}"
                    except httpx.HTTPError as exc:
                        ok, detail = False, str(exc)
                    with lock:
                        latencies.append((time.perf_counter() - started) * 1000)
                        if not ok:
                            errors.append(detail)

        threads = [threading.Thread(target=client, args=(i,)) for i in range(args.clients)]
        started = time.time()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.time() - started
        figures = {
            "clients": args.clients,
            "seconds": round(elapsed, 1),
            "requests": len(latencies),
            "throughput_rps": round(len(latencies) / elapsed, 1),
            "p50_ms": round(percentile(latencies, 0.5), 1),
            "p95_ms": round(percentile(latencies, 0.95), 1),
            "errors": len(errors),
        }
        print(json.dumps(figures))
        return 1 if errors else 0
    finally:
        server.terminate()
        server.wait(timeout=20)


if __name__ == "__main__":
    sys.exit(main())
