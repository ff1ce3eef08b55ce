"""The optional generative mode: a chat model rewrites the answer, the checker filters it.

The writer takes the extractive answer (retrieval already done, the extractive text as
fallback), asks a LangChain chat model for a fluent answer over the same numbered
passages, and keeps only the sentences the checker accepts. When the model is
unreachable, slow, returns garbage or nothing survives the checker, the extractive
answer is returned with the reason, in French, in `generation.fallback`.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any

from assistant.answer import ABSTAIN_TEXT
from assistant.checker import Verdict, check_sentence, is_refusal, renumber, split_generated
from assistant.prompts import Prompt, build_messages, load_prompt
from assistant.types import Answer, Citation, Generation, Passage, RemovedSentence

NOTHING_SUPPORTED = "aucune phrase générée n'était appuyée par les passages cités"


@dataclass(frozen=True)
class Writer:
    """A chat model, the prompt template it is given, and the checker's threshold.

    `chat` is any LangChain chat model (`invoke` and `stream` over (role, text) pairs):
    `ChatOpenAI` in production, LangChain's fake chat models in tests.
    """

    chat: Any
    prompt: Prompt
    model: str
    timeout_s: float = 30.0
    min_support: float = 0.6

    def describe(self) -> dict[str, Any]:
        return {"model": self.model, "prompt": self.prompt.ref}

    def rewrite(self, answer: Answer, k: int = 5) -> Answer:
        """The generative answer over `answer`'s passages, or `answer` with the reason."""
        events = list(self.stream(answer, k, stream=False))
        final: Answer = events[-1]["answer"]
        return final

    def stream(self, answer: Answer, k: int = 5, stream: bool = True) -> Iterator[dict[str, Any]]:
        """Events: {"sentence"}, {"removed"} as the text arrives, then {"answer"} last.

        Sentences are checked one by one as soon as they are complete, so nothing
        unchecked is ever emitted, even mid-stream.
        """
        started = time.perf_counter()
        passages = list(answer.passages[: max(1, k)])
        sources = {n: _support(p) for n, p in enumerate(passages, start=1)}
        messages = build_messages(self.prompt, answer.question, passages)
        kept: list[Verdict] = []
        removed: list[RemovedSentence] = []
        refused = False
        failure = None
        try:
            for sentence in _sentences(self._text(messages, stream)):
                if is_refusal(sentence):
                    refused = True
                    continue
                verdict = check_sentence(sentence, sources, self.min_support)
                if verdict.supported:
                    kept.append(verdict)
                    text, order = renumber(kept)
                    yield {
                        "event": "sentence",
                        "text": text[-1],
                        "citations": [
                            _citation(i + 1, passages[n - 1]) for i, n in enumerate(order)
                        ],
                    }
                else:
                    removed.append(RemovedSentence(verdict.sentence, verdict.reason or ""))
                    yield {
                        "event": "removed",
                        "sentence": verdict.sentence,
                        "reason": verdict.reason,
                    }
        except Exception as exc:  # noqa: BLE001 - any model failure falls back, with its reason
            failure = describe_failure(exc, self.timeout_s)
        yield {
            "event": "answer",
            "answer": self._final(answer, passages, kept, removed, refused, failure, started),
        }

    def _text(self, messages: list[tuple[str, str]], stream: bool) -> Iterator[str]:
        if stream:
            for chunk in self.chat.stream(messages):
                yield _content(chunk)
        else:
            yield _content(self.chat.invoke(messages))

    def _final(
        self,
        answer: Answer,
        passages: Sequence[Passage],
        kept: list[Verdict],
        removed: list[RemovedSentence],
        refused: bool,
        failure: str | None,
        started: float,
    ) -> Answer:
        elapsed = (time.perf_counter() - started) * 1000
        generation = Generation(
            model=self.model,
            prompt=self.prompt.ref,
            kept=len(kept),
            removed=tuple(removed),
            latency_ms=round(elapsed, 1),
        )
        total = answer.latency_ms + elapsed
        if failure is None and kept:
            sentences, order = renumber(kept)
            return replace(
                answer,
                answer=" ".join(sentences),
                abstained=False,
                citations=tuple(_citation(i + 1, passages[n - 1]) for i, n in enumerate(order)),
                latency_ms=total,
                mode="generative",
                generation=generation,
            )
        if failure is None and refused:
            # The model read the passages and found no answer: say so, cite nothing.
            return replace(
                answer,
                answer=f"{ABSTAIN_TEXT} Aucun passage du corpus ne répond à cette question ; "
                "voir aussi les passages les plus proches ci-dessous.",
                abstained=True,
                citations=(),
                latency_ms=total,
                mode="generative",
                generation=generation,
            )
        reason = failure or NOTHING_SUPPORTED
        return replace(
            answer,
            latency_ms=total,
            mode="extractive",
            generation=replace(generation, fallback=f"{reason} : réponse extraite des documents."),
        )


