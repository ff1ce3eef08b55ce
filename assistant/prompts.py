"""Versioned prompt templates from `prompts/`, loaded by name, and the messages they make.

Rendering is pure: a template, a question and numbered passages in, chat messages out.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from assistant.types import Passage
from indexer.errors import PromptNotFound

PROMPTS_DIR = Path(__file__).resolve().parent.parent / "prompts"
_FILE = re.compile(r"^(?P<name>[a-z0-9_-]+)\.v(?P<version>\d+)\.toml$")


@dataclass(frozen=True)
class Prompt:
    name: str
    version: int
    system: str
    answer: str
    refusal: str

    @property
    def ref(self) -> str:
        """What an answer's manifest records, e.g. "answer.v1"."""
        return f"{self.name}.v{self.version}"


def available(directory: Path = PROMPTS_DIR) -> list[tuple[str, int]]:
    """(name, version) of every template file, sorted."""
    found = []
    for path in directory.glob("*.toml") if directory.is_dir() else []:
        match = _FILE.match(path.name)
        if match:
            found.append((match["name"], int(match["version"])))
    return sorted(found)


def load_prompt(ref: str = "answer", directory: Path = PROMPTS_DIR) -> Prompt:
    """The template `name` (its highest version) or `name.vN`.

    Raises:
        PromptNotFound: no such template, or one missing a required text.
    """
    name, _, version = ref.partition(".v")
    versions = [v for n, v in available(directory) if n == name]
    if version:
        versions = [v for v in versions if str(v) == version]
    if not versions:
        known = ", ".join(f"{n}.v{v}" for n, v in available(directory)) or "aucun"
        raise PromptNotFound(
            f"Gabarit de prompt « {ref} » introuvable dans {directory}. "
            f"Gabarits disponibles : {known} (réglage ASSISTANT_LLM_PROMPT)."
        )
    path = directory / f"{name}.v{max(versions)}.toml"
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    missing = [k for k in ("system", "answer", "refusal") if not isinstance(data.get(k), str)]
    if missing:
        raise PromptNotFound(f"Le gabarit {path.name} n'a pas de texte « {', '.join(missing)} ».")
    return Prompt(name, max(versions), data["system"], data["answer"], data["refusal"])


def render_passages(passages: Sequence[Passage]) -> str:
    """Numbered passages as the model sees them: [n] document › locator, then the text."""
    blocks = []
    for n, p in enumerate(passages, start=1):
        page = f", p. {p.page}" if p.page else ""
        blocks.append(f"[{n}] {p.document} › {p.locator}{page}\n« {p.text} »")
    return "\n\n".join(blocks)


def build_messages(
    prompt: Prompt, question: str, passages: Sequence[Passage]
) -> list[tuple[str, str]]:
    """(role, content) pairs, the form every LangChain chat model accepts."""
    system = _fill(prompt.system, {"refusal": prompt.refusal})
    user = _fill(prompt.answer, {"passages": render_passages(passages), "question": question})
    return [("system", system), ("human", user)]


def _fill(template: str, values: dict[str, str]) -> str:
    # One pass, not str.format: passages and questions may hold braces or placeholders.
    return re.sub(r"\{(\w+)\}", lambda m: values.get(m[1], m[0]), template)
