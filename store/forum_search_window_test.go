package store_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"ideasx/store"
	"ideasx/store/storetest"
)

// TestForumSearchWindowsFindWhatAFullSearchFinds: looking among the newest
// posts first, and among more when too few match, finds the same
// posts as looking among all of them: the newest matches of a common word,
// and a rare word's old posts. On Postgres, which looks in stretches of
// 2^15 ids and more, each thread's post is written in a stretch of its own.
func TestForumSearchWindowsFindWhatAFullSearchFinds(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		theme := firstTheme(t, s)
		author := mustUser(t, s, "x@x.org", store.RoleBusiness, "Xylo Exports")
		var threads []int64
		for i := range 40 {
			if s.Engine() == "postgres" && i > 0 {
				if _, err := s.DB().ExecContext(ctx, `SELECT setval(pg_get_serial_sequence('posts', 'id'), $1)`, i<<15); err != nil {
					t.Fatal(err)
				}
			}
			// A word of its own in each post too: Postgres estimates how
			// many posts a prefix is in only from 100 known words or more.
			body := fmt.Sprintf("beta x%d", i)
			if i%3 == 0 {
				body += " alpha"
			}
			if i < 2 {
				body += " omega"
			}
			th, err := s.CreateThread(ctx, store.NewThread{ThemeID: theme.ID, Kind: store.Discussion, Title: fmt.Sprintf("Thread %d", i),
				Attribution: store.OnTheRecord, Body: body, HTML: "x", Author: author})
			if err != nil {
				t.Fatal(err)
			}
			threads = append(threads, th.ID)
		}
		if s.Engine() == "postgres" { // as autovacuum would have: the estimate of a word's share needs it
			if _, err := s.DB().ExecContext(ctx, `ANALYZE posts`); err != nil {
				t.Fatal(err)
			}
		}
		found := func(q string) []int64 {
			t.Helper()
			hits, err := s.SearchForum(ctx, q, store.ForumSearchFilter{Limit: 50})
			if err != nil {
				t.Fatal(err)
			}
			var ids []int64
			for _, h := range hits {
				ids = append(ids, h.ThreadID)
			}
			slices.Sort(ids)
			return ids
		}
		const candidates = 5
		restore := store.SearchAllAtOnce(candidates)
		full := map[string][]int64{}
		for _, q := range []string{"alpha", "beta", "omega"} {
			full[q] = found(q)
		}
		restore()
		defer store.SetSearchCandidates(candidates)()
		// SQLite looks first among the newest posts that hold the
		// candidates and a quarter more. Postgres looks once among as many
		// of the newest stretches of ids as should hold the candidates, by
		// its estimate of the word's share of the posts.
		narrowed, n, err := s.FirstSearchSpan(ctx, "beta")
		switch {
		case err != nil:
			t.Fatal(err)
		case !narrowed:
			t.Errorf("a search for beta looked among all posts first")
		case n < candidates:
			t.Errorf("the first look for beta found %d posts, want the %d candidates", n, candidates)
		}
		for q, want := range full {
			if got := found(q); !slices.Equal(got, want) {
				t.Errorf("%q: windows found threads %v, a full search %v", q, got, want)
			}
		}
		if got := full["beta"]; !slices.Equal(got, threads[len(threads)-candidates:]) {
			t.Errorf("beta: found %v, want the newest %d threads %v", got, candidates, threads[len(threads)-candidates:])
		}
		if got := full["omega"]; !slices.Equal(got, threads[:2]) {
			t.Errorf("omega: found %v, want the two oldest threads %v", got, threads[:2])
		}
		if got := full["alpha"]; len(got) != candidates {
			t.Errorf("alpha: found %d threads, want %d", len(got), candidates)
		}
	})
}
