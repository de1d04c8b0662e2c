package markdown

import (
	"html"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"
)

// xssCorpus holds inputs that try to get script into a rendered post. They
// seed FuzzRender too.
var xssCorpus = []string{
	`<script>alert(1)</script>`,
	`<img src=x onerror=alert(1)>`,
	`[x](javascript:alert(1))`,
	`[x](JaVaScRiPt:alert(1))`,
	`[x](java&#115;cript:alert(1))`,
	`[x](&#106;avascript:alert(1))`,
	`[x](javascript&#58;alert(1))`,
	`[x](<javascript:alert(1)>)`,
	`[x](data:text/html;base64,PHNjcmlwdD4=)`,
	`![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)`,
	`![x](data:image/png;base64,iVBORw0KGgo=)`,
	`![x](javascript:alert(1))`,
	`<svg onload=alert(1)>`,
	`<svg><script>alert(1)</script></svg>`,
	`<a href="javascript:alert(1)">x</a>`,
	`<a href="&#x6A;avascript:alert(1)">x</a>`,
	`<iframe src=//evil>`,
	`<style>body{}</style>`,
	`<div style="background:url(javascript:alert(1))">x</div>`,
	`<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>`,
	`**<img src=x onerror=alert(1)>**`,
	`[<img src=x onerror=alert(1)>](http://x)`,
	`<details open ontoggle=alert(1)>`,
	`"><script>alert(1)</script>`,
	`<object data="javascript:alert(1)"></object>`,
	`<embed src=javascript:alert(1)>`,
	`<form action="javascript:alert(1)"><button>go</button></form>`,
	`<input autofocus onfocus=alert(1)>`,
	`<base href=//evil>`,
	`<link rel=stylesheet href=//evil/x.css>`,
	`<meta http-equiv=refresh content="0;url=javascript:alert(1)">`,
	`[x](vbscript:msgbox(1))`,
	`![x](vbscript:msgbox(1))`,
	`&lt;script&gt;alert(1)&lt;/script&gt;`,
	"[x][r]\n\n[r]: javascript:alert(1)",
	"![x][r]\n\n[r]: data:image/svg+xml,<svg/onload=alert(1)>",
	`<javascript:alert(1)>`,
	`<vbscript:msgbox(1)>`,
	"```\"><script>alert(1)</script>\ncode\n```",
	"```go onclick=alert(1)\ncode\n```",
	`[x](http://x "\"onmouseover=alert(1) x=\"")`,
	`![x" onerror="alert(1)](http://x/a.png)`,
	"| a |\n|---|\n| <img src=x onerror=alert(1)> |",
	`<!--><script>alert(1)</script>-->`,
	`<![CDATA[<script>alert(1)</script>]]>`,
	`<noscript><p title="</noscript><img src=x onerror=alert(1)>">`,
	`<textarea><script>alert(1)</script></textarea>`,
	`www.example.com/"onmouseover=alert(1)`,
	`http://example.com/<script>alert(1)</script>`,
	"- [ ] <input onfocus=alert(1) autofocus>",
	"> <img src=x onerror=alert(1)>\n> [x](javascript:alert(1))",
	`<a href=javascript&colon;alert(1)>x</a>`,
	`[x](  javascript:alert(1)  )`,
	"[x](java\nscript:alert(1))",
	`@evil`,
}

var (
	// Sanitised output escapes "<" and ">" in text and attribute values, so
	// every "<" followed by a letter starts a real tag.
	bannedTagRe = regexp.MustCompile(`<\s*/?\s*(script|iframe|object|embed|style|svg|math|form|input|button|base|meta|link|frame|frameset|applet|textarea|noscript|template)\b`)
	tagRe       = regexp.MustCompile(`<(/?)([a-z][a-z0-9-]*)([^>]*)>`)
	attrRe      = regexp.MustCompile(`([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?`)
	eventAttrRe = regexp.MustCompile(`^on[a-z]+$`)
	badSchemeRe = regexp.MustCompile(`^(javascript|vbscript|data|livescript):`)
	// Browsers drop these anywhere in a URL, so "java\tscript:" is a scheme.
	urlNoiseRe = regexp.MustCompile(`[\x00-\x20\x7f]+`)
)

var urlAttrs = map[string]bool{
	"href": true, "src": true, "srcset": true, "action": true, "formaction": true,
	"xlink:href": true, "poster": true, "background": true, "cite": true, "data": true,
	"codebase": true, "longdesc": true, "usemap": true, "dynsrc": true, "lowsrc": true,
	"ping": true, "manifest": true, "icon": true,
}

