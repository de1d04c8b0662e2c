// Package files checks uploaded files and extracts their text.
//
// Documents are uploaded by moderators and served back to the public (SPEC §2),
// so the type of a file is decided from its bytes, never from the name or the
// Content-Type the browser sent: a page of HTML renamed "report.pdf" must not
// end up served from our origin. The package also builds download names that
// are safe in a Content-Disposition header, extracts the text of PDFs for the
// full-text search, and generates small PDFs for demo content and tests.
package files

import (
	"bytes"
	"errors"
	"fmt"
	"mime"
	"sort"
	"unicode/utf8"

	"github.com/gabriel-vasile/mimetype"
)

// SniffLen is how many leading bytes of a file callers must pass to Sniff
// (fewer only when the whole file is shorter).
//
// It is mimetype's default read limit (4096), not 3072: mimetype.Detect
// ignores anything beyond it, and OOXML (docx, xlsx, pptx) needs that much.
// It is recognised by walking the zip's local file headers until an entry
// under word/, xl/ or ppt/ shows up, and that entry comes after
// [Content_Types].xml and _rels/.rels, whose compressed size grows with the
// document (a pptx lists every slide): TestSniffLen builds a docx whose
// word/ entry starts past byte 3072. Legacy Office files are recognised from
// the compound file's directory when it lies within these bytes (.xls and
// .ppt also from signatures of their first sectors); a .doc whose directory
// is further is seen as a generic compound file and refused. Passing more
// would not help without raising mimetype's limit, a global setting other
// code in the process may rely on.
const SniffLen = 4096

// Kind is an accepted file type.
type Kind struct {
	// MIME is the media type to serve the file with (parameters included for
	// text, so that browsers do not guess the charset).
	MIME string
	// Ext is the canonical extension, without the dot ("pdf", "docx").
	Ext string
	// Label is a short human name of the format, for lists and logs.
	Label string
}

// ErrEmpty is returned by Sniff for an empty file: there is nothing to serve
// and nothing to recognise.
var ErrEmpty = errors.New("files: empty file")

// ErrType is returned (wrapped, with the detected MIME type) by Sniff for
// content that is not one of the accepted document or image formats. Test it
// with errors.Is.
var ErrType = errors.New("files: file type not allowed")

// allowed maps the media type mimetype reports (without parameters) to the
// Kind we accept. Anything absent is refused: a deny list would let through
// every format mimetype learns about later, including active ones (HTML, SVG,
// XML with stylesheets, scripts) that a browser would run on our origin.
var allowed = map[string]Kind{
	"application/pdf": {"application/pdf", "pdf", "PDF"},
	"application/vnd.openxmlformats-officedocument.wordprocessingml.document": {
		"application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx", "Word"},
	"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
		"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx", "Excel"},
	"application/vnd.openxmlformats-officedocument.presentationml.presentation": {
		"application/vnd.openxmlformats-officedocument.presentationml.presentation", "pptx", "PowerPoint"},
	"application/vnd.oasis.opendocument.text": {
		"application/vnd.oasis.opendocument.text", "odt", "OpenDocument Text"},
	"application/vnd.oasis.opendocument.spreadsheet": {
		"application/vnd.oasis.opendocument.spreadsheet", "ods", "OpenDocument Spreadsheet"},
	"application/vnd.oasis.opendocument.presentation": {
		"application/vnd.oasis.opendocument.presentation", "odp", "OpenDocument Presentation"},
	"application/msword":            {"application/msword", "doc", "Word 97-2003"},
	"application/vnd.ms-excel":      {"application/vnd.ms-excel", "xls", "Excel 97-2003"},
	"application/vnd.ms-powerpoint": {"application/vnd.ms-powerpoint", "ppt", "PowerPoint 97-2003"},
	"text/plain":                    {"text/plain; charset=utf-8", "txt", "Plain text"},
	"image/png":                     {"image/png", "png", "PNG image"},
	"image/jpeg":                    {"image/jpeg", "jpg", "JPEG image"},
}

// Kinds lists every accepted type, sorted by media type: what a download
// may be sent as (the API's document lists them).
func Kinds() []Kind {
	out := make([]Kind, 0, len(allowed))
	for _, k := range allowed {
		out = append(out, k)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].MIME < out[j].MIME })
	return out
}

// Sniff decides the type of a file from its first bytes (at least SniffLen of
// them, or the whole file if shorter) and returns the accepted Kind, ErrEmpty,
// or an error wrapping ErrType.
//
// The name and the browser's Content-Type are deliberately not parameters:
// both are chosen by the uploader.
func Sniff(head []byte) (Kind, error) {
	if len(head) == 0 {
		return Kind{}, ErrEmpty
	}
	// Callers may pass the whole file; only the prefix is looked at, and
	// knowing whether we cut it matters for the UTF-8 check below.
	cut := len(head) >= SniffLen
	if len(head) > SniffLen {
		head = head[:SniffLen]
	}
	detected := mimetype.Detect(head).String()
	base, params, err := mime.ParseMediaType(detected)
	if err != nil {
		return Kind{}, fmt.Errorf("%w: %q", ErrType, detected)
	}
	kind, ok := allowed[base]
	if !ok {
		return Kind{}, fmt.Errorf("%w: %s", ErrType, detected)
	}
	switch base {
	case "application/pdf":
		// mimetype accepts "%PDF-" anywhere in the first KB, so an HTML page
		// quoting it would pass; a real PDF starts with the header.
		if !bytes.HasPrefix(head, []byte("%PDF-")) {
			return Kind{}, fmt.Errorf("%w: %s without a %%PDF- header", ErrType, detected)
		}
	case "text/plain":
		// Only UTF-8 is served, with that charset in the Content-Type: a
		// UTF-16 or Latin-1 file labelled UTF-8 would be garbage, and other
		// charsets are how content-sniffing attacks (UTF-7) used to start.
		if cs := params["charset"]; cs != "" && cs != "utf-8" {
			return Kind{}, fmt.Errorf("%w: %s", ErrType, detected)
		}
		if !isUTF8Text(head, cut) {
			return Kind{}, fmt.Errorf("%w: text that is not UTF-8", ErrType)
		}
	}
	return kind, nil
}

// isUTF8Text reports whether b is valid UTF-8 without NUL bytes. When b is a
// cut prefix of a longer file, a multi-byte character split at the end is
// tolerated.
func isUTF8Text(b []byte, cut bool) bool {
	if bytes.IndexByte(b, 0) >= 0 {
		return false
	}
	if cut {
		// Drop at most utf8.UTFMax-1 trailing bytes of an incomplete rune.
		for i := 1; i < utf8.UTFMax && i <= len(b); i++ {
			if utf8.RuneStart(b[len(b)-i]) {
				if !utf8.FullRune(b[len(b)-i:]) {
					b = b[:len(b)-i]
				}
				break
			}
		}
	}
	return utf8.Valid(b)
}

// KindOf returns the accepted Kind served as contentType (a Kind's MIME),
// for labels in lists; false for a type that is not accepted.
func KindOf(contentType string) (Kind, bool) {
	base, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return Kind{}, false
	}
	k, ok := allowed[base]
	return k, ok
}
