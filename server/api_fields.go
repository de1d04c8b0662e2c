package server

import "regexp"

// The API's handlers check their JSON bodies with the pages' form checks,
// which name the form's fields. A client reads an error against the
// property it sent, so each resource says here, in one place, which
// property each differently named field came from; apiValidation renames.
var (
	documentProperties = map[string]string{"derestrict": "derestrict_at", "category": "category_id"}
	eventProperties    = map[string]string{"starts": "starts_at", "ends": "ends_at", "documents": "document_ids"}
	threadProperties   = map[string]string{"theme": "theme_id"}
	statusProperties   = map[string]string{"post": "post_id", "event": "event_id", "document": "document_id"}
	// A session's people and a meeting's co-organisers are rows of the
	// form ("p2.account", "o0.name"), items of a list in the JSON
	// ("people[2].handle"): "p#" says which list the rows "p<n>." are.
	sessionProperties = map[string]string{"starts": "starts_at", "ends": "ends_at", "form": "people", "p#": "people",
		"account": "handle", "org": "organisation", "org_fr": "organisation_fr", "org_es": "organisation_es"}
	linksProperties = map[string]string{"main_event": "main_event_id", "o#": "co_organisers"}
)

// rowFieldName is a field of a form's numbered row: kind, row, field.
var rowFieldName = regexp.MustCompile(`^([a-z]+)(\d+)\.(\w+)$`)

// as marks a form as read from a JSON body whose properties props renames.
func (f *form) as(props map[string]string) *form {
	f.props = props
	return f
}

// property is the name a client knows a checked field by.
func (f *form) property(field string) string {
	if p, ok := f.props[field]; ok {
		return p
	}
	if m := rowFieldName.FindStringSubmatch(field); m != nil {
		if list, ok := f.props[m[1]+"#"]; ok {
			return list + "[" + m[2] + "]." + f.property(m[3])
		}
	}
	return field
}
