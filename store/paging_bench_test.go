package store_test

import (
	"context"
	"os"
	"strconv"
	"testing"
	"time"

	"ideasx/store"
	"ideasx/store/storetest"
)

// BenchmarkThreadPaging walks one theme's thread list with the keyset cursor
// and reports how long page 1 and page 1,000 take. IDEASX_BENCH_THREADS sets
// the size (default 100,000 threads of 10 posts: a million posts).
func BenchmarkThreadPaging(b *testing.B) {
	n := 100000
	if v, err := strconv.Atoi(os.Getenv("IDEASX_BENCH_THREADS")); err == nil && v > 0 {
		n = v
	}
	for _, e := range storetest.Engines {
		b.Run(string(e), func(b *testing.B) {
			s := storetest.Open(b, e)
			ctx := context.Background()
			var authors []*store.User
			for i, role := range []store.Role{store.RoleBusiness, store.RoleBusiness, store.RoleMember, store.RoleMember} {
				u, err := s.CreateUser(ctx, store.NewUser{Email: "bench" + strconv.Itoa(i) + "@x.org", Name: "Bench", Role: role, Status: store.StatusActive, PasswordHash: "x"},
					store.Organisation{Name: "Bench org " + strconv.Itoa(i), Kind: store.OrgBusiness, Country: "CH"})
				if err != nil {
					b.Fatal(err)
				}
				authors = append(authors, u)
			}
			themes, _ := s.Themes(ctx, false)
			seedStart := time.Now()
			if err := s.SyntheticThreads(ctx, n, 10, authors, []int64{themes[0].ID, themes[1].ID}); err != nil {
				b.Fatal(err)
			}
			b.Logf("%s: seeded %d threads and %d posts in %s", e, n, n*10, time.Since(seedStart).Round(time.Second))
			// Walk to page 1,000 (30 threads a page) once to find its cursor.
			var cursor *store.ThreadCursor
			pages := min(1000, n/2/30)
			for range pages - 1 {
				list, err := s.ListThreads(ctx, store.ThreadFilter{ThemeID: themes[0].ID, After: cursor, Limit: 30})
				if err != nil || len(list) == 0 {
					b.Fatalf("walk: %v", err)
				}
				last := list[len(list)-1]
				cursor = &store.ThreadCursor{LastPostAt: last.LastPostAt, ID: last.ID}
			}
			var first, deep time.Duration
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				t0 := time.Now()
				if _, err := s.ListThreads(ctx, store.ThreadFilter{ThemeID: themes[0].ID, Limit: 30}); err != nil {
					b.Fatal(err)
				}
				t1 := time.Now()
				if _, err := s.ListThreads(ctx, store.ThreadFilter{ThemeID: themes[0].ID, After: cursor, Limit: 30}); err != nil {
					b.Fatal(err)
				}
				first += t1.Sub(t0)
				deep += time.Since(t1)
			}
			b.ReportMetric(float64(first.Microseconds())/float64(b.N)/1000, "page1-ms")
			b.ReportMetric(float64(deep.Microseconds())/float64(b.N)/1000, "page"+strconv.Itoa(pages)+"-ms")
		})
	}
}
