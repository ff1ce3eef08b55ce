"""Extractive answers: pick the sentences that answer, cite them, or abstain. Pure.

Every answer sentence is copied verbatim from the passage it cites, so an answer can
be pasted into a report and checked against the quoted source.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

from assistant.evidence import (
    REQUIRED_ROLES,
    about_an_earlier_one,
    acronyms_of,
    announced_count,
    asks_person,
    competing_names,
    count_qualifier,
    count_unit,
    defined_subject,
    defines,
    event_years,
    gives_months_for_year,
    has_evidence,
    in_digits,
    in_signature_block,
    is_label_line,
    left_undecided,
    missing_names,
    names_person,
    names_rated,
    names_role,
    names_year,
    new_bodies,
    new_names,
    new_numbers,
    other_department,
    other_territory,
    other_year,
    refers_to_another,
    repeats_role,
    role_label,
    role_verbs,
    situating_names,
    spelled_span,
    spells_out,
    states_count,
    term_pattern,
    unit_near_number,
    without_periods,
)
from assistant.query import FICHE_NUMBER, QueryAnalysis, asks_composition, named_documents
from assistant.types import Citation, Passage
from indexer.cleaning import fold, strip_accents
from indexer.lexical import analyze

__all__ = [
    "ABSTAIN_TEXT",
    "Composition",
    "compose",
    "content_terms",
    "has_evidence",
    "missing_names",
    "render",
    "split_sentences",
    "weighted_coverage",
]

ABSTAIN_TEXT = "Les documents ne le précisent pas."
_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+(?=[A-ZÀ-ÖØ-Ý0-9«\"(\-•])")
# A line that starts a new item or sentence; any other line continues the previous one
# (PDF text wraps mid-sentence: "s'appuyer sur\nl'équipe d'Ariane").
_LINE_START = re.compile(r"\s*(?:[-–•▪◦*]|o\s|\d|[A-ZÀ-ÖØ-Ý«\"(])")
BULLET = re.compile(r"\s*(?:[-–•▪◦*]|o\s|\d+\s*[.)–-]\s)")
_ANAPHORA = re.compile(
    r"^(?:[-•]\s*)?(?:il|elle|ils|elles|ce|cet|cette|ces|celui|celle|ceux|celles|ceci|cela|"
    r"le dispositif|ce dispositif|la structure|cette structure|son|sa|ses|leur|leurs)\b",
    re.I,
)
# A figure that refers back to the previous sentence's ("Sur le territoire de la
# CALN, ce taux est supérieur à 45%.").
_BACK_REFERENCE = re.compile(
    r"\b(?:ce|cet|cette|ces) (?:taux|chiffre|nombre|part|proportion|indicateur|écart|montant)s?\b",
    re.I,
)
_GENERIC = frozenset(
    analyze(
        "fiche action document documents cls ptsm bilan feuille route quel quelle quels "
        "quelles combien organisme structure qui porte porteur pilote nombre montant date "
        "calvados normandie territoire dans le la les pour prévu prévue prévues selon "
        "après parmi concernant quoi ainsi aussi notamment fdr quand faut doit doivent comment "
        "définit définissent définition signifie signifient veut veulent dire désigne "
        "désignent entend entendent "
        # "il se voit souvent ?", "à quelle fréquence ?": how often is asked, not said.
        "souvent fréquence périodicité voit voient"
    )
)
# The question's own words for "what does it mean" are generic or fillers already;
# "sigle" is the one a defined term must not be taken for.
_QUESTION_WORDS = frozenset(analyze("sigle"))
# Words of the spoken register that say nothing of the topic ("ça sert à quoi
# concrètement ?"): a sentence need not hold them.
_FILLERS = frozenset(
    analyze(
        "ça ca cela sert servent concrètement exactement précisément réellement vraiment "
        "finalement globalement environ laquelle lequel lesquels lesquelles auquel auxquels "
        "duquel elles via"
    )
)
_FACTOID = frozenset({"who", "amount", "count", "rate", "date", "contact", "frequency"})


@dataclass(frozen=True)
class Composition:
    text: str
    citations: tuple[Citation, ...]
    abstained: bool


@dataclass(frozen=True)
class Candidate:
    """A sentence that may answer: its score, passage rank and position, and coverage."""

    score: float
    rank: int
    index: int
    sentence: str
    coverage: float
    residual: float = 1.0  # coverage of the terms its heading leaves unanswered
    framed: bool = False  # a table field or label line whose heading frames it
    role: bool = False  # names the role a "qui…" question asks, and who holds it


def _framed(kind: str, sentence: str, field: str | None) -> bool:
    """Is the sentence a value its heading already qualifies (porteur field, "Financement : …")?"""
    if kind == "definition":
        return True
    if field in ("porteur", "partenaires", "sigle") and kind in ("who", "list", "other"):
        return field != "sigle" or kind != "other"
    if kind == "who":
        return role_label(sentence)  # "Porteur : …", not "Financement : 91 000 €/an"
    return kind in _FACTOID and is_label_line(sentence)


def _answer_field(question: str) -> str:
    """The table field that answers a "qui…" question: partenaires when asked, else porteur."""
    return "partenaires" if "partenaire" in fold(question) else "porteur"


def _names_holder(sentence: str, question: str, verbs: Sequence[str]) -> bool:
    """Does the sentence name the asked role and a body that holds it ("porté par la Ligue")?"""
    return bool(verbs) and names_role(sentence, verbs) and bool(new_bodies(sentence, question))


# A list line that attributes a number of places or posts to a body:
# "4 places - EPAHK (IME Jules Guesdes)", "3 places d'AJ / EAM : La Ligue havraise",
# "6 places de SESSAD : à Fécamp, au sein de l'UGECAM".
_ATTRIBUTION = re.compile(
    r"\b\d+\s+(?:places?|postes?|lits?|ETP)\b(?:[^:–;.-]{0,40}?\s(?:[-–:]|pour)\s+"
    r"(?:l['’]|la |le |les )?[A-Z]|.{0,60}?\bau sein d(?:e l['’]|e la |u |es )[A-Z])"
)


def _holds_role(
    question: str, sentence: str, field: str | None, cues: Mapping[str, object]
) -> bool:
    """Does the sentence say who holds the asked role ("… est porté par la Ligue …")?"""
    if field == _answer_field(question) or role_label(sentence):
        return True
    if len(sentence) <= 120 and _ATTRIBUTION.search(sentence) and new_bodies(sentence, question):
        return True  # "4 places - EPAHK (IME Jules Guesdes)"
    asked = re.search(
        r"\bquel(?:le)?s? (association|etablissement|clinique|collectivite)", fold(question)
    )
    if asked and re.search(
        rf"\b{asked.group(1)}s? (?:\w+ ){{0,2}}[«\"]?[A-Z]", strip_accents(sentence)
    ):
        return True  # "Quelle association porte …" → "(association Addictions France)"
    return _names_holder(sentence, question, cues.get("verbs") or [])  # type: ignore[arg-type]


def supported(c: Candidate, min_coverage: float, min_residual: float) -> bool:
    """Does the sentence (with its heading) speak of what the question asks?"""
    return c.coverage >= min_coverage and (c.residual >= min_residual or c.framed)


def split_sentences(text: str) -> list[str]:
    """Sentences (or list lines) of a passage, each an exact substring of it.

    A wrapped line (one that starts in lower case after a line without end punctuation)
    stays with its sentence; the sentence then holds the newline of the source.
    """
    blocks: list[str] = []
    start = 0
    lines = text.split("\n")
    offset = 0
    for i, line in enumerate(lines):
        if i > 0:
            previous = lines[i - 1].rstrip()
            wrapped = (
                line.strip()
                and previous
                and previous[-1] not in ".!?;:"
                and not _LINE_START.match(line)
            )
            if not wrapped:
                blocks.append(text[start : offset - 1])
                start = offset
        offset += len(line) + 1
    blocks.append(text[start:])
    out = []
    for block in blocks:
        out.extend(s.strip() for s in _SENTENCE_END.split(block) if s and len(s.strip()) > 2)
    return out


def content_terms(question: str, idf: Mapping[str, float] | None = None) -> set[str]:
    """The question's analysed words that say what it is about.

    With `idf`, a conjugated verb the corpus never uses ("composent", "accueillent")
    is left out: the documents word actions their own way ("regroupe", "reçoit"),
    and a sentence need not repeat the question's verb to answer it.
    """
    terms = {t for t in analyze(question) if t not in _GENERIC and t not in _FILLERS}
    if idf:
        verbs = {
            term
            for word in re.findall(r"\b\w{3,}ent\b", question)
            if not word.endswith("ment")
            for term in analyze(word)
        }
        terms -= {t for t in verbs if t not in idf}
    return terms


def weighted_coverage(
    terms: set[str], text: str, idf: Mapping[str, float], unknown: float
) -> float:
    """Share of the question's information (IDF-weighted terms) found in `text`.

    A term the corpus never uses ("hélicoptères") weighs the most: a question that
    hinges on it is not answered by passages that merely share its common words.
    """
    if not terms:
        return 1.0
    present = analysed(text)
    total = sum(idf.get(t, unknown) for t in terms)
    found = sum(idf.get(t, unknown) for t in terms if t in present)
    return found / total if total else 1.0


@lru_cache(maxsize=1024)
def analysed(text: str) -> frozenset[str]:
    """The analysed terms of a text (cached: a passage is read once per sentence)."""
    return frozenset(analyze(text))


def _counted_as(sentence: str, unit: str | None, aliases: Sequence[tuple[str, str]]) -> str:
    """The sentence with the acronyms of the counted noun preceded by it: for "combien
    de groupes d'entraide mutuelle ?", "4 GEM" reads "4 Groupe GEM"."""
    if not unit:
        return sentence
    for term, expansion in aliases:
        head = re.match(r"[\w-]+", expansion)
        if head and analyze(head.group(0))[:1] == [unit]:
            sentence = term_pattern(term).sub(f"{head.group(0)} {term}", sentence)
    return sentence


