"""How the API answers errors: French messages for validation errors, `AssistantError`s
turned into their `http_status`, and JSON that cannot fail to encode. Never a traceback."""

from __future__ import annotations

import json
import logging
import re
from typing import Any

from fastapi import Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from indexer.errors import AssistantError

log = logging.getLogger("assistant.server")


class SafeJSONResponse(JSONResponse):
    """JSON that cannot fail to encode: a lone surrogate sent in a request body and
    echoed back (in a 422, an unknown filter…) becomes « ? » instead of a 500."""

    def render(self, content: Any) -> bytes:
        return json.dumps(
            content, ensure_ascii=False, allow_nan=False, indent=None, separators=(",", ":")
        ).encode("utf-8", "replace")


# -- error mapping -----------------------------------------------------------------------


def _field_name(loc: tuple[Any, ...] | list[Any]) -> str:
    parts = [p for p in loc if p not in ("body", "query", "path", "header", "cookie")]
    name = ""
    for p in parts:
        name += f"[{p}]" if isinstance(p, int) else (f".{p}" if name else str(p))
    return name or "corps de la requête"


def _plural(n: Any, word: str) -> str:
    return f"{n} {word}{'s' if isinstance(n, int) and n > 1 else ''}"


def french_message(error: dict[str, Any]) -> str:
    """One pydantic/FastAPI validation error as a French sentence naming the field."""
    field = _field_name(error.get("loc", ()))
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    received = error.get("input")
    where = f"Le champ « {field} »"
    if kind == "missing":
        return f"{where} est obligatoire."
    if kind == "string_unicode":
        return f"{where} contient des caractères Unicode invalides. Corrigez le texte envoyé."
    if kind == "json_invalid":
        return "Le corps de la requête n'est pas un JSON valide."
    if kind in ("model_attributes_type", "dict_type", "model_type"):
        return "Le corps de la requête doit être un objet JSON."
    if kind == "extra_forbidden":
        return f"{where} n'est pas attendu. Retirez-le de la requête."
    if kind == "string_too_short":
        if ctx.get("min_length") == 1:
            return f"{where} est vide. Saisissez au moins un caractère (hors espaces)."
        return f"{where} doit contenir au moins {_plural(ctx.get('min_length'), 'caractère')}."
    if kind == "string_too_long":
        size = f" (reçu : {len(received)})" if isinstance(received, str) else ""
        return (
            f"{where} dépasse la limite de {_plural(ctx.get('max_length'), 'caractère')}"
            f"{size}. Raccourcissez-le."
        )
    if kind == "too_short":
        return f"{where} doit contenir au moins {_plural(ctx.get('min_length'), 'élément')}."
    if kind == "too_long":
        return f"{where} doit contenir au plus {_plural(ctx.get('max_length'), 'élément')}."
    if kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        rule = {
            "greater_than_equal": "supérieur ou égal à",
            "greater_than": "supérieur à",
            "less_than_equal": "inférieur ou égal à",
            "less_than": "inférieur à",
        }[kind]
        limit = next(iter(ctx.values()), "?")
        return f"{where} doit être {rule} {limit} (reçu : {received})."
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return f"{where} doit être un nombre entier (reçu : {received!r})."
    if kind in ("string_type",):
        return f"{where} doit être une chaîne de caractères."
    if kind == "list_type":
        return f"{where} doit être une liste."
    if kind == "literal_error":
        expected = re.sub(r"'([^']*)'", r"« \1 »", str(ctx.get("expected", "?")))
        return f"{where} doit valoir {expected.replace(' or ', ' ou ')} (reçu : {received!r})."
    return f"{where} est invalide ({error.get('msg', kind)})."


def _raw_errors(errors: Any) -> Any:
    # ctx may hold exception objects that JSON cannot carry.
    cleaned = []
    for e in errors:
        e = dict(e)
        if "ctx" in e:
            e["ctx"] = {
                k: v if isinstance(v, int | float | str) else str(v) for k, v in e["ctx"].items()
            }
        cleaned.append(e)
    return jsonable_encoder(cleaned)


async def on_validation_error(request: Request, exc: Exception) -> SafeJSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = exc.errors()
    detail = " ".join(dict.fromkeys(french_message(e) for e in errors))
    return SafeJSONResponse({"detail": detail, "errors": _raw_errors(errors)}, status_code=422)


async def on_assistant_error(request: Request, exc: Exception) -> SafeJSONResponse:
    assert isinstance(exc, AssistantError)
    return SafeJSONResponse({"detail": str(exc)}, status_code=exc.http_status)


_HTTP_FR = {
    404: "Adresse introuvable : {path}.",
    405: "Méthode {method} non autorisée sur {path}.",
    503: "Service indisponible.",
}


async def on_http_error(request: Request, exc: Exception) -> SafeJSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    detail = exc.detail
    if detail is None or detail == _default_reason(exc.status_code):
        template = _HTTP_FR.get(exc.status_code, "Erreur HTTP {status}.")
        detail = template.format(
            path=request.url.path, method=request.method, status=exc.status_code
        )
    return SafeJSONResponse(
        {"detail": detail}, status_code=exc.status_code, headers=getattr(exc, "headers", None)
    )


def _default_reason(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


async def on_unexpected_error(request: Request, exc: Exception) -> SafeJSONResponse:
    log.exception("Erreur inattendue sur %s", request.url.path)
    return SafeJSONResponse(
        {
            "detail": "Erreur interne de l'assistant. L'incident est journalisé ; "
            "réessayez ou signalez-le."
        },
        status_code=500,
    )
