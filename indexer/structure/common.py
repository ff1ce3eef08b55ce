"""Helpers shared by the structure parsers."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from difflib import SequenceMatcher

from indexer.catalog import slugify
from indexer.cleaning import fold
from indexer.types import Line, Unit

# The 12 priorities of the Projet régional de santé Normandie 2023-2028, as the
# roadmaps and bilans name them; used to recognise priority headings.
PRS_PRIORITIES = (
    "Relever le défi du vieillissement et de la perte d'autonomie",
    "Mailler l'offre de soins en conjuguant ambition pour la proximité et excellence "
    "du recours et en organisant les mobilités",
    "Améliorer la santé mentale des Normands",
    "Renforcer l'évolution inclusive de la société",
    "Garantir aux personnes en situation de précarité l'accès aux soins et services "
    "dont elles ont besoin",
    "Agir collectivement sur les déterminants de santé publique à plus fort enjeu pour "
    "les normands et adapter notre stratégie de prévention aux publics cibles",
    "Développer et renforcer l'autonomie et la capacité des personnes malades et de leurs aidants",
    "Soutenir l'usager comme acteur du système de santé",
    "Structurer de nouveaux modèles de prises en charge en favorisant les coopérations "
    "et les complémentarités entre les acteurs",
    "Renforcer l'offre de formation au plus près des territoires ainsi que "
    "l'attractivité des métiers de la santé et la fixation des professionnels dans les "
    "territoires",
    "Accompagner les établissements et les professionnels dans leurs transformations "
    "structurelles en encourageant notamment le virage numérique et les innovations",
    "Engager le système de santé normand dans la transition écologique",
)


def prs_priority_number(text: str) -> int | None:
    """1-12 when `text` is (a shortened form of) one of the PRS priorities."""
    folded = re.sub(r"[^a-z0-9' ]", "", fold(text)).strip()
    if len(folded) < 20:
        return None
    for number, title in enumerate(PRS_PRIORITIES, start=1):
        target = re.sub(r"[^a-z0-9' ]", "", fold(title))
        n = min(len(folded), len(target), 60)
        if SequenceMatcher(None, folded[:n], target[:n]).ratio() >= 0.85:
            return number
    return None


def paragraphs(lines: Sequence[Line]) -> Iterator[tuple[str, int | None]]:
    """Blank-line separated paragraphs with the page of their first line."""
    buf: list[str] = []
    page: int | None = None
    for line in lines:
        if line.text.strip():
            if not buf:
                page = line.page
            buf.append(line.text)
        elif buf:
            yield "\n".join(buf), page
            buf = []
    if buf:
        yield "\n".join(buf), page


def short_slug(title: str, max_words: int = 4) -> str:
    """Readable key for a heading: its acronym (plus place) if it has one, else words."""
    acronym = re.search(r"\(([A-Z][A-Z0-9]{1,9})\)", title)
    if acronym:
        letters = set(acronym.group(1).lower())
        places = [
            w
            for w in re.findall(
                r"(?:\bà|\bde|\bdu|\bsur|\bau)\s+(?:l')?([A-ZÉÈ][\wéèêàç-]+)", title
            )
            if w[0].lower() not in letters
        ]
        return slugify(" ".join([acronym.group(1), *places[:1]]))
    words = [
        w
        for w in re.findall(r"[\wÀ-ÿœ]+", re.sub(r"^Chantier\s*:?\s*", "", title))
        if fold(w) not in _SLUG_STOPWORDS and not w.isdigit()
    ]
    return slugify(" ".join(words), max_words)


_SLUG_STOPWORDS = frozenset(
    "le la les l de des du d un une et en a au aux pour par sur dans avec ou que qui "
    "son sa ses leur leurs ce cette ces l'".split()
)


def number_paragraphs(
    locator: tuple[str, ...],
    key: tuple[str, ...],
    paras: Sequence[tuple[str, int | None]],
    start: int = 1,
) -> list[Unit]:
    """One unit per paragraph, located `§ n` and keyed `pn` within its section."""
    return [
        Unit((*locator, f"§ {n}"), (*key, f"p{n}"), text, page)
        for n, (text, page) in enumerate(paras, start=start)
    ]


def sectioned(
    lines: Sequence[Line],
    heading_level: Callable[[str, Sequence[Line], int], int | None],
    root_locator: tuple[str, ...] = (),
    root_key: tuple[str, ...] = (),
    first_section: str = "Introduction",
) -> list[Unit]:
    """Paragraph units under a stack of headings.

    `heading_level(text, lines, i)` returns 1, 2, 3… for a heading line, None for body.
    """
    units: list[Unit] = []
    stack: list[tuple[int, str, str]] = []  # (level, title, slug)
    body: list[Line] = []
    used: set[tuple[str, ...]] = set()
    current_key: list[tuple[str, ...]] = [(slugify(first_section),)]

    heading_line: list[Line | None] = [None]

    def flush() -> None:
        if not any(line.text.strip() for line in body):
            body.clear()
            # A heading with nothing under it (or a short line taken for one) keeps its
            # text searchable: it becomes the section's only paragraph.
            if heading_line[0] is None:
                return
            body.append(heading_line[0])
        heading_line[0] = None
        titles = tuple(t for _, t, _ in stack) or (first_section,)
        units.extend(
            number_paragraphs(
                (*root_locator, *titles), (*root_key, *current_key[0]), list(paragraphs(body))
            )
        )
        body.clear()

    def section_key() -> tuple[str, ...]:
        deep = [slug for level, _, slug in stack if level >= 2] or [stack[-1][2]]
        key = tuple(deep)
        n = 2
        while key in used:
            key = (*deep[:-1], f"{deep[-1]}-{n}")
            n += 1
        used.add(key)
        return key

    signed_until = -1
    for i, line in enumerate(lines):
        if i <= signed_until:
            continue
        text = line.text.strip()
        if PLACE_AND_DATE.match(text):
            # "A Cambremer, le 10 juillet 2025", then who signed: one section, whose
            # names are not headings ("François AUBEY").
            flush()
            signed_until = signature_end(lines, i)
            stack.clear()
            stack.append((1, SIGNATURES, slugify(SIGNATURES)))
            current_key[0] = section_key()
            block = signature_paragraphs(lines[i : signed_until + 1])
            units.extend(
                number_paragraphs((*root_locator, SIGNATURES), (*root_key, *current_key[0]), block)
            )
            # What follows is under its own heading, not under the signatures.
            stack.clear()
            current_key[0] = (slugify(first_section),)
            continue
        level = heading_level(text, lines, i) if text else None
        if level is None:
            body.append(line)
            continue
        flush()
        while stack and stack[-1][0] >= level:
            stack.pop()
        full = heading_text(text)
        # The locator shortens a long heading; the passage quotes it whole.
        title = full if len(full) <= 150 else full[:140].rsplit(" ", 1)[0] + " …"
        stack.append((level, title, short_slug(title)))
        current_key[0] = section_key()
        heading_line[0] = Line(full, line.page)
    flush()
    return units


def heading_text(text: str) -> str:
    """A heading line without its markup."""
    text = re.sub(r"^[#\s■▪•*\-]+", "", text)
    text = re.sub(r"\*\*|__|<[^>]+>|\^\{|\}", "", text)
    return re.sub(r"\s+", " ", text).strip(" :")


# "A Cambremer, le 10 juillet 2025": where and when a contract was signed, a statement.
PLACE_AND_DATE = re.compile(r"^(?:Fait )?[AÀà] [A-ZÀ-Ý][\w' -]+, le \d{1,2}(?:er)? \w+ \d{4}$")
SIGNATURES = "Signatures"
# A list item's line: "- …", "• …".
BULLET_START = re.compile(r"^\s*[-–•▪◦*]\s")


def signature_end(lines: Sequence[Line], start: int) -> int:
    """The last line of the signature block that opens on `lines[start]` (its place and
    date): the signatories' short lines, up to a list ("Les annexes :" and its items)
    or running text."""
    last = start
    for j in range(start + 1, len(lines)):
        text = lines[j].text.strip()
        if not text:
            continue
        following = next((ln.text.strip() for ln in lines[j + 1 :] if ln.text.strip()), "")
        if (
            BULLET_START.match(text)
            or len(text) > 200
            or (text.endswith(".") and len(text) > 80)
            or (text.endswith(":") and BULLET_START.match(following))
        ):
            break
        last = j
    return last


def signature_paragraphs(lines: Sequence[Line]) -> list[tuple[str, int | None]]:
    """The block as passages: the place and date with each signatory's title and name
    ("Le Président de la Communauté d'Agglomération Lisieux Normandie, François AUBEY"),
    then each list it goes on with ("Les signataires :", "En présence des membres du
    Comité de Pilotage") with its rows."""
    paras = [
        (text if "\t" in text else re.sub(r"\s*\n\s*", " ", text), page)
        for text, page in paragraphs(lines)
    ]
    out: list[tuple[str, int | None]] = []
    opening = True
    for text, page in paras:
        if opening and out and (text.endswith(":") or "\t" in text):
            opening = False
        if not out:
            out.append((text, page))
        elif opening:
            prev = out[-1][0]
            out[-1] = (f"{prev}{' ' if prev.endswith(',') else chr(10)}{text}", out[-1][1])
        elif "\n" not in out[-1][0] and not out[-1][0].endswith(".") and "\t" not in out[-1][0]:
            # A one-line title ("Les signataires :") heads the rows that follow it.
            out[-1] = (f"{out[-1][0]}\n{text}", out[-1][1])
        else:
            out.append((text, page))
    return out


def looks_like_title(text: str, max_len: int = 110) -> bool:
    """A short line that reads as a title rather than as a sentence."""
    stripped = text.strip()
    return (
        2 < len(stripped) <= max_len
        and not PLACE_AND_DATE.match(stripped)
        and stripped[0].isupper()
        and not stripped.endswith((".", ";", ",", "»", ")"))
        and "\t" not in stripped
        and not re.match(r"^[-•–]|^\d+[.)]\s", stripped)
        and not re.search(r"https?://|\.{4,}", stripped)
    )
