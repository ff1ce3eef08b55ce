"""Real Word footnotes for python-docx documents, which have no footnote API."""

from __future__ import annotations

from docx.opc.constants import CONTENT_TYPE, RELATIONSHIP_TYPE
from docx.opc.packuri import PackURI
from docx.opc.part import XmlPart
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.parts.document import DocumentPart
from docx.text.paragraph import Paragraph

FOOTNOTE_TEXT_STYLE = "FootnoteText"
FOOTNOTE_REFERENCE_STYLE = "FootnoteReference"

# Word always writes the separator (-1) and continuation separator (0) footnotes, and
# names them in settings.xml: we do the same rather than count on its tolerance.
_SEPARATORS = f"""<w:footnotes {nsdecls("w")}>
  <w:footnote w:type="separator" w:id="-1"><w:p>
    <w:pPr><w:spacing w:after="0" w:line="240" w:lineRule="auto"/></w:pPr>
    <w:r><w:separator/></w:r>
  </w:p></w:footnote>
  <w:footnote w:type="continuationSeparator" w:id="0"><w:p>
    <w:pPr><w:spacing w:after="0" w:line="240" w:lineRule="auto"/></w:pPr>
    <w:r><w:continuationSeparator/></w:r>
  </w:p></w:footnote>
</w:footnotes>"""

# Word's built-in names (lower case) and ids, so Word treats them as its own styles.
_STYLES = (
    f"""<w:style {nsdecls("w")} w:type="paragraph" w:styleId="{FOOTNOTE_TEXT_STYLE}">
  <w:name w:val="footnote text"/><w:basedOn w:val="Normal"/>
  <w:uiPriority w:val="99"/><w:unhideWhenUsed/>
  <w:pPr><w:spacing w:after="0" w:line="240" w:lineRule="auto"/></w:pPr>
  <w:rPr><w:sz w:val="20"/><w:szCs w:val="20"/></w:rPr>
</w:style>""",
    f"""<w:style {nsdecls("w")} w:type="character" w:styleId="{FOOTNOTE_REFERENCE_STYLE}">
  <w:name w:val="footnote reference"/><w:basedOn w:val="DefaultParagraphFont"/>
  <w:uiPriority w:val="99"/><w:unhideWhenUsed/>
  <w:rPr><w:vertAlign w:val="superscript"/></w:rPr>
</w:style>""",
)

# Children of w:settings that come after w:footnotePr in the schema's sequence.
_AFTER_FOOTNOTE_PR = (
    "w:endnotePr w:compat w:docVars w:rsids m:mathPr w:attachedSchema w:themeFontLang "
    "w:clrSchemeMapping w:doNotIncludeSubdocsInStats w:doNotAutoCompressPictures "
    "w:forceUpgrade w:captions w:readModeInkLockDown w:smartTagType sl:schemaLibrary "
    "w:shapeDefaults w:doNotEmbedSmartTags w:decimalSymbol w:listSeparator"
).split()


def _reference_run(tag: str, footnote_id: int | None = None) -> BaseOxmlElement:
    """A run holding `w:footnoteReference` (the call, in the body) or `w:footnoteRef`
    (the number, in the footnote), in the footnote reference style."""
    id_attribute = "" if footnote_id is None else f' w:id="{footnote_id}"'
    return parse_xml(
        f'<w:r {nsdecls("w")}><w:rPr><w:rStyle w:val="{FOOTNOTE_REFERENCE_STYLE}"/></w:rPr>'
        f"<{tag}{id_attribute}/></w:r>"
    )


def _new_footnotes_part(document_part: DocumentPart) -> XmlPart:
    """Create the footnotes part, its styles and the settings Word expects with it."""
    package = document_part.package
    part = XmlPart(
        PackURI("/word/footnotes.xml"),
        CONTENT_TYPE.WML_FOOTNOTES,
        parse_xml(_SEPARATORS),
        package,
    )
    document_part.relate_to(part, RELATIONSHIP_TYPE.FOOTNOTES)

    styles = document_part.styles.element
    for xml in _STYLES:
        style = parse_xml(xml)
        if styles.get_by_id(style.get(qn("w:styleId"))) is None:
            styles.append(style)

    settings = document_part.settings.element
    if settings.find(qn("w:footnotePr")) is None:
        footnote_pr = parse_xml(
            f'<w:footnotePr {nsdecls("w")}><w:footnote w:id="-1"/><w:footnote w:id="0"/>'
            "</w:footnotePr>"
        )
        settings.insert_element_before(footnote_pr, *_AFTER_FOOTNOTE_PR)
    return part


def _footnotes_part(document_part: DocumentPart) -> XmlPart:
    try:
        part = document_part.part_related_by(RELATIONSHIP_TYPE.FOOTNOTES)
    except KeyError:
        return _new_footnotes_part(document_part)
    if not isinstance(part, XmlPart):
        # python-docx loads an existing footnotes part as opaque bytes.
        raise ValueError("this document already has footnotes that python-docx cannot edit")
    return part


def add_footnote(paragraph: Paragraph, text: str) -> int:
    """Append a footnote call to `paragraph`, with `text` as the footnote; return its id.

    Word numbers footnotes itself, in the order of their calls across the document.
    `text` must be XML-safe (no control characters).

    Raises:
        ValueError: `paragraph` is outside the document body (a header, a footnote…).
    """
    if not isinstance(paragraph.part, DocumentPart):
        raise ValueError("Word only allows footnote calls in the document body")
    footnotes = _footnotes_part(paragraph.part).element
    footnote_id = 1 + max(int(f.get(qn("w:id"))) for f in footnotes.iterchildren(qn("w:footnote")))

    footnote = parse_xml(
        f'<w:footnote {nsdecls("w")} w:id="{footnote_id}"><w:p>'
        f'<w:pPr><w:pStyle w:val="{FOOTNOTE_TEXT_STYLE}"/></w:pPr>'
        '<w:r><w:t xml:space="preserve"/></w:r></w:p></w:footnote>'
    )
    text_run = footnote.find(f"{qn('w:p')}/{qn('w:r')}")
    text_run.addprevious(_reference_run("w:footnoteRef"))
    text_run.find(qn("w:t")).text = f" {text}"  # Word's space between number and text
    footnotes.append(footnote)

    paragraph._p.append(_reference_run("w:footnoteReference", footnote_id))
    return footnote_id
