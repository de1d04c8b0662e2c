package server_test

import (
	"fmt"
	"strings"
	"testing"
)

// fuzzModerationBodies are the bodies of the moderators' themes,
// categories and curation operations, sent by an admin; {document} and
// {thread} are the fuzz app's. (Beside FuzzAPIOtherBodies rather than in
// it, so that each target's seeds stay readable.)
var fuzzModerationBodies = []struct{ method, path string }{
	{"POST", "/api/v1/themes"}, {"PUT", "/api/v1/themes/1"}, {"PUT", "/api/v1/themes/9223372036854775807"},
	{"POST", "/api/v1/categories"}, {"PUT", "/api/v1/categories/1"}, {"PUT", "/api/v1/categories/-1"},
	{"POST", "/api/v1/documents/{document}/status"}, {"POST", "/api/v1/threads/{thread}/curate"},
}

func FuzzAPIModerationBodies(f *testing.F) {
	fa := newFuzzApp(f)
	for i := range fuzzModerationBodies {
		for _, s := range append(jsonSeeds,
			`{"slug":"e-invoicing","name_en":"E-invoicing","name_fr":"Facturation","name_es":"Facturación","position":2}`,
			`{"slug":"trade-finance","name_en":"Taken","name_fr":"x","name_es":"x"}`,
			`{"slug":"Not A Slug","name_en":"","name_fr":"\u0000","name_es":"`+strings.Repeat("é", 200)+`"}`,
			`{"slug":"x","name_en":"x","name_fr":"x","name_es":"x","position":9223372036854775807,"archived":true}`,
			`{"slug":"x","name_en":"x","name_fr":"x","name_es":"x","position":1.5}`,
			`{"slug":"x","name_en":"x","name_fr":"x","name_es":"x","description_en":"`+strings.Repeat("d", 400)+`"}`,
			`{"status":"published"}`, `{"status":"archived"}`, `{"status":"draft"}`, `{"status":"deleted"}`, `{"status":null}`, `{"status":["published"]}`,
		) {
			f.Add(uint8(i), s)
		}
	}
	f.Fuzz(func(t *testing.T, which uint8, body string) {
		op := fuzzModerationBodies[int(which)%len(fuzzModerationBodies)]
		path := strings.NewReplacer("{thread}", fmt.Sprint(fa.thread), "{document}", fmt.Sprint(fa.document)).Replace(op.path)
		fa.send(t, fa.mod, op.method, path, body)
	})
}
