package files

import (
	"bytes"
	"compress/zlib"
	"encoding/ascii85"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strconv"
)

// The PDF library sizes some allocations and loops by numbers read from the
// file, without bounds: a subsection start in an xref table, an xref stream's
// /Size, /W and /Index, a stream's /DecodeParms /Columns, an object stream's
// /N. A 150-byte file whose xref table starts at object 999999999999 makes it
// allocate terabytes, and the Go runtime then aborts the whole process with
// "out of memory", which recover cannot catch. vetPDF looks for such numbers
// before the library sees the file and refuses the file when one is out of
// bounds or hidden behind an indirect reference.
//
// The scan is deliberately position-independent: the library starts parsing
// wherever the file's offsets point, possibly inside what looks like a string
// or a comment, so every "/Name" and every "xref" keyword in the bytes is
// checked, whatever surrounds it. False alarms only cost the text of an odd
// file; misses cost the process.

// vetLimits are the bounds vetPDF enforces.
type vetLimits struct {
	objects int64 // object numbers, /Size, /Index, /N
	columns int64 // /Columns, /W
}

func limitsFor(size int64) vetLimits {
	// A real object takes more than 4 bytes even in a compressed object
	// stream, so a file cannot hold more than size/4 objects.
	return vetLimits{objects: max(size/4, 1<<16), columns: 1 << 20}
}

const (
	// maxVetTokens bounds the tokens read after the names of interest, over
	// the whole scan, as a multiple of the input length: the scan stays linear
	// even for a file made of "/W [/W [/W [" …
	maxVetTokensFactor = 4
	maxVetTokensSlack  = 1 << 20
	// maxObjStmBytes bounds the decoded size of one object stream, and
	// maxObjStmTotal that of all of them.
	maxObjStmBytes = 64 << 20
	maxObjStmTotal = 256 << 20
)

var errVet = errors.New("unsafe PDF structure")

// vetPDF scans the raw bytes of a PDF. Object streams are compressed, so their
// content is vetted separately, by vetObjectStreams, once the library has
// read the cross-reference table.
func vetPDF(data []byte) error {
	return newVetter(limitsFor(int64(len(data))), len(data)).scan(data)
}

type vetter struct {
	lim    vetLimits
	tokens int // tokens left in the scan budget
}

func newVetter(lim vetLimits, n int) *vetter {
	return &vetter{lim: lim, tokens: n*maxVetTokensFactor + maxVetTokensSlack}
}

func (v *vetter) scan(b []byte) error {
	for i := 0; i < len(b); i++ {
		var err error
		switch b[i] {
		case '/':
			name, j := lexName(b, i+1)
			err = v.checkName(b, name, j)
		case 'x':
			if bytes.HasPrefix(b[i:], []byte("xref")) && (i+4 == len(b) || isPDFSpace(b[i+4]) || isPDFDelim(b[i+4])) {
				err = v.checkXrefTable(b, i+4)
			}
		default:
			continue
		}
		if err != nil {
			return err
		}
		if v.tokens <= 0 {
			// A check cut short proves nothing: fail closed.
			return fmt.Errorf("%w: too complex", errVet)
		}
	}
	return nil
}

func (v *vetter) checkName(b []byte, name string, j int) error {
	switch name {
	case "Encrypt":
		// Opening an encrypted file makes the library resolve the /Encrypt
		// dictionary before we can check the object streams it may hide in;
		// and its object streams cannot be decrypted for vetting here.
		return fmt.Errorf("%w: encrypted", errVet)
	case "Extends":
		// The library follows /Extends from one object stream to another,
		// reading objects from streams that no cross-reference entry names,
		// which vetObjectStreams would therefore not vet. Files rarely use it.
		return fmt.Errorf("%w: /Extends", errVet)
	case "Size", "N", "Index":
		return v.checkNumbers(b, j, name, v.lim.objects)
	case "W", "Columns":
		return v.checkNumbers(b, j, name, v.lim.columns)
	case "DecodeParms":
		// The dictionary must be direct (so that the /Columns in it is seen
		// by this scan), or an array of direct dictionaries, or null.
		t, j := v.lex(b, j)
		switch {
		case t.kind == tokInt:
			return fmt.Errorf("%w: indirect /DecodeParms", errVet)
		case t.kind == tokOther && t.text == "[":
			return v.checkArray(b, j, name, -1)
		}
	}
	return nil
}

