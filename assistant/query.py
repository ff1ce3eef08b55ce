"""Question analysis: what kind of answer is asked, and which structure is named. Pure."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from indexer.cleaning import fold

MAX_QUESTION_CHARS = 2000


# The question asks of an earlier one ("le premier CLS", "le précédent PTSM"); folded text.
ASKS_EARLIER = re.compile(r"\b(?:premier|premiere|precedent|precedente|ancien|ancienne|1er)\b")


@dataclass(frozen=True)
class QueryAnalysis:
    kind: str  # who | amount | count | rate | date | contact | list | definition | other
    fiche: str | None = None  # "2.3"
    priority: int | None = None
    objective: int | None = None
    axis: int | None = None
    documents: tuple[str, ...] = ()  # document ids named by the question
    fields: tuple[str, ...] = ()  # table fields that hold this kind of answer
    signing: bool = False  # "quand … a-t-il été signé ?": the signature block dates it


# Which field of a fiche action (CLS) or objective (PTSM) answers which question: the
# field labels of the documents' own tables, reached by the words users ask with.
_FIELD_CUES: tuple[tuple[str, tuple[str, ...]], ...] = (
    (r"\bpartenai|\bacteurs? (?:mobilis|a mobilis|implique)", ("partenaires", "acteurs")),
    (r"\binstitutions?\b", ("institutions",)),
    (r"\bpublic|\bs.adresse|\bcibl|\bbeneficiaires? vis|\bpour qui\b", ("public",)),
    (r"\bindicateur|\bevalu|\bsuivi\b|\bmesurer?\b", ("evaluation", "indicateurs")),
    (r"\bmoyens?\b", ("moyens",)),
    (r"\bvigilance|\brisques?\b|\bpoints? d.attention", ("vigilance",)),
    (r"\bpre ?requis", ("prerequis",)),
    (r"\bobjectif general|\bobjectif de la fiche|\bbut de la fiche", ("objectif",)),
    # A fiche's operational objectives are the rows of its "Descriptif des actions".
    (r"\bobjectifs? (?:operationnel|strategique)", ("descriptif",)),
    (r"\bderoul|\betapes?\b|\bcomment se\b|\bconcretement", ("deroule", "descriptif")),
    (r"\bintitul|\bs.appelle|\btitre\b|\bnom de la fiche", ("intitule",)),
    (r"\btype d.action|\bnouvelle ou renouvel|\brenouvelee?\b", ("type",)),
    (r"\bcouverture|\bquels? territoires?\b", ("couverture",)),
    (r"\barticul", ("articulation", "articulation-nationale", "articulation-plans")),
)


def wanted_fields(text: str, kind: str) -> tuple[str, ...]:
    """The table fields whose value answers a (folded) question, best first."""
    out: list[str] = []
    for pattern, fields in _FIELD_CUES:
        if re.search(pattern, text):
            out.extend(f for f in fields if f not in out)
    if kind == "who" and not out:
        out = ["porteur"]
    return tuple(out)


_WHO = re.compile(
    r"\b(quel(?:le)?s? (?:organisme|structure|association|acteur|etablissement|service|partenaire|porteur|pilote|operateur|"
    r"cabinet|prestataire|entreprise|societe|bureau d.etudes|institution|collectivite)s?|"
    r"porte|portee?|porteur|pilote|pilotee?|maitre d.oeuvre|coordonne)\b"
)
_AMOUNT = re.compile(
    r"\b(montant|budget|cout(?:e|ent|era|ait|es)?|"
    r"combien .*\b(financ|cout\w*|euros?|alloue|subvention|credit|depense|verse|versee|versent|"
    r"attribue|accorde|debloque|paye|paie|investi\w*|met|mettent|mis|"
    r"prevoi\w*|prevue?s?|consacr\w*|reserv\w*|apport\w*|inject\w*|engag\w*)|"
    r"financ\w*|euros?|€|subvention|credits?|enveloppe|dotation|chiffree?s?|depensent)\b"
)
_COUNT = re.compile(r"\b(combien|nombre|quantite)\b")
_DATE = re.compile(
    r"\b(quand|quelle date|depuis quand|en quelle annee|a quelle date|quel mois|date|"
    r"quel moment|quelle rentree|quelle periode|quelle annee)\b"
)
_RATE = re.compile(
    r"\b(?:quel(?:le)? (?:est |sont )?(?:le |la |les )?(?:taux|part|pourcentage|proportion|prevalence)\b|"
    r"(?:taux|pourcentage|proportion|prevalence) d)"
)
# "De combien la mortalité dépasse-t-elle la moyenne ?" asks a gap, said in percent.
_GAP = re.compile(
    r"^\W*de combien\b.*\b(?:depass|superieur|inferieur|augment|baiss|diminu|recul|progress)"
)
# "Le COTECH se réunit tous les combien ?", "à quelle fréquence", "il se voit souvent ?".
_FREQUENCY = re.compile(
    r"\btous les combien\b|\bcombien de fois (?:par|chaque)\b|\b(?:a|quel(?:le)?) (?:frequence|periodicite|rythme)\b"
    r"|\b(?:se|s')\s?(?:voi\w*|reuni\w*|rencontre\w*) (?:souvent|regulierement|combien)\b"
)
_CONTACT = re.compile(
    r"\b(?:numero de telephone|telephone|joindre par|adresse (?:e-?mail|mail|electronique|postale)|"
    r"quel numero|"
    r"e-?mail|courriel|site (?:internet|web))\b"
)
# "Quels professionnels composent l'EMAS ?", "De qui se compose l'équipe ?": the answer
# lists the members, not a porteur.
_COMPOSITION = re.compile(
    r"\b(?:compos\w*|constitu\w*|quel(?:le)?s (?:sont les )?(?:professionnels|metiers|profils|"
    r"personnels|postes|intervenants))\b"
)


def asks_composition(question: str) -> bool:
    """Does the question ask which professionals a team is made of?"""
    text = fold(question)
    return bool(_COMPOSITION.search(text)) and bool(
        re.search(
            r"\b(?:equipe|professionnels|metiers|personnels?|intervenants|profils|postes|qui)\b",
            text,
        )
    )


_LIST = re.compile(r"\b(quels sont|quelles sont|liste[rz]?|enumere[rz]?|citez|quel(?:le)?s)\b")
_DEFINITION = re.compile(
    r"(qu.est.ce qu|que (?:signifie|designe|veut dire)|definition|c.est quoi|que recouvre|"
    r"a quoi (?:ca |cela )?(?:sert|servent|correspond)|(?:sert|servent) a quoi|"
    r"qu.entend(?:.on| [\w' ]{1,60}?) par\b|qu.on entend par\b|qu.appelle.t.on|"
    r"\bdefini(?:t|ssent)\b|^\W*c quoi\b|"
    r"(?:veut|veulent) dire quoi|(?:signifie|designe)n?t? quoi|"
    # "Que sont les directives anticipées ?", "qu'est une EMAS ?"
    r"^\W*(?:que sont|qu.est) (?:les?|la|l.|une?|des) )"
)

DOCUMENT_HINTS: tuple[tuple[str, str], ...] = (
    (r"\bcls\b|contrat local de sante|lisieux", "cls-lisieux-2025-2029"),
    (r"\bptsm\b|projet territorial de sante mentale", "ptsm-calvados-2026-2030"),
    (r"havre", "bilan-le-havre-2025"),
    # What "la feuille de route" planned is in the roadmap, not in its bilan.
    (
        r"feuille de route .*2024|2024 .*feuille de route|\bfdr\b"
        r"|(?:prevu\w*|inscrit\w*|annonce\w*) dans la feuille de route"
        r"|feuille de route (?:prevoyait|prevoit|annoncait|prevoient)",
        "feuille-de-route-calvados-2024",
    ),
    (r"bilan .*calvados|calvados .*bilan", "bilan-calvados-2025"),
)


# A numbered fiche action: "fiche 2.3", "fiche action 2,3", "Action 4.1 – …", "FA3.2".
FICHE_NUMBER = re.compile(r"\b(?:fiche(?: action)?|action|fa)\s*(\d)\s*[.,]\s*(\d)\b", re.I)


# The words that name a document itself, not a place it speaks of ("Lisieux", "Le Havre").
_NAMES_DOCUMENT: tuple[tuple[str, tuple[str, ...]], ...] = (
    (r"\bcls\b|contrat local de sante", ("cls-lisieux-2025-2029",)),
    (r"\bptsm\b|projet territorial de sante mentale", ("ptsm-calvados-2026-2030",)),
    (r"feuille de route|\bfdr\b", ("feuille-de-route-calvados-2024",)),
    (r"\bbilans? .*havre|havre .*\bbilan", ("bilan-le-havre-2025",)),
    (r"\bbilans? .*calvados|calvados .*\bbilan", ("bilan-calvados-2025",)),
    (r"\bbilans?\b", ("bilan-calvados-2025", "bilan-le-havre-2025")),
)


def named_documents(question: str) -> tuple[str, ...]:
    """The documents a question names as such ("d'après la feuille de route 2024",
    "dans le CLS"): where its answer is to be read."""
    # "Le CLS prévoit d'informer sur le SAS : à quelles heures …": a document that the
    # statement before the question says does something is why it is asked, not where.
    pieces = _COLON_QUESTION.split(question.strip(), maxsplit=1)
    if len(pieces) < 2:
        pieces = _STATEMENT_END.split(question.strip())
    if len(pieces) > 1 and _DOCUMENT_SAYS.search(fold(" ".join(pieces[:-1]))):
        question = pieces[-1]
    text = fold(question)
    named: list[str] = []
    for pattern, documents in _NAMES_DOCUMENT:
        if re.search(pattern, text) and not (len(documents) > 1 and "bilan" in " ".join(named)):
            named.extend(d for d in documents if d not in named)
    return tuple(named)


# Inhabitants' names the documents rarely use: a question about "les Seinomarins" or
# "la population havraise" asks about the place, which the documents name.
_DEMONYMS: tuple[tuple[str, str], ...] = (
    (r"seino-?marin", "de Seine-Maritime"),
    (r"havrais", "du Havre"),
    (r"caennais", "de Caen"),
    (r"lexovien", "de Lisieux"),
    (r"calvadosien", "du Calvados"),
    (r"lillebonnais", "de Lillebonne"),
    (r"f[eé]campois", "de Fécamp"),
    (r"bolb[eé]cais", "de Bolbec"),
    (r"honfleurais", "d'Honfleur"),
    (r"falaisien", "de Falaise"),
    (r"bayeusain|bajocasse", "de Bayeux"),
)


# Clipped words of the spoken register, which the documents always write in full:
# "combien d'assos sur l'agglo ?" → "combien d'associations sur l'agglomération ?".
_SPOKEN: tuple[tuple[str, str], ...] = (
    (r"agglo", "agglomération"),
    (r"assos", "associations"),
    (r"asso", "association"),
    (r"ados", "adolescents"),
    (r"pros", "professionnels"),
    (r"profs", "professeurs"),
    (r"médocs|medocs", "médicaments"),
    (r"hostos?", "hôpital"),
    (r"toubibs", "médecins"),
    (r"toubib", "médecin"),
    # Meeting bodies known by their jargon acronym, which the documents write in full
    # ("le COPIL du plan NormHANDI'CAP" → "le comité de pilotage du plan …").
    (r"copils?", "comité de pilotage"),
    (r"cotechs?", "comité technique"),
)


_APOSTROPHES = re.compile("[\u2019\u2018\u02bc\u00b4`]")


# What people write around a question: a greeting, a request for it, thanks.
_GREETING = re.compile(r"^\s*(?:bonjour|bonsoir|salut|hello)\b[\s,;:!.]*", re.I)
_THANKS = re.compile(
    r"[\s,;.!]*\b(?:un )?(?:grand )?merci(?: (?:d'avance|par avance|beaucoup|bien))?[\s.!]*$",
    re.I,
)
_REQUEST = re.compile(
    r"^\s*(?:(?:est-ce que |est ce que )?(?:vous )?(?:pourriez|pouvez|pourrais|peux)"
    r"[- ](?:vous|tu)? ?(?:me |m')?"
    r"|(?:je voudrais|j'aimerais|je souhaiterais|je souhaite|je veux|j'ai besoin de)"
    r" (?:bien )?(?:que vous me |(?:que )?(?:tu |vous )?)?"
    r"|merci de (?:me |m')?)"
    r"(?:dire|indiquer|pr[ée]ciser|confirmer|rappeler|expliquer|savoir|conna[iî]tre)"
    r"\s*[,:]?\s*(?:si )?",
    re.I,
)
_COURTESY = re.compile(r",?\s*\b(?:svp|stp|s'il (?:vous|te) pla[iî]t)\b,?", re.I)
_DITES_MOI = re.compile(r"^\s*(?:dites|dis)[- ]moi\s*[,:]?\s*", re.I)
# A sentence about the asker before the question ("Je prépare un rapport pour l'ARS.").
_ABOUT_ASKER = re.compile(r"^\s*(?:je|j'|nous)\b", re.I)
_SENTENCE_END = re.compile(r"(?<=[.!])\s+(?=\w)")
# Where the asker works, not what they ask of ("Je rédige une note sur la transition
# écologique : …" names the topic).
_ASKER_AT_WORK = re.compile(
    r"^\s*(?:je|j['’]|nous)\s*(?:travaille|exerce|bosse|suis|sommes)\s+"
    r"(?:(?:un|une|des)\s+)?(?:[\w-]+\s+){0,3}?(?:au|aux|à|a|dans|en|chez)\s[^:]*$",
    re.I,
)
# The words a question opens with: after "Je travaille au CMP : …", after a statement
# and its colon ("Le PTSM cite … : combien … ?").
_QUESTION_WORD = (
    r"(?:qui|que|qu['’]|quoi|quel(?:le)?s?|quand|combien|o[uù]|comment|pourquoi|lequel"
    r"|laquelle|est-ce|y a-t-il|(?:[aà]|de|dans|en|sur|pour|par|avec) (?:qui|quel(?:le)?s?))\b"
)
_ASKING = re.compile(_QUESTION_WORD, re.I)


def says_enough(sentence: str) -> bool:
    """Does a sentence name enough to be read without the one before it? "Qui porte le
    CRT de Lisieux ?" does, "Qui est-ce ?" does not (two words of four letters or more)."""
    return len(re.findall(r"\w{4,}", sentence)) >= 2