def with_acronyms(question: str, aliases: Sequence[tuple[str, str]]) -> str:
    """The question with each glossary expansion it spells out replaced by its acronym
    ("le centre ressources territorial de Lisieux" → "le CRT de Lisieux")."""
    for term, expansion in aliases:
        span = None if term_pattern(term).search(question) else spelled_span(expansion, question)
        if span:
            question = f"{question[: span[0]]}{term}{question[span[1] :]}"
    return question


def with_aliases(text: str, aliases: Sequence[tuple[str, str]]) -> str:
    """The text with the other name of each glossary term it uses (GBG ↔ Good Behavior Game)."""
    if not aliases:
        return text
    extra = []
    text_folded = fold(text)
    for term, expansion in aliases:
        if term_pattern(term).search(text):
            extra.append(expansion)
        elif fold(expansion) in text_folded:
            extra.append(term)
    return f"{text} ({'; '.join(extra)})" if extra else text


_DATE_NOUNS = r"\b(rentree|annee|mois|trimestre|semestre|printemps|automne|ete|hiver)\b"
_PLACE = re.compile(
    r"\b(?:locaux|situ[ée]e?s?|implant[ée]e?s?|install[ée]e?s?|au sein d|adresse|siège)\b", re.I
)


_ASKED_ROLE = re.compile(r"\bqui (?:est|sont|etait|etaient) (?:le |la |les |l')(\w{4,})")


