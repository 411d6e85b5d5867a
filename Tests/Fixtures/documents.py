#!/usr/bin/env python3
# SPDX-License-Identifier: AGPL-3.0-or-later
"""Documents with metadata for the metadata-removal tests, and a way to look for it.

  documents.py make DIR      writes DIR/court.pdf (Info /Author, /Producer and an XMP packet),
                             DIR/letter.docx (docProps/core.xml creator, last editor, revision;
                             rsid revision ids) and DIR/note.odt (meta.xml creator and initial
                             creator); every marker contains "AUTHORMARK".
  documents.py find FILE     prints every marker found in FILE: in its bytes, in every PDF
                             stream inflated, in every ZIP member. Prints nothing if none."""

import re, sys, zipfile, zlib

MARKER = b"AUTHORMARK"


def pdf(path):
    xmp = (b'<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/">'
           b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description '
           b'xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:creator><rdf:Seq><rdf:li>XMP-AUTHORMARK Gulnara K.'
           b'</rdf:li></rdf:Seq></dc:creator></rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>')
    content = b"BT /F1 18 Tf 20 60 Td (Postanovlenie suda) Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R /Metadata 6 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 144] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Type /Metadata /Subtype /XML /Length %d >>\nstream\n" % len(xmp) + xmp + b"\nendstream",
        b"<< /Author (PDF-AUTHORMARK Gulnara K.) /Creator (LibreOffice) /Producer (PRODUCER-AUTHORMARK) >>",
    ]
    out, offsets = b"%PDF-1.4\n", []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R /Info 7 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    open(path, "wb").write(out)


def docx(path):
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("[Content_Types].xml",
                   '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                   '<Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" '
                   'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
                   '<Override PartName="/docProps/core.xml" '
                   'ContentType="application/vnd.openxmlformats-package.core-properties+xml"/></Types>')
        z.writestr("_rels/.rels",
                   '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                   '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
                   'officeDocument" Target="word/document.xml"/><Relationship Id="rId2" Type="http://schemas.'
                   'openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>'
                   '</Relationships>')
        z.writestr("word/document.xml",
                   '<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
                   '<w:body><w:p w:rsidR="00AB12CD"><w:r><w:t>Khodataistvo</w:t></w:r></w:p></w:body></w:document>')
        z.writestr("docProps/core.xml",
                   '<?xml version="1.0"?><cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/'
                   'metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:creator>DOCX-AUTHORMARK '
                   'Gulnara K.</dc:creator><cp:lastModifiedBy>EDITOR-AUTHORMARK Bakhyt</cp:lastModifiedBy>'
                   '<cp:revision>7</cp:revision></cp:coreProperties>')


def odt(path):
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.text")
        z.writestr("META-INF/manifest.xml",
                   '<?xml version="1.0"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:'
                   'manifest:1.0"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.'
                   'oasis.opendocument.text"/><manifest:file-entry manifest:full-path="content.xml" '
                   'manifest:media-type="text/xml"/><manifest:file-entry manifest:full-path="meta.xml" '
                   'manifest:media-type="text/xml"/></manifest:manifest>')
        z.writestr("content.xml",
                   '<?xml version="1.0"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:'
                   'office:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:text>'
                   '<text:p>Zapiska</text:p></office:text></office:body></office:document-content>')
        z.writestr("meta.xml",
                   '<?xml version="1.0"?><office:document-meta xmlns:office="urn:oasis:names:tc:opendocument:xmlns:'
                   'office:1.0" xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0" xmlns:dc="http://purl.org/'
                   'dc/elements/1.1/"><office:meta><dc:creator>ODT-AUTHORMARK Gulnara K.</dc:creator>'
                   '<meta:initial-creator>INITIAL-AUTHORMARK</meta:initial-creator></office:meta></office:document-meta>')


def find(path):
    data = open(path, "rb").read()
    pieces = [data]
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
        try:
            pieces.append(zlib.decompress(match.group(1)))
        except zlib.error:
            pass
    try:
        with zipfile.ZipFile(path) as z:
            pieces += [z.read(name) for name in z.namelist()]
    except zipfile.BadZipFile:
        pass
    found = set()
    for piece in pieces:
        found.update(m.group(0).decode() for m in re.finditer(rb"[A-Z-]*" + MARKER, piece))
    for marker in sorted(found):
        print(marker)


if __name__ == "__main__":
    if sys.argv[1] == "make":
        pdf(sys.argv[2] + "/court.pdf")
        docx(sys.argv[2] + "/letter.docx")
        odt(sys.argv[2] + "/note.odt")
    else:
        find(sys.argv[2])