def as_question(text: str) -> str:
    """The question itself, without the courtesy and the context written around it.

    "Bonjour, pourriez-vous me dire quel établissement porte le CRT ? Merci" → "quel
    établissement porte le CRT ?"; "Je prépare un rapport pour l'ARS. Qui porte
    la fiche 2.3 ?" → "Qui porte la fiche 2.3 ?"; "Je travaille au CMP de Bayeux : qui porte
    …" → "Qui porte …". Such words name no document, body or
    year of the answer, but were read as if they did ("ARS", "rapport", "Merci").
    A sentence about the asker is kept when what follows would say too little alone
    ("Je cherche le porteur de la fiche 2.3. Qui est-ce ?").
    """
    question = _COURTESY.sub("", _GREETING.sub("", text.strip()))
    question = _THANKS.sub("", question).strip()
    sentences = _SENTENCE_END.split(question)
    while (
        len(sentences) > 1
        and _ABOUT_ASKER.match(sentences[0])
        and "?" not in sentences[0]
        and says_enough(" ".join(sentences[1:]))
    ):
        sentences.pop(0)
    question = " ".join(sentences)
    # "Je travaille au CMP de Lisieux : qui porte …": the asker, then the question.
    about, colon, rest = question.partition(" : ")
    if colon and _ASKER_AT_WORK.match(about) and _ASKING.match(rest) and says_enough(rest):
        question = rest
    question = _DITES_MOI.sub("", _REQUEST.sub("", question)).strip()
    if not re.search(r"\w", question):
        return text.strip()
    if question != text.strip():
        question = question[0].upper() + question[1:]
    return question


