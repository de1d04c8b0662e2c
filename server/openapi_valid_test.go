package server

import (
	"context"
	"regexp"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
)

// TestOpenAPIDocumentIsValid: client generators and validators written by
// others (kin-openapi here, Redocly and the like elsewhere) refuse a document
// that breaks the specification, so it must load and validate cleanly.
func TestOpenAPIDocumentIsValid(t *testing.T) {
	t.Parallel()
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromFile("openapi.json")
	if err != nil {
		t.Fatalf("openapi.json does not load: %v", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Errorf("openapi.json is not a valid OpenAPI document: %v", err)
	}
}

// TestOpenAPIOneParameterNamePerPosition: two templates that differ only in
// their parameter names (/documents/{ref} and /documents/{id}) are the same
// path for tools, which then reject the document or pick one at random; and a
// position named differently under the same prefix confuses readers too.
func TestOpenAPIOneParameterNamePerPosition(t *testing.T) {
	t.Parallel()
	doc, err := openapi3.NewLoader().LoadFromFile("openapi.json")
	if err != nil {
		t.Fatalf("openapi.json does not load: %v", err)
	}
	param := regexp.MustCompile(`\{[^}]*\}`)
	shapes := map[string]string{}
	names := map[string]string{} // path prefix up to a parameter -> its name
	for _, path := range doc.Paths.InMatchingOrder() {
		shape := param.ReplaceAllString(path, "{}")
		if other, ok := shapes[shape]; ok {
			t.Errorf("%s and %s differ only in parameter names", other, path)
		}
		shapes[shape] = path
		for _, loc := range param.FindAllStringIndex(path, -1) {
			prefix := param.ReplaceAllString(path[:loc[0]], "{}")
			name := path[loc[0]:loc[1]]
			if other, ok := names[prefix]; ok && other != name {
				t.Errorf("after %s one path names the parameter %s, another %s", prefix, other, name)
			}
			names[prefix] = name
		}
	}
}
