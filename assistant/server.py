"""The HTTP edge of the assistant: a thin FastAPI adapter over `Assistant`.

Launched with `uvicorn --factory assistant.server:create_app`. The assistant is loaded
once at start-up and reached through the `get_assistant` dependency, so tests swap it
with `app.dependency_overrides`. Endpoints are plain `def`: answering is CPU-bound sync
code and runs in the threadpool. Pydantic lives here only, for request and response
schemas; `AssistantError`s are turned into their `http_status` with a French `detail`.
"""

from __future__ import annotations

import io
import json
import logging
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, Protocol

from fastapi import Depends, FastAPI, HTTPException, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, Response, StreamingResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from assistant import report
from assistant.http_errors import (
    SafeJSONResponse,
    on_assistant_error,
    on_http_error,
    on_unexpected_error,
    on_validation_error,
)
from assistant.schemas import (
    ERRORS,
    MAX_QUESTION_CHARS,
    NOT_FOUND,
    AnswerOut,
    AskRequest,
    DocumentOut,
    GlossaryEntryOut,
    HealthOut,
    OutlineOut,
    PassageContextOut,
    PassageOut,
    ReportRequest,
)
from assistant.types import Answer, Passage
from indexer.errors import AssistantError, EmptyQuestion

log = logging.getLogger(__name__)

WEB_DIR = Path(__file__).parent / "web"
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
# The page needs nothing from elsewhere; forbid the rest (defence in depth against XSS).
PAGE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


class Assistant(Protocol):
    """What the server needs from `assistant.api.Assistant`."""

    def ask(
        self,
        question: str,
        k: int = ...,
        documents: Any = ...,
        kinds: Any = ...,
        territories: Any = ...,
        mode: str = ...,
    ) -> Answer: ...
    def ask_stream(
        self,
        question: str,
        k: int = ...,
        documents: Any = ...,
        kinds: Any = ...,
        territories: Any = ...,
        mode: str = ...,
    ) -> Iterator[dict[str, Any]]: ...
    def search(
        self,
        query: str,
        k: int = ...,
        documents: Any = ...,
        kinds: Any = ...,
        territories: Any = ...,
    ) -> list[Passage]: ...
    def passage(self, citation_id: str) -> dict: ...
    def documents(self) -> list[dict]: ...
    def outline(self, document_id: str) -> dict: ...
    def glossary(self, term: str | None = None) -> list[dict]: ...
    def health(self) -> dict: ...


# -- assistant lifecycle -----------------------------------------------------------------


def _default_provider(settings: Any) -> Callable[[], Assistant]:
    def load() -> Assistant:
        from assistant.api import Assistant as RealAssistant  # heavy: only when serving

        loaded: Assistant = RealAssistant.load(settings=settings)
        return loaded

    return load


def get_assistant(request: Request) -> Assistant:
    """The assistant loaded at start-up; re-raises its loading error (503) if any."""
    state = request.app.state
    error = getattr(state, "load_error", None)
    if error is not None:
        raise error
    assistant: Assistant | None = getattr(state, "assistant", None)
    if assistant is None:
        raise HTTPException(503, "L'assistant n'est pas encore chargé. Réessayez dans un instant.")
    return assistant


AssistantDep = Annotated[Assistant, Depends(get_assistant)]


def _options(body: AskRequest | ReportRequest) -> dict[str, Any]:
    """The request's k, filters and mode as `Assistant.ask` keyword arguments."""
    return {
        "k": body.k,
        "documents": tuple(body.documents),
        "kinds": tuple(body.kinds),
        "territories": tuple(body.territories),
        "mode": body.mode,
    }


def server_sent_event(event: dict[str, Any]) -> str:
    """One SSE frame: `event: <kind>` and the event's JSON (answers in their contract)."""
    data = {
        key: value.to_dict()
        if isinstance(value, Answer)
        else [asdict(v) for v in value]
        if key == "citations"
        else value
        for key, value in event.items()
        if key != "event"
    }
    payload = json.dumps(data, ensure_ascii=False).encode("utf-8", "replace").decode("utf-8")
    return f"event: {event['event']}\ndata: {payload}\n\n"


# -- the application ---------------------------------------------------------------------


