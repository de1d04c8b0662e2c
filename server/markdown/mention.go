package markdown

import (
	"html"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// maxHandle is the longest handle: one leading character and up to 39 more.
const maxHandle = 40

// mentionKey carries a *mentionState in the parser context. Mentions are
// parsed only when it is present, so that Render, which has no one to link
// to, leaves @ alone.
var mentionKey = parser.NewContextKey()

// mentionState is per call, which keeps the shared goldmark instance free of
// request data.
type mentionState struct {
	// resolve is nil when the caller only wants the handles (Mentions).
	resolve func(handle string) (href string, ok bool)
	// handles lists every mention that survived the transformer, in order.
	handles []string
}

var kindMention = ast.NewNodeKind("Mention")

// mentionNode is an @handle found by mentionParser.
type mentionNode struct {
	ast.BaseInline
	handle string
	// segment is "@handle" in the source, to turn the node back into text.
	segment text.Segment
	href    string
}

func (n *mentionNode) Kind() ast.NodeKind { return kindMention }

func (n *mentionNode) Dump(source []byte, level int) {
	ast.DumpHelper(n, source, level, map[string]string{"Handle": n.handle, "Href": n.href}, nil)
}

// mentionParser reads @handle as an inline element, so that code spans,
// code blocks, autolinks and escapes (\@ana), which goldmark parses first,
// never contain one.
type mentionParser struct{}

func (mentionParser) Trigger() []byte { return []byte{'@'} }

func (mentionParser) Parse(_ ast.Node, block text.Reader, pc parser.Context) ast.Node {
	if pc.Get(mentionKey) == nil {
		return nil
	}
	if !mayPrecedeMention(block.PrecendingCharacter()) {
		return nil
	}
	line, seg := block.PeekLine()
	if len(line) < 2 || line[0] != '@' {
		return nil
	}
	n := handleLen(line[1:])
	if n == 0 {
		return nil
	}
	block.Advance(1 + n)
	return &mentionNode{
		handle:  string(line[1 : 1+n]),
		segment: seg.WithStop(seg.Start + 1 + n),
	}
}

// mayPrecedeMention keeps e-mail addresses (x@ana.org), paths (/@ana) and
// the like from being read as mentions: a mention starts a word.
func mayPrecedeMention(r rune) bool {
	switch {
	case r == '\n' || unicode.IsSpace(r):
		return true
	case strings.ContainsRune("@./-+=&#%$`\\", r):
		return false
	case unicode.IsPunct(r) || unicode.IsSymbol(r):
		return true
	}
	return false
}

func isHandleStart(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

func isHandleByte(c byte) bool {
	return isHandleStart(c) || c == '.' || c == '_' || c == '-'
}

// handleLen returns the length of the handle at the start of b, or 0 when
// there is none.
func handleLen(b []byte) int {
	if len(b) == 0 || !isHandleStart(b[0]) {
		return 0
	}
	i := 1
	for i < len(b) && isHandleByte(b[i]) {
		i++
	}
	if i < len(b) {
		// "@ana@x.org" is an address, and "@anaïs" a word that only starts
		// like a handle.
		if b[i] == '@' {
			return 0
		}
		if r, _ := utf8.DecodeRune(b[i:]); unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r) {
			return 0
		}
	}
	// "Thanks @bo.x." ends a sentence, and "_@ana_" is emphasis: trailing
	// dots, dashes and underscores belong to the text, not to the handle.
	for i > 1 && (b[i-1] == '.' || b[i-1] == '-' || b[i-1] == '_') {
		i--
	}
	if i > maxHandle {
		return 0
	}
	return i
}

// mentionTransformer runs once the whole document is parsed, when it is
// known which mentions ended up inside a link's text (the parser cannot tell
// while reading "[@ana" whether a link follows). Those, and the ones resolve
// does not know, go back to being plain text.
type mentionTransformer struct{}

func (mentionTransformer) Transform(doc *ast.Document, _ text.Reader, pc parser.Context) {
	st, _ := pc.Get(mentionKey).(*mentionState)
	if st == nil {
		return
	}
	var found []*mentionNode
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if m, ok := n.(*mentionNode); ok && entering {
			found = append(found, m)
		}
		return ast.WalkContinue, nil
	})
	type answer struct {
		href string
		ok   bool
	}
	// A post that names someone ten times asks resolve once.
	answers := map[string]answer{}
	for _, m := range found {
		if insideLink(m) {
			demote(m)
			continue
		}
		st.handles = append(st.handles, m.handle)
		if st.resolve == nil {
			continue
		}
		a, seen := answers[m.handle]
		if !seen {
			a.href, a.ok = st.resolve(m.handle)
			answers[m.handle] = a
		}
		if a.ok && a.href != "" {
			m.href = a.href
		} else {
			demote(m)
		}
	}
}

func insideLink(n ast.Node) bool {
	for p := n.Parent(); p != nil; p = p.Parent() {
		switch p.(type) {
		case *ast.Link, *ast.AutoLink, *ast.Image:
			return true
		}
	}
	return false
}

func demote(m *mentionNode) {
	if p := m.Parent(); p != nil {
		p.ReplaceChild(p, m, ast.NewTextSegment(m.segment))
	}
}

// mentionRenderer writes resolved mentions as links. The href comes from
// the resolver, not from the author, but the policy still checks it.
type mentionRenderer struct{}

func (mentionRenderer) RegisterFuncs(reg renderer.NodeRendererFuncRegisterer) {
	reg.Register(kindMention, func(w util.BufWriter, _ []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		m := n.(*mentionNode)
		if m.href == "" {
			_, _ = w.WriteString("@" + html.EscapeString(m.handle))
			return ast.WalkContinue, nil
		}
		_, _ = w.WriteString(`<a class="mention" href="` + html.EscapeString(m.href) +
			`" rel="` + linkRel + `">@` + html.EscapeString(m.handle) + `</a>`)
		return ast.WalkContinue, nil
	})
}

// Mentions lists the people a text names, to notify them. Handles inside
// code or link text are not mentions, as when rendering. Each handle comes
// once, in order of first appearance; handles differing only in case count
// as one, since no one should be notified twice for the same post.
func Mentions(src string) []string {
	st := &mentionState{}
	parse([]byte(src), st)
	var out []string
	seen := map[string]bool{}
	for _, h := range st.handles {
		if k := strings.ToLower(h); !seen[k] {
			seen[k] = true
			out = append(out, h)
		}
	}
	return out
}
