package main

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"syscall"

	"github.com/lib/pq"

	"ideasx/server/config"
)

// listen binds the address, saying in one line which address is taken.
func listen(addr string) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		cause := err
		var se *os.SyscallError
		if errors.As(err, &se) {
			cause = se.Err
		}
		return nil, fmt.Errorf("cannot listen on %s (IDEASX_ADDR): %v", addr, cause)
	}
	return ln, nil
}

// warnUnknownVariables names the IDEASX_* variables no setting reads: a
// mistyped IDEASX_DATABASE_URL would otherwise mean SQLite, silently.
func warnUnknownVariables(log *slog.Logger, environ []string) {
	for _, name := range config.UnknownVariables(environ) {
		if s := config.Suggest(name); s != "" {
			log.Warn("unknown environment variable ignored", "variable", name, "did_you_mean", s)
		} else {
			log.Warn("unknown environment variable ignored", "variable", name)
		}
	}
}

// permanentDBError reports a database error that waiting will not cure:
// wrong credentials, a missing database, a URL that does not parse. Refused
// connections, unknown hosts and a server still starting are worth the wait.
func permanentDBError(err error) bool {
	var pe *pq.Error
	if errors.As(err, &pe) {
		switch pe.Code.Class() {
		case "28": // invalid authorisation: 28000, 28P01
			return true
		}
		switch pe.Code {
		case "3D000", // invalid_catalog_name: no such database
			"42501": // insufficient_privilege
			return true
		}
		return false
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Op == "parse"
	}
	return errors.Is(err, syscall.EACCES) || errors.Is(err, syscall.EROFS) || errors.Is(err, syscall.ENOSPC)
}

// checkDataDir makes sure the embedded database can be written, so that an
// unwritable directory is reported with its path and the cause instead of
// SQLite's "unable to open database file".
func checkDataDir(dir string) error {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return fmt.Errorf("data directory (IDEASX_DATA_DIR) %s cannot be created: %w", dir, unwrapPath(err))
	}
	f, err := os.CreateTemp(dir, ".write-check-*")
	if err != nil {
		return fmt.Errorf("data directory (IDEASX_DATA_DIR) %s is not writable: %w", dir, unwrapPath(err))
	}
	f.Close()
	return os.Remove(f.Name())
}

// unwrapPath keeps the cause of a *PathError, whose path the message
// already names.
func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
