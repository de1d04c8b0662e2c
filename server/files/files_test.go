package files

import (
	"archive/zip"
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"math/rand/v2"
	"sort"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/gabriel-vasile/mimetype"
	"github.com/ledongthuc/pdf"
)

// ---- fixtures, all built here: no binary file is committed ----

type zipFile struct {
	name  string
	data  string
	store bool // stored uncompressed, as ODF requires for "mimetype"
}

func makeZip(t testing.TB, files ...zipFile) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range files {
		h := &zip.FileHeader{Name: f.name, Method: zip.Deflate}
		if f.store {
			h.Method = zip.Store
		}
		w, err := zw.CreateHeader(h)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(f.data)); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

const contentTypes = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/></Types>`

const rels = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"/>`

// ooxml builds a minimal Office Open XML package with its main part.
func ooxml(t testing.TB, part, xml string) []byte {
	return makeZip(t,
		zipFile{name: "[Content_Types].xml", data: contentTypes},
		zipFile{name: "_rels/.rels", data: rels},
		zipFile{name: part, data: xml})
}

// odf builds a minimal OpenDocument package: "mimetype" first and stored.
func odf(t testing.TB, mime string) []byte {
	return makeZip(t,
		zipFile{name: "mimetype", data: mime, store: true},
		zipFile{name: "content.xml", data: `<office:document-content/>`},
		zipFile{name: "META-INF/manifest.xml", data: `<manifest:manifest/>`})
}

func pngImage(t testing.TB) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 4, 4))
	img.Set(1, 1, color.RGBA{200, 10, 10, 255})
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func jpegImage(t testing.TB) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 4, 4))
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, nil); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// ole builds a minimal compound file (the container of .doc, .xls, .ppt)
// whose root storage has the given CLSID: a header, one FAT sector, one
// directory sector.
func ole(clsid []byte) []byte {
	b := make([]byte, 512*3)
	le := binary.LittleEndian
	copy(b, []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1})
	le.PutUint16(b[24:], 0x3E)   // minor version
	le.PutUint16(b[26:], 3)      // major version: 512-byte sectors
	le.PutUint16(b[28:], 0xFFFE) // byte order
	le.PutUint16(b[30:], 9)      // sector shift
	le.PutUint16(b[32:], 6)      // mini sector shift
	le.PutUint32(b[44:], 1)      // FAT sectors
	le.PutUint32(b[48:], 1)      // first directory sector
	le.PutUint32(b[56:], 4096)   // mini stream cutoff
	le.PutUint32(b[60:], 0xFFFFFFFE)
	le.PutUint32(b[68:], 0xFFFFFFFE)
	for i := 76; i < 512; i += 4 {
		le.PutUint32(b[i:], 0xFFFFFFFF)
	}
	le.PutUint32(b[76:], 0) // the FAT is sector 0
	fat := b[512:1024]
	for i := 0; i < 512; i += 4 {
		le.PutUint32(fat[i:], 0xFFFFFFFF)
	}
	le.PutUint32(fat[0:], 0xFFFFFFFD) // sector 0: FAT
	le.PutUint32(fat[4:], 0xFFFFFFFE) // sector 1: directory, end of chain
	dir := b[1024:]
	for i, r := range "Root Entry" {
		le.PutUint16(dir[2*i:], uint16(r))
	}
	le.PutUint16(dir[64:], 22) // name length with NUL, in bytes
	dir[66], dir[67] = 5, 1    // root storage, black
	for _, off := range []int{68, 72, 76} {
		le.PutUint32(dir[off:], 0xFFFFFFFF)
	}
	copy(dir[80:], clsid)
	le.PutUint32(dir[116:], 0xFFFFFFFE)
	for e := 1; e < 4; e++ {
		for _, off := range []int{68, 72, 76} {
			le.PutUint32(dir[e*128+off:], 0xFFFFFFFF)
		}
	}
	return b
}

