package store_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"ideasx/store"
	"ideasx/store/storetest"
)

// TestMigration0018KeepsTheForumIndex: SQLite's forum index, rebuilt with
// prefix indexes, still finds every post it found before, by whole words
// and by short prefixes.
func TestMigration0018KeepsTheForumIndex(t *testing.T) {
	s := storetest.Open(t, storetest.SQLite)
	ctx := context.Background()
	db := s.DB()
	biz := mustUser(t, s, "biz@x.org", store.RoleBusiness, "Firm")
	th := newThread(t, s, biz, firstTheme(t, s).ID, "Certificates of origin")
	if _, err := s.CreatePost(ctx, store.NewPost{ThreadID: th.ID, Author: biz, Body: "Customs brokers in Lima", HTML: "x"}); err != nil {
		t.Fatal(err)
	}
	// The table as it was before 0018, holding what was indexed.
	for _, stmt := range []string{
		`CREATE TABLE fts_text AS SELECT rowid AS id, title, body FROM posts_fts`,
		`DROP TABLE posts_fts`,
		`CREATE VIRTUAL TABLE posts_fts USING fts5 (title, body, tokenize = 'unicode61 remove_diacritics 2')`,
		`INSERT INTO posts_fts (rowid, title, body) SELECT id, title, body FROM fts_text`,
		`DROP TABLE fts_text`,
	} {
		if _, err := db.ExecContext(ctx, stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	raw, err := os.ReadFile(filepath.Join("migrations", "sqlite", "0018_forum_search_prefixes.sql"))
	if err != nil {
		t.Fatal(err)
	}
	for _, stmt := range strings.Split(string(raw), ";") {
		if strings.TrimSpace(stripComments(stmt)) == "" {
			continue
		}
		if _, err := db.ExecContext(ctx, stmt); err != nil {
			t.Fatalf("migration 0018: %v", err)
		}
	}
	var schema string
	if err := db.QueryRowContext(ctx, `SELECT sql FROM sqlite_master WHERE name = 'posts_fts'`).Scan(&schema); err != nil || !strings.Contains(schema, "prefix") {
		t.Errorf("after 0018 the index is %q (%v), want prefix indexes", schema, err)
	}
	for _, q := range []string{"certificates", "ce", "cus", "customs brokers", "lim"} {
		hits, err := s.SearchForum(ctx, q, store.ForumSearchFilter{})
		if err != nil || len(hits) != 1 || hits[0].ThreadID != th.ID {
			t.Errorf("%q after 0018: %+v (%v), want the thread", q, hits, err)
		}
	}
}
