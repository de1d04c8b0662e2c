package store_test

import (
	"context"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"ideasx/store"
	"ideasx/store/storetest"
)

// BenchmarkSearchForum1M measures members' forum search over a million
// posts in 20,000 threads on each engine (the "search at scale"),
// and reports the 95th percentile of one query's time. The posts are
// written straight into the tables, with their search text as the store
// folds it, because a million replies through CreatePost would take an
// hour; the engine's own index (Postgres's generated tsvector and GIN, or
// SQLite's FTS5 table rebuilt from the same columns) is what is searched.
// IDEASX_BENCH_POSTS sets another size.
func BenchmarkSearchForum1M(b *testing.B) {
	total := 1_000_000
	if n, err := strconv.Atoi(os.Getenv("IDEASX_BENCH_POSTS")); err == nil && n > 0 {
		total = n
	}
	for _, e := range storetest.Engines {
		// Written once per engine: b.Run calls its function more than once.
		s := storetest.Open(b, e)
		ctx := context.Background()
		start := time.Now()
		seedForumText(b, s, e, total, total/50)
		b.Logf("%s: %d posts written and indexed in %s", e, total, time.Since(start).Round(time.Second))
		b.Run(string(e), func(b *testing.B) {
			queries := []string{"certificates origin", "customs", "geneve", "pequenas empresas", "digital pay", "women entrepreneurs exporters", "w1f"}
			for _, q := range queries { // warm the caches a reader after the first would find
				if _, err := s.SearchForum(ctx, q, store.ForumSearchFilter{}); err != nil {
					b.Fatal(err)
				}
			}
			var times []time.Duration
			perQuery := map[string][]time.Duration{}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				q := queries[i%len(queries)]
				t0 := time.Now()
				if _, err := s.SearchForum(ctx, q, store.ForumSearchFilter{Limit: 20}); err != nil {
					b.Fatal(err)
				}
				times = append(times, time.Since(t0))
				perQuery[q] = append(perQuery[q], time.Since(t0))
			}
			b.StopTimer()
			for _, q := range queries {
				ts := perQuery[q]
				slices.Sort(ts)
				if len(ts) > 0 {
					b.Logf("%s: %-32q median %v, slowest %v (%d runs)", e, q, ts[len(ts)/2].Round(time.Microsecond), ts[len(ts)-1].Round(time.Microsecond), len(ts))
				}
			}
			slices.Sort(times)
			b.ReportMetric(float64(times[len(times)*95/100].Microseconds())/1000, "p95-ms")
		})
	}
}

// seedForumText writes threads and posts of benchText's words.
func seedForumText(b *testing.B, s *store.Store, e storetest.Engine, posts, threads int) {
	ctx := context.Background()
	// Each engine's own placeholders, as the store's Rebind gives them.
	db := sqlx.NewDb(s.DB(), map[storetest.Engine]string{storetest.SQLite: "sqlite", storetest.Postgres: "postgres"}[e])
	var userID, orgID, themeID int64
	if err := db.QueryRowContext(ctx, `SELECT id FROM themes ORDER BY id LIMIT 1`).Scan(&themeID); err != nil {
		b.Fatal(err)
	}
	u := mustUser(b, s, "bench@andes.example", store.RoleBusiness, "Andes Textiles")
	userID, orgID = u.ID, u.OrganisationID
	sentence := benchText()
	now := time.Now().UTC()
	insert := func(table, columns string, width, rows int, row func(i int) []any) {
		const batch = 500
		tx, err := db.BeginTxx(ctx, nil)
		if err != nil {
			b.Fatal(err)
		}
		for from := 0; from < rows; from += batch {
			n := min(batch, rows-from)
			marks := "(" + strings.TrimSuffix(strings.Repeat("?, ", width), ", ") + ")"
			args := make([]any, 0, n*width)
			for i := from; i < from+n; i++ {
				args = append(args, row(i)...)
			}
			q := tx.Rebind(`INSERT INTO ` + table + ` (` + columns + `) VALUES ` + strings.TrimSuffix(strings.Repeat(marks+", ", n), ", "))
			if _, err := tx.ExecContext(ctx, q, args...); err != nil {
				b.Fatalf("%s: %v", table, err)
			}
		}
		if err := tx.Commit(); err != nil {
			b.Fatal(err)
		}
	}
	insert("threads", "theme_id, kind, title, author_id, organisation_id, attribution, status, post_count, last_post_at, created_at, updated_at", 11, threads,
		func(i int) []any {
			return []any{themeID, "challenge", sentence(6), userID, orgID, string(store.OnTheRecord), "open", posts / threads, now, now, now}
		})
	var ids []int64
	if err := db.SelectContext(ctx, &ids, `SELECT id FROM threads ORDER BY id`); err != nil {
		b.Fatal(err)
	}
	insert("posts", "thread_id, author_id, organisation_id, body, html, created_at, search_title, search_body", 8, posts,
		func(i int) []any {
			body := sentence(25)
			return []any{ids[i%len(ids)], userID, orgID, body, "<p>" + body + "</p>", now, "", store.FoldSearch(body)}
		})
	if e == storetest.SQLite {
		if _, err := db.ExecContext(ctx, `INSERT INTO posts_fts (rowid, title, body) SELECT id, search_title, search_body FROM posts`); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := db.ExecContext(ctx, map[storetest.Engine]string{storetest.SQLite: `ANALYZE`, storetest.Postgres: `ANALYZE posts`}[e]); err != nil {
		b.Fatal(err)
	}
}
