package server

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/singleflight"

	"ideasx/store"
)

// threadSnapshot is what a page of a thread shows alike to every reader
// with the same library access: the thread, a page of its posts as stored,
// and what surrounds them. Each reader's page still draws it through their
// own rights (viewPost, viewThread, attribute); only the reading is shared.
// A busy thread's page asked for a dozen queries per reader, which the
// database, on the same two cores as the server, could not answer at the
// rate the issue asks for.
//
// It is never read for shared use again once this process has written
// anything (store.Writes), nor once the thread's live topic has moved, which
// every post, edit, removal, mark and status change does on any instance;
// what moves without an event (a delegation's first read, for coverage;
// a document drawn from the thread published elsewhere) shows within
// threadSnapshotTTL. The page's live seq is part of it, read first, so a
// page drawn from it asks the live topic for everything that came after.
//
// Nothing in it may be changed by whoever gets it: it is shared.
type threadSnapshot struct {
	// id tells snapshots apart for the page bodies drawn from them
	// (thread_body.go): every reading gets a new one.
	id     uint64
	gen    uint64
	expiry time.Time
	// refreshing is set, under threadSnapshots.mu, once a reader reads
	// the snapshot again after its second.
	refreshing bool

	Seq      int64
	Thread   *store.Thread
	Posts    []store.Post
	Themes   map[int64]*store.Theme
	Agenda   []store.AgendaItem // the thread's agenda items this access may see
	History  []store.StatusChange
	Accepted *store.Post // the accepted reply as stored, whoever may see it
	Coverage *store.Coverage
	// Documents drawn from the thread, drafts included: the page shows
	// each reader those they may see.
	Documents []store.Document
}

const (
	threadSnapshotTTL = time.Second
	// threadSnapshotStale bounds how long past its second a snapshot is
	// served while one reader reads it again (should that reading fail).
	threadSnapshotStale = 2 * time.Second
	// threadSnapshotsKept bounds the snapshots remembered: a few pages of
	// a few hundred busy threads.
	threadSnapshotsKept = 1024
)

type threadSnapshots struct {
	mu     sync.Mutex
	byKey  map[string]*threadSnapshot
	flight singleflight.Group
}

func newThreadSnapshots() *threadSnapshots {
	return &threadSnapshots{byKey: map[string]*threadSnapshot{}}
}

// snapshotIDs numbers the snapshots read by this process.
var snapshotIDs atomic.Uint64

// threadSnapshot returns the snapshot of thread id's page after post
// "after" for readers with access a: the one kept if it is still current,
// else one read now. seq is where the thread's live topic stood, read by
// the caller before anything else of the thread. A thread that does not
// exist is store.ErrNotFound.
func (s *Server) threadSnapshot(ctx context.Context, id, after int64, a store.Access, seq int64) (*threadSnapshot, error) {
	gen := s.store.Writes()
	key := fmt.Sprintf("%d %d %t %t", id, after, a.Members, a.Curator)
	c := s.threads
	c.mu.Lock()
	snap := c.byKey[key]
	now := s.store.Now()
	current := snap != nil && snap.gen == gen && snap.Seq == seq && now.Before(snap.expiry.Add(threadSnapshotStale))
	fresh := current && now.Before(snap.expiry)
	// Past its second, a snapshot nothing has changed is still served to
	// the others while one reader reads it again: made to wait together,
	// a busy thread's readers all stalled once a second.
	refreshing := current && !fresh && snap.refreshing
	if current && !fresh {
		snap.refreshing = true
	}
	c.mu.Unlock()
	if fresh || refreshing {
		return snap, nil
	}
	// Readers arriving together after a change wait for one reading.
	v, err, _ := c.flight.Do(key+" "+strconv.FormatUint(gen, 10)+" "+strconv.FormatInt(seq, 10), func() (any, error) {
		// Not the first reader's context: the others wait on this reading.
		snap, err := s.readThreadSnapshot(context.WithoutCancel(ctx), id, after, a, gen, seq)
		if err != nil {
			return nil, err
		}
		c.mu.Lock()
		if len(c.byKey) >= threadSnapshotsKept {
			clear(c.byKey)
		}
		c.byKey[key] = snap
		c.mu.Unlock()
		return snap, nil
	})
	if err != nil {
		return nil, err
	}
	return v.(*threadSnapshot), nil
}

// readThreadSnapshot reads what threadSnapshot keeps, after the live seq
// (read by the caller, before anything else).
func (s *Server) readThreadSnapshot(ctx context.Context, id, after int64, a store.Access, gen uint64, seq int64) (*threadSnapshot, error) {
	snap := &threadSnapshot{id: snapshotIDs.Add(1), gen: gen, expiry: s.store.Now().Add(threadSnapshotTTL), Seq: seq}
	var err error
	if snap.Thread, err = s.store.ThreadByID(ctx, id); err != nil {
		return nil, err
	}
	t := snap.Thread
	if snap.Posts, err = s.store.Posts(ctx, id, after, postsPerPage); err != nil {
		return nil, err
	}
	themes, err := s.store.Themes(ctx, true)
	if err != nil {
		return nil, err
	}
	snap.Themes = themesByID(themes)
	if snap.History, err = s.store.StatusHistory(ctx, id); err != nil {
		return nil, err
	}
	if t.AcceptedPostID != nil {
		p, err := s.store.PostByID(ctx, *t.AcceptedPostID)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, err
		}
		snap.Accepted = p
	}
	if t.Kind == store.Challenge {
		// Only challenges go on agendas and have coverage.
		if snap.Agenda, err = s.store.ThreadAgenda(ctx, id, a); err != nil {
			return nil, err
		}
		if snap.Coverage, err = s.store.ThreadCoverage(ctx, id); err != nil {
			return nil, err
		}
	}
	if snap.Documents, err = s.store.ThreadDocuments(ctx, id); err != nil {
		return nil, err
	}
	return snap, nil
}
