package store

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
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

// searchSpan is where a forum search looks: the posts after id after
// (SQLite), or the posts in the stretches of ids named (Postgres); the
// zero span is all posts.
type searchSpan struct {
	after     int64
	stretches []string
}

func (sp searchSpan) all() bool { return sp.after == 0 && len(sp.stretches) == 0 }

// searchNarrows says whether a forum search looks among the newest posts
// first (tests compare it with a search of all posts at once).
var searchNarrows = true

// searchSpans on SQLite look first among the newest posts that hold
// searchCandidates matches and a quarter more (so that a few hidden or
// deleted posts do not make it look again), found by reading the index
// alone, without ranking or reading a post: about a millisecond for a
// common word in a million posts. It then looks among eight times more
// while too few pass the search's filters, the last time among all posts.
// The newest searchCandidates matches are then the same as if all posts
// had been searched, but FTS5, which seeks to a rowid range, no longer
// ranks every post a common word or a short prefix is in. A word in fewer
// posts than that is searched among all of them at once.
func (sqliteDialect) searchSpans(ctx context.Context, s *Store, tokens []string, newest int64) ([]searchSpan, error) {
	all := []searchSpan{{}}
	if !searchNarrows {
		return all, nil
	}
	var first []int64
	if err := s.selectAll(ctx, s.db, &first, `SELECT rowid FROM posts_fts WHERE posts_fts MATCH ? ORDER BY rowid DESC LIMIT 1 OFFSET ?`,
		ftsMatch(tokens), searchCandidates+searchCandidates/4-1); err != nil {
		return nil, err
	}
	if len(first) == 0 || first[0] <= 1 {
		return all, nil
	}
	spans := []searchSpan{{after: first[0] - 1}}
	for span := (newest - first[0] + 1) * 8; newest-span > 0; span *= 8 {
		spans = append(spans, searchSpan{after: newest - span})
	}
	return append(spans, all...), nil
}

// ftsMatch is the FTS5 query for tokens: every word, the last as a prefix.
func ftsMatch(tokens []string) string {
	quoted := make([]string, len(tokens))
	for i, t := range tokens {
		quoted[i] = `"` + t + `"`
	}
	return strings.Join(quoted, " ") + "*"
}

// searchStretches are the sizes of the stretches of ids that each post's
// search vector names on Postgres (migration 0021), as powers of two.
var searchStretches = []int{15, 18, 21}

// A word in more than this share of the posts is searched among all of
// them: walking the newest posts until searchCandidates match is then
// short, and the index's list of all its posts long.
const commonShare = 0.04

// searchSpans on Postgres look among the newest posts once, in as many of
// the newest stretches of ids as should hold searchCandidates matches, by
// the planner's estimate of how many posts match, with half as many again
// to spare; then among all posts. Postgres cannot seek its GIN index to an
// id range, so the stretches are words the index matches along with the
// search's; windows grown in steps as on SQLite would each cost as much as
// reading every match of a prefix (BenchmarkSearchForum1M: four stretches,
// then all posts, 124 ms for a common word, against 92 for all at once).
// A rare word, or a very common one, is searched among all posts at once.
func (postgresDialect) searchSpans(ctx context.Context, s *Store, tokens []string, newest int64) ([]searchSpan, error) {
	all := []searchSpan{{}}
	if !searchNarrows || newest>>searchStretches[0] < 4 {
		return all, nil
	}
	var plan string
	if err := s.db.GetContext(ctx, &plan, `EXPLAIN (FORMAT JSON) SELECT 1 FROM posts p WHERE p.search_vector @@ to_tsquery('simple', $1)`,
		postgresTSQuery(tokens)); err != nil {
		return nil, err
	}
	var est []struct {
		Plan struct {
			Rows float64 `json:"Plan Rows"`
		}
	}
	if err := json.Unmarshal([]byte(plan), &est); err != nil {
		return nil, fmt.Errorf("search spans: reading the plan: %w", err)
	}
	if len(est) == 0 {
		return all, nil
	}
	share := est[0].Plan.Rows / float64(newest)
	if est[0].Plan.Rows < 2*float64(searchCandidates) || share > commonShare {
		return all, nil
	}
	need := int64(1.5 * float64(searchCandidates) / share)
	for _, bits := range searchStretches {
		// Whole stretches, and the newest, still being written.
		n := need>>bits + 2
		last := newest >> bits
		if n > 16 {
			continue
		}
		if n > last {
			break
		}
		var sp searchSpan
		for i := last - n + 1; i <= last; i++ {
			sp.stretches = append(sp.stretches, fmt.Sprintf("#%d.%d", bits, i))
		}
		return []searchSpan{sp, {}}, nil
	}
	return all, nil
}

// stretchQuery is a tsquery text matching any of the stretches.
func stretchQuery(stretches []string) string {
	quoted := make([]string, len(stretches))
	for i, s := range stretches {
		quoted[i] = "'" + s + "'"
	}
	return strings.Join(quoted, " | ")
}

// searchNewest ranks the newest searchCandidates posts that match tokens
// under w, looking among the newest posts first.
func (s *Store) searchNewest(ctx context.Context, tokens []string, w where, limit int) ([]rankedHit, error) {
	var newest int64
	if err := s.get(ctx, s.db, &newest, `SELECT COALESCE(MAX(id), 0) FROM posts`); err != nil {
		return nil, err
	}
	spans, err := s.dialect.searchSpans(ctx, s, tokens, newest)
	if err != nil {
		return nil, err
	}
	for _, span := range spans {
		// Each search adds its own conditions to a copy of w's.
		ww := where{conds: slices.Clone(w.conds), args: slices.Clone(w.args)}
		hits, err := s.dialect.searchPosts(ctx, s, tokens, ww, span, limit)
		if err != nil || span.all() || (len(hits) > 0 && hits[0].Candidates >= searchCandidates) {
			return hits, err
		}
	}
	return nil, nil // not reached: the last span is all posts
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