// assertInert fails when rendered HTML could run script or load foreign
// active content. The attribute checks read each tag's attributes (entities
// decoded, as a browser would) rather than search the whole output, because
// the words "javascript:" or "onerror=" in text or in an alt attribute are
// harmless and may legitimately be shown (e.g. the label of the autolink
// <javascript:alert(1)>, whose href is dropped).
func assertInert(t testing.TB, out string) {
	t.Helper()
	lower := strings.ToLower(out)
	if m := bannedTagRe.FindString(lower); m != "" {
		t.Errorf("got element %q in %q, want none", m, out)
	}
	for _, tag := range tagRe.FindAllStringSubmatch(lower, -1) {
		for _, a := range attrRe.FindAllStringSubmatch(tag[3], -1) {
			name := a[1]
			val := html.UnescapeString(a[2] + a[3] + a[4])
			switch {
			case eventAttrRe.MatchString(name):
				t.Errorf("got event handler %s= on <%s> in %q, want none", name, tag[2], out)
			case name == "style":
				t.Errorf("got style attribute on <%s> in %q, want none", tag[2], out)
			case urlAttrs[name]:
				if s := urlNoiseRe.ReplaceAllString(val, ""); badSchemeRe.MatchString(s) {
					t.Errorf("got %s=%q on <%s> in %q, want no javascript:, vbscript: or data: URL", name, val, tag[2], out)
				}
			}
		}
	}
}

// resolveTest knows ana, and evil, whose page address is hostile: the policy
// must stand even when the resolver is wrong.
func resolveTest(handle string) (string, bool) {
	switch handle {
	case "ana":
		return "/people/ana", true
	case "evil":
		return "javascript:alert(1)", true
	}
	return "", false
}

func TestRenderGFM(t *testing.T) {
	tests := []struct {
		name    string
		src     string
		want    []string
		notWant []string
	}{
		{"heading", "# Title\n\n## Sub", []string{"<h1>Title</h1>", "<h2>Sub</h2>"}, nil},
		{"emphasis", "*em* and **strong** and ~~gone~~",
			[]string{"<em>em</em>", "<strong>strong</strong>", "<del>gone</del>"}, nil},
		{"lists", "- a\n- b\n\n1. x\n2. y",
			[]string{"<ul>\n<li>a</li>\n<li>b</li>\n</ul>", "<ol>\n<li>x</li>\n<li>y</li>\n</ol>"}, nil},
		{"task list", "- [x] done\n- [ ] todo", []string{"<li>☑ done</li>", "<li>☐ todo</li>"}, []string{"<input"}},
		{"table", "| a | b |\n|:--|--:|\n| 1 | 2 |",
			[]string{"<table>", `<th align="left">a</th>`, `<th align="right">b</th>`, `<td align="right">2</td>`},
			[]string{"style="}},
		{"fenced code keeps language", "```go\nfmt.Println(\"<b>\")\n```",
			[]string{`<pre><code class="language-go">`, "&lt;b&gt;"}, []string{"<b>"}},
		{"fence language outside the pattern is dropped", "```c#\nx\n```", []string{"<pre><code>x"}, []string{"class="}},
		{"code span", "use `a < b`", []string{"<code>a &lt; b</code>"}, nil},
		{"autolinked URL", "see https://example.com/x now",
			[]string{`<a href="https://example.com/x" rel="nofollow noopener">https://example.com/x</a>`}, []string{"target="}},
		{"www link", "www.example.org", []string{`<a href="http://www.example.org" rel="nofollow noopener">`}, nil},
		{"angle autolink", "<https://example.com>", []string{`<a href="https://example.com" rel="nofollow noopener">`}, nil},
		{"e-mail autolink", "write to x@ana.org", []string{`<a href="mailto:x@ana.org" rel="nofollow noopener">x@ana.org</a>`}, nil},
		{"link with title", `[site](https://example.com "T")`,
			[]string{`<a href="https://example.com" title="T" rel="nofollow noopener">site</a>`}, nil},
		{"relative link", "[doc](/documents/12)", []string{`<a href="/documents/12" rel="nofollow noopener">doc</a>`}, nil},
		{"ftp link loses its href", "[x](ftp://example.com/f)", []string{`<a rel="nofollow noopener">x</a>`}, []string{"ftp:"}},
		{"image", "![logo](https://example.com/a.png)", []string{`<img src="https://example.com/a.png" alt="logo">`}, nil},
		{"mailto image loses its source", "![x](mailto:a@example.com)", []string{`<img src="" alt="x">`}, []string{"mailto"}},
		{"quote", "> quoted\n> text", []string{"<blockquote>\n<p>quoted\ntext</p>\n</blockquote>"}, nil},
		{"hard break", "a  \nb", []string{"a<br>"}, nil},
		{"raw HTML is dropped", "a <b>bold</b> c", []string{"<p>a bold c</p>"}, []string{"<b>", "omitted"}},
		{"at sign is text without mentions", "hello @ana", []string{"<p>hello @ana</p>"}, []string{"<a"}},
		{"entities stay escaped", "&lt;script&gt; &amp; &copy;", []string{"&lt;script&gt; &amp; ©"}, []string{"<script"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := string(Render(tt.src))
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("got %q, want it to contain %q", got, w)
				}
			}
			for _, nw := range tt.notWant {
				if strings.Contains(got, nw) {
					t.Errorf("got %q, want no %q", got, nw)
				}
			}
			assertInert(t, got)
		})
	}
}

