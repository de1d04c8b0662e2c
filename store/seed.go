package store

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
)

// SyntheticThreads adds n generated challenge threads with postsEach posts
// each, spread over the given authors and themes and over the last year,
// with multi-row inserts in large transactions. It is for benchmarks and
// load tests: the synthetic posts are not in the search index and emit no
// live events.
func (s *Store) SyntheticThreads(ctx context.Context, n, postsEach int, authors []*User, themeIDs []int64) error {
	if len(authors) == 0 || len(themeIDs) == 0 {
		return fmt.Errorf("synthetic threads: need authors and themes")
	}
	rng := rand.New(rand.NewPCG(uint64(n), uint64(postsEach)))
	start := s.now().Add(-365 * 24 * time.Hour)
	for done := 0; done < n; {
		if err := s.inTx(ctx, func(tx *sqlx.Tx) error {
			for i := 0; i < 25 && done < n; i++ {
				size := min(batch, n-done)
				if err := s.syntheticBatch(ctx, tx, rng, done, size, postsEach, authors, themeIDs, start); err != nil {
					return err
				}
				done += size
			}
			return nil
		}); err != nil {
			return err
		}
	}
	return nil
}

// batch is how many rows one INSERT carries: well under both engines' parameter limits.
const batch = 200

func (s *Store) syntheticBatch(ctx context.Context, tx *sqlx.Tx, rng *rand.Rand, offset, size, postsEach int, authors []*User, themeIDs []int64, start time.Time) error {
	type row struct {
		author *User
		at     time.Time
	}
	rows := make([]row, size)
	var sb strings.Builder
	args := make([]any, 0, size*11)
	sb.WriteString(`INSERT INTO threads (theme_id, kind, title, author_id, organisation_id, attribution, status, post_count, last_post_at, created_at, updated_at) VALUES `)
	for i := range size {
		a := authors[rng.IntN(len(authors))]
		created := start.Add(time.Duration(offset+i) * time.Minute / 5)
		last := created.Add(time.Duration(postsEach) * time.Minute)
		rows[i] = row{a, created}
		if i > 0 {
			sb.WriteString(", ")
		}
		sb.WriteString("(?, 'challenge', ?, ?, ?, 'record', 'open', ?, ?, ?, ?)")
		args = append(args, themeIDs[rng.IntN(len(themeIDs))], fmt.Sprintf("Synthetic challenge %d", offset+i), a.ID, a.OrganisationID, postsEach, last, created, last)
	}
	sb.WriteString(" RETURNING id")
	var ids []int64
	if err := s.selectAll(ctx, tx, &ids, sb.String(), args...); err != nil {
		return fmt.Errorf("synthetic threads: %w", err)
	}
	// Posts go in batches of the same size, a few threads at a time.
	var pb strings.Builder
	pargs := make([]any, 0, batch*7)
	count := 0
	flush := func() error {
		if count == 0 {
			return nil
		}
		if _, err := s.exec(ctx, tx, pb.String(), pargs...); err != nil {
			return fmt.Errorf("synthetic posts: %w", err)
		}
		pb.Reset()
		pargs, count = pargs[:0], 0
		return nil
	}
	for i, id := range ids {
		for p := range postsEach {
			a := rows[i].author
			if p > 0 {
				a = authors[rng.IntN(len(authors))]
			}
			if count == 0 {
				pb.WriteString(`INSERT INTO posts (thread_id, author_id, organisation_id, body, html, created_at) VALUES `)
			} else {
				pb.WriteString(", ")
			}
			body := fmt.Sprintf("Synthetic post %d of thread %d.", p+1, id)
			pb.WriteString("(?, ?, ?, ?, ?, ?)")
			pargs = append(pargs, id, a.ID, a.OrganisationID, body, "<p>"+body+"</p>", rows[i].at.Add(time.Duration(p)*time.Minute))
			count++
			if count == batch {
				if err := flush(); err != nil {
					return err
				}
			}
		}
	}
	return flush()
}
