"""Removal of extraction noise. Pure functions over strings.

Two levels: `normalize_line` runs on every raw line before structure recovery (it keeps
the markers the structure parsers read: markdown `#`, `■`, tabs); `clean_passage` runs on
the text of each structural unit and produces the text that citations quote.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Collection
from functools import lru_cache

_PUA = "\ue000-\uf8ff"
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\ufffd]")
_PUA_RUN = re.compile(f"[{_PUA}]+")
_CHECKBOX = re.compile(
    r"<input(?P<attrs>[^>]*?)type=\"checkbox\"(?P<attrs2>[^>]*)/?>\s*"
    r"(?P<label>[^<\t\n]*?)\s*(?=<input|\t|\n|$)"
)
_SUP = re.compile(r"<sup>(.*?)</sup>|\^\{(.*?)\}")
_BLOCK_TAG = re.compile(r"</?(?:p|ul|ol|li|br|div|table|tr|td|th)\b[^>]*>", re.I)
_ANY_TAG = re.compile(r"</?[a-zA-Z][a-zA-Z0-9]*(?:\s[^<>]*)?/?>")
_MD_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
_MD_HEADING = re.compile(r"^\s{0,3}#{1,6}\s*", re.M)
_MD_EMPHASIS = re.compile(r"\*\*|__")
_BULLET_GLYPH = re.compile(r"^[\s•■▪►→\-–]*[■▪►→]\s*", re.M)
_RULE_LINE = re.compile(r"^[\s\-–|]*-{2,}[\s\-–|]*$", re.M)
_HYPHEN_BREAK = re.compile(r"(\w+)-\n\s*(\w+)")
_LIST_START = re.compile(r"^\s*(?:[-•–*]|\d+[.)°]|[a-z]\))\s")
_SPACES = re.compile(r"[ \u00a0\u202f\u2009]+")


# In the PTSM extraction the "fi" ligature lost its "f" to U+FFFD ("a\ufffdin",
# "Diversi\ufffdier", "\ufffdilière"): a lone replacement character inside a word is an "f".
_LOST_F = re.compile(r"(?<=\w)\ufffd(?=\w)|(?<![\w\ufffd])\ufffd(?=[il][a-zà-ÿ])")


def normalize_line(line: str) -> str:
    """Light per-line normalisation that keeps structure markers."""
    line = _LOST_F.sub("f", line)
    line = _INVISIBLE.sub("", line.replace("\u00a0", " ").replace("\u202f", " "))
    return unicodedata.normalize("NFC", line).rstrip()


def fold_checkboxes(text: str) -> str:
    """Keep the label of each ticked checkbox, drop unticked ones and the inputs."""

    def repl(match: re.Match[str]) -> str:
        checked = "checked" in (match.group("attrs") + match.group("attrs2"))
        label = match.group("label").strip()
        return f"{label} " if checked and label else ""

    return _CHECKBOX.sub(repl, text)


def strip_markup(text: str) -> str:
    """HTML tags and entities, markdown emphasis, headings and links."""
    text = fold_checkboxes(text)
    text = _SUP.sub(lambda m: m.group(1) or m.group(2) or "", text)
    text = _BLOCK_TAG.sub(" ", text)
    text = _ANY_TAG.sub("", text)
    text = html.unescape(text)
    text = _MD_LINK.sub(r"\1", text)
    text = _MD_HEADING.sub("", text)
    text = _MD_EMPHASIS.sub("", text)
    return text


def dehyphenate(text: str, vocabulary: Collection[str] = ()) -> str:
    """Join words hyphenated across a line break.

    `déve-\\nloppement` becomes `développement` when the joined word is known from the
    document's vocabulary; otherwise the hyphen is a real compound (`médico-\\nsocial`)
    and is kept, without the line break.
    """

    def repl(match: re.Match[str]) -> str:
        left, right = match.group(1), match.group(2)
        if (left + right).lower() in vocabulary:
            return left + right
        return f"{left}-{right}"

    return _HYPHEN_BREAK.sub(repl, text)


_LONE_ACRONYM = re.compile(r"^\([A-Z][A-Za-z0-9]{1,9}\)$")


def join_wrapped_lines(text: str) -> str:
    """Undo hard wraps: lines of one paragraph are joined; list items keep their line."""
    paragraphs = re.split(r"\n\s*\n", text)
    out = []
    for para in paragraphs:
        lines = [ln.strip() for ln in para.split("\n") if ln.strip()]
        if lines and out and _LONE_ACRONYM.match(lines[0]) and not out[-1].endswith((".", ":")):
            # "… Auteurs de Violences Sexuelles" / "(CRIAVS)": the page cut the name from
            # its acronym.
            out[-1] = f"{out[-1]} {lines.pop(0)}"
        if not lines:
            continue
        merged = [lines[0]]
        for ln in lines[1:]:
            if _LIST_START.match(ln):
                merged.append(ln)
            else:
                merged[-1] = f"{merged[-1]} {ln}"
        out.append("\n".join(merged))
    return "\n".join(out)


def clean_passage(text: str, vocabulary: Collection[str] = ()) -> str:
    """The quotable text of a unit: no markup, no glyph noise, no hard wraps."""
    text = strip_markup(text)
    text = _INVISIBLE.sub("", text)
    text = _RULE_LINE.sub("", text)
    text = _PUA_RUN.sub("\n- ", text) if _PUA_RUN.search(text) else text
    text = _BULLET_GLYPH.sub("", text)
    text = text.replace("\t", " | ")
    text = re.sub(r"(?:\s*\|\s*){2,}", " | ", text)
    text = re.sub(r"^\s*\|\s*|\s*\|\s*$", "", text, flags=re.M)
    text = dehyphenate(text, vocabulary)
    text = join_wrapped_lines(text)
    text = re.sub(r"^-\s*$", "", text, flags=re.M)
    text = re.sub(r"^(?:-\s+)+-\s+", "- ", text, flags=re.M)
    text = _SPACES.sub(" ", text)
    text = re.sub(r" *\n *", "\n", text)
    text = re.sub(r"\n{2,}", "\n", text)
    return text.strip(" \n|")


def vocabulary_of(text: str) -> frozenset[str]:
    """Lower-cased words of a document, for `dehyphenate`."""
    return frozenset(w.lower() for w in re.findall(r"\w{3,}", text))


def strip_accents(text: str) -> str:
    """Accents removed, case kept ("Établissements" → "Etablissements"), œ → oe."""
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if not unicodedata.combining(c)).replace("œ", "oe")


@lru_cache(maxsize=16384)
def fold(text: str) -> str:
    """Case-, accent-, apostrophe- and space-insensitive form, for matching.

    Cached: answering folds the same passages, sentences and names for every question
    (a few hundred kilobytes for the whole corpus)."""
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.replace("’", "'").replace("‘", "'").replace("œ", "oe").replace("æ", "ae")
    text = re.sub(r"[«»“”\"]", " ", text)
    return re.sub(r"\s+", " ", text).strip()
