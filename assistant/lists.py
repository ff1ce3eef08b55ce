"""Answers that list a document's own structure, and lists that run over several passages.

"Quels enjeux structurent la priorité 5 du PTSM ?" is answered from the parsed structure
(the locators of the chunks), each item quoted from a passage that states it. A sentence
that ends in ":" ("… s'articule autour de 12 priorités d'action :") is followed by the
items of the next passages of its section. Pure: functions over chunks and passages.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache

from assistant.answer import BULLET, Composition, quote, render, split_sentences
from assistant.evidence import new_names
from assistant.query import QueryAnalysis
from assistant.types import Citation, Passage
from indexer.cleaning import fold
from indexer.lexical import analyze
from indexer.types import Chunk

# Structural units a question may ask about: (unit, words that ask to list them, words
# that ask which one holds an answer — "dans quelle fiche action …", locator element).
_UNITS: tuple[tuple[str, str, str | None, str], ...] = (
    (
        "action prioritaire",
        r"actions prioritaires",
        r"action prioritaire",
        r"Action prioritaire #?\d+",
    ),
    ("fiche", r"(?:fiches?(?: actions?)?|fa)", r"fiche(?: action)?", r"Fiche action \d+\.\d+"),
    ("objectif", r"objectifs?(?: operationnels?)?", r"objectif(?: operationnel)?", r"Objectif \d+"),
    ("enjeu", r"enjeux", r"enjeu", r"Enjeux? \d+"),
    ("axe", r"axes", r"axe(?: strategique)?", r"Axe \d+"),
    ("priorite", r"priorites", r"priorite", r"Priorité \d+"),
    ("chantier", r"chantiers", r"chantier", r"Chantier\b"),
)
_ASKS = r"(?:quel(?:le)?s(?: sont)?(?: les)?\s+|combien d(?:e\s+|['’]\s*)|lister? les\s+|les\s+)(?:\d+\s+)?"
_TITLE = re.compile(r"«\s*(.+?)\s*»|:\s*(.+)$")
_LABEL = (
    r"(?:(?:Objectif|Enjeux?|Priorité|Axe|Action(?: prioritaire)?|Fiche action|FA)\s*#?"
    r"[\d.]+(?:\s*et\s*\d+)?\s*[:–-]?\s*)?"
)
_HEADING = re.compile(r"^(?:Action prioritaire|Priorité|Axe|Objectif|Enjeu)\s*#?\s*\d+\s*$", re.I)
# "Action prioritaire #1 - Relever le défi du vieillissement …": a numbered unit and its
# title on one line, an item of the list of units a "…:" sentence announces.
_NUMBERED_ITEM = re.compile(
    r"^(?:Action prioritaire|Priorité|Axe|Objectif|Enjeu)\s*#?\s*\d+\s*[-–•:]\s*\w", re.I
)
MAX_ITEMS = 30


@dataclass(frozen=True)
class StructureRequest:
    unit: str  # "objectif", "enjeu", "fiche"…
    pattern: re.Pattern[str]  # a locator element of that unit
    count: int | None  # "les 12 actions prioritaires": the number the question states


def structure_request(question: str) -> StructureRequest | None:
    """The structural unit the question asks to list, if it asks for one."""
    text = fold(question)
    for unit, asked, _, element in _UNITS:
        match = re.search(rf"\b{_ASKS}({asked})\b", text)
        if match:
            stated = re.search(rf"\bles (\d+) {asked}\b", text)
            return StructureRequest(
                unit, re.compile(rf"^{element}", re.I), int(stated.group(1)) if stated else None
            )
    return None


_WHICH_ONES = re.compile(r"\blesquel(?:le)?s\b|\bquel(?:le)?s sont[- ](?:elles|ils)\b")


def asks_which_ones(question: str) -> bool:
    """Does a count question ask for the items too ("… combien de FA ? lesquelles ?")?"""
    return bool(_WHICH_ONES.search(fold(question)))


def _parent_pattern(analysis: QueryAnalysis, unit: str) -> re.Pattern[str] | None:
    """The enclosing unit the question names: "de la priorité 4", "de l'axe 2"."""
    if analysis.priority is not None and unit != "priorite":
        return re.compile(
            rf"^(?:Priorité {analysis.priority}\b|Action prioritaire #?{analysis.priority}\b)"
        )
    if analysis.axis is not None and unit != "axe":
        return re.compile(rf"^Axe {analysis.axis}\b")
    return None


def children(
    chunks: Sequence[Chunk],
    document_id: str,
    request: StructureRequest,
    parent: re.Pattern[str] | None,
) -> list[tuple[str, list[Chunk]]]:
    """The units of the document (within `parent`), in order, each with its chunks."""
    found: dict[str, list[Chunk]] = {}
    for chunk in chunks:
        if chunk.document_id != document_id:
            continue
        for depth, element in enumerate(chunk.locator):
            if not request.pattern.match(element):
                continue
            if parent is not None and not any(parent.match(e) for e in chunk.locator[:depth]):
                break
            found.setdefault(element, []).append(chunk)
            break
    return list(found.items())


def within_named_parent(
    question: str, unit: str, units: list[tuple[str, list[Chunk]]]
) -> list[tuple[str, list[Chunk]]]:
    """The units under the enclosing unit the question names by its title, not its number.

    "Quelles fiches actions composent l'axe sur l'attractivité du territoire ?" asks for
    the fiches of "Axe 5 « Œuvrer pour l'attractivité du territoire »" only; "quels
    chantiers relèvent de la priorité « Améliorer la santé mentale des Normands » ?" for
    those under that heading, which a bilan writes without its label. The heading is the
    one most of whose title words the question uses (at least two, at least half of
    them), among the headings that enclose some of the units but not all. All the units
    when the question names no enclosing unit, or none such.
    """
    text = fold(question)
    if not any(
        which and other != unit and re.search(rf"\b{which}\b", text)
        for other, _, which, _ in _UNITS
    ):
        return units
    enclosing = [
        set(own[0].locator[: own[0].locator.index(element)]) if element in own[0].locator else set()
        for element, own in units
    ]
    if not enclosing:
        return units
    shared = set.intersection(*enclosing)
    asked = set(analyze(question))
    scored = []
    for heading in set.union(*enclosing) - shared:
        terms = set(analyze(title_of(heading)))
        used = terms & asked
        if terms and len(used) >= 2 and len(used) >= len(terms) / 2:
            scored.append((len(used) / len(terms), len(used), heading))
    if not scored:
        return units
    scored.sort(reverse=True)
    if len(scored) > 1 and scored[1][:2] == scored[0][:2]:
        return units
    best = scored[0][2]
    return [u for u, above in zip(units, enclosing, strict=True) if best in above]


def title_of(element: str) -> str:
    """The title of a locator element: "Objectif 7 « développer … »" → "développer …"."""
    match = _TITLE.search(element)
    return (match.group(1) or match.group(2)).strip() if match else element.strip()


def find_span(text: str, title: str, label: str | None = None) -> str | None:
    """The exact span of `text` that states `title`, with its label ("Objectif 7 : …").

    With `label` ("Objectif 7"), only a span that carries that label counts: a short
    title ("droits des usagers") also occurs in ordinary sentences.
    """
    pattern = _span_pattern(title, label)
    match = pattern.search(text) if pattern else None
    return match.group(0).strip() if match else None


@lru_cache(maxsize=2048)
def _span_pattern(title: str, label: str | None) -> re.Pattern[str] | None:
    """The compiled pattern of `find_span`: built once per title, read on every passage."""
    words = re.findall(r"\w+", title)
    if not words:
        return None
    body = r"\W+".join(re.escape(w) for w in words)
    if label:
        head, number = label.rsplit(" ", 1)
        prefix = rf"{re.escape(head)}s?\s*#?\s*{re.escape(number)}\b[^:«]{{0,12}}[:–-]?\s*"
        return re.compile(rf"{prefix}«?\s*{body}", re.I)
    return re.compile(rf"{_LABEL}{body}", re.I)


def _label(element: str) -> str | None:
    match = re.match(
        r"(Objectif|Enjeu|Priorité|Axe|Action prioritaire|Fiche action)\s*#?\s*([\d.]+)", element
    )
    return f"{match.group(1)} {match.group(2)}" if match else None


def _quote_item(element: str, own: Sequence[Chunk], document: Sequence[Chunk]) -> tuple[Chunk, str]:
    """A passage that states the item, and the verbatim sentence (or span) to quote.

    The item's own passages first (a fiche's "Intitulé"), then a labelled mention
    elsewhere in the document (a summary: "Objectif 7 : développer …"), else the
    first sentence of the item's own text.
    """
    title = title_of(element)
    hits = [(c, find_span(c.text, title)) for c in own]
    hits = [(c, s) for c, s in hits if s]
    if hits:
        chunk, span = min(hits, key=lambda h: len(h[0].text))
        sentence = next((x for x in split_sentences(chunk.text) if span in x), span)
        return chunk, sentence if len(sentence) <= 160 and "\n" not in sentence else span
    labelled = _labelled_mention(element, document)
    if labelled:
        return labelled
    first = own[0]
    sentences = split_sentences(first.text)
    return first, sentences[0] if sentences else first.text


def structure_answer(
    question: str,
    analysis: QueryAnalysis,
    passages: Sequence[Passage],
    chunks: Sequence[Chunk],
    to_passage: Callable[[Chunk], Passage],
) -> Composition | None:
    """List the units the question asks for, or None when it does not ask for a list of them."""
    request = structure_request(question)
    if request is None:
        return None
    parent = _parent_pattern(analysis, request.unit)
    candidates = list(analysis.documents) + [p.document_id for p in passages]
    for document_id in dict.fromkeys(candidates):
        units = children(chunks, document_id, request, parent)
        if parent is None:
            units = within_named_parent(question, request.unit, units)
        if not units or (request.count is not None and len(units) != request.count):
            continue
        in_document = [c for c in chunks if c.document_id == document_id]
        picked = []
        for element, own in units[:MAX_ITEMS]:
            chunk, sentence = _quote_item(element, own, in_document)
            if not _numbered_in(element, sentence):
                # "Quelles fiches composent l'axe 4 ?": each with its number, from the
                # document's summary ("FA4.1 | Changer les regards …") when its own
                # passages give only its title.
                chunk, sentence = _labelled_mention(element, in_document) or (chunk, sentence)
            picked.append((to_passage(chunk), sentence))
        return render(picked)
    return None


def _which_unit(which: str) -> str:
    return rf"\b(?:quel(?:le)?|laquelle de la|lequel de l.)\s+{which}\b"


def asked_unit(question: str) -> re.Pattern[str] | None:
    """The locator element of the unit the question asks to name ("dans quelle fiche
    action …", "rattaché à quelle action prioritaire"), if it asks one."""
    units = asked_units(question)
    return units[0] if units else None


def asked_units(question: str) -> list[re.Pattern[str]]:
    """Every unit the question asks to name: "relève de quelle action prioritaire et de
    quel chantier ?" asks two; "dans quelle priorité se trouve l'objectif sur les
    directives anticipées ?" asks the priority and names the objective, which the
    answer gives too ("Priorité 4 …", "Objectif 4 : promouvoir les directives …")."""
    text = fold(question)
    asked = [
        element for _, _, which, element in _UNITS if which and re.search(_which_unit(which), text)
    ]
    if asked:
        asked += [
            element
            for _, _, which, element in _UNITS
            if which
            and element not in asked
            and re.search(rf"\b(?:l['’]|le |la ){which}\s+(?:sur|de|du|des|d['’]|pour)\b", text)
        ]
    return [re.compile(rf"^{element}", re.I) for element in asked]


def heading_weight(question: str) -> float:
    """How much the headings of a passage count in answering a question that asks a
    unit (0 when it asks none).

    "La prévention du suicide relève de quelle priorité ?" is answered by the unit whose
    heading is "Enjeu 5 : prévention du suicide" (0.5). "Dans quelle priorité est rangé
    l'objectif sur les GEM pour les jeunes ?" names the unit too: the objective whose
    heading speaks of the GEM for the young, more than a sentence of a context that
    does (1.0; all 822 questions: hq-23, hm-22, hs-19, ht-11 gain, nothing lost).
    """
    units = asked_units(question)
    return 0.0 if not units else 0.5 if len(units) < 2 else 1.0


def without_asked_unit(question: str) -> str:
    """The question without the unit it asks to name: what the answer's sentence must
    speak of. "La prévention du suicide relève de quelle priorité du PTSM ?" → "La
    prévention du suicide relève de  du PTSM ?": a line that only names a priority
    ("Priorité 6 : Promotion de la santé mentale") says nothing of what is asked."""
    # Folded character by character, so that the match's span is the question's.
    flat = "".join((fold(ch) or ch)[:1] for ch in question)
    for _, _, which, _ in _UNITS:
        match = re.search(_which_unit(which), flat) if which else None
        if match:
            return question[: match.start()] + question[match.end() :]
    return question


def name_the_unit(
    question: str,
    composition: Composition,
    chunks: Sequence[Chunk],
    position: Callable[[str], int],
    to_passage: Callable[[Chunk], Passage],
) -> Composition:
    """Open the answer with the heading of the unit its first citation belongs to.

    "Dans quelle fiche action parle-t-on de la valisette ?" is answered by a sentence
    of fiche 2.1; the answer first names it, quoting the passage that states its title
    ("Fiche action 2.1 : Santé et numérique"), then the sentence. A question that asks
    two units ("quelle action prioritaire et quel chantier") gets both, outer first.
    """
    patterns = asked_units(question)
    if not patterns or composition.abstained or not composition.citations:
        return composition
    first = chunks[position(composition.citations[0].id)]
    elements = [next((e for e in first.locator if pattern.match(e)), None) for pattern in patterns]
    depth = {e: i for i, e in enumerate(first.locator)}
    # Each heading is put first in turn: the innermost first, the outermost last.
    for element in sorted({e for e in elements if e}, key=lambda e: -depth[e]):
        composition = _name_unit(element, first, composition, chunks, to_passage)
    return composition


def _name_unit(
    element: str,
    first: Chunk,
    composition: Composition,
    chunks: Sequence[Chunk],
    to_passage: Callable[[Chunk], Passage],
) -> Composition:
    """The answer opened with a quoted heading of the unit `element` (of `first`'s
    locator)."""
    in_document = [c for c in chunks if c.document_id == first.document_id]
    own = [c for c in in_document if element in c.locator]
    chunk, sentence = _quote_item(element, own, in_document)
    if not _numbered_in(element, sentence):
        # "Mutuelle intercommunale" names fiche 2.2 by its title only; the document's
        # summary ("FA2.2 | Mutuelle intercommunale") also gives its number.
        # An action prioritaire is numbered by the regional plan: the bilan's list of
        # them ("Action prioritaire #6 - Agir collectivement …") names the roadmap's too.
        chunk, sentence = (
            _labelled_mention(element, in_document)
            or _labelled_mention(element, chunks)
            or (chunk, sentence)
        )
    if not _label_in(element, sentence):
        # The heading is only a title in the document's own list of its units
        # ("développer et renforcer l'autonomie … ;").
        title = title_of(element)
        stated = [(c, find_span(c.text, title)) for c in in_document]
        stated = [(c, span) for c, span in stated if span]
        if not stated:
            return composition
        chunk, sentence = min(stated, key=lambda h: len(h[0].text))
    if sentence in composition.text:
        return composition
    p = to_passage(chunk)
    head = Citation(1, p.id, p.document, p.document_id, p.locator, p.page, p.text)
    said = [fold(x) for x in re.split(r"\s*\[\d+\]\s*", composition.text) if x.strip()]
    if all(s in fold(sentence) for s in said):
        # The answer was the unit's bare title ("Mutuelle intercommunale"): the labelled
        # mention says it all ("FA2.2 | Mutuelle intercommunale").
        return Composition(quote(sentence, 1), (head,), False)
    cited = {c.id: c.n for c in composition.citations}
    if chunk.id in cited:
        return Composition(
            f"{quote(sentence, cited[chunk.id])} {composition.text}",
            composition.citations,
            False,
        )
    shifted = re.sub(r"\[(\d+)\]", lambda m: f"[{int(m.group(1)) + 1}]", composition.text)
    citations = (head, *(replace(c, n=c.n + 1) for c in composition.citations))
    return Composition(f"{quote(sentence, 1)} {shifted}", citations, False)


def _label_in(element: str, sentence: str) -> bool:
    """Does the quoted sentence name the unit itself (its number or its title)?"""
    return _numbered_in(element, sentence) or fold(title_of(element))[:40] in fold(sentence)


def _numbered_in(element: str, sentence: str) -> bool:
    """Does the quoted sentence give the unit's number ("2.2", "#6")?"""
    label = _label(element)
    number = label.rsplit(" ", 1)[1] if label else ""
    return bool(number and re.search(rf"(?<![\d.]){re.escape(number)}(?![\d.])", sentence))


def _labelled_mention(element: str, document: Sequence[Chunk]) -> tuple[Chunk, str] | None:
    """The shortest passage stating the unit with its number and title, and that span.

    A fiche action is also labelled "FA2.2" or "Action 2.2" in the documents.
    """
    label = _label(element)
    if not label:
        return None
    number = label.rsplit(" ", 1)[1]
    labels = [label]
    if label.startswith("Fiche action"):
        labels += [f"FA {number}", f"Action {number}"]
    title = title_of(element)
    found = [(c, find_span(c.text, title, x)) for x in labels for c in document]
    found = [(c, span) for c, span in found if span]
    return min(found, key=lambda h: len(h[0].text)) if found else None


def is_list_intro(sentence: str) -> bool:
    return sentence.rstrip().endswith(":")


def continue_list(
    composition: Composition,
    following: Callable[[str], Sequence[Chunk]],
    to_passage: Callable[[Chunk], Passage],
    limit: int = 14,
    question: str = "",
) -> Composition:
    """Append the items that follow a final "…:" sentence in the next passages of its section.

    `question`: an announcement that says nothing the question does not already say
    gives way to the passage that names what it announces.
    """
    if composition.abstained or not composition.citations:
        return composition
    last = composition.citations[-1]
    sentences = split_sentences(last.text)
    if not sentences:
        return composition
    if not is_list_intro(sentences[-1]):
        return _continue_enumeration(composition, following, to_passage, question)
    if not composition.text.rstrip().endswith(f"[{last.n}]"):
        return composition
    tail = composition.text.rstrip()[: -len(f"[{last.n}]")].rstrip()
    if not tail.endswith(sentences[-1].split("\n")[-1].strip()):
        return composition
    numbers = {c.id: c.n for c in composition.citations}
    citations = list(composition.citations)
    parts = [composition.text]
    items = 1
    for chunk in following(last.id):
        text = chunk.text.strip()
        if _HEADING.match(text):
            continue  # "Action prioritaire #3": the label of the next item
        if not (BULLET.match(text) or _NUMBERED_ITEM.match(text)) or items > limit:
            break
        p = to_passage(chunk)
        if p.id not in numbers:
            numbers[p.id] = len(numbers) + 1
            citations.append(
                Citation(numbers[p.id], p.id, p.document, p.document_id, p.locator, p.page, p.text)
            )
        # "Action prioritaire #1" / "- Relever le défi …": the unit with its title.
        items += 1
        lines = split_sentences(p.text)[: 2 if _NUMBERED_ITEM.match(text) else 1]
        parts.extend(quote(line, numbers[p.id]) for line in lines)
    return Composition(" ".join(parts), tuple(citations), False)


_ENUMERATION = re.compile(r"^(?:il s'agit|ce sont|il s’agit)\b", re.I)


def _continue_enumeration(
    composition: Composition,
    following: Callable[[str], Sequence[Chunk]],
    to_passage: Callable[[Chunk], Passage],
    question: str = "",
) -> Composition:
    """Append the next passage when it names what the answer announces ("Il s'agit du …").

    When the first cited passage announces ("trois porteurs ont répondu …") and the next
    one names them, the answer is the two of them: sentences cited from other passages
    are dropped. When the announcement names nothing that the question and the named
    items do not ("Quels pôles de santé ont répondu à l'appel de l'ARS ?" — "Dans le
    Calvados, trois porteurs ont répondu à l'appel de l'ARS …"), the items alone answer.
    """
    if not composition.citations:
        return composition
    head = composition.citations[0]
    nxt = list(following(head.id))[:1]
    if not nxt or not _ENUMERATION.match(nxt[0].text.strip()):
        return composition
    if any(c.id == nxt[0].id for c in composition.citations):
        return _without_announcement(composition, question)
    text = composition.text
    if len(composition.citations) > 1:
        marker = f"[{head.n}]"
        end = text.rfind(marker, 0, text.find(f"[{composition.citations[1].n}]"))
        if end < 0:
            return composition
        text = text[: end + len(marker)]
    p = to_passage(nxt[0])
    first = split_sentences(p.text)[0]
    citation = Citation(2, p.id, p.document, p.document_id, p.locator, p.page, p.text)
    named = Composition(f"{text} {quote(first, 2)}", (head, citation), False)
    return _without_announcement(named, question)


def _without_announcement(composition: Composition, question: str) -> Composition:
    """An answer [1] announcement [2] items, without the announcement when it names
    nothing that the question and the items do not."""
    if not question or len(composition.citations) != 2:
        return composition
    text = composition.text
    start = text.find("[2]")
    end = text.rfind("[1]", 0, start)
    if end < 0 or "[1]" in text[start:]:
        return composition
    announced, items = text[:end], text[end + len("[1]") :].strip()
    if new_names(re.sub(r"\s*\[\d+\]", "", announced), f"{question} {items}"):
        return composition
    item = replace(composition.citations[1], n=1)
    return Composition(items.replace("[2]", "[1]"), (item,), False)


def following_chunks(chunks: Sequence[Chunk], position: int, limit: int = 40) -> list[Chunk]:
    """The chunks after `position` in the same section, in document order."""
    section = chunks[position].section
    out = []
    for chunk in chunks[position + 1 : position + 1 + limit]:
        if chunk.section != section:
            break
        out.append(chunk)
    return out


def names_unknown_unit(analysis: QueryAnalysis, chunk_ids: Iterable[str]) -> bool:
    """Does the question name a fiche or objective no document has ("fiche action 8.1")?"""
    patterns = []
    if analysis.fiche:
        patterns.append(f"/fa-{analysis.fiche}/")
    if analysis.priority and analysis.objective:
        patterns.append(f"/p{analysis.priority}/o{analysis.objective}/")
    if analysis.axis and not analysis.fiche:
        patterns.append(f"/fa-{analysis.axis}.")
    return any(not any(p in f"{cid}/" for cid in chunk_ids) for p in patterns)


def preceding_text(chunks: Sequence[Chunk], position: int, cell_chars: int = 0) -> str:
    """The text of the chunk just before `position` when it is in the same section.

    A chunk of at most `cell_chars` characters is a table cell ("ONDAM PDS : 250.000 €"):
    its row goes on in the next chunk too ("File active … site CSAPA de Falaise").
    """
    chunk = chunks[position]
    before = chunks[position - 1] if position > 0 else None
    text = before.text if before is not None and before.section == chunk.section else ""
    if len(chunk.text) <= cell_chars and position + 1 < len(chunks):
        after = chunks[position + 1]
        if after.section == chunk.section:
            text = f"{text} {after.text}".strip()
    return text