// TestRenderTableBounded: GFM pads every row to the header's width, so a
// wide header over many short lines would cost cells by the square of the
// input's size.
func TestRenderTableBounded(t *testing.T) {
	const n = 3000
	hostile := strings.Repeat("|a", n) + "\n" + strings.Repeat("|-", n) + "\n" + strings.Repeat("a\n", n)
	got := string(Render(hostile))
	if len(got) > 20*len(hostile) {
		t.Errorf("got %d bytes of HTML from %d bytes of Markdown, want at most %d", len(got), len(hostile), 20*len(hostile))
	}
	if strings.Contains(got, "<table>") {
		t.Errorf("got a table, want text")
	}

	var b strings.Builder
	b.WriteString("| a | b | c | d | e |\n|---|---|---|---|---|\n")
	for range 300 {
		b.WriteString("| 1 | 2 | 3 | 4 | 5 |\n")
	}
	b.WriteString("| only |\n")
	got = string(Render(b.String()))
	if n := strings.Count(got, "<td>"); n != 301*5 {
		t.Errorf("got %d cells, want %d", n, 301*5)
	}
}

func TestRenderXSSCorpus(t *testing.T) {
	if len(xssCorpus) < 25 {
		t.Fatalf("got %d payloads, want at least 25", len(xssCorpus))
	}
	for _, src := range xssCorpus {
		t.Run(src, func(t *testing.T) {
			assertInert(t, string(Render(src)))
			assertInert(t, string(RenderWithMentions(src, resolveTest)))
		})
	}
}

// TestAssertInert guards the guard: a check that never fails proves nothing.
func TestAssertInert(t *testing.T) {
	bad := []string{
		`<script>alert(1)</script>`,
		`<img src="x" onerror="alert(1)">`,
		`<a href="javascript:alert(1)">x</a>`,
		`<a href="JAVA&#x09;SCRIPT&colon;alert(1)">x</a>`,
		`<a href=" vbscript:x">x</a>`,
		`<img src="data:image/png;base64,AAAA">`,
		`<p style="color:red">x</p>`,
		`<iframe src="//evil"></iframe>`,
		`<svg>`, `<math>`, `<form>`, `<input>`, `<base href="/">`, `<meta>`, `<object>`, `<embed>`, `<style>`,
	}
	for _, h := range bad {
		ft := &fakeT{}
		assertInert(ft, h)
		if !ft.failed {
			t.Errorf("got no failure for %q, want one", h)
		}
	}
	ok := []string{
		`<p>javascript:alert(1) and onerror=alert(1) &lt;script&gt;</p>`,
		`<img src="http://x/a.png" alt="x onerror=alert(1)">`,
		`<a href="https://example.com/?q=javascript" title="data:">x</a>`,
	}
	for _, h := range ok {
		ft := &fakeT{}
		assertInert(ft, h)
		if ft.failed {
			t.Errorf("got failure for %q, want none", h)
		}
	}
}

type fakeT struct {
	testing.TB
	failed bool
}

func (f *fakeT) Helper()               {}
func (f *fakeT) Errorf(string, ...any) { f.failed = true }