def _asked_role(question: str) -> str | None:
    """The role a "qui est le <rôle> …" question asks, as a stem prefix ("parra")."""
    match = _ASKED_ROLE.search(fold(question))
    role = analyze(match.group(1)) if match else []
    return role[0][:5] if role else None


# "… une action du CLS : laquelle ?": a numbered action is asked.
_ASKS_WHICH_ACTION = re.compile(r"\b(?:action|fiche)\b[^?]*\blaquelle\b")
_ACCORDING_TO = re.compile(
    r"\b(?:d.apres|selon) (?:le|la|les|l.)\s?(?:bilan|feuille de route|fdr|ptsm|cls)\b"
)


def _kind_bonus(
    question: str, kind: str, sentence: str, field: str | None, cues: Mapping[str, object]
) -> float:
    """Preference for sentences holding the asked kind of evidence in its usual form."""
    bonus = 0.0
    if cues.get("which_action") and FICHE_NUMBER.search(sentence):
        bonus += 1.0  # "… renvoie à une action du CLS : laquelle ?" — "Action 4.1 – …"
    if kind == "who":
        wants_partners = _answer_field(question) == "partenaires"
        verbs = cues.get("verbs") or []
        if field == _answer_field(question):
            # The porteur field is the answer to "qui porte / pilote / coordonne…".
            bonus += 1.0 if verbs and not wants_partners else 0.5
        elif _names_holder(sentence, question, verbs):  # type: ignore[arg-type]
            bonus += 0.8  # "Le pilotage de cette EMAS est porté par la Ligue de l'enseignement"
        elif verbs and repeats_role(sentence, verbs):  # type: ignore[arg-type]
            bonus += 0.3
        if wants_partners and re.search(r"\bpartena(?:ire|riat)", sentence, re.I):
            bonus += 0.3  # "un partenariat entre l'ARS, la DDETS et le SPIP"
        role = cues.get("role")
        if isinstance(role, str) and any(t.startswith(role) for t in analyze(sentence)):
            bonus += 0.6  # "qui est le parrain du GEM ?" — "soutenu par un parrain, l'UNAFAM"
    elif kind == "count":
        unit = cues.get("unit")
        counted = _counted_as(sentence, unit, cues.get("aliases", ()))  # type: ignore[arg-type]
        if isinstance(unit, str) and unit_near_number(
            in_digits(counted), unit, in_digits(question)
        ):
            bonus += 1.0  # "combien de maraudes" → "53 maraudes"
        elif unit is None and new_numbers(sentence, question):
            bonus += 0.1
        if re.search(r"\bjusqu.a combien\b", fold(question)) and re.search(
            r"\b(?:a|jusqu.a) \d+", fold(sentence)
        ):
            bonus += 0.5  # "jusqu'à combien de lits ?" — "passer de 2 à 6 lits"
    elif kind == "definition":
        acronyms = acronyms_of(question)
        spelled = spells_out(sentence, acronyms)
        # "une équipe mobile d'expertise en réadaptation neurolocomotrice (1 EMER pour
        # 500 000 habitants)": the glossary's expansion, written out by the acronym.
        spelled = spelled or any(
            term in sentence and expansion in fold(sentence)
            for term, expansion in cues.get("expansions", ())  # type: ignore[attr-defined]
            if term in acronyms and expansion not in fold(question)
        )
        if spelled:
            bonus += 0.6
            if field == "sigle":
                bonus += 0.3  # the list of acronyms is the definition of record
        if defines(sentence):
            bonus += 0.3
        elif not spelled:
            bonus -= 0.6  # a title or a list intro names the term without saying what it is
        subject = analyze(sentence)[:2]
        defined = cues.get("defined", ())
        if any(t in subject for t in defined):  # type: ignore[attr-defined]
            bonus += 0.4  # "La postvention regroupe …": the term is the subject
        before_verb = set(analyze(defined_subject(sentence)))
        expansion = cues.get("expansion_terms", frozenset())
        if any(t in before_verb for t in defined) or len(before_verb & expansion) >= 2:  # type: ignore[attr-defined, operator]
            # "Une équipe mobile d'appui à la scolarisation est une équipe médico-sociale":
            # the term, then the verb that says what it is.
            bonus += 0.3
    elif kind == "date":
        # "À partir de quelle rentrée": the sentence that dates that same event type.
        for cue in re.findall(_DATE_NOUNS, fold(question)):
            if re.search(rf"\b{cue}\w*\s+(?:\w+\s+)?(?:19|20)\d\d", fold(sentence)):
                bonus += 0.3
                break
    elif kind == "other" and re.match(r"\s*(?:o[uù])\b", fold(question)):
        if _PLACE.search(sentence):
            bonus += 0.3  # "Où sont installés …" → "dans les locaux de l'école …"
    elif kind == "list":
        if len(re.findall(r"[,;]|\s[-•]\s", sentence)) >= 2:
            bonus += 0.2
        announced = cues.get("announced")
        if announced and states_count(sentence, announced):  # type: ignore[arg-type]
            bonus += 0.5  # "c'est quoi les 3 actions ?" — "3 actions sont donc proposées : …"
        if cues.get("team") and members(sentence) >= 2:
            bonus += 1.2  # "composée d'une éducatrice spécialisée, … d'orthophoniste"
    if names_year(sentence, event_years(question)):
        # "quel GEM a été créé en 2024 ?" — "Création en avril 2024 de l'association …":
        # the year asked, in the sentence itself rather than only in its heading.
        bonus += 0.3
    return bonus


