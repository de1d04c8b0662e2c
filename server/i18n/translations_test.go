package i18n

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/BurntSushi/toml"

	"ideasx/frontend"
)

func loadTranslations(t *testing.T) *Translator {
	t.Helper()
	tr, err := Load(frontend.Translations())
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return tr
}

func sortedIDs(ids map[string]bool) []string {
	out := make([]string, 0, len(ids))
	for id := range ids {
		out = append(out, id)
	}
	sort.Strings(out)
	return out
}

func keys(m map[string][]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// TestTranslationsComplete holds the three message files to the same ids.
func TestTranslationsComplete(t *testing.T) {
	tr := loadTranslations(t)
	en := tr.IDs("en")
	if len(en) == 0 {
		t.Fatal("en.toml defines no message")
	}
	for _, lang := range Languages[1:] {
		other := tr.IDs(lang)
		for _, id := range sortedIDs(en) {
			if !other[id] {
				t.Errorf("%s lacks %q", lang, id)
			}
		}
		for _, id := range sortedIDs(other) {
			if !en[id] {
				t.Errorf("en lacks %q, which %s defines", id, lang)
			}
		}
	}
}

// templateIDRe finds literal ids in templates: .T "id", $.T "id", .V.T "id".
var templateIDRe = regexp.MustCompile(`\.T "([a-z0-9_]+)"`)

// goIDRe is the shape of a message id in Go string literals.
var goIDRe = regexp.MustCompile(`^(?:error|flash|mail|unsubscribe|home|signin|register|reset|invitation|invitations|setup|account|pending|users|audit|nav|field|role|status|org_kind|size|month|date|token)_[a-z0-9_]+$`)

// notMessageArgs are functions whose string arguments are form field names,
// page names or URL query keys, never message ids.
var notMessageArgs = map[string]bool{
	"text": true, "choice": true, "email": true, "country": true, "newPassword": true,
	"render": true, "tooMany": true, "Get": true, "Del": true, "Set": true, "Has": true, "Add": true,
}

// goMessageIDs returns the message-id-like string literals of the non-test Go
// files in dir, with their positions.
func goMessageIDs(t *testing.T, dir string) map[string][]string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatalf("read %s: %v", dir, err)
	}
	found := map[string][]string{}
	fset := token.NewFileSet()
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(fset, filepath.Join(dir, name), nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatalf("parse %s: %v", name, err)
		}
		skip := map[*ast.BasicLit]bool{}
		ast.Inspect(file, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.CallExpr:
				var fn string
				switch f := n.Fun.(type) {
				case *ast.Ident:
					fn = f.Name
				case *ast.SelectorExpr:
					fn = f.Sel.Name
				}
				for i, a := range n.Args {
					lit, ok := a.(*ast.BasicLit)
					if !ok {
						continue
					}
					// f.fail(field, msgID): the first argument is a field name.
					if notMessageArgs[fn] || (fn == "fail" && i == 0) {
						skip[lit] = true
					}
				}
			case *ast.IndexExpr: // v.Errors["form"]
				if lit, ok := n.Index.(*ast.BasicLit); ok {
					skip[lit] = true
				}
			case *ast.KeyValueExpr: // url.Values{"name": …}
				if lit, ok := n.Key.(*ast.BasicLit); ok {
					skip[lit] = true
				}
			}
			return true
		})
		ast.Inspect(file, func(n ast.Node) bool {
			lit, ok := n.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING || skip[lit] || !strings.HasPrefix(lit.Value, `"`) {
				return true
			}
			s, err := strconv.Unquote(lit.Value)
			if err == nil && goIDRe.MatchString(s) {
				found[s] = append(found[s], fset.Position(lit.Pos()).String())
			}
			return true
		})
	}
	return found
}