func TestRenderWithMentions(t *testing.T) {
	const anaLink = `<a class="mention" href="/people/ana" rel="nofollow noopener">@ana</a>`
	tests := []struct {
		name      string
		src       string
		want      []string
		wantLinks int // <a elements in all
		notWant   []string
	}{
		{"known and unknown", "hello @ana and @bo.x", []string{"hello " + anaLink + " and @bo.x</p>"}, 1, nil},
		{"start of line", "@ana hi", []string{"<p>" + anaLink + " hi"}, 1, nil},
		{"punctuation before and after", "(@ana), thanks @ana.", []string{"(" + anaLink + "),", anaLink + ".</p>"}, 2, nil},
		{"emphasis", "_@ana_ **@ana**", []string{"<em>" + anaLink + "</em>", "<strong>" + anaLink + "</strong>"}, 2, nil},
		{"code span", "`@ana`", []string{"<code>@ana</code>"}, 0, nil},
		{"code block", "```\n@ana\n```", []string{"<code>@ana\n</code>"}, 0, nil},
		{"indented code", "    @ana", []string{"<code>@ana\n</code>"}, 0, nil},
		{"e-mail address", "x@ana.org", []string{`href="mailto:x@ana.org"`}, 1, []string{"mention"}},
		{"e-mail address after punctuation", "a,x@ana.org", nil, 0, []string{"mention"}},
		{"address after the handle", "@ana@example.org", nil, 0, []string{"mention"}},
		{"link text", "[@ana](https://example.com)", []string{`<a href="https://example.com" rel="nofollow noopener">@ana</a>`}, 1, []string{"mention"}},
		{"path", "see /@ana", nil, 0, []string{"mention"}},
		{"escaped", `\@ana`, []string{"<p>@ana</p>"}, 0, nil},
		{"word goes on", "@anaïs", []string{"<p>@anaïs</p>"}, 0, nil},
		{"too long", "@" + strings.Repeat("a", 41), nil, 0, []string{"mention"}},
		{"hostile href is dropped", "@evil", []string{`<a class="mention" rel="nofollow noopener">@evil</a>`}, 1, []string{"javascript"}},
		{"heading and table", "# @ana\n\n| who |\n|---|\n| @ana |", []string{"<h1>" + anaLink + "</h1>", "<td>" + anaLink + "</td>"}, 2, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := string(RenderWithMentions(tt.src, resolveTest))
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("got %q, want it to contain %q", got, w)
				}
			}
			for _, nw := range tt.notWant {
				if strings.Contains(got, nw) {
					t.Errorf("got %q, want no %q", got, nw)
				}
			}
			if n := strings.Count(got, "<a "); n != tt.wantLinks {
				t.Errorf("got %d links in %q, want %d", n, got, tt.wantLinks)
			}
			assertInert(t, got)
		})
	}
}

func TestRenderWithMentionsAsksOncePerHandle(t *testing.T) {
	calls := map[string]int{}
	RenderWithMentions("@ana @ana @bo\n\n@ana @bo", func(h string) (string, bool) {
		calls[h]++
		return resolveTest(h)
	})
	if calls["ana"] != 1 || calls["bo"] != 1 {
		t.Errorf("got calls %v, want one per handle", calls)
	}
}

func TestRenderWithNilResolver(t *testing.T) {
	if got, want := RenderWithMentions("hi @ana", nil), Render("hi @ana"); got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestMentions(t *testing.T) {
	tests := []struct {
		src  string
		want []string
	}{
		{"hello @ana and @bo.x", []string{"ana", "bo.x"}},
		{"@ana @bo.x @ana, @Ana", []string{"ana", "bo.x"}},
		{"`@carl` @ana\n\n```\n@dan\n```\n\n    @eve\n\n@bo.x", []string{"ana", "bo.x"}},
		{"x@ana.org", nil},
		{"[@ana](http://x) @bo", []string{"bo"}},
		{"Thanks @bo.x.", []string{"bo.x"}},
		{"", nil},
	}
	for _, tt := range tests {
		if got := Mentions(tt.src); !slices.Equal(got, tt.want) {
			t.Errorf("Mentions(%q): got %q, want %q", tt.src, got, tt.want)
		}
	}
}

func TestExcerpt(t *testing.T) {
	tests := []struct {
		src  string
		max  int
		want string
	}{
		{"Tom &amp; Jerry are here and there", 20, "Tom & Jerry are…"},
		{"# Hello\n\n*world*", 50, "Hello world"},
		{"- a\n- b", 10, "a; b"},
		{"Themes:\n\n- customs\n- trade finance.\n- rules\n  - of origin\n- skills", 80, "Themes: customs; trade finance. rules of origin; skills"},
		{"one two three", 7, "one…"},
		{"one two", 7, "one two"},
		{"one two three", 8, "one two…"},
		{"abcdefghij", 5, "abcd…"},
		{"alpha, beta gamma", 10, "alpha…"},
		{"élan vital déjà vu", 12, "élan vital…"},
		{"```\n<b>x</b>\n```", 20, "<b>x</b>"},
		{"[a link](https://example.com) and ![an image](x.png)", 50, "a link and"},
		{"anything", 0, ""},
		{"", 10, ""},
	}
	for _, tt := range tests {
		got := Excerpt(tt.src, tt.max)
		if got != tt.want {
			t.Errorf("Excerpt(%q, %d): got %q, want %q", tt.src, tt.max, got, tt.want)
		}
		if n := utf8.RuneCountInString(got); n > tt.max {
			t.Errorf("Excerpt(%q, %d): got %d runes, want at most %d", tt.src, tt.max, n, tt.max)
		}
	}
}

// TestConcurrent relies on -race: the goldmark instance and the policy are
// shared by every request.
func TestConcurrent(t *testing.T) {
	want := RenderWithMentions(samplePost, resolveTest)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 20 {
				if got := RenderWithMentions(samplePost, resolveTest); got != want {
					t.Errorf("got %q, want %q", got, want)
					return
				}
			}
		})
	}
	wg.Wait()
}