def in_corpus_words(question: str) -> str:
    """The question in the documents' words: places for inhabitants' names, clipped
    words in full, plain apostrophes.

    "Quelle part des Seinomarins…" → "Quelle part des habitants de Seine-Maritime…";
    "la population havraise" → "la population du Havre"… The documents say "la
    population de la Seine-Maritime" far more often than "les Seinomarins".
    """

    def place(match: re.Match[str], of: str) -> str:
        return f"habitants {of}" if match.group(0)[0].isupper() else of

    # A question pasted from a word processor has typographic apostrophes
    # ("combien d’enfants"); the question is read with plain ones.
    text = _APOSTROPHES.sub("'", question)
    for stem, of in _DEMONYMS:
        pattern = re.compile(rf"\b(?:{stem})(?:n?e)?s?\b", re.I)
        text = pattern.sub(lambda m, of=of: place(m, of), text)
    for short, full in _SPOKEN:
        text = re.sub(rf"\b(?:{short})\b", full, text, flags=re.I)
    return text


def without_document_names(question: str) -> str:
    """The question without the words that name a document ("du PTSM", "du CLS de Lisieux")."""
    text = fold(question)
    for pattern, _ in DOCUMENT_HINTS:
        text = re.sub(pattern, " ", text)
    return re.sub(r"\s+", " ", text).strip()


