// Package i18n translates the interface into English, French and Spanish and
// formats dates and numbers per language.
package i18n

import (
	"fmt"
	"io/fs"
	"path"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/BurntSushi/toml"
	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// Languages are the interface languages, the working group's three.
var Languages = []string{"en", "fr", "es"}

var tags = []language.Tag{language.English, language.French, language.Spanish}

var matcher = language.NewMatcher(tags)

// Translator holds every language's messages.
type Translator struct {
	ids    map[string]map[string]bool // language -> message ids
	byLang map[string]*Localizer
}

// Load reads <lang>.toml for each language from files.
func Load(files fs.FS) (*Translator, error) {
	b := goi18n.NewBundle(language.English)
	b.RegisterUnmarshalFunc("toml", toml.Unmarshal)
	tr := &Translator{ids: map[string]map[string]bool{}}
	for _, lang := range Languages {
		name := lang + ".toml"
		data, err := fs.ReadFile(files, name)
		if err != nil {
			return nil, fmt.Errorf("i18n: %w", err)
		}
		mf, err := b.ParseMessageFileBytes(data, path.Base(name))
		if err != nil {
			return nil, fmt.Errorf("i18n: %s: %w", name, err)
		}
		tr.ids[lang] = map[string]bool{}
		for _, m := range mf.Messages {
			tr.ids[lang][m.ID] = true
		}
	}
	tr.byLang = map[string]*Localizer{}
	for i, lang := range Languages {
		l := &Localizer{lang: lang, loc: goi18n.NewLocalizer(b, lang), printer: message.NewPrinter(tags[i]),
			known: tr.ids["en"], plain: &sync.Map{}}
		l.filled.Store(&sync.Map{})
		tr.byLang[lang] = l
	}
	return tr, nil
}

// IDs returns the message ids defined for lang.
func (tr *Translator) IDs(lang string) map[string]bool { return tr.ids[lang] }

// Match picks the interface language: the first of the explicit choices that
// is supported, else the best match for an Accept-Language header, else English.
func Match(acceptLanguage string, choices ...string) string {
	for _, c := range choices {
		if Supported(c) {
			return c
		}
	}
	if acceptLanguage != "" {
		prefs, _, err := language.ParseAcceptLanguage(acceptLanguage)
		if err == nil && len(prefs) > 0 {
			_, i, conf := matcher.Match(prefs...)
			if conf != language.No {
				return Languages[i]
			}
		}
	}
	return "en"
}

// Supported reports whether lang is an interface language.
func Supported(lang string) bool {
	for _, l := range Languages {
		if l == lang {
			return true
		}
	}
	return false
}

// Localizer translates into one language.
type Localizer struct {
	lang    string
	loc     *goi18n.Localizer
	printer *message.Printer
	known   map[string]bool // the message ids, which alone are remembered in plain
	// plain remembers messages without arguments: a thread page asks for
	// the same few words for each of its fifty posts, and go-i18n works
	// out each one again every time.
	plain *sync.Map
	// filled remembers messages with arguments that are all words or
	// numbers, most of them the placeholders a page hands to its scripts
	// ("{who}"), which go-i18n runs through text/template every time: on a
	// thread page that was most of what its layout cost. Others' names
	// come through here too, so it is emptied when full.
	filled  atomic.Pointer[sync.Map]
	nfilled atomic.Int64
}

// filledKept bounds the messages with arguments remembered per language.
const filledKept = 4096

// For returns the localizer of lang (English when unsupported), shared by
// every request in that language.
func (tr *Translator) For(lang string) *Localizer {
	if l, ok := tr.byLang[lang]; ok {
		return l
	}
	return tr.byLang["en"]
}

// Lang is the localizer's language code.
func (l *Localizer) Lang() string { return l.lang }

// T translates message id. Arguments come as name/value pairs for the
// message's template; a "Count" argument also selects the plural form. An
// unknown message shows its id, which the completeness test forbids.
func (l *Localizer) T(id string, args ...any) string {
	if len(args) == 0 && l.known[id] {
		if s, ok := l.plain.Load(id); ok {
			return s.(string)
		}
		s := l.localize(id, nil)
		l.plain.Store(id, s)
		return s
	}
	key, ok := filledKey(id, args)
	if !ok || !l.known[id] {
		return l.localize(id, args)
	}
	m := l.filled.Load()
	if s, ok := m.Load(key); ok {
		return s.(string)
	}
	s := l.localize(id, args)
	if l.nfilled.Add(1) > filledKept {
		l.nfilled.Store(0)
		l.filled.Store(&sync.Map{})
	}
	m.Store(key, s)
	return s
}

// filledKey names a message and its arguments when they are all strings
// and integers, whose printed forms tell them apart.
func filledKey(id string, args []any) (string, bool) {
	var b strings.Builder
	b.WriteString(id)
	for _, a := range args {
		b.WriteByte(0)
		switch a := a.(type) {
		case string:
			b.WriteByte('s')
			b.WriteString(a)
		case int:
			b.WriteByte('i')
			b.WriteString(strconv.Itoa(a))
		case int64:
			b.WriteByte('i')
			b.WriteString(strconv.FormatInt(a, 10))
		default:
			return "", false
		}
	}
	return b.String(), true
}

func (l *Localizer) localize(id string, args []any) string {
	cfg := &goi18n.LocalizeConfig{MessageID: id}
	if len(args) > 0 {
		data := make(map[string]any, len(args)/2)
		for i := 0; i+1 < len(args); i += 2 {
			k, _ := args[i].(string)
			data[k] = args[i+1]
			if k == "Count" {
				cfg.PluralCount = args[i+1]
			}
		}
		cfg.TemplateData = data
	}
	// go-i18n reports an error yet still returns usable text for a message
	// missing in this language (it falls back to English) and for a count
	// given to a message without plural forms; keep that text.
	s, err := l.loc.Localize(cfg)
	if err != nil && s == "" {
		return id
	}
	return s
}

// Number formats an integer with the language's digit grouping.
func (l *Localizer) Number(n int64) string { return l.printer.Sprintf("%d", n) }

// Date formats a day the way the language writes it, e.g. "25 November 2026".
func (l *Localizer) Date(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return l.T("date_long", "Day", t.Day(), "Month", l.T(fmt.Sprintf("month_%d", int(t.Month()))), "Year", t.Year())
}

// DateTime formats a moment with its time of day in the given zone.
func (l *Localizer) DateTime(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return ""
	}
	t = t.In(loc)
	return l.T("date_time", "Date", l.Date(t), "Time", Clock(t))
}

