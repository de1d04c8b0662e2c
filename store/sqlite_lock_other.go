//go:build !unix

package store

import (
	"errors"
	"os"
)

// ErrInUse means another process has the embedded database open.
var ErrInUse = errors.New("the database is in use by another ideasx process")

// Without flock the database's use cannot be told: restore must be trusted
// to run with the server stopped.
func lockShared(string) (*os.File, error) { return nil, nil }

// LockSQLiteExclusive cannot tell whether the database is in use here.
func LockSQLiteExclusive(string) (func(), error) { return func() {}, nil }
