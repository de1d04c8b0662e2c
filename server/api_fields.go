package server

// The API's handlers check their JSON bodies with the pages' form checks,
// which name the form's fields. A client reads an error against the
// property it sent, so each resource says here, in one place, which
// property each differently named field came from; apiValidation renames.
var (
	documentProperties = map[string]string{"derestrict": "derestrict_at", "category": "category_id"}
	eventProperties    = map[string]string{"starts": "starts_at", "ends": "ends_at", "documents": "document_ids"}
	threadProperties   = map[string]string{"theme": "theme_id"}
	statusProperties   = map[string]string{"post": "post_id", "event": "event_id", "document": "document_id"}
)

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
	return field
}
