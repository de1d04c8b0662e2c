package store

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/jmoiron/sqlx"
)

// ForumHit is a thread found by a search, with the best-matching post.
type ForumHit struct {
	PostID      int64           `db:"post_id"`
	Body        string          `db:"body"`
	ThreadID    int64           `db:"thread_id"`
	Title       string          `db:"title"`
	ThemeID     int64           `db:"theme_id"`
	Kind        ThreadKind      `db:"kind"`
	Status      ChallengeStatus `db:"status"`
	Attribution Attribution     `db:"attribution"`
	LastPostAt  time.Time       `db:"last_post_at"`
	Rank        float64         `db:"rank"`
}

// ForumSearchFilter narrows a forum search.
type ForumSearchFilter struct {
	ThemeID int64
	Kind    ThreadKind
	Status  ChallengeStatus
	// OrganisationID keeps posts written for this organisation. Unless
	// AllAttributions is set, it matches only in threads on the record: a
	// match elsewhere would tell who spoke where the attribution mode hides
	// the organisation (personal capacity, Chatham House).
	OrganisationID int64
	// AllAttributions lets the organisation filter match in every thread (moderators).
	AllAttributions bool
	Limit           int
}

// indexPostText refreshes a post's search entry; the opening post also carries the thread's title.
func (s *Store) indexPostText(ctx context.Context, tx *sqlx.Tx, postID int64) error {
	var p struct {
		Body      string `db:"body"`
		Title     string `db:"title"`
		IsOpening bool   `db:"is_opening"`
	}
	if err := s.get(ctx, tx, &p, `SELECT p.body, t.title, (p.id = (SELECT MIN(id) FROM posts WHERE thread_id = p.thread_id)) AS is_opening
		FROM posts p JOIN threads t ON t.id = p.thread_id WHERE p.id = ?`, postID); err != nil {
		return fmt.Errorf("index post: %w", err)
	}
	title := ""
	if p.IsOpening {
		title = FoldSearch(p.Title)
	}
	return s.dialect.indexPost(ctx, tx, postID, title, FoldSearch(p.Body))
}

// SearchForum ranks visible posts of visible threads against q and keeps
// the best post of each thread. Removed posts and hidden threads never come
// back, whoever asks: search is for reading, moderation has its own pages.
func (s *Store) SearchForum(ctx context.Context, q string, f ForumSearchFilter) ([]ForumHit, error) {
	tokens := searchTokens(q)
	if len(tokens) == 0 {
		return nil, nil
	}
	w := where{}
	w.add(`p.deleted_at IS NULL AND p.hidden_at IS NULL AND t.hidden = ?`, false)
	if f.ThemeID != 0 {
		w.add(`t.theme_id = ?`, f.ThemeID)
	}
	if f.Kind != "" {
		w.add(`t.kind = ?`, f.Kind)
	}
	if f.Status != "" {
		w.add(`t.status = ?`, f.Status)
	}
	if f.OrganisationID != 0 {
		w.add(`p.organisation_id = ?`, f.OrganisationID)
		if !f.AllAttributions {
			w.add(`t.attribution = ?`, OnTheRecord)
		}
	}
	if f.Limit <= 0 || f.Limit > 50 {
		f.Limit = 20
	}
	hits, err := s.searchNewest(ctx, tokens, w, f.Limit*5)
	if err != nil {
		return nil, fmt.Errorf("search forum: %w", err)
	}
	seen := map[int64]bool{}
	var out []ForumHit
	for _, h := range hits {
		if !seen[h.ThreadID] && len(out) < f.Limit {
			seen[h.ThreadID] = true
			out = append(out, h.ForumHit)
		}
	}
	return out, nil
}

// rankedHit is a forum hit with the number of candidates it was ranked among.
type rankedHit struct {
	ForumHit
	Candidates int `db:"candidates"`
}

// searchWindow is how many of the newest posts a forum search on SQLite
// looks among first; it looks among eight times more each time that
// window holds fewer than searchCandidates matches, the last time among
// all posts. The newest searchCandidates matches are then the same as if
// all posts had been searched, but FTS5, which seeks to a rowid range,
// no longer reads every post a common word or a short prefix is in
// (tens of thousands in a million), and a rare word costs a few cheap
// searches. Postgres is asked once: its GIN index gives every match
// whatever the range, so each window cost nearly as much as a full
// search (BenchmarkSearchForum1M: 87 ms for a common word, against 52).
var searchWindow int64 = 20_000

// searchNewest ranks the newest searchCandidates posts that match tokens
// under w, looking among the newest posts first.
func (s *Store) searchNewest(ctx context.Context, tokens []string, w where, limit int) ([]rankedHit, error) {
	if s.dialect.name() == "postgres" {
		return s.dialect.searchPosts(ctx, s, tokens, w, 0, limit)
	}
	var newest int64
	if err := s.get(ctx, s.db, &newest, `SELECT COALESCE(MAX(id), 0) FROM posts`); err != nil {
		return nil, err
	}
	for span := searchWindow; ; span *= 8 {
		after := max(newest-span, 0)
		// Each search adds its own conditions to a copy of w's.
		ww := where{conds: slices.Clone(w.conds), args: slices.Clone(w.args)}
		hits, err := s.dialect.searchPosts(ctx, s, tokens, ww, after, limit)
		if err != nil || after == 0 || (len(hits) > 0 && hits[0].Candidates >= searchCandidates) {
			return hits, err
		}
	}
}

// ForumOrganisations lists the organisations that have a post still shown
// in a thread still shown, by name: only in threads on the record unless
// all is set (moderators), for the same reason as the search filter.
func (s *Store) ForumOrganisations(ctx context.Context, all bool) ([]Organisation, error) {
	w := where{}
	w.add(`p.organisation_id = o.id AND p.deleted_at IS NULL AND p.hidden_at IS NULL AND t.hidden = ?`, false)
	if !all {
		w.add(`t.attribution = ?`, OnTheRecord)
	}
	cond, args := w.sql()
	var out []Organisation
	if err := s.selectAll(ctx, s.db, &out, `SELECT `+orgColumns+` FROM organisations o
		WHERE EXISTS (SELECT 1 FROM posts p JOIN threads t ON t.id = p.thread_id`+cond+`) ORDER BY o.name_key`, args...); err != nil {
		return nil, fmt.Errorf("forum organisations: %w", err)
	}
	return out, nil
}