_MEMBER = re.compile(
    r"\b(?:infirmi\w+|IDE|(?:neuro|pédo)?psycholog\w+|(?:pédo)?psychiatres?|médecins?|"
    r"ergothérapeutes?|orthophonistes?|psychomotricien\w*|kinésithérapeutes?|diététicien\w*|"
    r"pharmacien\w*|sages?-femmes?|aides?-soignant\w*|éducat(?:eur|rice)s?|"
    r"assistant\w* (?:de service social|sociales?|de soins|médico)\w*|travailleurs? sociaux|"
    r"secrétar\w+|coordinat(?:eur|rice)s?|pairs?[- ]aidants?|médiat(?:eur|rice)s?|"
    r"animat(?:eur|rice)s?|moniteurs?)\b",
    re.I,
)


def members(sentence: str) -> int:
    """How many kinds of professionals the sentence names (a team's composition)."""
    return len({m.group(0).lower()[:6] for m in _MEMBER.finditer(sentence)})


def rank_sentences(
    question: str,
    analysis: QueryAnalysis,
    passages: Sequence[Passage],
    fields: Mapping[str, str | None],
    idf: Mapping[str, float] | None = None,
    context: Mapping[str, str] | None = None,
    topic: str | None = None,
    aliases: Sequence[tuple[str, str]] = (),
    heading: float = 0.0,
) -> list[Candidate]:
    """Sentences of the passages that hold the asked kind of evidence, best first.

    Args:
        context: passage id -> the text just before it in its section ("En 2024 :"),
            read with the passage for names and coverage, never quoted.
        topic: the text whose terms measure coverage, when wider than `question`
            (one part of a two-part question is read with the whole question).
        aliases: (acronym, expansion) pairs of the question's glossary terms: a
            sentence on "le GBG" speaks of the "Good Behavior Game" asked about.
        heading: the weight of the share of the question's terms that the passage's
            own headings hold. "La prévention du suicide relève de quelle priorité ?"
            is answered by the unit whose heading is "Enjeu 5 : prévention du suicide",
            more than by a sentence elsewhere that mentions it.
    """
    terms = content_terms(topic or question, idf)
    weights = idf or {}
    unknown = max(idf.values()) if idf else 1.0
    # An acronym of the question may be spelled out only in a neighbouring passage of
    # the same part of the document (the UAPED's "Bilan" under the UAPED action), not
    # in a passage of another chantier or fiche.
    wides = {
        p.id: with_aliases(
            " ".join(f"{q.locator} {q.text}" for q in passages if _related(p.id, q.id)), aliases
        )
        for p in passages
    }
    cues: dict[str, object] = {}
    roles: list[str] = []
    qualifier: frozenset[str] = frozenset()
    cues["which_action"] = bool(_ASKS_WHICH_ACTION.search(fold(question)))
    if analysis.kind == "who":
        cues["verbs"] = role_verbs(question)
        cues["role"] = _asked_role(question)
        roles = [v for v in cues["verbs"] if v in REQUIRED_ROLES]  # type: ignore[union-attr]
    if analysis.kind == "count":
        cues["unit"] = count_unit(question)
        cues["aliases"] = tuple(aliases)
        qualifier = count_qualifier(question)
    if analysis.kind == "list" and asks_composition(question):
        cues["team"] = True
    if analysis.kind == "list":
        cues["announced"] = announced_count(question)
    if analysis.kind == "definition":
        defined = [t for t in content_terms(question) if t not in _QUESTION_WORDS]
        # "le Good Behavior Game" is defined by a sentence whose subject is "Le GBG".
        defined += [t for term, _ in aliases for t in analyze(term)]
        cues["defined"] = tuple(defined)
        cues["expansions"] = tuple((term, fold(expansion)) for term, expansion in aliases)
        cues["expansion_terms"] = frozenset(t for _, e in aliases for t in analyze(e))
    # "le centre ressources territorial de Lisieux" is "le CRT de Lisieux" for the
    # check that a sentence on "le CRT" speaks of that CRT.
    abbreviated = with_acronyms(question, aliases)
    # What a sentence must add to: for "Qui porte l'EMAS ?", "Équipes Mobiles d'Appui à
    # la Scolarisation" is the asked team spelled out, not a body that carries it.
    asked = topic or question
    if analysis.kind == "who":
        asked = with_aliases(asked, aliases)
    if analysis.kind == "count" and topic and cues.get("unit"):
        # "combien d'évaluations …, et combien de signalements ?": the second part counts
        # its own noun, not the first part's (which its topic also holds).
        asked = question
    candidates = []
    for rank, passage in enumerate(passages):
        field = fields.get(passage.id)
        before_text = (context or {}).get(passage.id, "")
        head = f"{passage.document} {passage.locator}"
        wide = wides[passage.id]
        missing = missing_names(
            question,
            with_aliases(f"{head} {before_text} {passage.text}", aliases),
            wide,
            situated=analysis.kind == "definition",
        )
        if missing and (
            # "… du service de santé étudiante de Caen ?": "Caen" is in the section's
            # first paragraph, and this one names no other place or body. A source
            # ("selon le Rectorat") must still be named by the answer's own passage.
            not set(missing) <= set(situating_names(question))
            or missing_names(question, wide)
            or competing_names(question, f"{before_text}\n{passage.text}", passage.document)
        ):
            continue
        sentences = split_sentences(passage.text)
        signed_at = in_signature_block(passage.locator)
        for i, sentence in enumerate(sentences):
            if sentence.rstrip().endswith("?"):
                continue  # "Une mutuelle territorialisée, c'est quoi ?" asks, it does not say
            if not has_evidence(
                _counted_as(sentence, cues.get("unit"), aliases),  # type: ignore[arg-type]
                analysis.kind,
                field,
                asked,
            ):
                continue
            role = analysis.kind == "who" and _holds_role(question, sentence, field, cues)
            if roles and not role:
                continue  # "qui porte X": a sentence on X that names no porteur
            if i == 0:
                before = before_text
            elif is_label_line(sentence) and len(sentences) <= 3:
                # A table row: "Montant FIR : 60 000 € / an" qualifies the item it opened with.
                before = " ".join(sentences[:i])
            elif sentences[i - 1].rstrip().endswith(":") and len(sentences) <= 2:
                # A table cell "ONDAM PDS (…) : / • 230.000 €": the value goes with its
                # label and with the row the cell belongs to.
                before = f"{before_text} {sentences[i - 1]}"
            elif sentences[i - 1].rstrip().endswith(";"):
                # "Activités : lits pandas : 113 dyades ; 25 % de femmes de moins de 20
                # ans ;": an item of a list run on one line is read with the line's start.
                start = i - 1
                while start > 0 and sentences[start - 1].rstrip().endswith(";"):
                    start -= 1
                before = " ".join(sentences[start:i])
            else:
                anaphora = _ANAPHORA.match(sentence) or _BACK_REFERENCE.search(sentence)
                before = sentences[i - 1] if anaphora else ""
            local = f"{head} {before} {sentence}"
            if analysis.kind == "date" and not analysis.signing and signed_at:
                continue  # "quand le centre de santé a-t-il ouvert ?" — "A Cambremer, le …"
            if left_undecided(question, sentence):
                continue  # "quel territoire ?" — "un second territoire à identifier"
            if refers_to_another(abbreviated, f"{before_text} {' '.join(sentences[:i])}", sentence):
                continue  # "le CRT a accompagné 18 bénéficiaires", after "le CRT de Dozulé"
            if analysis.kind in ("count", "amount") and gives_months_for_year(question, sentence):
                continue  # "sur l'ensemble de l'année ?" — "2000 au mois de septembre"
            if other_department(question, sentence):
                continue  # "… du Calvados ?" — "91% de la population de la seine Maritime"
            if other_territory(
                question, passage.document, f"{passage.locator} {before} {sentence}"
            ):
                continue  # "l'UEMA du Calvados ?" — the Le Havre bilan's UEMA
            if analysis.kind in _FACTOID and about_an_earlier_one(question, sentence):
                continue  # "quand a été signé le CLS ?" — "dont le premier a été signé le …"
            # The document's own year ("Bilan janvier 2025") dates its publication.
            dated = f"{without_periods(passage.locator)} {before} {sentence}"
            if analysis.kind in _FACTOID and other_year(
                question, dated, sentence, _list_intro(sentences, i, before_text)
            ):
                # "en 2023 ?" — "162 évaluations réalisées en 2024"; the period in a
                # title ("CLS 2025-2029") does not date a sentence in 2025.
                continue
            read = with_aliases(local, aliases)
            if qualifier and not qualifier & set(analyze(f"{read} {before_text}")):
                continue  # "combien de places d'ACT ?" — "Secteur enfants : 15 places" (IME)
            if asks_person(question) and not names_person(sentence):
                continue  # "comment s'appelle le pédopsychiatre ?" — "un pédopsychiatre référent"
            if analysis.kind == "rate" and not names_rated(question, read):
                continue  # "le taux d'obésité ?" — "un taux de passage aux urgences de 212.1"
            penalty = 0.0
            if missing_names(question, read, wide, situated=analysis.kind == "definition"):
                # The question's name is elsewhere in the passage, and the sentence
                # names another place or body: it is about a neighbouring entity.
                section = "\n".join(e for e in passage.locator.split(" › ")[1:] if "§" not in e)
                if competing_names(question, f"{section}\n{before}\n{sentence}", passage.document):
                    continue
                penalty = 0.3
            coverage = weighted_coverage(terms, read, weights, unknown)
            rest = terms - analysed(with_aliases(head, aliases))
            own = with_aliases(f"{before} {sentence}", aliases)
            residual = weighted_coverage(rest, own, weights, unknown)
            # A sentence is credited for what its heading does not already say.
            if heading:
                residual += heading * weighted_coverage(terms, passage.locator, weights, unknown)
            score = (
                1.0 * residual
                + 1.0 * coverage
                + 0.6 * max(passage.score, 0.0)
                - 0.05 * rank
                + _kind_bonus(question, analysis.kind, sentence, field, cues)
                - penalty
            )
            framed = (
                _framed(analysis.kind, sentence, field)
                or bool(cues.get("team") and members(sentence) >= 2)
                # "Quand le CLS a-t-il été signé ?" — "A Cambremer, le 10 juillet 2025".
                or (analysis.signing and signed_at)
            )
            candidates.append(
                Candidate(score, rank, i, sentence, coverage, residual, framed or role, role)
            )
    candidates.sort(key=lambda c: -c.score)
    return candidates


