package store

import (
	"database/sql"
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"strings"
	"syscall"

	"github.com/lib/pq"
)

// Sentinel errors that callers test with errors.Is. Each engine's own codes
// are translated to these in one place (dialect.translate).
var (
	// ErrNotFound means no row matched.
	ErrNotFound = errors.New("not found")
	// ErrConflict means a uniqueness rule was broken (e.g. an e-mail in use).
	ErrConflict = errors.New("conflict")
	// ErrExpired means a one-time link was used, expired or never existed.
	ErrExpired = errors.New("link expired or already used")
	// ErrMissingReference means a row named another that does not exist
	// (a category, event or document id sent by a client): the client's
	// mistake, not a bug.
	ErrMissingReference = errors.New("refers to a row that does not exist")
)

// Unavailable reports whether err says the database could not be reached
// (restarting, failing over, the network between): the request may be
// tried again in a moment, unlike a bug. What was being written may or may
// not have been saved, if the connection was lost during the commit.
func Unavailable(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, driver.ErrBadConn) || errors.Is(err, sql.ErrConnDone) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) {
		return true
	}
	var op *net.OpError
	if errors.As(err, &op) {
		return true
	}
	var pqErr *pq.Error
	if errors.As(err, &pqErr) {
		// Class 08: connection exception; 57P01-03: the server shutting
		// down, crashed, or not yet accepting connections.
		code := string(pqErr.Code)
		return strings.HasPrefix(code, "08") || code == "57P01" || code == "57P02" || code == "57P03"
	}
	// database/sql does not export this one.
	return strings.Contains(err.Error(), "sql: database is closed")
}
