package i18n

import (
	"strings"
	"testing"
	"time"

	"ideasx/frontend"
)

func TestMatchOrder(t *testing.T) {
	cases := []struct {
		accept  string
		choices []string
		want    string
	}{
		{"", nil, "en"},
		{"fr-CH, fr;q=0.9, en;q=0.8", nil, "fr"},
		{"de-DE, es;q=0.5", nil, "es"},
		{"de-DE", nil, "en"},
		{"fr", []string{"es"}, "es"},
		{"fr", []string{"", "xx", "en"}, "en"},
		{"not a header;;;", nil, "en"},
	}
	for _, c := range cases {
		if got := Match(c.accept, c.choices...); got != c.want {
			t.Errorf("Match(%q, %v): got %s, want %s", c.accept, c.choices, got, c.want)
		}
	}
}

func TestCountOnAMessageWithoutPlurals(t *testing.T) {
	tr, err := Load(frontend.Translations())
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range Languages {
		got := tr.For(lang).T("mail_reset_lead", "Count", 60)
		if got == "mail_reset_lead" || !strings.Contains(got, "60") {
			t.Errorf("%s: got %q, want the mail text", lang, got)
		}
	}
}

func TestNumbersAndDatesPerLanguage(t *testing.T) {
	tr, err := Load(frontend.Translations())
	if err != nil {
		t.Fatal(err)
	}
	day := time.Date(2019, time.June, 27, 9, 30, 0, 0, time.UTC)
	for lang, want := range map[string][2]string{
		"en": {"27 June 2019", "12,345"},
		"fr": {"27 juin 2019", "12\u00a0345"},
		"es": {"27 de junio de 2019", "12.345"},
	} {
		l := tr.For(lang)
		if got := l.Date(day); got != want[0] {
			t.Errorf("%s date: got %q, want %q", lang, got, want[0])
		}
		if got := l.Number(12345); got != want[1] {
			t.Errorf("%s number: got %q, want %q", lang, got, want[1])
		}
	}
}
