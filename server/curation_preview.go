package server

import (
	"html"
	"html/template"
	"strings"

	"ideasx/server/markdown"
	"ideasx/store"
)

// mineToken stands for the asked person's name while the draft is
// rendered: a plain word that Markdown leaves alone, found again in the
// HTML to mark their passages.
const mineToken = "IDEASXCONSENTMINE"

// consentPreview renders a draft as it would be published (everyone who
// asked not to be named already unnamed) for the person me, with each
// place that names them, and the quote that follows it, marked.
func consentPreview(summary string, all []store.Consent, me int64) template.HTML {
	var mine *store.Consent
	var others []store.Consent
	for i := range all {
		if all[i].UserID == me {
			mine = &all[i]
		} else {
			others = append(others, all[i])
		}
	}
	text := summary
	if mine != nil && mine.NamedAs != "" {
		text = strings.ReplaceAll(text, mine.NamedAs, mineToken)
	}
	text = store.Anonymise(text, others)
	if mine == nil || !strings.Contains(text, mineToken) {
		return markdown.Render(text)
	}
	if mine.Anonymous {
		// The bare name elsewhere in the text goes too, as on publication.
		text = store.Anonymise(text, []store.Consent{{Name: mine.Name, AnonymousAs: mine.AnonymousAs, Anonymous: true}})
	}
	label := mine.NamedAs
	if mine.Anonymous {
		label = mine.AnonymousAs
	}
	parts := strings.Split(string(markdown.Render(text)), mineToken)
	for i := 1; i < len(parts); i++ {
		// The quote that directly follows the line naming them is theirs.
		if at := strings.Index(parts[i], "<blockquote>"); at >= 0 && !strings.Contains(parts[i][:at], "<p") && !strings.Contains(parts[i][:at], "<h") {
			parts[i] = parts[i][:at] + `<blockquote class="consent-mine">` + parts[i][at+len("<blockquote>"):]
		}
	}
	return template.HTML(strings.Join(parts, `<mark class="consent-mine-name">`+html.EscapeString(label)+`</mark>`))
}