# "qui" asks who only where a question word stands: first, after a preposition or a
# pause ("À qui…", "Dans le CLS, qui porte…"); after a noun it is a relative pronoun
# ("l'équipe mobile qui intervient…").
_QUI = re.compile(
    r"(?:^|[,:;?(]\s*|\b(?:a|par|avec|pour|de|chez|aupres de|selon|et|mais|c.est)\s+)qui\b"
)


_WHICH_BODY = re.compile(
    # "quel organisme", "quels sont les porteurs de la fiche 2.5 ?"
    r"\bquel(?:le)?s? (?:sont (?:les )?|est (?:le |l['’])?)?"
    r"(?:organisme|operateur|gestionnaire|financeur|etablissement|porteur)s?\b"
)


def _asks_who(text: str) -> bool:
    return bool(_QUI.search(text) or _WHO.search(_without_porter_sur(text)))


def _without_porter_sur(text: str) -> str:
    """ "Sur quoi porte X", "X porte sur…": *porter sur* is "to be about", not a porteur."""
    if re.search(r"\bsur (?:quel|quoi|lesquel)", text):
        return re.sub(r"\bport\w*", " ", text)
    return re.sub(r"\bport\w* sur\b", " ", text)


# A question that opens on "when" asks a date, whatever it names after ("De quand date
# la note … à laquelle le PTSM emprunte sa définition ?").
_OPENS_WHEN = re.compile(
    r"^\W*(?:de quand|depuis quand|jusqu.a quand|quand|a quelle date|en quelle annee)\b"
)


