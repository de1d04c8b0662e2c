package server_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"ideasx/server/servertest"
	"ideasx/store"
	"ideasx/store/storetest"
)

// BenchmarkReplyPOST measures a reply posted through the API, one at a time,
// on each engine: a thread with a few watchers to notify, as in a working
// group's busy thread. It reports the median and 99th percentile of the
// request as the client sees it (the "reply POST p50 ≤ 3 ms").
func BenchmarkReplyPOST(b *testing.B) {
	for _, e := range storetest.Engines {
		b.Run(string(e), func(b *testing.B) {
			app := servertest.New(b, e, nil)
			ctx := context.Background()
			biz := app.CreateUser("exporter@andes.example", store.RoleBusiness, "Andes Textiles", store.OrgBusiness)
			themes, err := app.Store.Themes(ctx, false)
			if err != nil {
				b.Fatal(err)
			}
			th, err := app.Store.CreateThread(ctx, store.NewThread{ThemeID: themes[0].ID, Kind: "challenge", Title: "Certificates of origin",
				Attribution: store.OnTheRecord, Body: "Three weeks per certificate.", HTML: "<p>Three weeks per certificate.</p>", Author: biz})
			if err != nil {
				b.Fatal(err)
			}
			for i := range 5 {
				u := app.CreateUser(fmt.Sprintf("delegate%d@geneva.example", i), store.RoleMember, fmt.Sprintf("Delegation %d", i), store.OrgMember)
				if err := app.Store.SetWatch(ctx, u.ID, "thread", th.ID, "watch"); err != nil {
					b.Fatal(err)
				}
			}
			c := tokenClient(b, app, biz)
			path := fmt.Sprintf("/api/v1/threads/%d/posts", th.ID)
			times := make([]time.Duration, 0, b.N)
			b.ResetTimer()
			for i := range b.N {
				body := fmt.Sprintf(`{"body":"Reply %d: in **Lima** it now takes ten days, see the [guide](https://example.org/guide)."}`, i)
				start := time.Now()
				r := c.Do(http.MethodPost, path, strings.NewReader(body), "application/json")
				times = append(times, time.Since(start))
				if r.Status != http.StatusCreated {
					b.Fatalf("reply: %d %s", r.Status, r.Body)
				}
			}
			b.StopTimer()
			slices.Sort(times)
			b.ReportMetric(float64(times[len(times)/2].Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(times[len(times)*99/100].Microseconds())/1000, "p99-ms")
		})
	}
}