// checkNumbers checks the value after /name: a direct integer, or an array
// of them, no greater than limit. References are refused, since the library
// resolves some of them (/N, /Columns) to objects this scan may not see.
func (v *vetter) checkNumbers(b []byte, j int, name string, limit int64) error {
	t, j := v.lex(b, j)
	switch {
	case t.kind == tokInt:
		if t.n > limit {
			return fmt.Errorf("%w: /%s %d", errVet, name, t.n)
		}
		if v.isRef(b, j) {
			return fmt.Errorf("%w: indirect /%s", errVet, name)
		}
	case t.kind == tokBadInt:
		return fmt.Errorf("%w: /%s %s", errVet, name, t.text)
	case t.kind == tokOther && t.text == "[":
		return v.checkArray(b, j, name, limit)
	}
	return nil
}

// checkArray reads the array starting at j (after "[") and refuses
// references and, when limit >= 0, integers above limit.
func (v *vetter) checkArray(b []byte, j int, name string, limit int64) error {
	depth := 1
	for depth > 0 {
		var t token
		t, j = v.lex(b, j)
		switch t.kind {
		case tokEOF:
			return nil
		case tokBudget:
			return fmt.Errorf("%w: too complex", errVet)
		case tokBadInt:
			if limit >= 0 {
				return fmt.Errorf("%w: /%s %s", errVet, name, t.text)
			}
		case tokInt:
			if limit >= 0 && t.n > limit {
				return fmt.Errorf("%w: /%s %d", errVet, name, t.n)
			}
		case tokOther:
			switch t.text {
			case "[":
				depth++
			case "]":
				depth--
			case "R":
				return fmt.Errorf("%w: reference in /%s", errVet, name)
			}
		}
	}
	return nil
}

// isRef reports whether "G R" follows at j, making the integer before a
// reference.
func (v *vetter) isRef(b []byte, j int) bool {
	t, j := v.lex(b, j)
	if t.kind != tokInt {
		return false
	}
	t, _ = v.lex(b, j)
	return t.kind == tokOther && t.text == "R"
}

// checkXrefTable mirrors the library's reading of a cross-reference table
// (subsections of "start count" followed by count "offset gen n|f" entries)
// and bounds the start of each subsection, which sizes the library's table.
func (v *vetter) checkXrefTable(b []byte, j int) error {
	for {
		start, j1 := v.lex(b, j)
		if start.kind == tokBadInt {
			return fmt.Errorf("%w: xref subsection %s", errVet, start.text)
		}
		if start.kind != tokInt {
			return nil
		}
		count, j2 := v.lex(b, j1)
		if count.kind != tokInt {
			return nil
		}
		if start.n > v.lim.objects {
			return fmt.Errorf("%w: xref subsection starts at %d", errVet, start.n)
		}
		j = j2
		for i := int64(0); i < count.n; i++ {
			var off, gen, kw token
			off, j = v.lex(b, j)
			gen, j = v.lex(b, j)
			kw, j = v.lex(b, j)
			if kw.kind == tokBudget {
				return fmt.Errorf("%w: too complex", errVet)
			}
			if off.kind != tokInt || gen.kind != tokInt || kw.kind != tokOther || kw.text != "n" && kw.text != "f" {
				return nil // the library stops here too
			}
		}
	}
}

type tokKind int

const (
	tokEOF    tokKind = iota
	tokInt            // an integer that fits in int64
	tokBadInt         // an integer that does not
	tokName           // /Name
	tokString         // (…) or <…>
	tokOther          // keywords, reals, delimiters: text holds them
	tokBudget         // the token budget is spent
)

type token struct {
	kind tokKind
	n    int64
	text string
}

