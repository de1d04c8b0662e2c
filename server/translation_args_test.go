package server_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
)

// placeholderHelpers name the functions that take a message id and fill
// its placeholders themselves, with the argument they add.
var placeholderHelpers = map[string][]string{
	"uploadFailed": {"Max"},
}

var placeholderRe = regexp.MustCompile(`{{\s*\.(\w+)\s*}}`)

// TestMessagesGetTheirPlaceholders: wherever the code or a template names a
// message that has placeholders ("The file is larger than {{.Max}} MB."),
// it passes a value for each, so that nobody reads "<no value>". Ids built
// at run time are not seen here; every literal one is.
func TestMessagesGetTheirPlaceholders(t *testing.T) {
	var messages map[string]any
	if _, err := toml.DecodeFile("../frontend/i18n/en.toml", &messages); err != nil {
		t.Fatal(err)
	}
	needs := map[string][]string{}
	for id, m := range messages {
		text := ""
		switch m := m.(type) {
		case string:
			text = m
		case map[string]any:
			for _, v := range m {
				if s, ok := v.(string); ok {
					text += s
				}
			}
		}
		seen := map[string]bool{}
		for _, p := range placeholderRe.FindAllStringSubmatch(text, -1) {
			if !seen[p[1]] {
				seen[p[1]] = true
				needs[id] = append(needs[id], p[1])
			}
		}
	}
	if len(needs) < 50 {
		t.Fatalf("found %d messages with placeholders; the file's format changed?", len(needs))
	}
	checked := 0
	for _, root := range []string{".", "../frontend/templates"} {
		err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || strings.HasSuffix(path, "_test.go") {
				return err
			}
			isGo, isTemplate := strings.HasSuffix(path, ".go"), strings.HasSuffix(path, ".html") || strings.HasSuffix(path, ".txt")
			if !isGo && !isTemplate {
				return nil
			}
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			src := string(b)
			for id, names := range needs {
				quoted := `"` + id + `"`
				for at := 0; ; {
					i := strings.Index(src[at:], quoted)
					if i < 0 {
						break
					}
					i += at
					at = i + len(quoted)
					var call string
					if isGo {
						if !inCall(src[:i]) {
							// An entry of a table (mail_render.go's kinds):
							// the code that reads it passes the values.
							continue
						}
						call = goCallAround(src, at)
					} else {
						call = src[at:]
						if end := strings.Index(call, "}}"); end >= 0 {
							call = call[:end]
						}
					}
					checked++
					for _, name := range names {
						if !strings.Contains(call, `"`+name+`"`) && !helperFills(src[:i], name) {
							line := strings.Count(src[:i], "\n") + 1
							t.Errorf("%s:%d: %s is shown without %s (it would read <no value>)", path, line, id, name)
						}
					}
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if checked < 50 {
		t.Errorf("checked %d uses of messages with placeholders; the search misses them?", checked)
	}
}

// goCallAround is the rest of the argument list that the string literal
// ending at `at` belongs to: up to the parenthesis that closes the call.
func goCallAround(src string, at int) string {
	depth := 0
	for j := at; j < len(src); j++ {
		switch src[j] {
		case '(', '{', '[':
			depth++
		case ')', '}', ']':
			if depth == 0 {
				return src[at:j]
			}
			depth--
		}
	}
	return src[at:]
}

// inCall says whether the text before a literal leaves it inside a
// call's parentheses rather than in a composite literal's braces.
func inCall(before string) bool {
	depth := 0
	for j := len(before) - 1; j >= 0; j-- {
		switch before[j] {
		case ')', '}', ']':
			depth++
		case '(', '{', '[':
			if depth == 0 {
				return before[j] == '('
			}
			depth--
		}
	}
	return false
}

// helperFills says whether the call that the text before a literal opens
// is a helper that adds name itself.
func helperFills(before, name string) bool {
	open := strings.LastIndex(before, "(")
	if open < 0 {
		return false
	}
	head := before[:open]
	for fn, names := range placeholderHelpers {
		if strings.HasSuffix(head, fn) {
			for _, n := range names {
				if n == name {
					return true
				}
			}
		}
	}
	return false
}