def _list_intro(sentences: Sequence[str], index: int, before_text: str = "") -> str:
    """The line ending in ":" that a list item belongs to ("En 2024 :" for "- 53
    maraudes ont eu lieu"), or ""."""
    if not re.match(r"\s*[-–•]", sentences[index]):
        return ""
    for j in range(index - 1, -1, -1):
        line = sentences[j].rstrip()
        if line.endswith(":"):
            return line
        if not re.match(r"\s*[-–•]", line):
            return ""
    return before_text if before_text.rstrip().endswith(":") else ""


_RESTATED = re.compile(r"^\s*(?:ce qui (?:représente|correspond)|soit\b)", re.I)
_SAME_SUBJECT = re.compile(
    r"^\s*(?:il|elle|ils|elles) (?:s['’]agit|est|sont|permet(?:tent)?|vise(?:nt)?|"
    r"regroupe(?:nt)?|propose(?:nt)?|apporte(?:nt)?|a pour|ont pour)\b",
    re.I,
)
# The next sentence of the answering passage that goes with it, by kind: "… a recruté six
# médecins salariés. Ce qui représente 4.1 équivalents temps pleins." restates a figure;
# "Les directives anticipées …, également appelées plan de crise conjoint, … Il s'agit
# d'un document, rédigé par la personne concernée …" goes on defining the same thing.
_RESTATES = ("count", "amount")
_CONTINUED_BY = {**dict.fromkeys(_RESTATES, _RESTATED), "definition": _SAME_SUBJECT}
_GOES_ON = re.compile(
    r"^\s*(?:[-–]\s*)?(?:et\s+)?(?:vien(?:nen)?t ensuite|ensuite|puis|enfin|"
    r"en (?:deuxième|second|troisième) (?:lieu|place)|arrivent ensuite)\b",
    re.I,
)


