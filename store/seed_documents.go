package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
)

// SyntheticDocuments adds n published public documents titled
// "<titlePrefix> <i>" (i from 1), in one transaction with multi-row inserts,
// each indexed for search. It is for benchmarks and load tests: it writes
// no audit entries and emits no live events.
func (s *Store) SyntheticDocuments(ctx context.Context, n int, titlePrefix string, actorID int64) error {
	now := s.now()
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		for done := 0; done < n; {
			size := min(batch, n-done)
			var sb strings.Builder
			args := make([]any, 0, size*9)
			sb.WriteString(`INSERT INTO documents (title, summary, doc_date, visibility, status, created_by, created_at, updated_at, published_at) VALUES `)
			for i := range size {
				if i > 0 {
					sb.WriteString(", ")
				}
				sb.WriteString("(?, ?, ?, ?, ?, ?, ?, ?, ?)")
				k := done + i + 1
				// Older documents further down the list, one a day.
				at := now.Add(-time.Duration(k) * 24 * time.Hour).UTC()
				summary := fmt.Sprintf("Note %d on single windows, risk management and pre-arrival processing for small exporters.", k)
				args = append(args, fmt.Sprintf("%s %d", titlePrefix, k), summary, at, Public, Published, nullID(actorID), now, now, now)
			}
			sb.WriteString(" RETURNING id")
			var ids []int64
			if err := s.selectAll(ctx, tx, &ids, sb.String(), args...); err != nil {
				return fmt.Errorf("synthetic documents: %w", err)
			}
			for _, id := range ids {
				if err := s.reindexDocument(ctx, tx, id); err != nil {
					return fmt.Errorf("synthetic documents: %w", err)
				}
			}
			done += size
		}
		return nil
	})
}
