package files

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/ledongthuc/pdf"
)

// MaxText is the most text, in bytes, ExtractText returns. The text feeds the
// full-text search: a megabyte is several hundred pages, more than enough to
// find a document, and it bounds what one upload costs the database.
const MaxText = 1 << 20

// Limits on the work one PDF may cost. The PDF library follows the file's own
// pointers (xref chains, page trees, object streams) without checking for
// cycles, so a crafted or broken file could otherwise keep it busy forever.
var (
	// extractTimeout bounds the wall-clock time of one extraction. A variable
	// so that tests can shorten it.
	extractTimeout = 20 * time.Second
)

const (
	// maxReadFactor bounds the bytes the library may read, as a multiple of
	// the file size (plus readSlack): a sane file is read a few times over
	// (xref, objects, streams), a cycle reads it again and again.
	maxReadFactor = 64
	readSlack     = 16 << 20
	// minReadCost is what each read costs at least: the library reads small
	// objects in small reads, and a cycle over them must end quickly too.
	minReadCost = 1 << 10
	// maxPageNodes and maxPageDepth bound the walk of the page tree.
	maxPageNodes = 100_000
	maxPageDepth = 64
)

// ErrPDF is wrapped by the errors ExtractText returns for PDFs it cannot read:
// malformed, encrypted, or too costly (see the limits above).
var ErrPDF = errors.New("files: cannot extract PDF text")

// ExtractText returns the text of a file of the given kind, for the full-text
// search: r holds the file, size is its length.
//
// For a PDF, the text of every page, white space collapsed, at most MaxText
// bytes. Malformed PDFs give an error wrapping ErrPDF, never a crash: the PDF
// library trusts the file's numbers and pointers, so before it runs the file
// is vetted for the values that would make it allocate without bound or
// recurse forever (both fatal to the process, beyond recover; see pdfvet.go),
// its panics are recovered, its reads are bounded in volume and time (which
// ends the loops a crafted file can send it into), and each page's decoded
// content is measured before the library interprets it. Encrypted PDFs are
// refused (ErrPDF), even without a user password: vetting them would need
// decrypting. When an error comes after some pages were read, their text is
// returned with it.
//
// For plain text, the text itself, at most MaxText bytes, with invalid UTF-8
// replaced and NUL bytes removed (PostgreSQL refuses both in text columns).
//
// Other kinds (Office, OpenDocument, images) are not supported yet: the
// result is "" and a nil error, so callers can index every upload the same way.
func ExtractText(r io.ReaderAt, size int64, kind Kind) (string, error) {
	switch {
	case kind.MIME == "application/pdf":
		return extractPDF(r, size)
	case strings.HasPrefix(kind.MIME, "text/plain"):
		return extractPlain(r, size)
	}
	return "", nil
}

func extractPlain(r io.ReaderAt, size int64) (string, error) {
	if size <= 0 {
		return "", nil
	}
	n := min(size, MaxText)
	buf := make([]byte, n)
	got, err := r.ReadAt(buf, 0)
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("files: read text: %w", err)
	}
	buf = buf[:got]
	if size > MaxText {
		buf = trimPartialRune(buf)
	}
	s := strings.TrimPrefix(string(buf), "\uFEFF")
	s = strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "")
	if len(s) > MaxText {
		// An invalid byte became a 3-byte replacement character.
		s = string(trimPartialRune([]byte(s[:MaxText])))
	}
	return s, nil
}

// trimPartialRune drops a multi-byte character cut at the end of b.
func trimPartialRune(b []byte) []byte {
	for i := 1; i < utf8.UTFMax && i <= len(b); i++ {
		if utf8.RuneStart(b[len(b)-i]) {
			if !utf8.FullRune(b[len(b)-i:]) {
				return b[:len(b)-i]
			}
			break
		}
	}
	return b
}

// Bounds on decoded content, checked before the library interprets a page:
// it builds the page's whole text in memory, and a compressed stream can
// inflate a thousandfold.
const (
	maxPDFSize         = 256 << 20 // the file is read into memory to be vetted
	maxPageContent     = 64 << 20  // decoded content streams of one page
	maxTotalContent    = 512 << 20 // decoded content streams of all pages
	maxToUnicodeStream = 8 << 20   // one font's ToUnicode CMap
)

func extractPDF(r io.ReaderAt, size int64) (text string, err error) {
	if size <= 0 || size > maxPDFSize {
		return "", fmt.Errorf("%w: size %d out of range", ErrPDF, size)
	}
	data := make([]byte, size)
	if n, err := r.ReadAt(data, 0); int64(n) != size {
		return "", fmt.Errorf("%w: read: %v", ErrPDF, err)
	}
	if err := vetPDF(data); err != nil {
		return "", fmt.Errorf("%w: %v", ErrPDF, err)
	}

	g := &guardedReader{
		r:        bytes.NewReader(data),
		budget:   size*maxReadFactor + readSlack,
		deadline: time.Now().Add(extractTimeout),
	}
	var out textBuilder
	defer func() {
		// The library recovers most of its own panics; this catches the
		// rest, including our guard's, wherever they surface.
		if p := recover(); p != nil {
			text, err = out.String(), fmt.Errorf("%w: %v", ErrPDF, p)
		}
	}()

	rd, err := pdf.NewReader(g, size)
	if err != nil {
		return "", fmt.Errorf("%w: %v", ErrPDF, err)
	}
	table, err := readXrefTable(rd)
	if err != nil {
		return "", fmt.Errorf("%w: %v", ErrPDF, err)
	}
	if err := vetObjectStreams(data, table); err != nil {
		return "", fmt.Errorf("%w: %v", ErrPDF, err)
	}

	var firstErr error
	contentLeft := int64(maxTotalContent)
	walkPages(rd.Trailer().Key("Root").Key("Pages"), func(p pdf.Page) bool {
		s, perr := pageText(p, &contentLeft)
		if g.err != nil {
			firstErr = g.err
			return false
		}
		if perr != nil && firstErr == nil {
			firstErr = perr
		}
		return out.add(s) && contentLeft > 0
	})
	if firstErr == nil {
		firstErr = g.err
	}
	text = out.String()
	if firstErr != nil {
		return text, fmt.Errorf("%w: %v", ErrPDF, firstErr)
	}
	return text, nil
}