# A statement before the question ("La fiche 5.1 du CLS prévoit de communiquer sur le
# CRT. Qui porte le CRT de Lisieux ?"): a sentence that ends on "." or "!" and a capital
# that opens the next one.
_STATEMENT_END = re.compile(r"(?<=\w[.!])\s+(?=[A-ZÀ-ÖØ-Ý«\"])")
# The question leans on the statement's unit: "ses partenaires", "qui la porte",
# "cette fiche", "celle-ci", the statement's document ("ce PTSM").
_BACK_REFERENCE = re.compile(
    r"\b(?:son|sa|ses|leurs?|cette (?:fiche|action|priorite)|cet axe|celle-ci|celui-ci"
    r"|ce (?:ptsm|cls|plan|contrat|document|projet|programme)"
    r"|(?:la|le|les|l')\s*(?:porte|pilote|finance|coordonne|anime)\w*|ca|cela)\b"
)


# A statement ended by a colon, then the question: "Le PTSM cite … : combien … ?".
_COLON_QUESTION = re.compile(rf"(?<=\w)\s+:\s+(?={_QUESTION_WORD})", re.I)


# What a document does, in a statement of context: "Le CLS veut …", "le PTSM cite …".
_DOCUMENT_SAYS = re.compile(
    r"(?<!\bqui )\b(?:veut|veulent|prevoit|prevoyait|prevoient|cite|citent|annonce|annoncait|renvoie"
    r"|rappelle|se refere|evoque|mentionne|indique|souhaite|propose|entend|vise)\b"
)


