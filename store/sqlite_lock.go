//go:build unix

package store

import (
	"errors"
	"fmt"
	"os"
	"syscall"
	"time"
)

// ErrInUse means another process has the embedded database open.
var ErrInUse = errors.New("the database is in use by another ideasx process")

// A lock file beside the database says who uses it: every open store holds
// a shared flock on it, and restore takes it exclusively. The kernel drops a
// flock when its process dies, so a crash leaves nothing stale (a pid file
// would), and unlike SQLite's own locks it is held while the server is idle.
// It is a separate file because opening and closing the database file itself
// would drop SQLite's POSIX locks on it.
func lockFile(dbPath string) string { return dbPath + ".lock" }

// lockShared marks the database as in use until the returned file is closed.
// A restore in progress (the exclusive lock) is waited for up to a minute.
func lockShared(dbPath string) (*os.File, error) {
	f, err := openLockFile(dbPath)
	if err != nil {
		return nil, fmt.Errorf("store: lock file: %w", err)
	}
	deadline := time.Now().Add(time.Minute)
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_SH|syscall.LOCK_NB)
		if err == nil {
			return f, nil
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) || time.Now().After(deadline) {
			f.Close()
			return nil, fmt.Errorf("store: lock %s (a restore may be running): %w", lockFile(dbPath), err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// LockSQLiteExclusive claims the embedded database at path for a restore. It
// returns ErrInUse at once when a server or another command has it open.
func LockSQLiteExclusive(path string) (release func(), err error) {
	f, err := openLockFile(path)
	if err != nil {
		return nil, fmt.Errorf("store: lock file: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, ErrInUse
		}
		return nil, fmt.Errorf("store: lock %s: %w", lockFile(path), err)
	}
	return func() { f.Close() }, nil
}

// openLockFile opens the lock file read-only: flock needs no write access,
// so a lock file created by root (say, a backup run with sudo) does not
// keep the server's own user from taking it.
func openLockFile(dbPath string) (*os.File, error) {
	return os.OpenFile(lockFile(dbPath), os.O_RDONLY|os.O_CREATE, 0o644)
}