def _related(a: str, b: str) -> bool:
    """Are two passages in one part of a document: the same section, or one's section
    inside the other's ("…/uaped-havre/bilan" and "…/uaped-havre")?"""
    first, second = sorted((a.rsplit("/", 1)[0], b.rsplit("/", 1)[0]), key=len)
    return first == second or (first.count("/") >= 1 and second.startswith(first + "/"))


def list_tail(passage: Passage, index: int, limit: int = 12) -> list[tuple[int, str]]:
    """The items a sentence ending in ":" introduces, from the same passage."""
    sentences = split_sentences(passage.text)
    intro = sentences[index]
    nested = bool(BULLET.match(intro))
    tail = []
    for j in range(index + 1, min(len(sentences), index + 1 + limit)):
        item = sentences[j]
        if not BULLET.match(item):
            break
        if nested and item.lstrip()[:1] == intro.lstrip()[:1]:
            break  # the next item of the outer list
        tail.append((j, item))
    return tail


def quote(sentence: str, n: int) -> str:
    """A sentence with its citation mark; a wrapped sentence is cited line by line."""
    return " ".join(f"{line.strip()} [{n}]" for line in sentence.split("\n") if line.strip())


def render(chosen: Sequence[tuple[Passage, str]]) -> Composition:
    """Number the cited passages in order of first use and mark each sentence."""
    numbers: dict[str, int] = {}
    citations: list[Citation] = []
    parts = []
    for p, sentence in chosen:
        if p.id not in numbers:
            numbers[p.id] = len(numbers) + 1
            citations.append(
                Citation(numbers[p.id], p.id, p.document, p.document_id, p.locator, p.page, p.text)
            )
        parts.append(quote(sentence, numbers[p.id]))
    return Composition(" ".join(parts), tuple(citations), False)


