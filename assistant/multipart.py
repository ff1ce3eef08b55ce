"""Questions that ask two things: one cited answer per part. Pure.

"Quel montant la feuille de route 2024 prévoyait-elle et combien l'ARS a-t-elle
finalement financé ?" asks an amount from one document and an amount from another;
"… selon le bilan du Havre et selon le PTSM ?" asks the same thing of two documents.
Each part is answered on its own (its kind of evidence, its document), with the words
the parts share ("Pour les 3 places d'ACT…") carried into each.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from assistant.answer import (
    Candidate,
    Composition,
    list_tail,
    rank_sentences,
    render,
    supported,
)
from assistant.query import FICHE_NUMBER, QueryAnalysis, analyze_question, statement_topic
from assistant.types import Passage

_ASK = (
    r"(?:quel(?:le)?s?|combien|quand|comment|lesquel(?:le)?s|a quel(?:le)?|à quel(?:le)?|"
    r"à partir de|a partir de|depuis quand|pour combien|où|ou en est)"
)
# "qui la porte", "qui le pilote": a role asked of the unit the first part names.
_CHAIN_PRONOUN = (
    r"qui\s+(?:(?:la|le|l['’])\s*(?:port|pilot|coordonn|anim|financ)\w*"
    # "qui en assure le portage", "qui en est le porteur / le pilote"
    r"|en\s+(?:assure|est|sont|a)\s+(?:le|la|les)\s+(?:port|pilot|coordin|anim|financ)\w*)"
)
# The first part asks which unit: "laquelle", "quelle action", "quelle fiche".
_ASKS_UNIT = re.compile(
    r"\b(?:laquelle|lequel|quel(?:le)? (?:action|fiche|objectif|axe|priorit))", re.I
)
# "… l'EMAS de Lillebonne et (pour) celle de Caen 1": the same question of another entity.
_PRONOUN = r"(?:(?:pour|à|a|de|dans|sur)\s+)?(?:celle|celui|celles|ceux)\s+"
# "… et quand", "…, et avec quel financement", "…, et ça fait combien d'ETP".
_JOIN = re.compile(
    rf",?\s+et\s+(?=(?:[\w'’-]+\s+){{0,3}}?(?:{_ASK})\b|(?:selon|d'après|d’après|dans)\s|"
    rf"{_PRONOUN}d)"
    # "…, et qui est l'association gestionnaire ?": after a pause, "qui" asks again
    # (without one it may be relative: "les structures qui accueillent et qui
    # financent"); "…, et qui l'avait recruté ?" asks of the first part's answer.
    r"|,\s+et\s+(?=qui\s(?!l['’]|le\s|la\s|les\s|lui\s|leur\s))"
    # "… sert de parrain et qui est l'association gestionnaire ?": "qui est le/la …"
    # asks, even without a pause.
    r"|\s+et\s+(?=qui (?:est|sont) (?:l['’]|le |la |les ))"
    # "…: laquelle, et qui la porte ?": of the unit the first part names.
    rf"|,\s+et\s+(?={_CHAIN_PRONOUN})",
    re.I,
)
# "combien d'enjeux et d'objectifs opérationnels", "combien de priorités, d'enjeux et
# d'objectifs": the same count of two or three units.
_OF = r"(d(?:e |['’]))"
_COUNTS = re.compile(rf"\bcombien {_OF}(\w+)(?:, {_OF}(\w+))? et {_OF}(\w+(?: \w+)?)", re.I)
_ASK_ONLY = re.compile(rf"^(?:{_ASK})$", re.I)
_BARE_ASK = re.compile(rf"^(?:{_ASK})\s+[\w'’-]+$", re.I)
_ASKS = re.compile(rf"\b{_ASK}\b|\bqui\b|\bque\b|\bquoi\b|\bqu['’]", re.I)
_OTHER_ENTITY = re.compile(rf"^{_PRONOUN}(d.*)$", re.I)
# The last "de …" complement of the first part: "… EMAS| de Lillebonne".
_COMPLEMENT = re.compile(
    r"\s(?:de la|de l['’]|de|du|des|d['’])\s?(?!.*\s(?:de|du|des|d['’])\s?)", re.I
)
# "… de Caen et de Lillebonne", "… du Calvados et du Havre": two named entities after
# the same preposition.
_NAME = r"(?:l['’])?[A-ZÀ-Ý][\w’'-]*(?:\s+[A-ZÀ-Ý0-9][\w’'-]*)*"
_PAIR = re.compile(
    rf"\b(?P<prep>de|du|à|au|sur)\s+(?P<a>{_NAME})\s+et\s+(?P=prep)\s+(?P<b>{_NAME})"
)
_LEAD = re.compile(rf"^(.*?)\b{_ASK}\b", re.I)
_SOURCE = re.compile(r"\s*(?:selon|d'après|d’après|dans)\s.*$", re.I)
MIN_PART_WORDS = 3
SAID_MARGIN = 0.15


@dataclass(frozen=True)
class Part:
    text: str  # the sub-question, with the shared words carried in
    analysis: QueryAnalysis
    topic: str = ""  # the words its answer should speak of, when wider than `text`
    # It names nothing but what it asks ("…, et pour combien de places ?"): another
    # attribute of the first part's subject, which the first answer may already give.
    bare: bool = False
    # It asks of the unit the first part's answer names: "… à une action du CLS :
    # laquelle, et qui la porte ?" is asked of "l'action 4.1" once the first part is answered.
    chain: bool = False


def split_question(question: str) -> list[Part]:
    """The parts of a two-part question (one part when it asks one thing)."""
    body = question.strip().rstrip("?").strip()
    counts = _COUNTS.search(body)
    if counts:
        groups = counts.groups()
        units = [f"{of}{unit}" for of, unit in zip(groups[::2], groups[1::2], strict=True) if unit]
        before, after = body[: counts.start()], body[counts.end() :]
        word = body[counts.start() : counts.start() + len("combien")]  # its case kept
        texts = [f"{before}{word} {unit}{after}" for unit in units]
        return [Part(t, analyze_question(t)) for t in texts]
    pair = _PAIR.search(body)
    if pair:
        # "Les EMAS de Caen et de Lillebonne ont-elles le même financement ?": the same
        # question of each named entity (each may still ask two things).
        before, after, prep = body[: pair.start()], body[pair.end() :], pair.group("prep")
        texts = [f"{before}{prep} {pair.group(name)}{after} ?" for name in ("a", "b")]
        return [part for text in texts for part in split_question(text)]
    pieces = [p.strip(" ,") for p in _JOIN.split(body) if p.strip(" ,")]
    if len(pieces) > 2 and _ASK_ONLY.match(pieces[0]):
        # "Quand et où a été signé le CLS, et quand le premier ?": the two question words
        # with nothing before them ask one part.
        pieces = [f"{pieces[0]} et {pieces[1]}", *pieces[2:]]
    lead = _LEAD.match(pieces[0])
    shared = lead.group(1).strip(" ,") if lead else ""
    # "… a été signé à quelle date, et où ?": a bare question word asks of the same thing.
    short = [
        p
        for p in pieces[1:]
        if len(p.split()) < MIN_PART_WORDS and not (shared and _ASK_ONLY.match(p))
    ]
    # "Le bilan donne 91 % en Seine-Maritime ; et dans l'Eure, quel pourcentage ?": what
    # comes before "et" states, it does not ask.
    if (
        len(pieces) < 2
        or len(pieces[0].split()) < MIN_PART_WORDS
        # "A quelle date et dans quelle commune le CLS a-t-il été signé ?": the first
        # part is a bare question word, both ask of the subject that follows.
        or _BARE_ASK.match(pieces[0])
        or short
        or not (_ASKS.search(pieces[0]) or _ASKS_UNIT.search(pieces[0]))
    ):
        return [Part(question, analyze_question(question))]
    if ":" in shared:
        # "valisette de l'agglo : elle a coûté combien, et depuis quand …": the topic
        # before the colon is shared, not the first part's verb after it.
        shared = shared.rsplit(":", 1)[0].strip()
    parts = [Part(pieces[0], analyze_question(pieces[0]))]
    complement = _COMPLEMENT.search(pieces[0])
    for piece in pieces[1:]:
        if re.match(_CHAIN_PRONOUN, piece, re.I) and _ASKS_UNIT.search(pieces[0]):
            parts.append(Part(piece, analyze_question(piece), chain=True))
            continue
        other = _OTHER_ENTITY.match(piece)
        if other and complement:
            # "… la nouvelle EMAS de Lillebonne" → "… la nouvelle EMAS de Caen 1": a
            # whole question of its own.
            text = f"{pieces[0][: complement.start()]} {other.group(1)}"
            parts.append(Part(text, analyze_question(text)))
            continue
        if re.match(r"(?:selon|d'après|d’après|dans)\s", piece, re.I) and not _ASKS.search(piece):
            # "… selon le bilan et selon le PTSM": the same question of another source.
            text = f"{_SOURCE.sub('', pieces[0])} {piece}"
        else:
            text = f"{shared} {piece}".strip()
        if len(text.split()) < MIN_PART_WORDS:
            return [Part(question, analyze_question(question))]
        # "… au SAS et à quel moment le service a-t-il démarré": without shared words,
        # the later part speaks of the first part's subject.
        # "Dans le PTSM, combien de GEM …, et dans quelles villes ?": a later part that
        # names nothing but what it asks ("villes"), after shared words that only name
        # the source, asks of the first part's subject.
        bare = len(_own_words(piece)) <= 1 and len(_own_words(_SOURCE.sub("", shared))) <= 1
        topic = f"{pieces[0]} {piece}" if bare or not shared else text
        parts.append(Part(text, analyze_question(text), topic, bare))
    return parts


def _own_words(piece: str) -> list[str]:
    """The words of a text besides its question and function words ("villes" in "dans
    quelles villes")."""
    rest = re.sub(rf"\b{_ASK}\b", " ", piece, flags=re.I)
    return [w for w in re.findall(r"[^\W\d_]{3,}", rest) if w.lower() not in _FUNCTION_WORDS]


_FUNCTION_WORDS = frozenset("dans pour par sur avec les des une est ont sont".split())


def compose_parts(
    question: str,
    passages: Sequence[Passage],
    fields: Mapping[str, str | None],
    idf: Mapping[str, float] | None = None,
    context: Mapping[str, str] | None = None,
    min_coverage: float = 0.15,
    min_residual: float = 0.15,
    pools: Mapping[str, Sequence[Passage]] | None = None,
    aliases: Sequence[tuple[str, str]] = (),
    statement: str = "",
    search: Callable[[str], Sequence[Passage]] | None = None,
) -> Composition | None:
    """One cited sentence per part of a two-part question; None for a one-part question.

    Args:
        pools: part text -> the passages retrieved for that part alone; each part reads
            them before the passages of the whole question.
        statement: the sentences before the question ("La CALN a une valisette de
            téléconsultation."), whose subject the parts speak of ("combien a-t-elle
            coûté"): read for coverage only.
        search: retrieves for a part asked of the unit the first answer names ("qui la
            porte" → "qui porte la fiche action 4.1"), which only that answer tells.
    """
    parts = split_question(question)
    if len(parts) < 2:
        return None
    topic = statement_topic(statement)
    chosen: list[tuple[Passage, str]] = []
    used_documents: set[str] = set()
    for part in parts:
        if part.chain:
            part = _of_named_unit(part, chosen)
            if part is None:
                continue
            if search is not None:
                pools = {**(pools or {}), part.text: list(search(part.text))}
        own = list((pools or {}).get(part.text, ()))
        seen = {p.id for p in own}
        pool = own + [p for p in passages if p.id not in seen]
        candidates = [
            c
            for c in rank_sentences(
                part.text,
                part.analysis,
                pool,
                fields,
                idf,
                context,
                topic=f"{topic} {part.topic or part.text}" if topic else part.topic or None,
                aliases=aliases,
            )
            # A later part that leans on the first one's subject ("et à quel moment le
            # service a-t-il démarré") need not restate it.
            if supported(c, min_coverage, 0.0 if part.topic else min_residual)
        ]
        if not candidates:
            continue
        # The parts of a comparison usually come from different documents.
        # A document the part names is preferred, not required: "Lisieux" names the
        # CLS, but the roadmap too speaks of the arrondissement de Lisieux.
        best = max(
            candidates,
            key=lambda c: _preference(c, pool, used_documents, part.analysis.documents),
        )
        said = {(p.id, s) for p, s in chosen}
        if best.sentence in {s for _, s in said} or (
            part.bare
            and any(
                (pool[c.rank].id, c.sentence) in said and c.score >= best.score - SAID_MARGIN
                for c in candidates
            )
        ):
            # A sentence already chosen answers this part too ("… 11 médecins retraités
            # … depuis le 18 mars 2024" for "combien …, et depuis quand ?"), or, for an
            # attribute of the same subject, nearly as well as the best sentence of
            # another document ("142 380 € pour 12 places" for "quelle enveloppe …, et
            # pour combien de places ?").
            continue
        chosen.append((pool[best.rank], best.sentence))
        if best.sentence.rstrip().endswith(":"):
            # "…, et comment se répartissent-elles ?" → "… de nouvelles solutions :" and
            # the items it introduces ("- Secteur enfants : 15 places", …).
            chosen.extend(
                (pool[best.rank], item) for _, item in list_tail(pool[best.rank], best.index)
            )
        used_documents.add(pool[best.rank].document_id)
    if not chosen:
        return None
    return render(chosen)


def _of_named_unit(part: Part, chosen: Sequence[tuple[Passage, str]]) -> Part | None:
    """The part asked of the unit the answer so far names: "qui la porte dans le CLS" →
    "qui porte la fiche action 4.1 dans le CLS" (None when the answer names no unit)."""
    said = " ".join(sentence for _, sentence in chosen)
    unit = FICHE_NUMBER.search(said)  # "Action 4.1 – changer les regards …"
    if unit is None:
        return None
    fiche = f"la fiche action {unit.group(1)}.{unit.group(2)}"
    role = re.match(r"qui\s+(?:la|le|l['’])\s*(\w+)(.*)$", part.text, re.I)
    # "qui en assure le portage côté CLS" → "qui assure le portage de la fiche action …"
    of = re.match(r"qui\s+en\s+(\w+\s+\w+\s+\w+)(.*)$", part.text, re.I)
    if role is not None:
        text = f"qui {role.group(1)} {fiche}{role.group(2)}"
    elif of is not None:
        text = f"qui {of.group(1)} de {fiche}{of.group(2)}"
    else:
        return None
    return Part(text, analyze_question(text))


def _preference(
    c: Candidate, pool: Sequence[Passage], used: set[str], named: Sequence[str] = ()
) -> float:
    document = pool[c.rank].document_id
    return c.score + (0.3 if document not in used else 0.0) + (0.3 if document in named else 0.0)


__all__ = ["Part", "compose_parts", "split_question"]
