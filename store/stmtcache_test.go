package store

import (
	"fmt"
	"path/filepath"
	"testing"
)

// TestStatementCacheIsBounded: queries whose text varies (lists of any
// length) fill the cache only up to its bound; past it they still run,
// unprepared, and give the same answers.
func TestStatementCacheIsBounded(t *testing.T) {
	s, err := Open(t.Context(), Options{SQLitePath: filepath.Join(t.TempDir(), "cache.db")})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.exec(t.Context(), s.db, "CREATE TABLE t (x INTEGER)"); err != nil {
		t.Fatal(err)
	}
	if _, ok := s.stmts.m["CREATE TABLE t (x INTEGER)"]; ok {
		t.Error("a schema change was cached")
	}
	for i := range maxCachedStmts + 50 {
		var got int
		if err := s.get(t.Context(), s.db, &got, fmt.Sprintf("SELECT %d + ?", i), 1); err != nil {
			t.Fatalf("query %d: %v", i, err)
		}
		if got != i+1 {
			t.Fatalf("query %d: got %d, want %d", i, got, i+1)
		}
	}
	if n := len(s.stmts.m); n != maxCachedStmts {
		t.Errorf("%d statements cached, want the bound, %d", n, maxCachedStmts)
	}
}

// TestCacheableWhateverSpaceFollowsTheVerb: a query laid out over several
// lines is prepared like one on a single line; what changes the schema or
// a transaction is not.
func TestCacheableWhateverSpaceFollowsTheVerb(t *testing.T) {
	for query, want := range map[string]bool{
		"SELECT 1":                       true,
		"SELECT\n\t\t(SELECT 1) AS one":  true,
		"\n\tselect\t1":                  true,
		"WITH\nx AS (SELECT 1) SELECT *": true,
		"UPDATE\tt SET x = 1":            true,
		"CREATE TABLE t (x INTEGER)":     false,
		"BEGIN":                          false,
		"":                               false,
	} {
		if got := cacheable(query); got != want {
			t.Errorf("cacheable(%q) = %v, want %v", query, got, want)
		}
	}
}