func mustPDF(t testing.TB, title string, paragraphs ...string) []byte {
	t.Helper()
	b, err := GeneratePDF(title, paragraphs...)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// craftObj is one object of a hand-made PDF: either written in the file
// (body != "" and container == 0) or stored in the object stream container.
type craftObj struct {
	num       int
	body      string // what goes between "N 0 obj" and "endobj"
	container int    // object stream holding it, 0 when in the file
}

// craftPDF writes a PDF 1.5 with a cross-reference stream (no filter,
// W [1 4 2]), putting the objects whose container is set into object streams
// (compressed with Flate when flate is true). trailer is added to the xref
// stream dictionary after /Root 1 0 R. It lets the tests build the malformed
// structures the vetting must catch.
func craftPDF(objs []craftObj, flate bool, trailer string) []byte {
	var buf bytes.Buffer
	buf.WriteString("%PDF-1.5\n%\xe2\xe3\xcf\xd3\n")
	maxNum := 0
	byContainer := map[int][]craftObj{}
	for _, o := range objs {
		maxNum = max(maxNum, o.num, o.container)
		if o.container != 0 {
			byContainer[o.container] = append(byContainer[o.container], o)
		}
	}
	size := maxNum + 2 // plus the xref stream itself
	type entry struct{ typ, f2, f3 int }
	entries := make([]entry, size)
	writeObj := func(num int, body string) {
		entries[num] = entry{1, buf.Len(), 0}
		fmt.Fprintf(&buf, "%d 0 obj\n%s\nendobj\n", num, body)
	}
	for _, o := range objs {
		if o.container == 0 && o.body != "" {
			writeObj(o.num, o.body)
		}
	}
	containers := make([]int, 0, len(byContainer))
	for c := range byContainer {
		containers = append(containers, c)
	}
	sort.Ints(containers)
	for _, c := range containers {
		var head, body strings.Builder
		for i, o := range byContainer[c] {
			fmt.Fprintf(&head, "%d %d ", o.num, body.Len())
			body.WriteString(o.body + "\n")
			entries[o.num] = entry{2, c, i}
		}
		content := []byte(head.String() + body.String())
		filter := ""
		if flate {
			var z bytes.Buffer
			w := zlib.NewWriter(&z)
			w.Write(content)
			w.Close()
			content, filter = z.Bytes(), " /Filter /FlateDecode"
		}
		if entries[c].typ == 0 {
			writeObj(c, fmt.Sprintf("<< /Type /ObjStm /N %d /First %d /Length %d%s >>\nstream\n%s\nendstream",
				len(byContainer[c]), head.Len(), len(content), filter, content))
		}
	}
	xrefNum := size - 1
	xrefOff := buf.Len()
	entries[xrefNum] = entry{1, xrefOff, 0}
	var data bytes.Buffer
	for _, e := range entries {
		data.WriteByte(byte(e.typ))
		binary.Write(&data, binary.BigEndian, uint32(e.f2))
		binary.Write(&data, binary.BigEndian, uint16(e.f3))
	}
	fmt.Fprintf(&buf, "%d 0 obj\n<< /Type /XRef /Size %d /W [1 4 2] /Root 1 0 R%s /Length %d >>\nstream\n",
		xrefNum, size, trailer, data.Len())
	buf.Write(data.Bytes())
	fmt.Fprintf(&buf, "\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n", xrefOff)
	return buf.Bytes()
}

// craftClassic writes a PDF 1.4 with a classic xref table; xrefHead, when
// set, replaces the subsection header "0 N".
func craftClassic(bodies []string, xrefHead, trailer string) []byte {
	var buf bytes.Buffer
	buf.WriteString("%PDF-1.4\n")
	offs := make([]int, len(bodies))
	for i, b := range bodies {
		offs[i] = buf.Len()
		fmt.Fprintf(&buf, "%d 0 obj\n%s\nendobj\n", i+1, b)
	}
	xrefOff := buf.Len()
	if xrefHead == "" {
		xrefHead = fmt.Sprintf("0 %d", len(bodies)+1)
	}
	fmt.Fprintf(&buf, "xref\n%s\n0000000000 65535 f \n", xrefHead)
	for _, o := range offs {
		fmt.Fprintf(&buf, "%010d 00000 n \n", o)
	}
	trailer = strings.ReplaceAll(trailer, "$XREF", fmt.Sprint(xrefOff))
	fmt.Fprintf(&buf, "trailer\n<< /Size %d /Root 1 0 R%s >>\nstartxref\n%d\n%%%%EOF\n", len(bodies)+1, trailer, xrefOff)
	return buf.Bytes()
}

// ---- Sniff ----

const (
	mimeDocx = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
	mimeXlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	mimePptx = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
)

func TestSniff(t *testing.T) {
	samplePDF := mustPDF(t, "Sample", "Hello")
	wordCLSID := []byte{0x06, 0x09, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0xc0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x46}
	excelCLSID := []byte{0x20, 0x08, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0xc0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x46}
	pptCLSID := []byte{0x10, 0x8d, 0x81, 0x64, 0x9b, 0x4f, 0xcf, 0x11, 0x86, 0xea, 0x00, 0xaa, 0x00, 0xb9, 0x29, 0xe8}
	longUTF8 := "x" + strings.Repeat("é", 3000) // byte 4095 starts an "é": SniffLen cuts it

	tests := []struct {
		name     string
		data     []byte
		wantMIME string // "" when refused
		wantExt  string
		wantErr  error
	}{
		{"pdf", samplePDF, "application/pdf", "pdf", nil},
		{"docx", ooxml(t, "word/document.xml", `<w:document/>`), mimeDocx, "docx", nil},
		{"xlsx", ooxml(t, "xl/workbook.xml", `<workbook/>`), mimeXlsx, "xlsx", nil},
		{"pptx", ooxml(t, "ppt/presentation.xml", `<p:presentation/>`), mimePptx, "pptx", nil},
		{"odt", odf(t, "application/vnd.oasis.opendocument.text"), "application/vnd.oasis.opendocument.text", "odt", nil},
		{"ods", odf(t, "application/vnd.oasis.opendocument.spreadsheet"), "application/vnd.oasis.opendocument.spreadsheet", "ods", nil},
		{"odp", odf(t, "application/vnd.oasis.opendocument.presentation"), "application/vnd.oasis.opendocument.presentation", "odp", nil},
		{"doc", ole(wordCLSID), "application/msword", "doc", nil},
		{"xls", ole(excelCLSID), "application/vnd.ms-excel", "xls", nil},
		{"ppt", ole(pptCLSID), "application/vnd.ms-powerpoint", "ppt", nil},
		{"png", pngImage(t), "image/png", "png", nil},
		{"jpeg", jpegImage(t), "image/jpeg", "jpg", nil},
		{"text", []byte("Rapport de la réunion à Genève\nPequeñas empresas\n"), "text/plain; charset=utf-8", "txt", nil},
		{"text cut inside a character", []byte(longUTF8), "text/plain; charset=utf-8", "txt", nil},
		{"text prefix cut inside a character", []byte(longUTF8)[:SniffLen], "text/plain; charset=utf-8", "txt", nil},

		{"empty", nil, "", "", ErrEmpty},
		{"html", []byte("<!doctype html><html><body><script>alert(1)</script></body></html>"), "", "", ErrType},
		{"html after spaces", []byte("   \n\t <html><body onload=alert(1)></body></html>"), "", "", ErrType},
		{"html fragment", []byte("<p>hello</p><img src=x onerror=alert(1)>"), "", "", ErrType},
		{"html named pdf", []byte("<!DOCTYPE html>\n<html><head><title>invoice.pdf</title></head></html>"), "", "", ErrType},
		{"html quoting %PDF-", []byte("<html><body>\n%PDF-1.7 is a header</body></html>"), "", "", ErrType},
		{"pdf header not first", []byte("hello\n%PDF-1.4\n1 0 obj << >> endobj"), "", "", ErrType},
		{"svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`), "", "", ErrType},
		{"xml", []byte(`<?xml version="1.0"?><note><to>x</to></note>`), "", "", ErrType},
		{"xhtml", []byte(`<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"></html>`), "", "", ErrType},
		{"shell script", []byte("#!/bin/sh\nrm -rf /\n"), "", "", ErrType},
		{"javascript with shebang", []byte("#!/usr/bin/env node\nconsole.log(1)\n"), "", "", ErrType},
		{"json", []byte(`{"a": [1, 2, 3]}`), "", "", ErrType},
		{"elf", append([]byte("\x7fELF\x02\x01\x01\x00"), make([]byte, 56)...), "", "", ErrType},
		{"pe", append([]byte("MZ\x90\x00\x03\x00\x00\x00"), make([]byte, 120)...), "", "", ErrType},
		{"mach-o", append([]byte{0xcf, 0xfa, 0xed, 0xfe, 0x07, 0x00, 0x00, 0x01}, make([]byte, 24)...), "", "", ErrType},
		{"plain zip", makeZip(t, zipFile{name: "readme.txt", data: "hello"}), "", "", ErrType},
		{"jar", makeZip(t, zipFile{name: "META-INF/MANIFEST.MF", data: "Manifest-Version: 1.0\n"}), "", "", ErrType},
		{"gif", []byte("GIF89a\x01\x00\x01\x00\x00\x00\x00;"), "", "", ErrType},
		{"webp", []byte("RIFF\x1a\x00\x00\x00WEBPVP8 \x0e\x00\x00\x00"), "", "", ErrType},
		{"generic compound file", ole(make([]byte, 16)), "", "", ErrType},
		{"text with NUL", []byte("hello\x00world"), "", "", ErrType},
		{"latin-1 text", []byte("Rapport de la r\xe9union \xe0 Gen\xe8ve, " + strings.Repeat("texte ", 20)), "", "", ErrType},
		{"utf-16 text", []byte("\xff\xfeh\x00e\x00l\x00l\x00o\x00"), "", "", ErrType},
		{"binary garbage", []byte{0x00, 0x01, 0x02, 0x03, 0xff, 0xfe}, "", "", ErrType},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			head := tc.data[:min(len(tc.data), SniffLen)]
			t.Logf("mimetype.Detect: %s", mimetype.Detect(head))
			got, err := Sniff(head)
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("Sniff: got %+v, %v; want error %v", got, err, tc.wantErr)
				}
				if got != (Kind{}) {
					t.Errorf("Sniff: got kind %+v with the error, want the zero Kind", got)
				}
				return
			}
			if err != nil {
				t.Fatalf("Sniff: got error %v, want %s", err, tc.wantMIME)
			}
			if got.MIME != tc.wantMIME || got.Ext != tc.wantExt || got.Label == "" {
				t.Errorf("Sniff: got %+v, want MIME %q, Ext %q and a label", got, tc.wantMIME, tc.wantExt)
			}
			// Passing the whole file gives the same answer.
			if whole, err := Sniff(tc.data); err != nil || whole != got {
				t.Errorf("Sniff(whole file): got %+v, %v; want %+v", whole, err, got)
			}
		})
	}
}

