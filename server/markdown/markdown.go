// Package markdown renders user-written Markdown to safe HTML.
//
// Posts, document summaries and event programmes are written by members, so
// their HTML is never trusted: goldmark turns GitHub-flavoured Markdown into
// HTML with raw HTML dropped, and bluemonday then sanitises the result as a
// second, independent line of defence, so that a bug in one does not become
// an XSS hole.
package markdown

import (
	"bytes"
	"html/template"
	"net/url"
	"regexp"
	"sync"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	east "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// linkRel is put on every link: user links must not pass on the site's
// reputation to spam (nofollow) nor get a handle on the page (noopener).
const linkRel = "nofollow noopener"

// md is built once because building goldmark sorts and registers every
// parser and renderer; the result is safe for concurrent use.
var md = sync.OnceValue(func() goldmark.Markdown {
	return goldmark.New(
		// This is extension.GFM taken apart, so that tables can be bounded
		// (see boundedTable). GFM's Linkify is the extension.Linkify we want
		// anyway: bare URLs and e-mail addresses become links.
		goldmark.WithExtensions(extension.Linkify, extension.Strikethrough, extension.TaskList),
		goldmark.WithParserOptions(
			parser.WithParagraphTransformers(
				util.Prioritized(boundedTable{extension.NewTableParagraphTransformer()}, 200),
			),
			parser.WithInlineParsers(util.Prioritized(mentionParser{}, 500)),
			parser.WithASTTransformers(
				util.Prioritized(extension.NewTableASTTransformer(), 0),
				util.Prioritized(linkTransformer{}, 100),
				util.Prioritized(mentionTransformer{}, 200),
			),
		),
		// No html.WithUnsafe: raw HTML in the source is replaced by a
		// comment, which bluemonday then removes.
		goldmark.WithRendererOptions(
			renderer.WithNodeRenderers(
				// The default writes alignment as a style attribute, which
				// the policy strips; align= survives it.
				util.Prioritized(extension.NewTableHTMLRenderer(
					extension.WithTableCellAlignMethod(extension.TableCellAlignAttribute)), 500),
				util.Prioritized(mentionRenderer{}, 500),
				// Goldmark lets the lowest number win: below the task list
				// extension's own renderer (500), which it replaces.
				util.Prioritized(taskCheckBoxRenderer{}, 100),
			),
		),
	)
})

// boundedTable keeps a paragraph from becoming a table when the table would
// be mostly padding. GFM fills every row up to the header's width, so a
// header of n pipes over n one-letter lines costs n² cells: 12 KB of input
// made nine million cells and took seconds. A real table spends at least a
// byte (its pipe) on nearly every cell, so one that claims more cells than
// twice its size, give or take a small table's worth, is left as text.
type boundedTable struct{ parser.ParagraphTransformer }

func (t boundedTable) Transform(node *ast.Paragraph, reader text.Reader, pc parser.Context) {
	lines := node.Lines()
	size, widest := 0, 0
	for i := range lines.Len() {
		seg := lines.At(i)
		line := seg.Value(reader.Source())
		size += len(line)
		widest = max(widest, bytes.Count(line, []byte{'|'})+1)
	}
	if widest*lines.Len() > 2*size+256 {
		return
	}
	t.ParagraphTransformer.Transform(node, reader, pc)
}

var (
	codeClass    = regexp.MustCompile(`^language-[a-zA-Z0-9_+-]+$`)
	mentionClass = regexp.MustCompile(`^mention$`)
	relValue     = regexp.MustCompile(`^` + linkRel + `$`)
)

// policy is built once because compiling a bluemonday policy is costly; a
// built policy is safe for concurrent use.
var policy = sync.OnceValue(func() *bluemonday.Policy {
	p := bluemonday.UGCPolicy()
	// Syntax highlighting in the browser needs the fence language; nothing
	// else may carry a class, so users cannot borrow the site's styles.
	p.AllowAttrs("class").Matching(codeClass).OnElements("code")
	p.AllowAttrs("class").Matching(mentionClass).OnElements("a")
	// bluemonday adds "noopener" only together with target="_blank", which
	// we do not want (links open in place), so goldmark writes the rel
	// attribute itself and the policy lets exactly that value through.
	p.AllowAttrs("rel").Matching(relValue).OnElements("a")
	p.RequireNoFollowOnLinks(true)
	p.AddTargetBlankToFullyQualifiedLinks(false)
	// UGCPolicy already allows exactly these; restated so that the list is
	// read here (AllowURLSchemes can only add: tests check that ftp: and
	// the like still lose their href).
	p.AllowURLSchemes("http", "https", "mailto")
	// The scheme list is shared by href and src; an image has no business
	// loading a mailto: URL, so any other scheme on src is blanked.
	p.RewriteSrc(func(u *url.URL) {
		if u.Scheme != "" && u.Scheme != "http" && u.Scheme != "https" {
			*u = url.URL{}
		}
	})
	// No AllowStyles: style attributes are always stripped.
	return p
})

// Render turns Markdown written by a member into HTML that templates may
// output as is. It never fails: bad Markdown is still text.
func Render(src string) template.HTML {
	return render(src, nil)
}

// RenderWithMentions is Render for text where @handle should link to the
// person's page. resolve is asked about each handle (once per distinct
// handle) and its href is used only when it says ok, so that a handle
// nobody has stays plain text instead of a dead link. A nil resolve
// resolves nothing.
func RenderWithMentions(src string, resolve func(handle string) (href string, ok bool)) template.HTML {
	if resolve == nil {
		return Render(src)
	}
	return render(src, &mentionState{resolve: resolve})
}

func render(src string, ms *mentionState) template.HTML {
	source := []byte(src)
	doc := parse(source, ms)
	var buf bytes.Buffer
	buf.Grow(len(source) + len(source)/2)
	// Only a failing writer makes Render fail, and bytes.Buffer does not.
	_ = md().Renderer().Render(&buf, source, doc)
	return template.HTML(policy().SanitizeBytes(buf.Bytes()))
}

func parse(source []byte, ms *mentionState) ast.Node {
	pc := parser.NewContext()
	if ms != nil {
		pc.Set(mentionKey, ms)
	}
	return md().Parser().Parse(text.NewReader(source), parser.WithContext(pc))
}

// linkTransformer marks every link with linkRel (see policy).
type linkTransformer struct{}

func (linkTransformer) Transform(doc *ast.Document, _ text.Reader, _ parser.Context) {
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if entering {
			switch n.(type) {
			case *ast.Link, *ast.AutoLink:
				n.SetAttributeString("rel", []byte(linkRel))
			}
		}
		return ast.WalkContinue, nil
	})
}

// taskCheckBoxRenderer draws task list boxes as characters: the usual
// <input type="checkbox"> would need the policy to let form controls
// through, which is the kind of element it exists to remove.
type taskCheckBoxRenderer struct{}

func (taskCheckBoxRenderer) RegisterFuncs(reg renderer.NodeRendererFuncRegisterer) {
	reg.Register(east.KindTaskCheckBox, func(w util.BufWriter, _ []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		if n.(*east.TaskCheckBox).IsChecked {
			_, _ = w.WriteString("☑ ")
		} else {
			_, _ = w.WriteString("☐ ")
		}
		return ast.WalkContinue, nil
	})
}
