"""The product's error hierarchy, shared by the indexer and the assistant.

Messages are French (they reach users); each names the bad value, the rule and the fix.
The CLI turns them into exit codes and the API into HTTP statuses; nothing else
catches them.
"""

from __future__ import annotations


class AssistantError(Exception):
    """Base class of every error a user can cause or fix."""

    exit_code = 1
    http_status = 400


class UsageError(AssistantError):
    """Bad command-line or request input."""

    exit_code = 2
    http_status = 422


class EmptyQuestion(UsageError):
    pass


class QuestionTooLong(UsageError):
    pass


class UnknownFilter(UsageError):
    pass


class UnknownCitation(AssistantError):
    exit_code = 2
    http_status = 404


class UnknownDocument(AssistantError):
    exit_code = 2
    http_status = 404


class CorpusError(AssistantError):
    """The corpus folder or its catalog cannot be used."""


class IndexNotFound(AssistantError):
    http_status = 503


class IndexDamaged(AssistantError):
    http_status = 503


class EmbedderMismatch(AssistantError):
    http_status = 503


class ModelUnavailable(AssistantError):
    http_status = 503


class BatchFileError(UsageError):
    pass


class SettingsError(UsageError):
    """An ASSISTANT_* environment variable has a bad value."""


class LLMNotConfigured(UsageError):
    """Generative mode asked for, but no language model is configured."""


class PromptNotFound(UsageError):
    """The configured prompt template is not in prompts/."""


REBUILD_HINT = "Reconstruisez l'index avec « assistant index --rebuild » (ou « make index »)."