// lex reads one token at b[j:] as the library's lexer would, and returns it
// with the position after it. Comments are skipped like white space.
func (v *vetter) lex(b []byte, j int) (token, int) {
	if v.tokens <= 0 {
		return token{kind: tokBudget}, len(b)
	}
	v.tokens--
	for j < len(b) {
		if isPDFSpace(b[j]) {
			j++
		} else if b[j] == '%' {
			for j < len(b) && b[j] != '\r' && b[j] != '\n' {
				j++
			}
		} else {
			break
		}
	}
	if j >= len(b) {
		return token{kind: tokEOF}, j
	}
	switch c := b[j]; c {
	case '/':
		name, k := lexName(b, j+1)
		return token{kind: tokName, text: name}, k
	case '(':
		return token{kind: tokString}, skipLiteralString(b, j+1)
	case '<':
		if j+1 < len(b) && b[j+1] == '<' {
			return token{kind: tokOther, text: "<<"}, j + 2
		}
		k := bytes.IndexByte(b[j:], '>')
		if k < 0 {
			return token{kind: tokString}, len(b)
		}
		return token{kind: tokString}, j + k + 1
	case '>':
		if j+1 < len(b) && b[j+1] == '>' {
			return token{kind: tokOther, text: ">>"}, j + 2
		}
		return token{kind: tokOther, text: ">"}, j + 1
	case '[', ']', '{', '}', ')':
		return token{kind: tokOther, text: string(c)}, j + 1
	}
	k := j
	for k < len(b) && !isPDFSpace(b[k]) && !isPDFDelim(b[k]) {
		k++
	}
	s := string(b[j:k])
	if isPDFInteger(s) {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return token{kind: tokBadInt, text: s}, k
		}
		return token{kind: tokInt, n: n, text: s}, k
	}
	return token{kind: tokOther, text: s}, k
}

// lexName reads a name after its "/", decoding #xx escapes as the library
// does: "/Col#75mns" is /Columns.
func lexName(b []byte, j int) (string, int) {
	var name []byte
	for j < len(b) && !isPDFSpace(b[j]) && !isPDFDelim(b[j]) {
		if b[j] == '#' && j+2 < len(b) {
			if x, err := strconv.ParseUint(string(b[j+1:j+3]), 16, 8); err == nil {
				name = append(name, byte(x))
				j += 3
				continue
			}
		}
		name = append(name, b[j])
		j++
	}
	return string(name), j
}

func skipLiteralString(b []byte, j int) int {
	depth := 1
	for j < len(b) {
		switch b[j] {
		case '\\':
			j++
		case '(':
			depth++
		case ')':
			if depth--; depth == 0 {
				return j + 1
			}
		}
		j++
	}
	return j
}

func isPDFSpace(c byte) bool {
	switch c {
	case 0, '\t', '\n', '\f', '\r', ' ':
		return true
	}
	return false
}

func isPDFDelim(c byte) bool {
	switch c {
	case '<', '>', '(', ')', '[', ']', '{', '}', '/', '%':
		return true
	}
	return false
}