def _unknown(term: str, idf: Mapping[str, float]) -> bool:
    """A long word no corpus term shares even its first six letters with.

    Conjugated verbs ("dépensent") are left out: the documents paraphrase actions
    ("consacrent") far more than they rename things.
    """
    if len(term) < 9 or term.isdigit() or term in idf or term.endswith("ent"):
        return False
    return not any(known.startswith(term[:6]) for known in idf)


# A list answer may take sentences from other passages scoring within this share of the
# best one (within 0.2 for the sentences of the answering passage); a sentence that
# announces items ("Les MSP suivantes :") is taken within 0.2. All 758 questions:
# citation precision 0.850 → 0.859, one answer lost (hd-24).
LIST_MARGIN = 0.1


def compose(
    question: str,
    analysis: QueryAnalysis,
    passages: Sequence[Passage],
    fields: Mapping[str, str | None],
    max_sentences: int = 3,
    min_coverage: float = 0.3,
    idf: Mapping[str, float] | None = None,
    min_sentence_coverage: float = 0.15,
    min_residual: float = 0.15,
    context: Mapping[str, str] | None = None,
    min_factoid_coverage: float = 0.3,
    aliases: Sequence[tuple[str, str]] = (),
    heading: float = 0.0,
) -> Composition:
    """Answer from the best passages, or abstain when none supports an answer of the kind asked.

    Args:
        fields: passage id -> its table field (e.g. "porteur"), for kind matching.
        min_sentence_coverage: share of the question's (IDF-weighted) terms the answering
            sentence, with its passage's heading, must hold; below it the sentence is
            about something else and the assistant abstains.
        min_factoid_coverage: the same share for a bare value (an amount, a count, a
            date, a body) read from running text: a number next to a few of the
            question's words is too often another thing's number. Table fields and
            "label : value" lines, which their heading frames, keep the lower bar.
    """
    terms = content_terms(question, idf)
    top = passages[:5]
    if not top:
        return Composition(ABSTAIN_TEXT, (), True)
    nearest = with_aliases(" ".join(f"{p.document} {p.locator} {p.text}" for p in top[:3]), aliases)
    if idf:
        # The corpus never uses a salient word of the question ("hélicoptères"): the
        # documents cannot answer a question that hinges on it.
        if any(_unknown(t, idf) for t in terms):
            return Composition(ABSTAIN_TEXT, (), True)
        coverage = weighted_coverage(terms, nearest, idf, max(idf.values()))
    else:
        coverage = weighted_coverage(terms, nearest, {}, 1.0)
    if terms and coverage < min_coverage:
        return Composition(ABSTAIN_TEXT, (), True)

    candidates = [
        c
        for c in rank_sentences(
            question, analysis, top, fields, idf, context, aliases=aliases, heading=heading
        )
        if supported(
            c,
            min_factoid_coverage
            if analysis.kind in _FACTOID and not c.framed
            else min_sentence_coverage,
            min_residual,
        )
    ]
    if not candidates:
        return Composition(ABSTAIN_TEXT, (), True)
    if any(c.role for c in candidates):
        # "Qui pilote X ?": a sentence naming who pilots X beats one that only describes X.
        candidates = [c for c in candidates if c.role]
    named = named_documents(question) if analysis.kind != "list" else ()
    if named and top[candidates[0].rank].document_id not in named:
        # "CMPP dans la FDR, ça veut dire quoi ?": the roadmap's own words, not the CLS's
        # glossary. A list is left alone: the items of the named document's list may be
        # in passages that were not retrieved, and half a list is worse than another's.
        own = [c for c in candidates if top[c.rank].document_id in named]
        if not own and analysis.kind in _FACTOID and _ACCORDING_TO.search(fold(question)):
            return Composition(ABSTAIN_TEXT, (), True)
        candidates = own or candidates
    best = candidates[0]
    limit = max_sentences if analysis.kind not in _FACTOID else 2
    if best.sentence.rstrip().endswith(":"):
        limit = 1  # a list intro: its items follow (in its passage or the next ones)
    chosen: list[Candidate] = []
    for c in candidates:
        if len(chosen) >= limit or c.score < best.score - 0.2 * abs(best.score):
            break
        if any(c.sentence == s.sentence for s in chosen):
            continue
        if c.rank != best.rank:
            if analysis.kind != "list":
                continue  # further sentences only from the answering passage (lists aside)
            if not c.sentence.rstrip().endswith(":") and (
                c.score < best.score - LIST_MARGIN * abs(best.score)
                or not new_names(c.sentence, " ".join([question, *(s.sentence for s in chosen)]))
            ):
                # "Quelles MSP composent la MSPU ?" — "… (MSP Les Jardins de Bleville, MSP
                # Santéco)", then from another passage "Les MSP accueillent également des
                # étudiants …": a list goes on in another passage only with names of its
                # own (an announcement of items, "Les MSP suivantes :", always may).
                continue
        chosen.append(c)
    intros = {c.rank for c in chosen if c.sentence.rstrip().endswith(":")}
    if analysis.kind == "list" and intros:
        # "Un AMI a été publié en 2024 … [1] À la suite de l'AMI CNH 2024, de nouvelles
        # solutions ont été apportées : [2] - …": beside a list, a sentence of another
        # passage that names nothing the question and the list do not is left out.
        known = with_aliases(" ".join([question, *(top[r].text for r in intros)]), aliases)
        chosen = [c for c in chosen if c.rank in intros or new_names(c.sentence, known)]
    # Passages in order of their best sentence; sentences in document order within each.
    order = {c.rank: i for i, c in reversed(list(enumerate(chosen)))}
    chosen.sort(key=lambda c: (order[c.rank], c.index))
    picked: list[tuple[Passage, str]] = []
    for c in chosen:
        if c.index and analysis.kind in _RESTATES and _RESTATED.match(c.sentence):
            # "Ce qui représente 4.1 équivalents temps pleins." restates the figure of
            # the sentence before it ("… a recruté six médecins salariés"): both go.
            previous = split_sentences(top[c.rank].text)[c.index - 1]
            picked.append((top[c.rank], previous))
        picked.append((top[c.rank], c.sentence))
        if c.sentence.rstrip().endswith(":"):
            picked.extend((top[c.rank], item) for _, item in list_tail(top[c.rank], c.index))
        elif analysis.kind == "list":
            # "Parmi les principaux postes, il y a l'achat de médicaments … Viennent
            # ensuite les dispositifs médicaux …": the list goes on in the next sentences.
            following = split_sentences(top[c.rank].text)[c.index + 1 :]
            for sentence in following:
                if not _GOES_ON.match(sentence):
                    break
                picked.append((top[c.rank], sentence))
        elif analysis.kind in _CONTINUED_BY:
            following = split_sentences(top[c.rank].text)[c.index + 1 : c.index + 2]
            continues = _CONTINUED_BY[analysis.kind]
            picked.extend((top[c.rank], f) for f in following if continues.match(f))
    seen: set[tuple[str, str]] = set()
    unique = []
    for p, s in picked:
        if (p.id, s) not in seen:
            seen.add((p.id, s))
            unique.append((p, s))
    return render(unique)
