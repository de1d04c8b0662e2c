package store_test

import (
	"context"
	"testing"
	"time"

	"ideasx/store"
	"ideasx/store/storetest"
)

// A warm-up stuck behind another's rows (an instance starting beside one
// frozen in its own warm-up) gives up in time, so that the instance still
// starts; once those rows are gone it warms again.
func TestStuckWarmUpGivesUp(t *testing.T) {
	s := storetest.Open(t, storetest.Postgres)
	ctx := context.Background()
	holder, err := s.DB().BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Rollback()
	if _, err := holder.ExecContext(ctx, `INSERT INTO organisations (id, name, name_key, kind, created_at)
		VALUES (-1, 'warm-up', '~warm-up', 'business', now())`); err != nil {
		t.Fatal(err)
	}
	restore := store.SetWarmFor(300 * time.Millisecond)
	defer restore()
	start := time.Now()
	if err := s.Warm(ctx); err == nil {
		t.Fatal("a warm-up waiting on another's rows reports no failure")
	}
	if waited := time.Since(start); waited > 5*time.Second {
		t.Errorf("the warm-up gave up after %s, not after its 300 ms", waited)
	}
	if err := holder.Rollback(); err != nil {
		t.Fatal(err)
	}
	restore() // the real bound: a busy machine may need more than 300 ms
	if err := s.Warm(ctx); err != nil {
		t.Errorf("warm-up once the rows are gone: %v", err)
	}
}
