package store_test

import (
	"database/sql/driver"
	"errors"
	"fmt"
	"net"
	"syscall"
	"testing"

	"github.com/lib/pq"

	"ideasx/store"
)

// TestUnavailableTellsOutagesFromBugs: a lost or refused connection, or
// Postgres shutting down, is "try again"; a constraint, a missing row or a
// syntax error is not.
func TestUnavailableTellsOutagesFromBugs(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want bool
	}{
		{fmt.Errorf("post: %w", driver.ErrBadConn), true},
		{&net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}, true},
		{fmt.Errorf("begin: %w", syscall.ECONNRESET), true},
		{&pq.Error{Code: "57P01"}, true},
		{&pq.Error{Code: "08006"}, true},
		{errors.New("sql: database is closed"), true},
		{&pq.Error{Code: "23505"}, false},
		{&pq.Error{Code: "42601"}, false},
		{store.ErrNotFound, false},
		{errors.New("template: no such function"), false},
		{nil, false},
	} {
		if got := store.Unavailable(tc.err); got != tc.want {
			t.Errorf("Unavailable(%v) = %v, want %v", tc.err, got, tc.want)
		}
	}
}
