package store_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"testing"
	"time"

	"ideasx/store"
	"ideasx/store/storetest"
)

var benchWords = strings.Fields(`trade finance customs origin small exporters digital platforms payments cybersecurity skills
	logistics parcels information procedures documents certificates tariffs services women entrepreneurs
	genève réunion délégation commerce électronique facilitation pequeñas empresas exportación financiación`)

// benchText returns a maker of n-word texts like a real library's, the same
// on every run: a long tail of rare words (Zipf), with the words people
// search for appearing now and then, so that a query matches a few in a
// hundred texts rather than all of them.
func benchText() func(n int) string {
	rng := rand.New(rand.NewPCG(1, 2))
	zipf := rand.NewZipf(rand.New(rand.NewPCG(3, 4)), 1.1, 1, 20000)
	return func(n int) string {
		w := make([]string, n)
		for i := range w {
			if rng.IntN(50) == 0 {
				w[i] = benchWords[rng.IntN(len(benchWords))]
			} else {
				w[i] = fmt.Sprintf("w%x", zipf.Uint64())
			}
		}
		return strings.Join(w, " ")
	}
}

// BenchmarkSearchDocuments10k measures ranked search over 10,000 documents
// on each engine and reports the 95th percentile of one query's time.
func BenchmarkSearchDocuments10k(b *testing.B) {
	for _, e := range storetest.Engines {
		b.Run(string(e), func(b *testing.B) {
			s := storetest.Open(b, e)
			ctx := context.Background()
			sentence := benchText()
			for i := range 10000 {
				d := store.Document{Title: sentence(6), Symbol: fmt.Sprintf("INF/MSME/W/%d", i), Summary: sentence(80),
					DocDate: time.Date(2000+i%25, 1, 1, 0, 0, 0, 0, time.UTC), Visibility: store.Public, Status: store.Published}
				if i%5 == 0 {
					d.Visibility = store.MembersOnly
				}
				if err := s.SaveDocument(ctx, 0, &d); err != nil {
					b.Fatal(err)
				}
			}
			queries := []string{"trade finance", "customs procedures", "geneve", "pequenas empresas", "INF/MSME/W/42", "digital pay", "women entrepreneurs exporters"}
			var times []time.Duration
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				start := time.Now()
				if _, err := s.SearchDocuments(ctx, queries[i%len(queries)], store.SearchFilter{Limit: 20}); err != nil {
					b.Fatal(err)
				}
				times = append(times, time.Since(start))
			}
			b.StopTimer()
			sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
			b.ReportMetric(float64(times[len(times)*95/100].Microseconds())/1000, "p95-ms")
		})
	}
}
