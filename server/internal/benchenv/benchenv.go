// Package benchenv holds the set-up steps the benchmark tools (httpbench,
// livebench) share: a scratch directory, a throw-away Postgres database or
// schema, and waiting until a process they started answers.
package benchenv

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"time"

	_ "github.com/lib/pq" // CREATE and DROP of the run's own database or schema
)

// Logf is the tool's progress log.
type Logf func(format string, args ...any)

// ScratchDir makes a temporary directory for one run; remove deletes it,
// unless keep asks to leave it for a look afterwards.
func ScratchDir(prefix string, keep bool, logf Logf) (dir string, remove func(), err error) {
	dir, err = os.MkdirTemp("", prefix)
	if err != nil {
		return "", nil, err
	}
	return dir, func() {
		if keep {
			logf("kept %s", dir)
			return
		}
		_ = os.RemoveAll(dir)
	}, nil
}

// CreateDatabase makes a database of this run only, with a name no other
// run shares, on the server of adminURL. It returns the database's URL and
// drop, which removes it (unless keep) and must run after its users stop.
func CreateDatabase(ctx context.Context, adminURL string, keep bool, logf Logf) (dbURL string, drop func(), err error) {
	u, err := url.Parse(adminURL)
	if err != nil {
		return "", nil, err
	}
	name := "ideasx_bench_" + randomHex(4)
	drop, err = throwaway(ctx, adminURL, "database", name, `CREATE DATABASE `+name, `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`, keep, logf)
	if err != nil {
		return "", nil, err
	}
	u.Path = "/" + name
	return u.String(), drop, nil
}

// CreateSchema makes an empty schema of this run only in the database of
// dbURL. It returns dbURL with search_path set to it, and drop, which
// removes it (unless keep) and must run after its users stop.
func CreateSchema(ctx context.Context, dbURL string, keep bool, logf Logf) (schemaURL string, drop func(), err error) {
	u, err := url.Parse(dbURL)
	if err != nil {
		return "", nil, err
	}
	schema := "bench_" + randomHex(5)
	drop, err = throwaway(ctx, dbURL, "schema", schema, `CREATE SCHEMA `+schema, `DROP SCHEMA `+schema+` CASCADE`, keep, logf)
	if err != nil {
		return "", nil, err
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String(), drop, nil
}

// throwaway runs create on connURL and returns the cleanup that runs drop
// on the same connection.
func throwaway(ctx context.Context, connURL, kind, name, create, drop string, keep bool, logf Logf) (func(), error) {
	db, err := sql.Open("postgres", connURL)
	if err != nil {
		return nil, err
	}
	if _, err := db.ExecContext(ctx, create); err != nil {
		db.Close()
		return nil, fmt.Errorf("create %s (is Postgres running? `make testdeps`): %w", kind, err)
	}
	logf("%s %s", kind, name)
	return func() {
		defer db.Close()
		if keep {
			logf("kept %s %s", kind, name)
			return
		}
		// Its own deadline: the run's context may be over by now (Ctrl-C).
		cctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := db.ExecContext(cctx, drop); err != nil {
			logf("drop %s %s: %v", kind, name, err)
		}
	}, nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

var (
	// ErrExited is WaitOK's answer when the process ended before answering.
	ErrExited = errors.New("exited during start-up")
	// ErrTimeout is WaitOK's answer after a minute without a 200.
	ErrTimeout = errors.New("not answering after 60s")
)

// WaitOK polls url until it answers 200 OK. It stops early with ctx.Err()
// when ctx ends, or with ErrExited when exited closes.
func WaitOK(ctx context.Context, url string, exited <-chan struct{}) error {
	deadline := time.Now().Add(60 * time.Second)
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-exited:
			return ErrExited
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return ErrTimeout
		}
	}
}