def answer_events(answer: Answer, writer: Writer | None, k: int = 5) -> Iterator[dict[str, Any]]:
    """The events of `answer`: rewritten as it is written, or as one final event."""
    return writer.stream(answer, k) if writer else iter([{"event": "answer", "answer": answer}])


def _sentences(pieces: Iterator[str]) -> Iterator[str]:
    """Complete sentences from streamed text; a sentence is complete once the next begins."""
    buffer = ""
    for piece in pieces:
        buffer += piece
        parts = split_generated(buffer)
        # The last part may still grow; the one before it may still get its markers
        # ("… Caen. [1]") while the last part is a marker being written.
        pending = 2 if parts and parts[-1].startswith("[") else 1
        if len(parts) > pending:
            yield from parts[:-pending]
            # Newlines always split, so the pending parts stay apart and the tail can grow.
            buffer = "\n".join(parts[-pending:]) + buffer[len(buffer.rstrip()) :]
    yield from split_generated(buffer)


def _content(message: Any) -> str:
    content = getattr(message, "content", message)
    if not isinstance(content, str):
        raise ValueError("réponse du modèle illisible (pas de texte)")
    return content


def _support(passage: Passage) -> str:
    """What a reader of the citation sees: document, locator, page and text."""
    page = f" p. {passage.page}" if passage.page else ""
    return f"{passage.document}\n{passage.locator}{page}\n{passage.text}"


def _citation(n: int, passage: Passage) -> Citation:
    return Citation(
        n=n,
        id=passage.id,
        document=passage.document,
        document_id=passage.document_id,
        locator=passage.locator,
        page=passage.page,
        text=passage.text,
    )


def describe_failure(exc: BaseException, timeout_s: float) -> str:
    """A French, user-facing reason for a model failure (no traceback, no secrets)."""
    name = type(exc).__name__.lower()
    if "timeout" in name:
        return f"le modèle de langue n'a pas répondu dans le délai de {timeout_s:g} s"
    if "connection" in name or "connect" in str(exc).lower():
        return "le modèle de langue est injoignable"
    if "authentication" in name or "permission" in name:
        return "le modèle de langue a refusé la clé d'API (ASSISTANT_LLM_API_KEY)"
    if "notfound" in name:
        return "le modèle de langue demandé est inconnu du serveur (ASSISTANT_LLM_MODEL)"
    return "le modèle de langue a renvoyé une réponse inutilisable"


def writer_from_settings(settings: Any) -> Writer | None:
    """A writer over an OpenAI-compatible endpoint, or None when none is configured."""
    if not (settings.llm_base_url and settings.llm_model):
        return None
    from langchain_openai import ChatOpenAI

    prompt = load_prompt(settings.llm_prompt)
    key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else "sans-cle"
    chat = ChatOpenAI(
        base_url=settings.llm_base_url,
        model=settings.llm_model,
        api_key=key,
        temperature=settings.llm_temperature,
        timeout=settings.llm_timeout,
        max_retries=0,  # a retry would double the wait before the extractive fallback
    )
    return Writer(
        chat=chat,
        prompt=prompt,
        model=settings.llm_model,
        timeout_s=settings.llm_timeout,
        min_support=settings.llm_min_support,
    )