// TestMessagesUsedExist checks that every id the templates and the server
// code ask for is defined in English (and so, by the test above, everywhere).
func TestMessagesUsedExist(t *testing.T) {
	tr := loadTranslations(t)
	en := tr.IDs("en")

	templates := frontend.Templates()
	n := 0
	err := fs.WalkDir(templates, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !isTemplate(p) {
			return err
		}
		data, err := fs.ReadFile(templates, p)
		if err != nil {
			return err
		}
		for _, m := range templateIDRe.FindAllStringSubmatch(string(data), -1) {
			n++
			if !en[m[1]] {
				t.Errorf("template %s uses %q, which en.toml lacks", p, m[1])
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n == 0 {
		t.Error("found no message id in the templates; is the regexp still right?")
	}

	used := goMessageIDs(t, "..")
	for id, where := range goMessageIDs(t, ".") {
		used[id] = append(used[id], where...)
	}
	if len(used) == 0 {
		t.Error("found no message id in the server's Go code; is the scan still right?")
	}
	for _, id := range keys(used) {
		if !en[id] {
			t.Errorf("%s uses %q, which en.toml lacks", strings.Join(used[id], ", "), id)
		}
	}

	// Ids built at run time: print "role_" .Role in templates, month_%d in Date.
	var dynamic []string
	for _, r := range []string{"visitor", "pending", "business", "member", "moderator", "admin"} {
		dynamic = append(dynamic, "role_"+r)
	}
	for _, s := range []string{"active", "pending", "suspended"} {
		dynamic = append(dynamic, "status_"+s)
	}
	for _, k := range []string{"business", "member", "observer", "secretariat"} {
		dynamic = append(dynamic, "org_kind_"+k)
	}
	for _, s := range []string{"micro", "small", "medium", "large"} {
		dynamic = append(dynamic, "size_"+s)
	}
	for m := 1; m <= 12; m++ {
		dynamic = append(dynamic, fmt.Sprintf("month_%d", m))
	}
	for _, id := range dynamic {
		if !en[id] {
			t.Errorf("en.toml lacks %q, which is built at run time", id)
		}
	}
}

var (
	actionRe    = regexp.MustCompile(`(?s)\{\{.*?\}\}`)
	commentRe   = regexp.MustCompile(`(?s)<!--.*?-->`)
	scriptRe    = regexp.MustCompile(`(?is)<script\b.*?</script>`)
	styleRe     = regexp.MustCompile(`(?is)<style\b.*?</style>`)
	tagRe       = regexp.MustCompile(`(?s)<[^>]*>`)
	attrRe      = regexp.MustCompile(`(?i)\s(alt|title|placeholder|aria-label)="([^"]*)"`)
	twoWordsRe  = regexp.MustCompile(`[A-Za-z]{3,}\s+[A-Za-z]{3,}`)
	whitespaces = regexp.MustCompile(`\s+`)
)

// rawTextIn returns the text of a template that reaches the reader without
// going through a translation: text nodes and the human-readable attributes.
func rawTextIn(src string) []string {
	s := actionRe.ReplaceAllString(src, " ")
	s = commentRe.ReplaceAllString(s, " ")
	s = scriptRe.ReplaceAllString(s, " ")
	s = styleRe.ReplaceAllString(s, " ")
	var out []string
	for _, tag := range tagRe.FindAllString(s, -1) {
		for _, m := range attrRe.FindAllStringSubmatch(tag, -1) {
			if v := strings.TrimSpace(m[2]); v != "" {
				out = append(out, m[1]+"="+v)
			}
		}
	}
	for _, text := range strings.Split(tagRe.ReplaceAllString(s, "\x00"), "\x00") {
		if text = strings.TrimSpace(whitespaces.ReplaceAllString(text, " ")); text != "" {
			out = append(out, text)
		}
	}
	return out
}

// isTemplate: pages and mails in HTML, and mails in plain text (mail/*.txt).
func isTemplate(p string) bool { return strings.HasSuffix(p, ".html") || strings.HasSuffix(p, ".txt") }

// TestTemplatesHaveNoRawText keeps user-facing English out of the templates,
// mails included: every sentence goes through a message.
func TestTemplatesHaveNoRawText(t *testing.T) {
	templates := frontend.Templates()
	err := fs.WalkDir(templates, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !isTemplate(p) {
			return err
		}
		data, err := fs.ReadFile(templates, p)
		if err != nil {
			return err
		}
		for _, text := range rawTextIn(string(data)) {
			if twoWordsRe.MatchString(text) {
				t.Errorf("%s: untranslated text %q", p, text)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestRawTextDetection(t *testing.T) {
	got := rawTextIn(`{{define "x"}}<p title="Some title">{{.T "a"}} Hello there</p><!-- a comment here -->
<span>{{/* a template
comment */}}</span><button aria-label="{{.T "b"}}">OK</button>{{end}}`)
	want := []string{"title=Some title", "Hello there", "OK"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("rawTextIn = %q, want %q", got, want)
	}
}

// sampleArgs fills every placeholder the messages use.
var sampleArgs = []any{
	"Name", "Ana", "Count", 2, "Min", 10, "Max", 100, "Email", "a@b.org", "URL", "http://x",
	"Date", "1 May", "Time", "10:00", "Day", 1, "Month", "May", "Year", 2026, "Inviter", "Bo", "Query", "customs", "Tag", "trade finance", "Who", "Ana (Firm)",
	"Organisation", "Org", "Status", 404, "Thread", "Customs fees", "N", "2", "From", "09:30", "To", "17:00", "SigninURL", "http://x", "ResetURL", "http://x",
	"Kind", "A business", "Domain", "mfa.no", "Site", "https://ideas.example.org", "Target", "the event “Working group”",
	"Title", "What the dialogue found", "Anonymous", "a business", "State", "not answered", "Reason", "waiting for Bo",
	"Waiting", 1, "Names", "Bo (not answered)", "Zone", "Europe/Zurich", "Abbrev", "CEST",
	"When", "09:30–17:00 EDT", "Text", "ana", "Example", "7 December 2026, 14:30 CET",
	"Event", "MSME Day", "Subject", "Room change", "When", "27 June 2030, 10:00", "Total", 3,
}

// withCount returns sampleArgs with Count (and N) set to n.
func withCount(n int) []any {
	args := append([]any(nil), sampleArgs...)
	for i := 0; i+1 < len(args); i += 2 {
		switch args[i] {
		case "Count":
			args[i+1] = n
		case "N":
			args[i+1] = strconv.Itoa(n)
		}
	}
	return args
}

// englishTemplates reads en.toml's raw message texts (all plural forms joined),
// to tell messages with placeholders from those without, and reports which
// messages have plural forms.
func englishTemplates(t *testing.T) (texts map[string]string, plural map[string]bool) {
	t.Helper()
	data, err := fs.ReadFile(frontend.Translations(), "en.toml")
	if err != nil {
		t.Fatal(err)
	}
	var raw map[string]any
	if err := toml.Unmarshal(data, &raw); err != nil {
		t.Fatal(err)
	}
	texts, plural = map[string]string{}, map[string]bool{}
	for id, v := range raw {
		switch v := v.(type) {
		case string:
			texts[id] = v
		case map[string]any:
			var b strings.Builder
			for _, f := range v {
				fmt.Fprint(&b, f, "\n")
			}
			texts[id] = b.String()
			plural[id] = true
		}
	}
	return texts, plural
}

// TestEveryMessageRenders localizes every message in every language, with
// data for those that take some, and with several counts for plural ones.
func TestEveryMessageRenders(t *testing.T) {
	tr := loadTranslations(t)
	texts, plural := englishTemplates(t)
	for _, lang := range Languages {
		l := tr.For(lang)
		for _, id := range sortedIDs(tr.IDs("en")) {
			text, ok := texts[id]
			if !ok {
				t.Errorf("en.toml: cannot read the text of %q", id)
				continue
			}
			if !strings.Contains(text, "{{") {
				if got := l.T(id); got == id || got == "" {
					t.Errorf("%s: T(%q) = %q", lang, id, got)
				}
				continue
			}
			if !plural[id] {
				got := l.T(id, sampleArgs...)
				if got == id || got == "" || strings.Contains(got, "<no value>") || strings.Contains(got, "{{") {
					t.Errorf("%s: T(%q, …) = %q", lang, id, got)
				}
				continue
			}
			// Plural messages: every form of every language.
			for _, n := range []int{0, 1, 2, 5, 21, 1000000} {
				got := l.T(id, withCount(n)...)
				if got == id || got == "" || strings.Contains(got, "<no value>") || strings.Contains(got, "{{") {
					t.Errorf("%s: T(%q) with Count %d = %q", lang, id, n, got)
				}
			}
		}
	}
}

// TestTranslationsDiffer catches a message file copied from English and left
// untranslated: most messages must differ from their English text.
func TestTranslationsDiffer(t *testing.T) {
	tr := loadTranslations(t)
	en := tr.For("en")
	for _, lang := range Languages[1:] {
		l := tr.For(lang)
		same := 0
		ids := sortedIDs(tr.IDs("en"))
		for _, id := range ids {
			if l.T(id, sampleArgs...) == en.T(id, sampleArgs...) {
				same++
			}
		}
		if same*5 > len(ids) {
			t.Errorf("%s: %d of %d messages are the same as in English", lang, same, len(ids))
		}
	}
}

func TestDatesPerLanguage(t *testing.T) {
	tr := loadTranslations(t)
	day := time.Date(2026, time.May, 1, 10, 30, 0, 0, time.UTC)
	for lang, want := range map[string]string{"en": "1 May 2026", "fr": "1 mai 2026", "es": "1 de mayo de 2026"} {
		if got := tr.For(lang).Date(day); got != want {
			t.Errorf("%s: Date = %q, want %q", lang, got, want)
		}
	}
}

// TestTimeRanges: a meeting within one day names the day once; one over
// several days names both, each with its time.
func TestTimeRanges(t *testing.T) {
	tr := loadTranslations(t)
	geneva, err := time.LoadLocation("Europe/Zurich")
	if err != nil {
		t.Fatal(err)
	}
	start := time.Date(2027, time.June, 28, 7, 30, 0, 0, time.UTC) // 09:30 in Geneva
	for _, c := range []struct {
		lang string
		end  time.Time
		want string
	}{
		{"en", start.Add(7*time.Hour + 30*time.Minute), "28 June 2027, 09:30–17:00 CEST"},
		{"fr", start.Add(7*time.Hour + 30*time.Minute), "28 juin 2027, de 09:30 à 17:00 CEST"},
		{"es", start.Add(7*time.Hour + 30*time.Minute), "28 de junio de 2027, de 09:30 a 17:00 CEST"},
		{"en", start.Add(24 * time.Hour), "28 June 2027, 09:30 CEST – 29 June 2027, 09:30 CEST"},
		{"en", start.Add(time.Hour), "28 June 2027, 09:30–10:30 CEST"},
	} {
		if got := tr.For(c.lang).TimeRange(start, c.end, geneva); got != c.want {
			t.Errorf("%s: TimeRange = %q, want %q", c.lang, got, c.want)
		}
	}
}

// TestFileSizes: units and decimal mark follow the language.
func TestFileSizes(t *testing.T) {
	tr := loadTranslations(t)
	for _, c := range []struct {
		lang string
		n    int64
		want string
	}{
		{"en", 2_500_000, "2.4 MB"}, {"fr", 2_500_000, "2,4 Mo"}, {"es", 2_500_000, "2,4 MB"},
		{"fr", 2048, "2 Ko"}, {"en", 512, "512 B"},
	} {
		if got := tr.For(c.lang).FileSize(c.n); got != c.want {
			t.Errorf("%s: FileSize(%d) = %q, want %q", c.lang, c.n, got, c.want)
		}
	}
}

func TestGoMessageIDScan(t *testing.T) {
	dir := t.TempDir()
	src := `package x

type y struct {
	A string ` + "`json:\"size_class\"`" + `
}

func z() {
	s.fail(w, r, 400, "bad", "error_bad_form")
	f.fail("token_name", "error_required")
	_ = f.text("token_name", true, 60)
	_ = f.newPassword("password", "password_confirm")
	s.render(w, r, 200, "register_done", v)
	v.Errors["field_x"] = v.T("home_title")
	_ = url.Values{"size_class": {"micro"}}
	msg := "flash_user_suspended"
	_ = "not_an_id"
}
`
	if err := os.WriteFile(filepath.Join(dir, "x.go"), []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "x_test.go"), []byte("package x\nvar _ = \"error_in_test\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	got := keys(goMessageIDs(t, dir))
	want := []string{"error_bad_form", "error_required", "flash_user_suspended", "home_title"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("goMessageIDs = %q, want %q", got, want)
	}
}
