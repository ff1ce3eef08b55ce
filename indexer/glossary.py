"""The corpus glossary: acronyms from the CLS list of sigles and inline definitions.

Pure functions over chunk texts; the build stores the result as `glossary.json`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from indexer.cleaning import fold

_SIGLE_LINE = re.compile(r"^\s*([A-Z][A-Za-z0-9]{1,9}(?: \d{2})?)\s*:\s*(.{4,140})$")
# "(EMAS)", and an acronym opening a parenthesis: "(1 EMER pour 500 000 habitants)",
# "(ESI 14)", "(CRP-N)", "(NIP ou IP)".
_INLINE = re.compile(r"\((?:\d+ )?([A-Z][A-Za-z0-9]{1,8})(?:\)|[- ][^()]{0,80}\))")
_WORD = re.compile(r"[\wÀ-ÿœŒ]+(?:[-'’][\wÀ-ÿœŒ]+)*")
_SKIPPABLE = frozenset(
    "de d des du la le les l à a au aux et en pour sur dans par un une avec aupres entre".split()
)


@dataclass(frozen=True)
class GlossaryEntry:
    term: str
    expansions: tuple[str, ...]
    documents: tuple[str, ...]

    def to_dict(self) -> dict[str, object]:
        return {
            "term": self.term,
            "expansions": list(self.expansions),
            "documents": list(self.documents),
        }


def sigles_from_list(text: str) -> list[tuple[str, str]]:
    """`ARS : Agence Régionale de Santé` lines of a list of sigles."""
    pairs = []
    for line in text.split("\n"):
        match = _SIGLE_LINE.match(line.strip())
        if match and sum(c.isupper() for c in match.group(1)) >= 2:
            pairs.append((match.group(1).strip(), match.group(2).strip(" .;")))
    return pairs


def inline_definitions(text: str) -> list[tuple[str, str]]:
    """`Équipe Mobile d'Appui à la Scolarisation (EMAS)` style definitions."""
    pairs = []
    for match in _INLINE.finditer(text):
        acronym = match.group(1)
        if sum(c.isupper() for c in acronym) < 2:
            continue
        before = text[max(0, match.start() - 160) : match.start()]
        words = _WORD.findall(before)[-14:]
        # The name may end with words the acronym leaves out: "équipe mobile d'expertise
        # en réadaptation neurolocomotrice (1 EMER …)".
        for kept in (words, words[:-1], words[:-2]):
            while kept and fold(kept[-1]) in _SKIPPABLE:
                kept = kept[:-1]
            expansion = _match_initials(acronym, kept)
            if expansion:
                pairs.append((acronym, expansion))
                break
    return pairs


_ELIDED = re.compile(r"^(?:d|l|qu|j|n|s)['’]", re.I)


def _letters_of(word: str) -> str:
    """Initial plus inner capitals ("PRogramme" gives "pr"), elisions dropped."""
    word = _ELIDED.sub("", word)
    parts = [p for p in re.split(r"[-'’]", word) if p]
    out = ""
    for part in parts:
        out += fold(part)[:1] + "".join(c.lower() for c in part[1:] if c.isupper())
    return out


def _match_initials(acronym: str, words: list[str]) -> str | None:
    """The shortest run of words before the acronym whose initials spell it."""
    letters = "".join(c.lower() for c in acronym if c.isalpha())
    if not letters:
        return None
    for start in range(len(words) - 1, -1, -1):
        candidate = words[start:]
        if fold(candidate[0]) in _SKIPPABLE or _letters_of(candidate[0])[:1] != letters[0]:
            continue
        i = 0
        idle = 0
        for word in candidate:
            if fold(word) in _SKIPPABLE:
                continue
            used = False
            for c in _letters_of(word):
                if i < len(letters) and c == letters[i]:
                    i += 1
                    used = True
            idle += not used
        if i == len(letters) and idle == 0:
            expansion = " ".join(candidate)
            return expansion if len(expansion) > len(acronym) + 3 else None
        if len(candidate) > len(letters) * 2 + 4:
            break
    return None


def build_glossary(
    chunks: Iterable[tuple[str, str, bool]],
) -> list[GlossaryEntry]:
    """Entries from (document_id, text, is_list_of_sigles) triples, sorted by term."""
    expansions: dict[str, dict[str, str]] = {}
    documents: dict[str, set[str]] = {}
    for document_id, text, is_sigles in chunks:
        pairs = sigles_from_list(text) if is_sigles else inline_definitions(text)
        for term, expansion in pairs:
            bucket = expansions.setdefault(term, {})
            bucket.setdefault(fold(expansion), expansion)
            documents.setdefault(term, set()).add(document_id)
    return [
        GlossaryEntry(term, tuple(expansions[term].values()), tuple(sorted(documents[term])))
        for term in sorted(expansions, key=str.lower)
    ]


def documents_using(term: str, texts: Iterable[tuple[str, str]]) -> set[str]:
    """Documents whose text uses `term` as a word."""
    pattern = re.compile(rf"\b{re.escape(term)}\b")
    return {doc for doc, text in texts if pattern.search(text)}