// TestSniffLen shows why SniffLen is 4096 and not 3072: OOXML is recognised
// by finding the word/, xl/ or ppt/ entry among the zip's local headers, and
// that entry may start after the first 3 KB.
func TestSniffLen(t *testing.T) {
	bigTypes := contentTypes + "<!--" + strings.Repeat("x", 3100) + "-->"
	docx := makeZip(t,
		zipFile{name: "[Content_Types].xml", data: bigTypes, store: true},
		zipFile{name: "word/document.xml", data: `<w:document/>`})
	at := bytes.Index(docx, []byte("word/document.xml"))
	if at <= 3072 || at >= SniffLen-64 {
		t.Fatalf("fixture: word/ entry at %d, want it between 3072 and %d", at, SniffLen)
	}
	if got := mimetype.Detect(docx[:3072]).String(); got != "application/zip" {
		t.Errorf("Detect(first 3072 bytes): got %s, want application/zip", got)
	}
	got, err := Sniff(docx[:SniffLen])
	if err != nil || got.Ext != "docx" {
		t.Errorf("Sniff(first SniffLen bytes): got %+v, %v; want docx", got, err)
	}
	// mimetype ignores anything past its read limit: SniffLen must not be
	// larger than it either, or callers would read bytes for nothing.
	if got := mimetype.Detect(append(make([]byte, SniffLen), "%PDF-"...)).String(); got == "application/pdf" {
		t.Errorf("mimetype looked past SniffLen")
	}
}