def create_app(
    assistant_provider: Callable[[], Assistant] | None = None, settings: Any = None
) -> FastAPI:
    """Build the API and the web page.

    Args:
        assistant_provider: builds the assistant once, at start-up. Defaults to
            `assistant.api.Assistant.load()` (imported only then).
        settings: forwarded to `Assistant.load(settings=...)` when no provider is given
            (None: the settings read from the environment).

    Returns:
        The FastAPI app. A user-fixable loading error (`IndexNotFound`, …) does not stop
        the server: every endpoint then answers 503 with its French message.
    """
    provider = assistant_provider or _default_provider(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.assistant, app.state.load_error = None, None
        try:
            app.state.assistant = provider()
        except AssistantError as exc:
            log.error("Assistant non chargé : %s", exc)
            app.state.load_error = exc
        yield
        app.state.assistant = None

    app = FastAPI(
        title="Assistant documentaire santé — Normandie",
        summary="Questions-réponses sourcées sur les documents de planification en santé.",
        description=(
            "Répond en français à partir des feuilles de route, bilans, PTSM et contrats "
            "locaux de santé indexés. Chaque réponse cite ses passages (document, "
            "emplacement, page) ; quand les documents ne répondent pas, l'assistant le dit "
            '(`abstained`). Les erreurs renvoient `{"detail": "message en français"}`.'
        ),
        version="0.1.0",
        lifespan=lifespan,
        docs_url=None,  # served below from the local swagger-ui-bundle: no CDN offline
        default_response_class=SafeJSONResponse,
        openapi_tags=[
            {"name": "Questions", "description": "Poser une question, chercher des passages."},
            {"name": "Documents", "description": "Le corpus indexé, ses plans et son glossaire."},
            {"name": "Rapports", "description": "Exporter des réponses sourcées."},
            {"name": "Service", "description": "État du service."},
        ],
    )
    app.add_exception_handler(RequestValidationError, on_validation_error)
    app.add_exception_handler(AssistantError, on_assistant_error)
    app.add_exception_handler(StarletteHTTPException, on_http_error)
    app.add_exception_handler(Exception, on_unexpected_error)

    @app.post(
        "/ask",
        tags=["Questions"],
        response_model=AnswerOut,
        responses=ERRORS,
        summary="Poser une question",
        description="Répond à partir des documents indexés, avec les passages cités. "
        "`abstained` vaut vrai quand les documents ne le disent pas.",
    )
    def ask(body: AskRequest, assistant: AssistantDep) -> dict[str, Any]:
        answer = assistant.ask(
            body.question,
            **_options(body),
        )
        return answer.to_dict()

    @app.post(
        "/ask/stream",
        tags=["Questions"],
        responses=ERRORS | {200: {"content": {"text/event-stream": {}}}},
        response_class=StreamingResponse,
        summary="Poser une question, réponse rédigée en flux (SSE)",
        description="Événements server-sent : `sentence` (une phrase déjà vérifiée, avec "
        "ses citations), `removed` (une phrase refusée et la raison), puis `answer` "
        "(la réponse complète, même contrat que POST /ask). Les erreurs de saisie "
        "répondent 422 avant tout événement.",
    )
    def ask_stream(body: AskRequest, assistant: AssistantDep) -> StreamingResponse:
        events = assistant.ask_stream(
            body.question,
            **_options(body),
        )
        return StreamingResponse(
            (server_sent_event(e) for e in events),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
        )

    @app.get(
        "/search",
        tags=["Questions"],
        response_model=list[PassageOut],
        responses=ERRORS,
        summary="Chercher des passages",
        description="Les passages les plus proches de la requête, sans composer de réponse.",
    )
    def search(
        assistant: AssistantDep,
        q: Annotated[
            str,
            Query(min_length=1, max_length=MAX_QUESTION_CHARS, description="Le texte recherché."),
        ],
        k: Annotated[int, Query(ge=1, le=50, description="Nombre de passages (1 à 50).")] = 10,
        documents: Annotated[list[str], Query(description="Identifiants de documents.")] = [],  # noqa: B006
        kinds: Annotated[list[str], Query(description="Types de documents.")] = [],  # noqa: B006
        territories: Annotated[list[str], Query(description="Territoires.")] = [],  # noqa: B006
    ) -> list[dict[str, Any]]:
        if not q.strip():
            raise EmptyQuestion("La recherche est vide : saisissez au moins un mot.")
        passages = assistant.search(
            q.strip(),
            k=k,
            documents=tuple(documents),
            kinds=tuple(kinds),
            territories=tuple(territories),
        )
        return [asdict(p) for p in passages]

    @app.get(
        "/passages/{citation_id:path}",
        tags=["Questions"],
        response_model=PassageContextOut,
        responses=NOT_FOUND,
        summary="Lire un passage dans son contexte",
        description="Le passage cité et ses voisins dans le document. L'identifiant "
        "contient des « / », par exemple `cls-lisieux-2025-2029/fa-2.3/porteur`.",
    )
    def passage(citation_id: str, assistant: AssistantDep) -> dict[str, Any]:
        return assistant.passage(citation_id)

    @app.get(
        "/documents",
        tags=["Documents"],
        response_model=list[DocumentOut],
        responses=ERRORS,
        summary="Lister les documents",
        description="Le catalogue : titre, type, territoire, période, éditeur.",
    )
    def documents(assistant: AssistantDep) -> list[dict[str, Any]]:
        return assistant.documents()

    @app.get(
        "/documents/{document_id}",
        tags=["Documents"],
        response_model=OutlineOut,
        responses=NOT_FOUND,
        summary="Plan d'un document",
        description="Les axes, fiches et sections du document, avec leurs identifiants.",
    )
    def outline(document_id: str, assistant: AssistantDep) -> dict[str, Any]:
        return assistant.outline(document_id)

    @app.get(
        "/glossary",
        tags=["Documents"],
        response_model=list[GlossaryEntryOut],
        responses=ERRORS,
        summary="Glossaire des sigles",
        description="Les sigles trouvés dans les documents et leurs développements.",
    )
    def glossary(
        assistant: AssistantDep,
        q: Annotated[
            str | None, Query(max_length=100, description="Un sigle ; vide = tout le glossaire.")
        ] = None,
    ) -> list[dict[str, Any]]:
        return assistant.glossary(q.strip() if q and q.strip() else None)

    @app.get(
        "/healthz",
        tags=["Service"],
        response_model=HealthOut,
        responses=ERRORS,
        summary="État du service",
        description="« ok » quand l'index est chargé ; 503 sinon, avec la marche à suivre.",
    )
    def healthz(assistant: AssistantDep) -> dict[str, Any]:
        return assistant.health()

    @app.post(
        "/report",
        tags=["Rapports"],
        responses={
            200: {
                "description": "Le rapport, en pièce jointe.",
                "content": {"text/markdown": {}, DOCX_MIME: {}},
            },
            **ERRORS,
        },
        summary="Produire un rapport",
        description="Pose chaque question et renvoie un rapport Markdown ou Word : réponses, "
        "notes numérotées citant document, emplacement, page et passage, "
        "bibliographie.",
    )
    def make_report(body: ReportRequest, assistant: AssistantDep) -> Response:
        answers = [
            assistant.ask(
                q,
                **_options(body),
            )
            for q in body.questions
        ]
        now = datetime.now().astimezone()
        generated_at = report.french_datetime(now)
        filename = f"rapport-assistant-{now:%Y%m%d-%H%M}.{body.format}"
        headers = {"Content-Disposition": f'attachment; filename="{filename}"'}
        if body.format == "docx":
            buffer = io.BytesIO()
            report.render_docx(answers, body.title, generated_at, buffer)
            return Response(buffer.getvalue(), media_type=DOCX_MIME, headers=headers)
        text = report.render_markdown(answers, body.title, generated_at)
        return Response(
            text.encode("utf-8", "replace"),
            media_type="text/markdown; charset=utf-8",
            headers=headers,
        )

    @app.get("/", include_in_schema=False)
    def page() -> FileResponse:
        return FileResponse(
            WEB_DIR / "index.html",
            media_type="text/html; charset=utf-8",
            headers={
                "Content-Security-Policy": PAGE_CSP,
                "X-Content-Type-Options": "nosniff",
                "Referrer-Policy": "same-origin",
            },
        )

    app.mount("/static", StaticFiles(directory=WEB_DIR), name="static")
    _mount_docs(app)
    return app


def _mount_docs(app: FastAPI) -> None:
    """Swagger UI at /docs from the swagger-ui-bundle wheel, so it works without network."""
    from fastapi.openapi.docs import get_swagger_ui_html
    from swagger_ui_bundle import swagger_ui_path

    app.mount("/docs-assets", StaticFiles(directory=swagger_ui_path), name="docs-assets")

    @app.get("/docs", include_in_schema=False)
    def docs() -> Response:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title=f"{app.title} — documentation de l'API",
            swagger_js_url="docs-assets/swagger-ui-bundle.js",
            swagger_css_url="docs-assets/swagger-ui.css",
            swagger_favicon_url="docs-assets/favicon-32x32.png",
        )
