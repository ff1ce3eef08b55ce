"""What makes a sentence an answer of the kind asked: amounts, counts, dates, bodies. Pure.

A sentence only answers "combien…" with a number the question did not already hold
("appels au 3114" does not answer "combien d'appels au 3114…"), and "quand…" with a
date the question did not already name.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from assistant.query import ASKS_EARLIER
from indexer.cleaning import fold
from indexer.lexical import analyze, stopwords
from indexer.structure.common import SIGNATURES

_AMOUNT = re.compile(
    r"(\d[\d .\u202f\u00a0]*(?:[.,]\d+)?)\s*(?:k?€|euros?|M€|K€)|€\s*(\d[\d .\u202f]*)", re.I
)
_NUMBER = re.compile(r"\d+(?:[ .\u202f\u00a0]\d{3})*(?:[.,]\d+)?")
_YEAR = re.compile(r"^(?:19|20)\d{2}$")
_MONTHS = (
    "janvier|février|fevrier|mars|avril|mai|juin|juillet|août|aout|septembre|octobre|"
    "novembre|décembre|decembre"
)
_DATE = re.compile(
    rf"\b(?:19|20)\d{{2}}\b|\b\d{{1,2}}(?:er)? (?:{_MONTHS})\b|\b(?:{_MONTHS})\b|"
    r"\b(?:rentrée|printemps|automne|hiver)\b|(?:\bl'|\ben |\bcet |\bd')été\b|"
    r"\b\d{1,2}/\d{1,2}/\d{2,4}\b",
    re.I,
)
_BODY = re.compile(
    r"\b(?:association|centre|ch|chu|ars|ligue|communauté|agglomération|caln|epsm|dac|réseau|"
    r"caf|cpam|conseil|département|ville|université|maison|service|équipe|ehpad|groupe|"
    r"croix|cidff|union|fédération|mutualité|collectif|pôle|clinique|hôpital|direction|rtps)\b",
    re.I,
)
_ACRONYM_OR_NAME = re.compile(r"(?<!^)(?<![.!?] )\b[A-Z]{2,}\b|\b[A-Z][a-zé]+ [A-Z]")
# Verbs a "qui…" question turns on; the answering sentence usually repeats one of them.
_ROLE_VERBS = (
    (
        "port",
        re.compile(
            r"\bport(?:e|é|ée|és|ées|ent|er|era|eront|ait|aient|eur|eurs|euse)?\b|\bporteur", re.I
        ),
    ),
    ("pilot", re.compile(r"\bpilot\w*", re.I)),
    ("coordon", re.compile(r"\bcoordon\w*", re.I)),
    ("finan", re.compile(r"\bfinanc\w*", re.I)),
    ("assur", re.compile(r"\bassur\w*", re.I)),
    ("anim", re.compile(r"\banim\w*", re.I)),
    ("presid", re.compile(r"\bpr[ée]sid\w*", re.I)),
    ("gest", re.compile(r"\bg(?:e|è|é)(?:stion\w*|re|rent|rée?s?)\b", re.I)),
)
_UNIT = re.compile(r"\b(?:combien|nombre)\s+(?:de|d')\s*([a-zà-ÿ-]{3,})", re.I)


def _norm_number(text: str) -> str:
    return re.sub(r"[ .\u202f\u00a0]", "", text).replace(",", ".")


def question_numbers(question: str) -> set[str]:
    """The numbers the question itself holds, normalised (400 000 → 400000)."""
    return {_norm_number(n) for n in _NUMBER.findall(question)}


def new_numbers(sentence: str, question: str, years: bool = False) -> list[str]:
    """Numbers of the sentence that the question does not hold (years left out unless asked)."""
    asked = question_numbers(question)
    out = []
    for raw in _NUMBER.findall(sentence):
        number = _norm_number(raw)
        if number in asked or (not years and _YEAR.match(number)):
            continue
        out.append(number)
    return out


_TIME = re.compile(r"\b\d{1,2}\s?h(?:\s?\d{2})?\b|\b\d+(?:[.,]\d+)?\s?%")
_COUNTED = re.compile(r"\s*(?:\([^)]*\)\s*)?([^\W\d_][\w'’-]*)")
_NAMED_NUMBER = re.compile(r"(?:[A-Z][\w-]*|n°|#)\s*$")


def counts(sentence: str, question: str, things: frozenset[str] = frozenset()) -> list[str]:
    """New numbers that count something: "53 maraudes", not "Centre 15" nor "8h" (nor,
    with `things`, a number of those analysed nouns)."""
    asked = question_numbers(question)
    stop = stopwords()
    out = []
    for match in _NUMBER.finditer(sentence):
        number = _norm_number(match.group(0))
        if number in asked or _YEAR.match(number):
            continue
        before = sentence[max(0, match.start() - 12) : match.start()]
        if re.search(r":\s*$", before):
            out.append(number)  # "Nombre d'entretiens réalisés : 4 639"
            continue
        if _NAMED_NUMBER.search(before):
            continue
        word = _COUNTED.match(sentence, match.end())
        if word and len(word.group(1)) >= 3 and fold(word.group(1)) not in stop:
            if not any(_same_noun(t, n) for t in analyze(word.group(1)) for n in things):
                out.append(number)
    return out


def new_amounts(sentence: str, question: str) -> list[str]:
    asked = question_numbers(question)
    amounts = []
    for match in _AMOUNT.finditer(sentence):
        number = _norm_number(match.group(1) or match.group(2) or "")
        if number and number not in asked:
            amounts.append(number)
    return amounts


# An indicator's target year ("File active … (cible 2024 : 40)") dates no event.
_TARGET_YEAR = re.compile(r"\b(?:cible|objectif|horizon)\s+(?:en\s+)?$", re.I)


def new_dates(sentence: str, question: str) -> list[str]:
    asked = fold(question)
    return [
        m.group(0)
        for m in _DATE.finditer(sentence)
        if fold(m.group(0)) not in asked and not _TARGET_YEAR.search(sentence[: m.start()])
    ]


_RATE_VALUE = re.compile(
    r"\d+(?:[.,]\d+)?\s?%|\bpour (?:100|1 ?000|10 ?000|100 ?000)\b|\d+(?:[.,]\d+)?\s?‰"
)
# "deux fois par an", "annuellement", "chaque mois", "tous les trois mois": how often.
_FREQUENCY_VALUE = re.compile(
    r"\b(?:\d+|une|deux|trois|quatre|six|douze)\s+fois\s+(?:par|chaque|dans l.)\s*"
    r"(?:an|année|mois|semaine|jour|trimestre|semestre)\b"
    r"|\b(?:annuel(?:le)?s?|annuellement|mensuel(?:le)?s?|mensuellement|trimestriel(?:le)?s?"
    r"|semestriel(?:le)?s?|hebdomadaires?|bimensuel(?:le)?s?)\b"
    r"|\bchaque (?:année|mois|semaine|trimestre|semestre)\b"
    r"|\btous les (?:\d+ |deux |trois |six )?(?:ans|mois|semaines|trimestres|semestres)\b"
    r"|\b(?:une|un|1) (?:journée|jour|demi-journée|matinée|après-midi) par (?:semaine|mois)\b",
    re.I,
)
_CONTACT_VALUE = re.compile(
    r"\b0\d(?:[ .]?\d\d){4}\b|[\w.-]+@[\w-]+\.[\w.]+|https?://|www\.|\b\d{1,4},? (?:rue|avenue|place|bd|boulevard)\b"
    # "accessible par le numéro 15", "le numéro national 3114"
    r"|\bnum[ée]ro (?:\w+ )?\d{2,4}\b",
    re.I,
)


# "combien de temps" asks a duration.
_DURATION = frozenset(analyze("temps durée délai"))
_DURATION_VALUE = re.compile(
    r"\b\d+(?:[.,]\d+)?\s*(?:ans?|années?|mois|semaines?|jours?|heures?|minutes?)\b", re.I
)
# Count nouns the documents often replace by a more specific one ("combien de
# personnes" — "18 bénéficiaires", "113 dyades").
_LOOSE_UNITS = frozenset(analyze("personnes gens individus professionnels structures fois"))
# A head count of people, whatever noun the documents count them with.
_HEADS = frozenset(analyze("personnes gens individus"))
# What a head count is not a number of: places, beds, sites, bodies, plans, money, time.
_NOT_PEOPLE = frozenset(
    analyze(
        "centres structures établissements places lits sites communes projets actions fiches "
        "dispositifs équipes services associations organisations institutions groupes "
        "euros heures jours semaines mois ans années fois consultations appels"
    )
)


# Counts written in words ("six médecins salariés"). "un" is every article, "neuf" is
# also "new".
_NUMBER_WORDS = {
    w: str(n)
    for n, w in enumerate(
        "_ _ deux trois quatre cinq six sept huit _ dix onze douze treize quatorze quinze "
        "seize".split()
    )
    if w != "_"
}
_NUMBER_WORDS.update(
    {
        w: str(n)
        for n, words in (
            (10, "dizaine"),
            (12, "douzaine"),
            (15, "quinzaine"),
            (20, "vingt vingtaine"),
            (30, "trente trentaine"),
            (40, "quarante quarantaine"),
            (50, "cinquante cinquantaine"),
            (60, "soixante soixantaine"),
            (100, "cent centaine"),
        )
        for w in words.split()
    }
)
# "une soixantaine de participants" counts about sixty.
_NUMBER_WORD = re.compile(rf"\b({'|'.join(_NUMBER_WORDS)})\b", re.I)


_ABOUT = re.compile(r"\b(\w+aine)s?\s+(?:de\s+|d['’])", re.I)


# Staffing counted in full-time equivalents: "4.1 équivalents temps pleins" is "4.1 ETP".
_FULL_TIME = re.compile(r"\b[ée]quivalents?[\s-]+temps[\s-]+pleins?\b", re.I)


@lru_cache(maxsize=4096)
def in_digits(text: str) -> str:
    """The text with its counts written in words as digits: "six médecins" → "6
    médecins", "une soixantaine de participants" → "une 60 participants"; full-time
    equivalents as their abbreviation ("4.1 équivalents temps pleins" → "4.1 ETP")."""
    text = _FULL_TIME.sub("ETP", text)
    text = _ABOUT.sub(
        lambda m: f"{m.group(1)} " if m.group(1).lower() in _NUMBER_WORDS else m.group(0), text
    )
    return _NUMBER_WORD.sub(lambda m: _NUMBER_WORDS[m.group(1).lower()], text)


def has_evidence(sentence: str, kind: str, field: str | None = None, question: str = "") -> bool:
    """Does the sentence hold an answer of the kind asked (and not just the question's own)?"""
    if kind == "amount":
        return bool(new_amounts(sentence, question))
    if kind == "count":
        # "combien d'enfants" wants a head count, "combien l'ARS prévoit" may want euros.
        if not _UNIT.search(question):
            return bool(new_numbers(sentence, question))
        # "8h-12h" counts nothing; "six médecins" counts six.
        plain = in_digits(_TIME.sub(" ", _AMOUNT.sub(" ", sentence)))
        question = in_digits(question)
        unit = count_unit(question)
        if unit in _DURATION:
            # "combien de temps a-t-on ?" — "dans un délai de 6 mois"
            return bool(_DURATION_VALUE.search(plain))
        if unit and unit_then_number(plain, unit, question):
            return True  # "Le nombre d'effections … (entre 500 et 600 par mois)"
        if unit and unit not in _LOOSE_UNITS:
            # "combien de familles ?" is not answered by "traduit en 7 langues": the
            # number must count the asked thing, right after it or under its label.
            if unit_near_number(plain, unit, question) and counts(plain, question):
                return True
            label = plain.split(":", 1)[0] if is_label_line(sentence) else ""
            named = any(_same_noun(unit, word) for word in analyze(label))
            return named and bool(new_numbers(plain, question))
        if unit in _HEADS:
            # "combien de personnes ?" — "18 bénéficiaires", not "2 Centres Ressources".
            return bool(counts(plain, question, _NOT_PEOPLE)) or (
                is_label_line(sentence) and bool(new_numbers(plain, question))
            )
        return bool(counts(plain, question)) or (
            is_label_line(sentence) and bool(new_numbers(plain, question))
        )
    if kind == "date":
        return bool(new_dates(sentence, question))
    if kind == "rate":
        return bool(_RATE_VALUE.search(sentence))
    if kind == "frequency":
        return bool(_FREQUENCY_VALUE.search(sentence))
    if kind == "contact":
        return bool(_CONTACT_VALUE.search(sentence))
    if kind == "who":
        if field in ("porteur", "partenaires"):
            return True
        return bool(new_bodies(sentence, question)) if question else bool(_BODY.search(sentence))
    return True


# Capitalised words that name the corpus or start a phrase rather than an actor.
_NOT_ACTORS = frozenset(
    fold(w)
    for w in "ARS Normandie Calvados CLS PTSM Le La Les Un Une Des Du De Dans Pour Par Sur Au Aux "
    "En Et Ce Cette Ces Il Elle Ils Elles Depuis Avec Selon Développement Mise Création "
    "Renforcement Action Fiche Axe Objectif Priorité Enjeu".split()
)
_CAPITAL = re.compile(r"\b[A-ZÀ-Ý][\wÀ-ÿ'’-]+")


def new_bodies(sentence: str, question: str) -> list[str]:
    """Actors the sentence names that the question does not: the "who" of an answer."""
    asked = fold(question)
    out = []
    for match in _BODY.finditer(sentence):
        if fold(match.group(0)) not in asked:
            out.append(match.group(0))
    for match in _CAPITAL.finditer(sentence):
        word = fold(match.group(0)).strip("'’-")
        # The first word of a sentence or of a list item ("- Renforcer la …") is
        # capitalised as a start.
        start = not sentence[: match.start()].strip(" -–•\t")
        if start or word in _NOT_ACTORS or len(word) < 3:
            continue
        if word[:5] not in asked:
            out.append(match.group(0))
    return out


def is_label_line(sentence: str) -> bool:
    """A short "label : value" line of a table or list ("- Financements : 190 000 €")."""
    return len(sentence) <= 80 and bool(re.match(r"^[-•\s]*[^:]{2,40}\s:\s*\S", sentence))


def role_verbs(question: str) -> list[str]:
    """The role verbs of a "qui…" question: porte, pilote, coordonne, finance…"""
    return [name for name, rx in _ROLE_VERBS if rx.search(question)]


# "qui porte / pilote / préside…": the answer names the role (or is a porteur field).
REQUIRED_ROLES = ("port", "pilot", "coordon", "gest", "presid")


def names_role(sentence: str, verbs: Sequence[str]) -> bool:
    """Does the sentence use the very role the question asks ("Le pilotage … est porté par")?"""
    return any(rx.search(sentence) for name, rx in _ROLE_VERBS if name in verbs)


_ROLE_LABEL = re.compile(
    r"^[-•\s]*(?:ma[iî]tre d|porteu?r|porté|pilot|co-?port|coordon|gestionnaire|opérateur|"
    r"partenaires?|acteurs?|responsable|référent|promoteur|financeurs?)",
    re.I,
)


def role_label(sentence: str) -> bool:
    """A "label : value" line whose label names a role ("Porteur : …", "Pilote : …")."""
    return is_label_line(sentence) and bool(_ROLE_LABEL.match(sentence))


def repeats_role(sentence: str, verbs: Sequence[str]) -> bool:
    """Does the sentence name the role asked (porté par…) or at least an organisation?"""
    return any(rx.search(sentence) for name, rx in _ROLE_VERBS if name in verbs) or bool(
        _BODY.search(sentence)
    )


_DEFINING = re.compile(
    r"\b(?:est|sont|désigne(?:nt)?|correspond(?:ent)?|consiste(?:nt)?|regroupe(?:nt)?|"
    r"propose(?:nt)?|vise(?:nt)?|permet(?:tent)?|a pour (?:objectif|mission|but)|ont pour (?:objectif|mission|but)|"
    r"signifie|se définit|définie?s? comme|s['’]inscri(?:t|vent))\b",
    re.I,
)


def defines(sentence: str) -> bool:
    """Is the sentence worded as a definition ("Les ACT proposent un hébergement…")?"""
    return bool(_DEFINING.search(sentence))


def defined_subject(sentence: str, max_words: int = 16) -> str:
    """The words before the sentence's defining verb when they are its subject
    ("Une équipe mobile d'appui à la scolarisation" in "… est une équipe médico-sociale
    …"), or ""."""
    match = _DEFINING.search(sentence)
    if not match:
        return ""
    subject = sentence[: match.start()]
    return subject if len(subject.split()) <= max_words else ""


_ACRONYM = re.compile(r"\b[A-Z][A-Z0-9]{1,9}\b")


_PROPER = re.compile(r"(?<!^)\b[A-Z][a-zà-ÿ]{3,}\b")


def acronyms_of(question: str) -> list[str]:
    """The acronyms and proper names a question names ("UAPED", "SAS14", "Cocolupa")."""
    return _ACRONYM.findall(question) + _PROPER.findall(question)


def spells_out(sentence: str, acronyms: Sequence[str]) -> bool:
    """Does the sentence spell out one of the acronyms: "(CTSM)", "CAMSP : …",
    "SAS14 (Service d'accès aux Soins)"?"""
    return any(
        re.search(rf"\({a}\)|^[-•\s]*{a}\s*:|\b{a}\s*\([^)]{{8,}}\)", sentence)
        for a in map(re.escape, acronyms)
    )


def count_unit(question: str) -> str | None:
    """The analysed noun a count question asks about: "combien d'enfants" → "enfant"."""
    match = _UNIT.search(question)
    if not match:
        return None
    terms = analyze(match.group(1))
    return terms[0] if terms else None


_QUALIFIER_STOP = frozenset(
    "y sur dans a à au aux pour en ont sont est le la les l du des entre depuis par chez qui "
    "que et ou ce cette ces son sa ses leur leurs".split()
)


@lru_cache(maxsize=512)
def count_qualifier(question: str) -> frozenset[str]:
    """The analysed words that say which of the counted things are asked: "combien de
    places d'appartements de coordination thérapeutique …" → {appart, coordin, therapeut}
    (empty when the counted noun has no "de …" complement)."""
    match = _UNIT.search(question)
    if not match:
        return frozenset()
    rest = re.match(r"\s*(?:de\s+|d['’]\s*)(.*)", question[match.end() :], re.I)
    if not rest:
        return frozenset()
    words = []
    for word in re.findall(r"[\w-]+|['’]", rest.group(1))[:8]:
        folded = fold(word)
        if (
            folded in _QUALIFIER_STOP
            or "-" in word
            and word.lower().endswith(("-il", "-elle", "-ils", "-elles"))
        ):
            break
        words.append(word)
    return frozenset(analyze(" ".join(words)))


# "Comment s'appelle la coordinatrice …", "quel est le nom du pédopsychiatre …": a
# person's name is asked.
_ASKS_PERSON = re.compile(
    r"\b(?:comment s.appelle|quel est le nom d[eu']|qui est)\s*(?:le |la |l')?\s*"
    r"(?:pedo)?(?:psychiatre|medecin|docteur|coord(?:in|onn)at(?:eur|rice)|direct(?:eur|rice)|"
    r"president|presidente|referent|referente|responsable|chef|chargee? de mission|"
    r"infirmiere?|psychologue|prefet|maire|sous-prefet)\b"
    # "Qui représente la CALN ?", "quel dirigeant de l'ARS … ?": a person, by name.
    r"|\bqui represente\b|\bquel(?:le)? (?:dirigeante?|elue?|personne)\b"
)
_PERSON_NAME = re.compile(
    r"\b(?:Dr|Docteur|Pr|Professeur|M\.|Mme|Monsieur|Madame)\.?\s+[A-ZÀ-Ý]"
    r"|\b[A-ZÀ-Ý][a-zà-ÿ]+(?:-[A-ZÀ-Ý][a-zà-ÿ]+)?\s+[A-ZÀ-Ý]{2,}(?:[\s-][A-ZÀ-Ý]{2,})*\b"
)


@lru_cache(maxsize=512)
def asks_person(question: str) -> bool:
    return bool(_ASKS_PERSON.search(fold(question)))


def names_person(sentence: str) -> bool:
    """Does the sentence give a person's name ("Dr Renou", "François AUBEY")?"""
    return bool(_PERSON_NAME.search(sentence))


_RATED = re.compile(
    r"\b(?:taux|part|pourcentage|proportion|prevalence)\s+(?:de la |de l'|des |de |du |d')([\w-]+)"
)


@lru_cache(maxsize=512)
def rated_noun(question: str) -> str | None:
    """What a rate question measures: "le taux d'obésité des enfants" → "obes"."""
    match = _RATED.search(fold(question))
    terms = analyze(match.group(1)) if match else []
    return terms[0] if terms else None


def names_rated(question: str, text: str) -> bool:
    """Does the text (a sentence with its heading) speak of what the rate measures?
    "Quel est le taux d'obésité ?" is not answered by "taux de pauvreté de 15 %"."""
    noun = rated_noun(question)
    if noun is None or noun in _PEOPLE:
        # "quelle proportion des mamans suivies a moins de 21 ans ?": a share of a
        # population, which the documents name in their own words ("femmes", "mères").
        return True
    return any(_same_noun(noun, word) for word in analyze(text))


_PEOPLE = frozenset(
    analyze(
        "personnes gens habitants patients mamans mères pères parents femmes hommes enfants "
        "jeunes adolescents élèves étudiants familles français normands professionnels"
    )
)


_ANNOUNCED = re.compile(r"\b(?:les|ses|leurs|ces)\s+(\d{1,2})\s+([a-zà-ÿ'’-]{3,})", re.I)


def announced_count(question: str) -> tuple[str, str] | None:
    """The number and noun of a list the question announces: "c'est quoi les 3 actions
    proposées ?" → ("3", "action"), "quels sont les trois porteurs ?" → ("3", "porteur")."""
    match = _ANNOUNCED.search(in_digits(question))
    if not match:
        return None
    terms = analyze(match.group(2))
    return (match.group(1), terms[0]) if terms else None


def states_count(text: str, count: tuple[str, str]) -> bool:
    """Does the text give that number of those things ("3 actions sont donc proposées")?"""
    number, unit = count
    for match in re.finditer(
        rf"(?<![\d.,]){number}\s+((?:[\w'’-]+\s+){{0,1}}[\w'’-]+)", in_digits(text)
    ):
        if any(_same_noun(unit, word) for word in analyze(match.group(1))):
            return True
    return False


def unit_then_number(sentence: str, unit: str, question: str = "") -> bool:
    """Does "le nombre de <noun>" lead to a new number ("d'effections … 500 et 600")?"""
    asked = question_numbers(question)
    # "le nombre de patients", "le nombre croissant de patients régulés"
    pattern = r"\bnombres? (?:[\w-]+ ){0,2}?(?:de |d['’‘]\s?)([\w-]+)"
    for word in re.finditer(pattern, sentence, re.I):
        if unit not in analyze(word.group(1)):
            continue
        tail = sentence[word.end() : word.end() + 100]
        for match in _NUMBER.finditer(tail):
            number = _norm_number(match.group(0))
            if number not in asked and not _YEAR.match(number):
                return True
    return False


def unit_near_number(sentence: str, unit: str, question: str = "") -> bool:
    """Is the counted noun right after a new number of the sentence ("53 maraudes")?"""
    asked = question_numbers(question)
    for match in _NUMBER.finditer(sentence):
        number = _norm_number(match.group(0))
        if number in asked or _YEAR.match(number):
            continue
        following = analyze(sentence[match.end() : match.end() + 40])[:2]
        if any(_same_noun(unit, word) for word in following):
            return True
    return False


def _same_noun(a: str, b: str) -> bool:
    """Analysed nouns that name the same thing, abbreviations too ("asso", "associ")."""
    short, long = sorted((a, b), key=len)
    return short == long or (len(short) >= 4 and long.startswith(short))


# Capitalised words that name the corpus itself rather than a specific entity.
_COMMON_NAMES = frozenset(
    fold(w)
    for w in "ARS Normandie Calvados CLS PTSM CTS PRS Le La Les Quel Quelle Quels Quelles Qui "
    "Combien Comment Quand Pour Dans Selon Que Qu Est Où Sur Depuis Avec En Au Aux À De Du Des "
    "FIR FDR Agence Santé "
    # Institutional common nouns: "la Direction générale de la santé" is named by its
    # other words (or its acronym), not by "Direction".
    "Direction Générale Conseil Comité Institut Centre Service Association Programme Plan "
    "Projet Contrat Ministère Autorité Caisse Union Fédération Réseau".split()
)
_NAME = re.compile(r"(?<!^)(?<![.?!] )\b([A-ZÀ-Ý][\wÀ-ÿ'-]{2,}|[A-Z]{2,}\d*)")


def missing_names(question: str, local: str, wide: str = "", situated: bool = False) -> list[str]:
    """Names in the question absent from the answer's own context (acronyms: from `wide`).

    An answer about "le GEM de Fécamp" does not answer a question about Bolbec. With
    `situated` (a definition: "c'est quoi le GBG prévu dans la convention ARS/Rectorat"),
    every name may be in `wide`: the names around the defined term say where it is.
    """
    words = folded_words(local)
    missing = []
    for name in question_names(question):
        # An acronym or a brand in capitals ("NormHANDI'CAP") names a programme, which
        # the passages around the answer may spell out for it.
        acronym = situated or sum(c.isupper() for c in name) >= max(2, len(name) // 2)
        if names_in(name, words) or (acronym and names_in(name, folded_words(wide))):
            continue
        missing.append(name)
    return missing


@lru_cache(maxsize=512)
def folded_words(text: str) -> frozenset[str]:
    """The folded words of a text (cached: the same passages are read for every sentence),
    "ETP" among them where it spells out full-time equivalents."""
    words = frozenset(re.findall(r"\w+", fold(text)))
    return words | {"etp"} if _FULL_TIME.search(text) else words


@lru_cache(maxsize=4096)
def _terms(text: str) -> tuple[str, ...]:
    """The analysed terms of a glossary expansion (cached: read for every question)."""
    return tuple(analyze(text))


@lru_cache(maxsize=1024)
def _term_spans(text: str) -> tuple[tuple[int, int, str], ...]:
    """The analysed terms of a text with the span of the word each comes from."""
    return tuple(
        (m.start(), m.end(), term)
        for m in re.finditer(r"[\w'’-]+", text)
        for term in analyze(m.group(0))
    )


def spelled_span(expansion: str, text: str, min_terms: int = 1) -> tuple[int, int] | None:
    """Where the text spells out a glossary expansion term for term, or None:
    "centre ressources territorial" spells "Centre de Ressources Territorial"."""
    terms = _terms(expansion)
    if len(terms) < min_terms:
        return None
    spans = _term_spans(text)
    found = [term for _, _, term in spans]
    if terms[0] not in found:
        return None
    for i in range(len(found) - len(terms) + 1):
        if tuple(found[i : i + len(terms)]) == terms:
            return spans[i][0], spans[i + len(terms) - 1][1]
    return None


@lru_cache(maxsize=4096)
def term_pattern(term: str) -> re.Pattern[str]:
    """A glossary term as a whole word ("SAS" in "le SAS 14", not in "SASU")."""
    return re.compile(rf"(?<![\w-]){re.escape(term)}(?![\w-])")


def question_names(question: str) -> list[str]:
    """The proper names and acronyms of a question ("Lillebonne", "EMAS"), corpus names aside."""
    out = []
    text = question.strip()
    for match in _NAME.finditer(text):
        name = match.group(1)
        if re.match(r"[.,]\d", text[match.end() :]):
            continue  # "FA3.2": a numbered fiche action, which the question's unit reaches
        folded = fold(name).strip("'-")
        if folded not in _COMMON_NAMES and len(folded) >= 3:
            out.append(name)
    return out


def new_names(sentence: str, known: str) -> list[str]:
    """The proper names and acronyms of a sentence that a known text does not hold."""
    words = folded_words(known)
    return [n for n in question_names(sentence) if not names_in(n, words)]


# "… de Caen", "à Lisieux", "de l'association Revivre": the name places what is asked.
_SITUATES = re.compile(
    r"(?:\b(?:de|du|des|à|a|au|aux|sur|en)\s+(?:la |le |l['’])?|\bd['’])"
    r"(?:association |structure |équipe |ville |commune |territoire )?$",
    re.I,
)


def situating_names(question: str) -> list[str]:
    """The names that place what is asked ("le service de santé étudiante de Caen",
    "à Lisieux"), not the ones that give a source ("selon le Rectorat")."""
    text = question.strip()
    return [
        m.group(1)
        for m in _NAME.finditer(text)
        if _SITUATES.search(text[: m.start()]) and m.group(1) in question_names(question)
    ]


def names_in(name: str, words: frozenset[str] | set[str]) -> bool:
    """Does a set of folded words hold the name (by its first five letters)? A
    hyphenated name ("Eco-soins", "Saint-Lô") is held when each of its parts is."""
    parts = [p[:5] for p in re.split(r"[-'’]", fold(name)) if p]
    if any(w.startswith(other) for w in words for other in _SAID_OTHERWISE.get(fold(name), ())):
        return True
    return bool(parts) and all(any(w.startswith(p) for w in words) for p in parts)


# Names the documents say with an adjective: "par rapport à la France" is answered by
# "la moyenne nationale".
_SAID_OTHERWISE: dict[str, tuple[str, ...]] = {"france": ("nation",)}


_FOLDED_MONTHS = (
    "janvier|fevrier|mars|avril|mai|juin|juillet|aout|septembre|octobre|novembre|decembre"
)
_MONTH_OR_DAY = re.compile(
    rf"^(?:{_FOLDED_MONTHS}|lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche)$"
)


# "le CRT de Lisieux", "la nouvelle EMAS de Lillebonne": an acronym and the place or
# body that tells it from its namesakes.
# "le CRT porté par le centre hospitalier de Lisieux" too: a few lower-case words may
# stand between them.
_QUALIFIED = re.compile(
    r"\b([A-Z][A-Z0-9]{1,9})\s+(?:[a-zà-ÿ'’]+\s+){0,6}?"
    r"(?:de la |de l['’]|du |des |de |d['’]|à )\s?([A-Z][\w-]+)"
)


def refers_to_another(question: str, preceding: str, sentence: str) -> bool:
    """Does a sentence on "le CRT" speak of another CRT than the question's?

    "… le CRT de Dozulé s'est fortement mobilisé … Fin 2024, le CRT a accompagné 18
    bénéficiaires" does not answer a question on the CRT de Lisieux: the last CRT the
    text named before the sentence is Dozulé's.
    """
    for acronym, name in _QUALIFIED.findall(question):
        if fold(name) in fold(sentence) or not re.search(rf"\b{acronym}\b", sentence):
            continue
        pattern = rf"\b{acronym}\s+(?:de la |de l['’]|du |des |de |d['’])\s?([A-Z][\w-]+)"
        named = re.findall(pattern, preceding)
        if named and fold(named[-1]) != fold(name):
            return True
    return False


_DEPARTMENT = re.compile(r"\b(calvados|seine[- ]maritime|eure|orne|manche)\b")


# The past participle of a "quand … a-t-il été publié ?" question: the event it dates.
# After its auxiliary: "a-t-il été publié", "a été signé", "a-t-elle ouvert".
_PARTICIPLE = re.compile(
    r"(?:\bété|\ba|\bont|\best|\bsont|-t-il|-t-elle|-ils|-elles)\s+(\w{3,}(?:ée?s?|erte?s?|ise?s?))\b"
)


@lru_cache(maxsize=512)
def _event_terms(question: str) -> frozenset[str]:
    """The analysed participles of a "quand … a-t-il été publié ?" question."""
    return frozenset(
        t
        for word in _PARTICIPLE.findall(question.lower())
        for t in analyze(word)
        if t not in stopwords()
    )


def dates_the_event(text: str, question: str) -> bool:
    """Does the text date the question's event right after naming it ("publié le 31
    octobre 2023", "signé le 10 juillet", "ouverte en 2024")?"""
    stems = _event_terms(question)
    if not stems:
        return False
    asked = fold(question)
    for match in _DATE.finditer(text):
        if fold(match.group(0)) in asked:
            continue
        before = text[max(0, match.start() - 40) : match.start()].split()[-4:]
        if stems & set(analyze(" ".join(before))):
            return True
    return False


# The département of the territories the documents are about.
_TERRITORY_DEPARTMENT = (
    ("havre", "seine maritime"),
    ("lisieux", "calvados"),
    ("calvados", "calvados"),
)


def other_territory(question: str, document: str, text: str) -> bool:
    """Is the passage from a document about another département than the one asked,
    without naming the asked one? "combien d'enfants accompagne l'UEMA du Calvados ?"
    is not answered by the Le Havre bilan's UEMA ("Elle permet l'accompagnement de 7
    enfants")."""
    folded_question = fold(question)
    asked = {d.replace("-", " ") for d in _DEPARTMENT.findall(folded_question)}
    asked |= {dep for place, dep in _TERRITORY_DEPARTMENT if place in folded_question}
    title = fold(document)
    of_document = {dep for place, dep in _TERRITORY_DEPARTMENT if place in title}
    if not asked or not of_document or asked & of_document:
        return False
    named = {d.replace("-", " ") for d in _DEPARTMENT.findall(fold(text))}
    return not (named & asked)


_WHOLE_YEAR = re.compile(
    r"\b(?:au total|en tout|sur (?:l.ensemble de |toute )?l.annee|annuel(?:le)?(?:ment)?)\b"
)
_MONTHLY = re.compile(
    rf"\b(?:au mois d[e']|par mois|chaque mois|mensuel\w*|en (?:{_FOLDED_MONTHS})\b)"
)
_TOTAL = re.compile(r"\b(?:au total|en tout|sur l.annee|annuel\w*|par an)\b")


def gives_months_for_year(question: str, sentence: str) -> bool:
    """Does the sentence give monthly figures when the question asks a year's total?
    "Combien de patients le SAS a-t-il régulés sur l'ensemble de l'année 2024 ?" is not
    answered by "passant de 2000 au mois de septembre à 3300 en décembre"."""
    text = fold(sentence)
    return bool(
        _WHOLE_YEAR.search(fold(question)) and _MONTHLY.search(text) and not _TOTAL.search(text)
    )


def other_department(question: str, sentence: str) -> bool:
    """Does the sentence give its figure for another département than the one asked?

    "Quel pourcentage de la population du Calvados est couvert par une CPTS ?" is not
    answered by "91% de la population de la seine Maritime est couverte par une CPTS".
    """
    asked = {d.replace("-", " ") for d in _DEPARTMENT.findall(fold(question))}
    if not asked:
        return False
    named = {d.replace("-", " ") for d in _DEPARTMENT.findall(fold(sentence))}
    return bool(named) and not named & asked


_EARLIER = re.compile(
    r"\b(?:le|la|du|de la|au|a la) (?:premier|premiere|precedent|precedente|ancien|ancienne)"
    r"\b(?: (\w+))?"
)
# "dont le premier a été signé": "le premier" stands for the asked noun itself.
_STANDS_ALONE = frozenset("a avait est etait fut qui dont".split())


def about_an_earlier_one(question: str, sentence: str) -> bool:
    """Does the sentence speak of an earlier one of what is asked ("un CLS dont le
    premier a été signé le 20 janvier 2022", "le premier CLS") when the question does not
    ask of it?

    "Quand a été signé le CLS 2025-2029 ?" is not answered by the first CLS's signature;
    "le premier décile", "la première génération" speak of something else.
    """
    asked = fold(question)
    if ASKS_EARLIER.search(asked):
        return False
    words = {w[:4] for w in re.findall(r"\w{3,}", asked)}
    for match in _EARLIER.finditer(fold(sentence)):
        noun = match.group(1)
        if noun is None or noun in _STANDS_ALONE or noun[:4] in words:
            return True
    return False


def in_signature_block(locator: str) -> bool:
    """Is the passage part of a contract's signature block (its place and date, then
    the signatories)? It dates the signing, nothing else: "En quelle année le centre de
    santé de Cambremer a-t-il ouvert ?" is not answered by "A Cambremer, le 10 juillet
    2025"."""
    return locator.split(" › ")[0] == SIGNATURES


def left_undecided(question: str, sentence: str) -> bool:
    """Does the sentence say that what the question asks is still to be decided?

    "quel territoire pour les 6 autres places ?" — "6 places dans un second territoire à
    identifier"; "quel montant ?" — "FIR (montant à définir)".
    """
    text = fold(sentence)
    for noun in re.findall(r"\bquel(?:le)?s? (\w{4,})", fold(question)):
        stem = re.escape(noun[:6])
        if re.search(
            rf"\b{stem}\w*(?: \w+){{0,2}} a (?:identifier|definir|determiner|preciser)\b", text
        ):
            return True
    return False


def competing_names(question: str, text: str, document: str = "") -> list[str]:
    """Proper names of `text` the question does not use ("le Havre" for a Lillebonne
    question). The acronym of the document's own body ("CALN" in the CLS "de la
    Communauté d'Agglomération Lisieux Normandie") is the document speaking of itself."""
    asked = fold(question)
    own = own_acronyms(document)
    out = []
    # Each line is read apart: a heading's first word ("Éléments de contexte") and a
    # title's ("« Liens ville hôpital »") are capitalised as starts, not as names.
    for line in text.split("\n"):
        line = line.strip()
        for match in _NAME.finditer(line):
            if _TITLE_START.search(line[: match.start()]):
                continue
            name = match.group(1)
            folded = fold(name).strip("'-")
            if folded in _COMMON_NAMES or len(folded) < 3 or _MONTH_OR_DAY.match(folded):
                continue
            if folded[:5] not in asked and name not in own:
                out.append(name)
    return out


@lru_cache(maxsize=64)
def own_acronyms(title: str) -> frozenset[str]:
    """Initials of each run of capitalised words of a title: "Communauté d'Agglomération
    Lisieux Normandie" gives "CALN" (and its shorter tails, "ALN", "LN")."""
    out: set[str] = set()
    for run in re.findall(r"(?:[A-ZÀ-Ý][\wÀ-ÿ-]*(?:\s+(?:d[eu']|des|la|l')?\s*)?){3,}", title):
        initials = "".join(w[0] for w in re.findall(r"[A-ZÀ-Ý][\wÀ-ÿ-]*", run))
        out.update(initials[i:] for i in range(len(initials) - 1))
    return frozenset(a for a in out if len(a) >= 3)


_TITLE_START = re.compile(r"[«“\"(]\s*$")


_SINGLE_YEAR = re.compile(
    r"(?<![\d/–-])(?<![–-]\s)((?:19|20)\d\d)(?![\d/–-]|\s?[-–/]\s?(?:19|20)?\d\d)"
)
# The years these plans date their figures in; "plus de 2000 patients" is a count.
_ANY_YEAR = re.compile(r"(?<![\d.])(?<!\d\s)20[1-3]\d(?!\d)(?!\s\d{3}\b)")


_MONTH = re.compile(rf"\b({_FOLDED_MONTHS})\b")
# A document's year ("la feuille de route 2024", "le bilan 2025") dates no event.
_DOCUMENT_YEAR = re.compile(
    r"\b(?:bilans?|feuilles? de route|fdr|ptsm|cls|contrat local de sante|prs|"
    r"projet regional de sante)(?: du calvados| du havre| de lisieux)?\s+(?:de )?20\d\d"
)
_EVENT_YEAR = re.compile(r"(?<![\d-])20[0-3]\d(?![\d-])")


@lru_cache(maxsize=512)
def event_years(question: str) -> frozenset[str]:
    """The years a question dates its event in ("créé en 2024"), not the years of the
    documents it names ("la feuille de route 2024")."""
    return frozenset(_EVENT_YEAR.findall(_DOCUMENT_YEAR.sub(" ", fold(question))))


def names_year(sentence: str, years: frozenset[str]) -> bool:
    """Does the sentence itself write one of these years?"""
    return bool(years) and bool(years & set(_EVENT_YEAR.findall(sentence)))


_YEAR_RANGE = re.compile(r"\b(20[0-3]\d)\s?(?:[-–/]|et|à|a)\s?(20[0-3]\d)\b")


def without_periods(text: str) -> str:
    """The text without its year ranges ("CLS 2025-2029", "PTSM 2026/2030")."""
    return _YEAR_RANGE.sub(" ", text)


# A year that names a document, not the time asked about: "le bilan 2025", "le bilan de
# janvier 2025", "la feuille de route 2024", "la FDR Calvados 2024".
_DOCUMENT_YEAR = re.compile(
    r"\b((?:bilan|feuille de route|fdr|prs|ptsm|cls)(?:\s+(?:d[eu]|du|de la|ars|"
    r"departementale?|calvados|du calvados|janvier|havre|du havre|de lisieux|lisieux))*)"
    r"\s+(?:20\d\d)\b"
)


def without_document_years(text: str) -> str:
    """The text without the years that name a document ("d'après le bilan 2025")."""
    return _DOCUMENT_YEAR.sub(r"\1", fold(text))


def other_year(question: str, local: str, sentence: str, intro: str = "") -> bool:
    """Does the sentence date its value in another year than the one asked?

    "combien d'examens en 2023 ?" is not answered by "162 évaluations réalisées en
    2024", nor "en janvier 2025 ?" by a figure of December; a sentence that names no
    year outside a comparison ("(42 en 2023)", "contre 89 en 2023"), or names the
    asked one (in itself or its heading), may answer, unless `intro`, the line ending
    in ":" its list item belongs to ("En 2024 :"), dates it in another year.
    """
    asked = set(_SINGLE_YEAR.findall(without_periods(without_document_years(question))))
    own = re.sub(r"\([^)]*\)", " ", sentence)  # "53 maraudes (42 en 2023)": a comparison
    own = re.sub(r"\bcontre \d[^.;]*", " ", own)  # "76 victimes, contre 89 en 2023"
    months = set(_MONTH.findall(fold(question)))
    if months:
        # "en janvier 2025 ?" is not answered by "… à près de 3300 en décembre".
        named = set(_MONTH.findall(fold(own)))
        if named and not months & named:
            return True
    if asked and not asked & set(_SINGLE_YEAR.findall(without_periods(local))):
        # "sur la seule année 2024 ?" is not answered by "lits pandas (2021 – 2024) :
        # 113 dyades" nor "entre 2022 et 2024, plus de 1 000 téléconsultations", a total
        # over a period that ends in it.
        # Nor "en 2025 ?" by "chaque année entre 1100 et 1400 inclusions (de 2021 à
        # 2024)": a period that does not hold it.
        if _YEAR_RANGE.search(sentence):
            return True
    if asked and not _ANY_YEAR.search(own) and intro:
        # "En 2024 : - 53 maraudes ont eu lieu (42 en 2023)" does not answer "en 2022 ?".
        years = set(_ANY_YEAR.findall(re.sub(r"\([^)]*\)", " ", intro)))
        return bool(years) and not asked & years
    if not asked or not _ANY_YEAR.search(own):
        return False
    return not asked & set(_ANY_YEAR.findall(local))