// ---- SafeFilename ----

func TestSafeFilename(t *testing.T) {
	pdfKind := Kind{"application/pdf", "pdf", "PDF"}
	docx := Kind{MIME: mimeDocx, Ext: "docx", Label: "Word"}
	long := strings.Repeat("é", 300) + ".pdf"
	tests := []struct {
		name string
		in   string
		kind Kind
		want string
	}{
		{"unix traversal", "../../etc/passwd", pdfKind, "passwd.pdf"},
		{"windows traversal", `..\..\boot.ini`, pdfKind, "boot.pdf"},
		{"windows path", `C:\Users\Ana\Documents\Informe final.docx`, docx, "Informe final.docx"},
		{"dot dot only", "..", pdfKind, "document.pdf"},
		{"control characters", "name\x00with\x07control.pdf", pdfKind, "namewithcontrol.pdf"},
		{"hidden file", "  .hidden.pdf  ", pdfKind, "hidden.pdf"},
		{"extension forced", "rapport final é.exe", pdfKind, "rapport final é.pdf"},
		{"exe as pdf", "report.exe", pdfKind, "report.pdf"},
		{"quotes and semicolons", `"quoted";name.pdf`, pdfKind, "quotedname.pdf"},
		{"empty", "", pdfKind, "document.pdf"},
		{"only unsafe", `"/;\`, pdfKind, "document.pdf"},
		{"no extension", "Minutes", pdfKind, "Minutes.pdf"},
		{"document symbol", "INF-MSME-W-1-Rev.2", pdfKind, "INF-MSME-W-1-Rev.2.pdf"},
		{"whitespace collapsed", "Ordre  du\tjour\n2024.pdf", pdfKind, "Ordre du jour 2024.pdf"},
		{"right-to-left override", "invoice\u202Efdp.exe", pdfKind, "invoicefdp.pdf"},
		{"unicode letters", "Año pequeñas 中文.pdf", pdfKind, "Año pequeñas 中文.pdf"},
		{"windows reserved characters", "a<b>c:d|e?f*.pdf", pdfKind, "abcdef.pdf"},
		{"trailing dots", "notes...", pdfKind, "notes.pdf"},
		{"invalid utf-8", "bad\xffname.pdf", pdfKind, "badname.pdf"},
		{"zero kind keeps extension", "data.csv", Kind{}, "data.csv"},
		{"zero kind empty", "", Kind{}, "document"},
		{"long", long, pdfKind, strings.Repeat("é", MaxNameRunes-4) + ".pdf"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := SafeFilename(tc.in, tc.kind)
			if got != tc.want {
				t.Errorf("SafeFilename(%q): got %q, want %q", tc.in, got, tc.want)
			}
			if n := utf8.RuneCountInString(got); n > MaxNameRunes {
				t.Errorf("SafeFilename(%q): got %d runes, want at most %d", tc.in, n, MaxNameRunes)
			}
		})
	}
}

// ---- ContentDisposition ----

func TestContentDisposition(t *testing.T) {
	tests := []struct {
		name     string
		filename string
		inline   bool
		want     string
	}{
		{"accented", "Genève à l'exportation.pdf", false,
			`attachment; filename="Gen_ve _ l'exportation.pdf"; filename*=UTF-8''Gen%C3%A8ve%20%C3%A0%20l%27exportation.pdf`},
		{"inline ascii", "report.pdf", true,
			`inline; filename="report.pdf"; filename*=UTF-8''report.pdf`},
		{"chinese", "中文.txt", false,
			`attachment; filename="__.txt"; filename*=UTF-8''%E4%B8%AD%E6%96%87.txt`},
		{"hostile", "a\"b\\c\r\nSet-Cookie: x.pdf", false,
			`attachment; filename="a_b_c__Set-Cookie: x.pdf"; filename*=UTF-8''a%22b%5Cc%0D%0ASet-Cookie%3A%20x.pdf`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := ContentDisposition(tc.filename, tc.inline); got != tc.want {
				t.Errorf("ContentDisposition(%q, %v):\ngot  %s\nwant %s", tc.filename, tc.inline, got, tc.want)
			}
		})
	}
}

// ---- GeneratePDF and ExtractText ----

func TestGeneratePDFRoundTrip(t *testing.T) {
	paragraphs := []string{
		"La réunion s'est tenue à Genève le 12 mars.",
		"Las pequeñas y medianas empresas participan cada vez más en el comercio.",
		"Aide à l'exportation : œuvres, garçons, déjà, 100 €.",
	}
	// Enough paragraphs for several pages.
	for i := range 60 {
		paragraphs = append(paragraphs, fmt.Sprintf("Paragraphe %d : les MPME et le commerce international.", i))
	}
	data := mustPDF(t, "Informe sobre las MIPYME", paragraphs...)

	kind, err := Sniff(data[:min(len(data), SniffLen)])
	if err != nil || kind.MIME != "application/pdf" {
		t.Fatalf("Sniff(generated PDF): got %+v, %v; want application/pdf", kind, err)
	}
	rd, err := pdf.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatalf("pdf.NewReader: %v", err)
	}
	if n := rd.NumPage(); n < 2 {
		t.Errorf("pages: got %d, want at least 2", n)
	}

	text, err := ExtractText(bytes.NewReader(data), int64(len(data)), kind)
	if err != nil {
		t.Fatalf("ExtractText: %v", err)
	}
	for _, want := range []string{
		"Informe sobre las MIPYME", "Genève", "pequeñas", "à l'exportation", "œuvres", "garçons", "100 €",
		"Paragraphe 59 :",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("ExtractText: %q missing from %.300q…", want, text)
		}
	}
	if strings.Contains(text, "  ") || strings.ContainsAny(text, "\n\t") {
		t.Errorf("ExtractText: white space not collapsed in %.200q", text)
	}
}

func TestExtractTextPlain(t *testing.T) {
	kind := Kind{"text/plain; charset=utf-8", "txt", "Plain text"}
	big := strings.Repeat("é", MaxText) // 2 MB
	tests := []struct {
		name, in, want string
	}{
		{"plain", "Bonjour Genève\n\nligne 2", "Bonjour Genève\n\nligne 2"},
		{"bom", "\uFEFFhello", "hello"},
		{"nul and invalid", "a\x00b\xffc", "ab\uFFFDc"},
		{"capped", big, big[:MaxText]},
		{"capped after replacements", strings.Repeat("a\xff", MaxText/2), strings.Repeat("a\uFFFD", MaxText/4)},
		{"empty", "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ExtractText(strings.NewReader(tc.in), int64(len(tc.in)), kind)
			if err != nil || got != tc.want {
				t.Errorf("ExtractText: got %.40q (%d bytes), %v; want %.40q (%d bytes)", got, len(got), err, tc.want, len(tc.want))
			}
		})
	}
}

func TestExtractTextOtherKinds(t *testing.T) {
	data := ooxml(t, "word/document.xml", `<w:document>text</w:document>`)
	for _, kind := range []Kind{allowed[mimeDocx], allowed["image/png"], {}} {
		got, err := ExtractText(bytes.NewReader(data), int64(len(data)), kind)
		if got != "" || err != nil {
			t.Errorf("ExtractText(%s): got %q, %v; want \"\", nil", kind.Label, got, err)
		}
	}
}

func TestTextBuilderCap(t *testing.T) {
	var b textBuilder
	word := strings.Repeat("é", 1000) // 2000 bytes
	for b.add(word + " \n\t" + word) {
	}
	got := b.String()
	if len(got) > MaxText || len(got) < MaxText-4 || !utf8.ValidString(got) {
		t.Errorf("capped text: got %d bytes (valid UTF-8: %v), want about %d", len(got), utf8.ValidString(got), MaxText)
	}
	if b.add("more") {
		t.Errorf("add after the cap: got true, want false")
	}
}

// malformedPDFs are files that the PDF library, unguarded, panics on, loops
// on forever, or dies on (fatal "out of memory" or "stack overflow", which
// recover cannot catch).
func malformedPDFs(t testing.TB) map[string][]byte {
	good := mustPDF(t, "Genève", "Les pequeñas empresas à l'exportation.")
	cat := craftObj{num: 1, body: "<< /Type /Catalog /Pages 2 0 R >>"}
	pages := craftObj{num: 2, body: "<< /Type /Pages /Kids [4 0 R] /Count 1 >>"}
	page := craftObj{num: 4, body: "<< /Type /Page /Parent 2 0 R /Contents 3 0 R >>"}
	catalogPages := []string{"<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [3 0 R] /Count 1 >>"}
	emptyZlib := "x\x9c\x03\x00\x00\x00\x00\x01"

	cases := map[string][]byte{
		"garbage":        append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte{0xde, 0xad, 0xbe, 0xef}, 500)...),
		"header only":    []byte("%PDF-1.7\n"),
		"no xref":        []byte("%PDF-1.4\n1 0 obj << >> endobj\nstartxref\n9\n%%EOF\n"),
		"startxref past": []byte("%PDF-1.4\nstartxref\n999999999\n%%EOF\n"),
		// Fatal out of memory: the table would start at object 999999999999.
		"huge xref start": craftClassic(catalogPages, "999999999999 1", ""),
		// Fatal out of memory: make([]byte, 1+Columns).
		"huge columns": craftClassic(append(catalogPages,
			"<< /Type /Page /Parent 2 0 R /Contents 4 0 R >>",
			"<< /Length 8 /Filter /FlateDecode /DecodeParms << /Predictor 12 /Col#75mns 999999999999 >> >>\nstream\n"+emptyZlib+"\nendstream"), "", ""),
		"indirect decodeparms": craftClassic(append(catalogPages,
			"<< /Type /Page /Parent 2 0 R /Contents 4 0 R >>",
			"<< /Length 8 /Filter /FlateDecode /DecodeParms 5 0 R >>\nstream\n"+emptyZlib+"\nendstream",
			"<< /Predictor 12 /Columns 4 >>"), "", ""),
		// Fatal out of memory: the xref stream's /Size.
		"huge xref stream size": craftPDF([]craftObj{cat, pages, page}, false, " /Size 999999999999"),
		// Infinite loop: /Prev points to the same table.
		"prev cycle": craftClassic(catalogPages, "", " /Prev $XREF"),
		// Infinite loop without reading the file: /N objects in the stream.
		"huge object stream count": craftPDF([]craftObj{cat, pages,
			{num: 4, body: "<< /Type /Page /Parent 2 0 R /X 9 0 R >>"},
			{num: 3, body: "<< /Type /ObjStm /N 999999999999 /First 4 /Length 4 >>\nstream\n8 0 \nendstream"},
			{num: 9, container: 3}}, false, ""),
		// Fatal stack overflow: object stream 5 is stored in itself.
		"self-contained object stream": craftPDF([]craftObj{cat, pages,
			{num: 4, body: "<< /Type /Page /Parent 2 0 R >>", container: 5},
			{num: 5, body: "<< >>", container: 5}}, false, ""),
		// The same /Columns, hidden in a compressed object stream.
		"columns in object stream": craftPDF([]craftObj{cat, pages, page,
			{num: 3, body: "<< /Length 8 /Filter /FlateDecode /DecodeParms << /Predictor 12 /Columns 999999999999 >> >>\nstream\n" + emptyZlib + "\nendstream", container: 6},
			{num: 7, body: "1", container: 6}}, true, ""),
		"extends": craftPDF([]craftObj{cat, pages, page,
			{num: 3, body: "<< /Type /ObjStm /N 1 /First 4 /Extends 3 0 R /Length 4 >>\nstream\n8 0 \nendstream"},
			{num: 9, container: 3}}, false, ""),
		"too complex": append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte("/W ["), 300_000)...),
		"page tree cycle": craftClassic([]string{"<< /Type /Catalog /Pages 2 0 R >>",
			"<< /Type /Pages /Kids [2 0 R 2 0 R] /Count 2 >>"}, "", ""),
		"encrypted": craftClassic(catalogPages, "", " /Encrypt << /Filter /Standard /V 1 /R 2 /O <00> /U <00> /P -4 >>"),
	}
	// Truncations of a real file at every tenth of its length.
	for i := 1; i < 10; i++ {
		cases[fmt.Sprintf("truncated %d%%", i*10)] = good[:len(good)*i/10]
	}
	// Random bytes flipped in a real file.
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 20 {
		b := bytes.Clone(good)
		for range 1 + i {
			b[9+rng.IntN(len(b)-9)] = byte(rng.IntN(256))
		}
		cases[fmt.Sprintf("flipped %d", i)] = b
	}
	return cases
}

func TestExtractTextMalformed(t *testing.T) {
	kind := allowed["application/pdf"]
	for name, data := range malformedPDFs(t) {
		t.Run(name, func(t *testing.T) {
			start := time.Now()
			text, err := ExtractText(bytes.NewReader(data), int64(len(data)), kind)
			if err != nil && !errors.Is(err, ErrPDF) {
				t.Errorf("ExtractText: got error %v, want one wrapping ErrPDF", err)
			}
			if err == nil && strings.HasPrefix(name, "huge") {
				t.Errorf("ExtractText: got %q, nil; want an error", text)
			}
			// Ending at all is the point; the bound leaves room for a busy
			// machine.
			if d := time.Since(start); d > extractTimeout+10*time.Second {
				t.Errorf("ExtractText took %v", d)
			}
			t.Logf("got %.60q, %v", text, err)
		})
	}
}

// TestExtractTextObjectStreams checks that a well-formed file with
// compressed object streams passes the vetting and gives its text: the
// vetting reads the library's private xref table, and fails closed if a new
// version of the library changes it.
func TestExtractTextObjectStreams(t *testing.T) {
	content := "BT /F1 12 Tf 72 720 Td (Gen\\350ve et les peque\\361as) Tj ET"
	data := craftPDF([]craftObj{
		{num: 1, body: "<< /Type /Catalog /Pages 2 0 R >>", container: 6},
		{num: 2, body: "<< /Type /Pages /Kids [4 0 R] /Count 1 >>", container: 6},
		{num: 4, body: "<< /Type /Page /Parent 2 0 R /Contents 3 0 R /Resources << /Font << /F1 5 0 R >> >> >>", container: 6},
		{num: 5, body: "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>", container: 6},
		{num: 3, body: fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(content), content)},
	}, true, "")
	text, err := ExtractText(bytes.NewReader(data), int64(len(data)), allowed["application/pdf"])
	if err != nil || text != "Genève et les pequeñas" {
		t.Errorf("ExtractText: got %q, %v; want %q, nil", text, err, "Genève et les pequeñas")
	}
}

func TestExtractTextTimeout(t *testing.T) {
	old := extractTimeout
	extractTimeout = -time.Second // already past: the first read stops it
	defer func() { extractTimeout = old }()
	data := mustPDF(t, "Title", "text")
	_, err := ExtractText(bytes.NewReader(data), int64(len(data)), allowed["application/pdf"])
	if !errors.Is(err, ErrPDF) || !strings.Contains(err.Error(), "took too long") {
		t.Errorf("ExtractText past the deadline: got %v, want ErrPDF, took too long", err)
	}
}

// ---- fuzzing ----

func FuzzSniff(f *testing.F) {
	f.Add([]byte("%PDF-1.4\n"), "report.pdf")
	f.Add(mustPDF(f, "T", "p"), "../../etc/passwd")
	f.Add(ooxml(f, "word/document.xml", "<w/>"), `..\..\boot.ini`)
	f.Add(odf(f, "application/vnd.oasis.opendocument.text"), "name\x00with\x07control.pdf")
	f.Add(pngImage(f), "  .hidden.pdf  ")
	f.Add([]byte("<!doctype html><html>"), "\"quoted\";name.pdf")
	f.Add([]byte("héllo wörld"), strings.Repeat("é", 300))
	f.Add([]byte{}, "")
	f.Fuzz(func(t *testing.T, data []byte, name string) {
		kind, err := Sniff(data)
		if err != nil {
			if kind != (Kind{}) || !errors.Is(err, ErrType) && !errors.Is(err, ErrEmpty) {
				t.Fatalf("Sniff: got %+v, %v", kind, err)
			}
			kind = allowed["application/pdf"]
		}
		for _, n := range []string{name, string(data)} {
			got := SafeFilename(n, kind)
			if got == "" || !utf8.ValidString(got) || utf8.RuneCountInString(got) > MaxNameRunes ||
				strings.ContainsAny(got, "/\\\";\x00\r\n") || !strings.HasSuffix(got, "."+kind.Ext) ||
				strings.HasPrefix(got, ".") || strings.HasPrefix(got, " ") {
				t.Fatalf("SafeFilename(%q): got %q", n, got)
			}
			cd := ContentDisposition(got, false)
			for i := 0; i < len(cd); i++ {
				if cd[i] < 0x20 || cd[i] >= 0x7f {
					t.Fatalf("ContentDisposition(%q): byte %#x in %q", got, cd[i], cd)
				}
			}
		}
	})
}

// FuzzExtractText feeds arbitrary bytes, and mutations of real and crafted
// PDFs, to the PDF text extraction: it must return, without panicking.
func FuzzExtractText(f *testing.F) {
	f.Add(mustPDF(f, "Genève", "pequeñas"))
	for _, data := range malformedPDFs(f) {
		f.Add(data)
	}
	kind := allowed["application/pdf"]
	f.Fuzz(func(t *testing.T, data []byte) {
		text, err := ExtractText(bytes.NewReader(data), int64(len(data)), kind)
		if err != nil && !errors.Is(err, ErrPDF) {
			t.Fatalf("ExtractText: got error %v, want one wrapping ErrPDF", err)
		}
		if len(text) > MaxText || !utf8.ValidString(text) {
			t.Fatalf("ExtractText: got %d bytes, valid UTF-8 %v", len(text), utf8.ValidString(text))
		}
	})
}