def asked_sentence(question: str) -> str:
    """The sentence that asks, when statements of context come before it.

    "La fiche 2.4 du CLS veut informer la population sur le SAS 14. Sur quelles plages
    horaires fonctionne ce service ?" asks of the SAS, not of the fiche 2.4: the units
    and documents the statement names are why the question is asked, not where its
    answer is. The whole text is kept when the last sentence says too little alone
    ("… Qui est-ce ?") or leans on the statement's unit ("… Quels sont ses partenaires ?"),
    and when an earlier sentence asks too ("Qui porte l'EMAS ? Et combien … ?").
    """
    sentences = _STATEMENT_END.split(question.strip())
    if len(sentences) < 2:
        # "Le CLS veut faire connaître le CRT : qui porte le CRT de Lisieux ?" — a
        # statement, which says what a document does; not a topic ("SAS du Calvados :
        # quel budget ?", "Fiche action 3.2 : qui en assure le portage ?").
        sentences = _COLON_QUESTION.split(question.strip(), maxsplit=1)
        if len(sentences) == 2 and not _DOCUMENT_SAYS.search(fold(sentences[0])):
            return question
    if len(sentences) < 2:
        return question
    statement, asked = " ".join(sentences[:-1]), sentences[-1]
    if (
        "?" in statement
        or len(statement.split()) < 4
        or not says_enough(asked)
        or _BACK_REFERENCE.search(fold(asked))
        # "…renvoie à une fiche du CLS : laquelle, et …": asks of the statement's unit.
        or re.match(r"\W*(?:laquelle|lequel|lesquel(?:le)?s)\b", fold(asked))
    ):
        return question
    return asked


_UNIT_REFERENCE = re.compile(
    r"\b(?:(?:fiche(?: action)?|action|fa)\s*\d\s*[.,]\s*\d|priorite (?:n°\s*)?\d{1,2}"
    r"|action prioritaire (?:n°\s*|#)?\d{1,2}|axe \d|objectif (?:operationnel )?(?:n°\s*)?\d{1,2})\b"
)


def statement_topic(statement: str) -> str:
    """What a statement before the question speaks of, without the units and documents
    it names ("La fiche 5.1 du CLS prévoit de communiquer sur le CRT" → "prevoit de
    communiquer sur le crt"): the reason for the question, not where its answer is."""
    return re.sub(r"\s+", " ", _UNIT_REFERENCE.sub(" ", without_document_names(statement))).strip()


def analyze_question(question: str) -> QueryAnalysis:
    """What the question asks, read from its asking sentence (`asked_sentence`)."""
    text = fold(asked_sentence(question))
    if _OPENS_WHEN.search(text):
        kind = "date"
    elif re.search(r"\bc.est quoi (?:les|ses|leurs) (?:\d+ |trois |deux |quatre )?\w+s\b", text):
        kind = "list"  # "c'est quoi les 3 actions proposées aux familles ?"
    elif _DEFINITION.search(text):
        kind = "definition"
    elif _FREQUENCY.search(text):
        kind = "frequency"
    elif _COMPOSITION.search(text) and not _COUNT.search(text):
        kind = "list"
    elif re.search(r"^\W*qui\b|\b(?:par|a|avec|chez) qui\b", text) or _WHICH_BODY.search(text):
        # "Par qui est financé le GEM ?", "financées via quel opérateur ?" ask a body,
        # not an amount.
        kind = "who"
    elif _CONTACT.search(text):
        kind = "contact"
    elif (_RATE.search(text) and not re.search(r"\bcombien\b", text)) or _GAP.search(text):
        kind = "rate"
    elif _AMOUNT.search(text) and not re.search(r"combien d(?:e |')(?!euros)", text):
        kind = "amount"
    elif _DATE.search(text):
        kind = "date"
    elif _COUNT.search(text):
        kind = "count"
    elif _asks_who(text):
        kind = "who"
    elif _LIST.search(text):
        kind = "list"
    else:
        kind = "other"
    fiche = FICHE_NUMBER.search(text)
    priority = re.search(r"\bpriorite (?:n°\s*)?(\d{1,2})\b", text) or re.search(
        r"action prioritaire (?:n°\s*|#)?(\d{1,2})\b", text
    )
    objective = re.search(r"\bobjectif (?:operationnel )?(?:n°\s*)?(\d{1,2})\b", text)
    axis = re.search(r"\baxe (\d)\b", text)
    documents = tuple(doc for pattern, doc in DOCUMENT_HINTS if re.search(pattern, text))
    return QueryAnalysis(
        kind=kind,
        fiche=f"{fiche.group(1)}.{fiche.group(2)}" if fiche else None,
        priority=int(priority.group(1)) if priority else None,
        objective=int(objective.group(1)) if objective else None,
        axis=int(axis.group(1)) if axis else None,
        documents=documents,
        fields=wanted_fields(text, kind),
        signing=kind == "date"
        and bool(re.search(r"\bsign", text))
        and not ASKS_EARLIER.search(text),
    )


