"""Document formats a knowledge base ingests, metadata sidecars and chunking (pure functions)."""

from __future__ import annotations

import io
import json
import zipfile

import pytest

from gailab.simulator.bedrockagent import chunking, documents, sources


def _zip(files: dict[str, str]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name, text in files.items():
            z.writestr(name, text)
    return out.getvalue()


W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
S = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'


def test_office_formats_give_their_text():
    docx = _zip({"word/document.xml": f'<w:document {W}><w:body><w:p><w:r><w:t>Reembolso em </w:t></w:r>'
                                      f'<w:r><w:t>10 dias úteis.</w:t></w:r></w:p><w:p><w:r><w:t>Segundo parágrafo.</w:t>'
                                      '</w:r></w:p></w:body></w:document>'})
    assert documents.text_of("a/politica.docx", docx) == "Reembolso em 10 dias úteis.\nSegundo parágrafo."
    xlsx = _zip({"xl/sharedStrings.xml": f'<sst {S}><si><t>Plano</t></si><si><t>Premium</t></si></sst>',
                 "xl/worksheets/sheet1.xml": f'<worksheet {S}><sheetData><row><c t="s"><v>0</v></c><c><v>99</v></c></row>'
                                             '<row><c t="s"><v>1</v></c><c t="inlineStr"><is><t>Internacional</t></is></c></row>'
                                             '</sheetData></worksheet>'})
    assert documents.text_of("planos.xlsx", xlsx) == "Plano, 99\nPremium, Internacional"


def test_text_formats_and_what_cannot_be_read():
    html = "<html><head><title>FAQ</title><script>var x=1;</script></head><body><h1>Check-in</h1><p>Opens 24 h before.</p></body></html>"
    assert documents.text_of("faq.html", html.encode()) == "FAQ\nCheck-in\nOpens 24 h before."
    assert documents.text_of("a.md", b"# Title\n\nSee [the portal](http://x) **now**.") == "Title\n\nSee the portal now."
    assert documents.text_of("p.csv", "Plano,Preço\nBásico,49\n".encode()) == "Plano: Básico; Preço: 49."
    assert documents.text_of("latin.txt", "férias".encode("cp1252")) == "férias"
    for key, data, reason in (("a.doc", b"\xd0\xcf\x11\xe0", "legacy .doc"), ("b.png", b"\x89PNG", ".png is not supported"),
                              ("c.txt", b"\x00\x01\x02binary", "binary"), ("d.txt", b"   \n", "no text content"),
                              ("e.docx", b"not a zip", "not a valid Office Open XML")):
        with pytest.raises(documents.Unreadable, match=reason):
            documents.text_of(key, data)


def test_metadata_sidecars_plain_and_typed():
    plain = sources.parse_metadata(json.dumps({"metadataAttributes": {"genre": "policy", "year": 2024, "tags": ["a", "b"],
                                                                       "public": True}}).encode())
    assert plain == {"genre": "policy", "year": 2024, "tags": ["a", "b"], "public": True}
    typed = sources.parse_metadata(json.dumps({"metadataAttributes": {
        "team": {"value": {"type": "STRING", "stringValue": "rh"}, "includeForEmbedding": True},
        "level": {"value": {"type": "NUMBER", "numberValue": 3}}}}).encode())
    assert typed == {"team": "rh", "level": 3}
    for raw, reason in ((b"{", "not valid JSON"), (b'{"other": 1}', '"metadataAttributes"'),
                        (json.dumps({"metadataAttributes": {"x": {"nested": 1}}}).encode(), "not a string, number"),
                        (b" " * 11000, "larger than 10 KB")):
        with pytest.raises(documents.Unreadable, match=reason):
            sources.parse_metadata(raw)


def test_default_chunking_is_about_300_tokens_with_sentence_boundaries():
    text = " ".join(f"Sentence number {i} talks about travel booking rules." for i in range(200))
    chunks = chunking.chunk(text, None)
    assert len(chunks) > 3
    assert all(c.text.endswith(".") and c.text.startswith("Sentence") for c in chunks)
    assert chunking.problem({"chunkingStrategy": "NONE", "fixedSizeChunkingConfiguration": {"maxTokens": 5, "overlapPercentage": 1}}, 8192) \
        == "fixedSizeChunkingConfiguration can only be specified when chunkingStrategy is FIXED_SIZE."
    assert "exceeds the maximum input of the embedding model" in chunking.problem(
        {"chunkingStrategy": "FIXED_SIZE", "fixedSizeChunkingConfiguration": {"maxTokens": 8192, "overlapPercentage": 10}}, 512)
