package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"ideasx/store"
	"ideasx/store/storetest"
)

// The year filter offers only years the reader has something in, and every
// one of them, including the first and last day of a year.
func TestDocumentYearsPerReader(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
		saveDoc(t, s, store.Document{Title: "New year", DocDate: day(2021, 1, 1)})
		saveDoc(t, s, store.Document{Title: "Year end", DocDate: day(2019, 12, 31)})
		saveDoc(t, s, store.Document{Title: "Same year", DocDate: day(2019, 3, 1)})
		saveDoc(t, s, store.Document{Title: "Old", DocDate: day(2016, 6, 27)})
		saveDoc(t, s, store.Document{Title: "Members", DocDate: day(2022, 5, 5), Visibility: store.MembersOnly})
		saveDoc(t, s, store.Document{Title: "Draft", DocDate: day(2024, 5, 5), Status: store.Draft})
		for _, c := range []struct {
			name   string
			access store.Access
			want   string
		}{{"visitor", visitor, "[2021 2019 2016]"}, {"member", member, "[2022 2021 2019 2016]"}, {"curator", curator, "[2024 2022 2021 2019 2016]"}} {
			years, err := s.DocumentYears(ctx, c.access)
			if err != nil {
				t.Fatal(err)
			}
			if got := fmt.Sprint(years); got != c.want {
				t.Errorf("%s's years: %s, want %s", c.name, got, c.want)
			}
		}
	})
}