_WORD = re.compile(r"[A-Za-zÀ-ÖØ-öø-ÿ][\wÀ-ÖØ-öø-ÿ]*")
_ADDRESS = re.compile(r"\S+@\S+|\S*(?:https?://|www\.)\S+|\S+\.(?:fr|com|org|net)\b\S*")
# A word right after the start of a line, a sentence end, a bullet or a number: its
# capital says nothing of whether it is a name.
_SENTENCE_START = re.compile(r"(?:^|[.!?:;•\-–\d(«\"]\s*)$")


def corpus_spelling(texts: Iterable[str]) -> dict[str, str]:
    """The documents' spelling of words a user may type in lower case or unaccented.

    Keys are folded (lower case, no accents). Two kinds of words are kept:
    - acronyms and proper names the documents never write in lower case, even without
      accents: "emas" → "EMAS", "caen" → "Caen", "fecamp" → "Fécamp" — but not "sas"
      if the documents also use "sas" as a common noun, nor "hopital" of a title in
      capitals. An acronym counts wherever it stands; a proper name must be
      capitalised inside a sentence at least twice (a capital at the start of a
      sentence proves nothing);
    - accented words the documents never write without their accents, when only one
      accented spelling folds that way: "rentree" → "rentrée", "evaluees" →
      "évaluées" (not "eleve", written both "élève" and "élevé").
    """
    lower: dict[str, set[str]] = {}
    caps: dict[str, dict[str, int]] = {}
    for text in texts:
        text = _ADDRESS.sub(" ", text)  # "gem.bolbec@…", "ars.normandie.sante.fr"
        for match in _WORD.finditer(text):
            word = match.group(0)
            if word.islower():
                lower.setdefault(fold(word), set()).add(word)
                continue
            if word.isupper() and len(word) >= 2:
                weight = 2  # an acronym is one wherever it stands
            elif word[0].isupper() and word[1:].islower() and len(word) >= 3:
                before = text[max(0, match.start() - 3) : match.start()]
                weight = 0 if _SENTENCE_START.search(before) else 1
            else:
                continue
            forms = caps.setdefault(fold(word), {})
            forms[word] = forms.get(word, 0) + weight
    out = {}
    for key, forms in caps.items():
        if key in lower:
            continue  # "HOPITAL" in a title, "hôpital" in the text
        form, weight = max(forms.items(), key=lambda kv: kv[1])
        if weight >= 2:
            out[key] = form
    for key, spellings in lower.items():
        if key not in spellings and len(spellings) == 1:
            out[key] = next(iter(spellings))
    return out


def with_corpus_spelling(question: str, spelling: Mapping[str, str]) -> str:
    """The question in the documents' spelling: capitals on the acronyms and names it
    types in lower case, accents on the words it types without.

    "que veut dire sdre ?" → "que veut dire SDRE ?", "le gem de fecamp" → "le GEM de
    Fécamp", "a la rentree" → "a la rentrée": acronyms, names and words are how the
    answer is found and checked. Words the user capitalised or accented are left as
    written.
    """

    def restore(match: re.Match[str]) -> str:
        word = match.group(0)
        return spelling.get(word, word) if word.islower() and word == fold(word) else word

    return _WORD.sub(restore, question) if spelling else question