func FuzzRender(f *testing.F) {
	for _, s := range xssCorpus {
		f.Add(s)
	}
	for _, s := range []string{
		samplePost,
		"# T\n\n*a* **b** ~~c~~ `d`\n\n- [x] e\n- f\n\n1. g\n\n> h",
		"| a | b |\n|:-:|--|\n| @ana | [x](http://x) |",
		"hello @ana and @bo.x, x@ana.org `@ana` [@ana](http://x) _@evil_",
		"```go\nfunc main() {}\n```\n\n    indented\n\nwww.example.com https://x.org/a?b=c&d=e",
		"[a][b] ![c][b]\n\n[b]: http://x \"t\"",
		"<div>\n*raw block*\n</div>\n\n<span>inline</span> &amp; &#x3C; &#0;",
		"|a|a|a|a|a|a\n|-|-|-|-|-|-\na\na\na\na\na",
		"> > 1. - [ ] > * @ana\n>\n> > quoted `@bo`",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		assertInert(t, string(Render(src)))
		assertInert(t, string(RenderWithMentions(src, func(h string) (string, bool) {
			if strings.HasPrefix(h, "e") {
				return resolveTest("evil")
			}
			return "/people/" + h, true
		})))
		Mentions(src)
		if e := Excerpt(src, 40); utf8.RuneCountInString(e) > 40 {
			t.Errorf("got excerpt of %d runes, want at most 40", utf8.RuneCountInString(e))
		}
	})
}

// samplePost is about 2 KB, written the way members write: a bit of
// everything, mostly paragraphs.
const samplePost = `## Certificates of origin: what we ran into

Thanks @ana for raising this last week. We export processed cashew nuts to three markets and the
**rules of origin** paperwork is, by far, the largest cost for a company of our size (12 people).

What we found:

1. The chamber of commerce issues the certificate, but *only* on paper, and only on Tuesdays.
2. One importer asked for a self-certification statement instead; the other two refused it.
3. The online portal (https://example.org/origin) times out when the invoice has more than 20 lines.

| Market | Form | Days to obtain | Cost (USD) |
|:-------|:----:|---------------:|-----------:|
| A      | Paper | 6             | 45         |
| B      | Self-cert | 0         | 0          |
| C      | Paper + legalisation | 11 | 130      |

> "A certificate should not cost more than the goods it certifies." — a member at the MSME Day

Has anyone used the electronic certificate pilot? The guidance we have says to send a file like this:

` + "```json" + `
{"exporter": "ACME Ltd", "hs": "0801.32", "origin": "XX", "invoice": ["INV-001", "INV-002"]}
` + "```" + `

- [x] Asked the chamber about electronic signatures
- [ ] Compared with the requirements in [the 2019 study](https://example.org/studies/2019-origin.pdf)
- [ ] Talked to @bo.x about the customs side

We would welcome views from delegations on whether the ~~paper~~ electronic route is accepted in your
market, and whether a template could be shared here. Contact: trade@example.com or www.example.com.
Sorry for the long post; I tried to keep it to what we actually saw, not what we expected to see.

### Next steps

If the working group takes this up, we can share the invoices (names removed) and the timings for the
last two years, so that the _cost per shipment_ can be compared across markets. @ana, could you say
whether the secretariat would accept them in that form?
`

func BenchmarkRender(b *testing.B) {
	b.SetBytes(int64(len(samplePost)))
	b.ReportAllocs()
	for b.Loop() {
		Render(samplePost)
	}
}

func BenchmarkRenderWithMentions(b *testing.B) {
	b.SetBytes(int64(len(samplePost)))
	b.ReportAllocs()
	for b.Loop() {
		RenderWithMentions(samplePost, resolveTest)
	}
}