func isPDFInteger(s string) bool {
	if len(s) > 0 && (s[0] == '+' || s[0] == '-') {
		s = s[1:]
	}
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// xrefEntry is what we read of the library's private cross-reference table.
type xrefEntry struct {
	id, gen  uint32
	inStream bool
	stream   uint32
	offset   int64
}

// readXrefTable reads the library's private cross-reference table through
// reflection (reading unexported fields is allowed, writing is not). If a
// new version of the library renames its fields, this fails, and the checks
// that need it fail closed; TestExtractTextObjectStreams says so.
func readXrefTable(rd any) ([]xrefEntry, error) {
	fail := errors.New("cannot read the PDF library's xref table (library changed?)")
	rv := reflect.ValueOf(rd)
	if rv.Kind() != reflect.Pointer || rv.IsNil() || rv.Elem().Kind() != reflect.Struct {
		return nil, fail
	}
	table := rv.Elem().FieldByName("xref")
	if !table.IsValid() || table.Kind() != reflect.Slice {
		return nil, fail
	}
	uintField := func(s reflect.Value, name string) (uint64, bool) {
		f := s.FieldByName(name)
		if !f.IsValid() || !f.CanUint() {
			return 0, false
		}
		return f.Uint(), true
	}
	out := make([]xrefEntry, table.Len())
	for i := range out {
		e := table.Index(i)
		if e.Kind() != reflect.Struct {
			return nil, fail
		}
		ptr, strm := e.FieldByName("ptr"), e.FieldByName("stream")
		in, off := e.FieldByName("inStream"), e.FieldByName("offset")
		if !ptr.IsValid() || ptr.Kind() != reflect.Struct || !strm.IsValid() || strm.Kind() != reflect.Struct ||
			!in.IsValid() || in.Kind() != reflect.Bool || !off.IsValid() || !off.CanInt() {
			return nil, fail
		}
		id, ok1 := uintField(ptr, "id")
		gen, ok2 := uintField(ptr, "gen")
		sid, ok3 := uintField(strm, "id")
		if !ok1 || !ok2 || !ok3 {
			return nil, fail
		}
		out[i] = xrefEntry{id: uint32(id), gen: uint32(gen), inStream: in.Bool(), stream: uint32(sid), offset: off.Int()}
	}
	return out, nil
}

// vetObjectStreams checks the object streams listed in the cross-reference
// table:
//
//   - none may be stored in an object stream itself. The library resolves
//     such a chain by recursion without a cycle check, so an object stream
//     that claims to live in itself recurses until the Go stack overflows,
//     which is fatal to the process. The PDF specification forbids the
//     nesting (ISO 32000-1, 7.5.7), so no valid file is refused;
//   - their decoded content passes the same scan as the raw file, since the
//     library accepts stream dictionaries (with their /DecodeParms) and /N
//     or /Columns values from inside object streams.
func vetObjectStreams(data []byte, table []xrefEntry) error {
	containers := map[uint32]bool{}
	for _, e := range table {
		if e.inStream {
			containers[e.stream] = true
		}
	}
	lim := limitsFor(int64(len(data)))
	total := 0
	for id := range containers {
		if int64(id) >= int64(len(table)) {
			continue // the library resolves it to null
		}
		c := table[id]
		if c.inStream {
			return fmt.Errorf("%w: object stream %d is itself in object stream %d", errVet, id, c.stream)
		}
		if c.offset == 0 || c.id != id {
			continue // absent or free: null for the library too
		}
		content, err := decodeObjectStream(data, table, c)
		if err != nil {
			return err
		}
		if total += len(content); total > maxObjStmTotal {
			return fmt.Errorf("%w: object streams too large", errVet)
		}
		if err := newVetter(lim, len(content)).scan(content); err != nil {
			return err
		}
	}
	return nil
}

// decodeObjectStream returns the decoded content of the object stream at
// c.offset, decoding it the way the library does (no filter, FlateDecode
// without predictor, ASCII85Decode). Anything this cannot mirror exactly
// fails closed; a filter the library does not know makes the stream unusable
// to it as well, so it is skipped.
func decodeObjectStream(data []byte, table []xrefEntry, c xrefEntry) ([]byte, error) {
	dict, start, err := parseStreamObject(data, int(c.offset), c.id)
	if err != nil {
		return nil, err
	}
	length, ok := dict["Length"].(int64)
	if ref, isRef := dict["Length"].(pdfRef); isRef {
		length, ok = resolveInt(data, table, ref)
	}
	if !ok || length < 0 {
		return nil, fmt.Errorf("%w: object stream %d has an unusable /Length", errVet, c.id)
	}
	end := min(int64(start)+length, int64(len(data)))
	var rd io.Reader = bytes.NewReader(data[start:end])

	var filters []any
	switch f := dict["Filter"].(type) {
	case nil:
	case pdfName:
		filters = []any{f}
	case []any:
		filters = f
	default:
		return nil, fmt.Errorf("%w: object stream %d has an unusable /Filter", errVet, c.id)
	}
	if len(filters) > 0 && dict["DecodeParms"] != nil {
		return nil, fmt.Errorf("%w: object stream %d has /DecodeParms", errVet, c.id)
	}
	for _, f := range filters {
		// The library resolves references here; we do not.
		if _, ok := f.(pdfName); !ok {
			return nil, fmt.Errorf("%w: object stream %d has an unusable /Filter", errVet, c.id)
		}
	}
	for _, f := range filters {
		switch f {
		case pdfName("FlateDecode"):
			zr, err := zlib.NewReader(rd)
			if err != nil {
				return nil, nil // the library fails on it the same way
			}
			rd = zr
		case pdfName("ASCII85Decode"):
			rd = ascii85.NewDecoder(&ascii85Filter{r: rd})
		default:
			return nil, nil // the library panics on unknown filters
		}
	}
	content, err := io.ReadAll(io.LimitReader(rd, maxObjStmBytes+1))
	if len(content) > maxObjStmBytes {
		return nil, fmt.Errorf("%w: object stream %d too large", errVet, c.id)
	}
	// A decoding error after some content: the library, decoding the same
	// bytes with the same standard decoders, stops there too, having seen
	// at most what we scan.
	_ = err
	return content, nil
}

// ascii85Filter drops the bytes that are not ASCII85 digits and stops at
// the first "~" (of the "~>" end marker), as the library's reader does.
type ascii85Filter struct {
	r    io.Reader
	done bool
}

func (a *ascii85Filter) Read(p []byte) (int, error) {
	if a.done {
		return 0, io.EOF
	}
	n, err := a.r.Read(p)
	out := 0
	for _, c := range p[:n] {
		if c == '~' {
			a.done = true
			return out, io.EOF
		}
		if c >= '!' && c <= 'u' || c == 'z' {
			p[out] = c
			out++
		}
	}
	return out, err
}

type pdfRef struct{ id, gen int64 }
type pdfName string

// parseStreamObject parses "id gen obj << … >> stream" at off and returns
// the dictionary (integers, references, names and arrays of them; other
// values as true) and the offset of the stream data.
func parseStreamObject(data []byte, off int, id uint32) (map[string]any, int, error) {
	bad := fmt.Errorf("%w: cannot parse object stream %d", errVet, id)
	if off < 0 || off >= len(data) {
		return nil, 0, bad
	}
	v := newVetter(limitsFor(int64(len(data))), 1<<16)
	t1, j := v.lex(data, off)
	t2, j := v.lex(data, j)
	t3, j := v.lex(data, j)
	t4, j := v.lex(data, j)
	if t1.kind != tokInt || t1.n != int64(id) || t2.kind != tokInt || t3.text != "obj" || t4.text != "<<" {
		return nil, 0, bad
	}
	dict := map[string]any{}
	for {
		k, j1 := v.lex(data, j)
		if k.kind == tokOther && k.text == ">>" {
			j = j1
			break
		}
		if k.kind != tokName {
			return nil, 0, bad
		}
		val, j2, ok := parseValue(v, data, j1, 0)
		if !ok {
			return nil, 0, bad
		}
		dict[k.text] = val
		j = j2
	}
	kw, j := v.lex(data, j)
	if kw.text != "stream" || j >= len(data) {
		return nil, 0, bad
	}
	switch data[j] {
	case '\r':
		j++
		if j < len(data) && data[j] == '\n' {
			j++
		}
	case '\n':
		j++
	default:
		return nil, 0, bad
	}
	return dict, j, nil
}

func parseValue(v *vetter, data []byte, j, depth int) (any, int, bool) {
	if depth > 32 {
		return nil, j, false
	}
	t, j := v.lex(data, j)
	switch t.kind {
	case tokInt:
		// "id gen R" is a reference.
		t2, j2 := v.lex(data, j)
		if t2.kind == tokInt {
			if t3, j3 := v.lex(data, j2); t3.kind == tokOther && t3.text == "R" {
				return pdfRef{t.n, t2.n}, j3, true
			}
		}
		return t.n, j, true
	case tokName:
		return pdfName(t.text), j, true
	case tokString:
		return true, j, true
	case tokOther:
		switch t.text {
		case "null":
			return nil, j, true
		case "[":
			var arr []any
			for {
				t, j2 := v.lex(data, j)
				if t.kind == tokOther && t.text == "]" {
					return arr, j2, true
				}
				if t.kind == tokEOF || t.kind == tokBudget {
					return nil, j, false
				}
				val, j3, ok := parseValue(v, data, j, depth+1)
				if !ok {
					return nil, j, false
				}
				arr = append(arr, val)
				j = j3
			}
		case "<<":
			for {
				k, j2 := v.lex(data, j)
				if k.kind == tokOther && k.text == ">>" {
					return true, j2, true
				}
				if k.kind != tokName {
					return nil, j, false
				}
				_, j3, ok := parseValue(v, data, j2, depth+1)
				if !ok {
					return nil, j, false
				}
				j = j3
			}
		case "]", ">>", "":
			return nil, j, false
		}
		return true, j, true // keywords, reals, booleans
	}
	return nil, j, false
}

// resolveInt reads the integer object ref points to, when it is stored
// directly in the file (not in an object stream).
func resolveInt(data []byte, table []xrefEntry, ref pdfRef) (int64, bool) {
	if ref.id < 0 || ref.id >= int64(len(table)) {
		return 0, false
	}
	e := table[ref.id]
	if e.inStream || e.offset <= 0 || e.offset >= int64(len(data)) || int64(e.gen) != ref.gen {
		return 0, false
	}
	v := newVetter(limitsFor(int64(len(data))), 16)
	t1, j := v.lex(data, int(e.offset))
	t2, j := v.lex(data, j)
	t3, j := v.lex(data, j)
	t4, _ := v.lex(data, j)
	if t1.kind != tokInt || t1.n != ref.id || t2.kind != tokInt || t3.text != "obj" || t4.kind != tokInt {
		return 0, false
	}
	return t4.n, true
}