// pageText returns the text of one page, after checking that its decoded
// content fits the bounds; contentLeft is the budget left for the document.
func pageText(p pdf.Page, contentLeft *int64) (text string, err error) {
	defer func() {
		// Value.Reader panics on unknown filters; that costs this page only.
		// The guard's panics are told apart by the caller through g.err.
		if x := recover(); x != nil {
			text, err = "", fmt.Errorf("page: %v", x)
		}
	}()
	n, err := streamsSize(p.V.Key("Contents"), min(maxPageContent, *contentLeft))
	*contentLeft -= n
	if err != nil {
		return "", err
	}
	for _, name := range p.Fonts() {
		if _, err := streamsSize(p.Font(name).V.Key("ToUnicode"), maxToUnicodeStream); err != nil {
			return "", err
		}
	}
	// nil fonts: the library then reads this page's own fonts. Sharing a
	// map across pages, as Reader.GetPlainText does, mixes up fonts that
	// different pages call by the same name (/F1).
	return p.GetPlainText(nil)
}

// streamsSize decodes v (a stream or an array of streams, as /Contents may
// be) and returns its decoded size, or an error past limit.
func streamsSize(v pdf.Value, limit int64) (int64, error) {
	var total int64
	count := func(s pdf.Value) error {
		if s.Kind() != pdf.Stream {
			return nil
		}
		rc := s.Reader()
		defer rc.Close()
		n, _ := io.Copy(io.Discard, io.LimitReader(rc, limit-total+1))
		total += n
		if total > limit {
			return fmt.Errorf("decoded content over %d bytes", limit)
		}
		return nil
	}
	if v.Kind() == pdf.Array {
		for i := 0; i < v.Len(); i++ {
			if err := count(v.Index(i)); err != nil {
				return total, err
			}
		}
		return total, nil
	}
	return total, count(v)
}

// walkPages calls page for each leaf of the page tree rooted at node, in
// order, until it returns false. Unlike Reader.Page, it bounds depth and
// node count, so cyclic or absurd trees end, and it does not trust /Count.
func walkPages(node pdf.Value, page func(pdf.Page) bool) {
	type item struct {
		v     pdf.Value
		depth int
	}
	stack := []item{{node, 0}}
	for seen := 0; len(stack) > 0 && seen < maxPageNodes; seen++ {
		it := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if it.v.Kind() != pdf.Dict {
			continue
		}
		kids := it.v.Key("Kids")
		if it.v.Key("Type").Name() == "Pages" || kids.Kind() == pdf.Array {
			if it.depth >= maxPageDepth {
				continue
			}
			// Push in reverse so that pages come out in document order.
			for i := kids.Len() - 1; i >= 0 && len(stack) < maxPageNodes; i-- {
				stack = append(stack, item{kids.Index(i), it.depth + 1})
			}
			continue
		}
		if !page(pdf.Page{V: it.v}) {
			return
		}
	}
}

// guardPanic is what guardedReader panics with once a limit is exceeded. It
// implements runtime.Error on purpose: the library recovers its own parse
// errors in places and carries on, but re-panics runtime errors, so this
// makes the stop reach ExtractText instead of being swallowed.
type guardPanic struct{ err error }

func (p guardPanic) Error() string { return p.err.Error() }
func (p guardPanic) RuntimeError() {}

// guardedReader passes reads through to r until the read budget or the
// deadline is exceeded, then panics on every read: every loop in the library
// reads the file, so this is how a runaway extraction is stopped.
type guardedReader struct {
	r        io.ReaderAt
	budget   int64
	deadline time.Time
	err      error
}

func (g *guardedReader) ReadAt(p []byte, off int64) (int, error) {
	if g.err == nil {
		g.budget -= max(int64(len(p)), minReadCost)
		switch {
		case g.budget < 0:
			g.err = errors.New("too many reads (cyclic or oversized structure)")
		case time.Now().After(g.deadline):
			g.err = errors.New("took too long")
		}
	}
	if g.err != nil {
		panic(guardPanic{g.err})
	}
	return g.r.ReadAt(p, off)
}

// textBuilder accumulates normalised text up to MaxText bytes.
type textBuilder struct {
	b    strings.Builder
	full bool
}

// add appends s with white space collapsed and control characters dropped,
// and reports whether there is room for more.
func (t *textBuilder) add(s string) bool {
	if t.full {
		return false
	}
	for _, w := range strings.FieldsFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsControl(r) || r == utf8.RuneError ||
			unicode.Is(unicode.Cf, r)
	}) {
		need := len(w)
		if t.b.Len() > 0 {
			need++
		}
		if t.b.Len()+need > MaxText {
			// Cut inside the word at a rune boundary rather than lose it.
			room := MaxText - t.b.Len()
			if t.b.Len() > 0 {
				room--
			}
			if room > 0 {
				if t.b.Len() > 0 {
					t.b.WriteByte(' ')
				}
				t.b.WriteString(string(trimPartialRune([]byte(w[:room]))))
			}
			t.full = true
			return false
		}
		if t.b.Len() > 0 {
			t.b.WriteByte(' ')
		}
		t.b.WriteString(w)
	}
	return true
}

func (t *textBuilder) String() string { return t.b.String() }