// Clock is a time of day with its zone's abbreviation, "14:30 CET", so that
// a reader knows whose clock it is.
func Clock(t time.Time) string { return t.Format("15:04") + " " + ZoneAbbrev(t) }

// ZoneAbbrev is what the zone's clock is called at t ("CET", "EDT"). A zone
// the database names by offset only ("-03") is written "UTC-3", "UTC+5:30".
func ZoneAbbrev(t time.Time) string {
	a := t.Format("MST")
	if a == "" || (a[0] != '+' && a[0] != '-') {
		return a
	}
	_, off := t.Zone()
	sign := "+"
	if off < 0 {
		sign, off = "-", -off
	}
	h, m := off/3600, off%3600/60
	if m != 0 {
		return fmt.Sprintf("UTC%s%d:%02d", sign, h, m)
	}
	return fmt.Sprintf("UTC%s%d", sign, h)
}

// FileSize writes a size in bytes as people read it, in the language's
// units and decimal mark ("2.4 MB", "2,4 Mo").
func (l *Localizer) FileSize(n int64) string {
	switch {
	case n >= 1<<20:
		return l.T("size_mb", "N", l.printer.Sprintf("%.1f", float64(n)/(1<<20)))
	case n >= 1<<10:
		return l.T("size_kb", "N", l.Number((n+512)>>10))
	}
	return l.T("size_bytes", "N", l.Number(n))
}

// TimeRange formats from start to end in the given zone, the day written
// once when both fall on it ("28 June 2027, 09:30–17:00").
func (l *Localizer) TimeRange(start, end time.Time, loc *time.Location) string {
	start, end = start.In(loc), end.In(loc)
	if start.Year() == end.Year() && start.YearDay() == end.YearDay() {
		from := start.Format("15:04")
		// The zone is named once, unless the clock changed in between.
		if ZoneAbbrev(start) != ZoneAbbrev(end) {
			from = Clock(start)
		}
		return l.T("time_range_same_day", "Date", l.Date(start), "From", from, "To", Clock(end))
	}
	return l.DateTime(start, loc) + " – " + l.DateTime(end, loc)
}

// LanguageName is the name of lang in its own language, for the switcher.
func LanguageName(lang string) string {
	switch lang {
	case "fr":
		return "Français"
	case "es":
		return "Español"
	default:
		return "English"
	}
}

// ParseLang normalises a form or cookie value to a supported language, or "".
func ParseLang(v string) string {
	v = strings.ToLower(strings.TrimSpace(v))
	if Supported(v) {
		return v
	}
	return ""
}
