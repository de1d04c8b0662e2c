package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"time"
)

// What -chaos postgres checks beyond deliveries (issue 12: "posts during
// the gap get a clear 503 …, never a lost post that the author believes
// was saved"): how each refused post was answered, whether the database
// holds exactly the posts whose POST succeeded, and whether the instances
// left readiness while it was down and came back after.

// pgOutcome is that, for the report.
type pgOutcome struct {
	StopMode string `json:"stop_mode"`
	// StopS is how long the postmaster took to exit after the signal.
	StopS float64 `json:"stop_s"`
	// RestartS is how long the restarted Postgres took to accept
	// connections (crash recovery included).
	RestartS float64 `json:"restart_s"`
	// FailedBy counts the failed posts by answer; Unclear those that were
	// not a 503 "unavailable" with Retry-After.
	FailedBy     map[string]int `json:"failed_by,omitempty"`
	Unclear      int            `json:"failed_unclear"`
	firstUnclear string
	// FailedMs is how long the failed requests took: a refusal should be
	// quick, not a hang until the client gives up.
	FailedMs *percentiles `json:"failed_request_ms,omitempty"`
	// When posting failed, from the start of the first failed post after
	// the stop signal and of the last one after the return (negative: none
	// failed once Postgres was back).
	FirstFailAfterDownS *float64 `json:"first_failure_after_down_s,omitempty"`
	LastFailAfterBackS  *float64 `json:"last_failure_after_back_s,omitempty"`

	Saved savedCheck `json:"saved"`
	Ready []readyGap `json:"readiness"`
}

// failureKind names the answer to a failed post, and says whether it was
// the clear "try again" the API promises while the database is away.
func failureKind(err error) (kind string, clear bool) {
	var ae *apiError
	if errors.As(err, &ae) {
		kind = strconv.Itoa(ae.status)
		if ae.code != "" {
			kind += " " + ae.code
		}
		if ae.retryAfter != "" {
			kind += " (Retry-After " + ae.retryAfter + ")"
		}
		return kind, ae.status == http.StatusServiceUnavailable && ae.code == "unavailable" && ae.retryAfter != ""
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return "no answer in time", false
	}
	return "connection error", false
}

// savedCheck compares the posts in the database with the answers to the
// POSTs that made them.
type savedCheck struct {
	Checked bool `json:"checked"`
	// Confirmed: POST answered 201 and the post is there under that id.
	Confirmed int `json:"confirmed"`
	// Missing: POST answered 201 but no such post: a post lost that its
	// author believes saved. The one outcome that must never happen.
	Missing int `json:"missing"`
	// FailedSaved: the POST failed yet the post is there (the connection
	// was lost during the commit; the 503 says it may have been saved).
	FailedSaved int `json:"failed_but_saved"`
	// Twice: a body saved more than once.
	Twice     int    `json:"saved_twice"`
	Err       string `json:"error,omitempty"`
	firstMiss string
}

// benchReply finds the number replyBody put at the start of a body.
var benchReply = regexp.MustCompile(`^Reply (\d+) from the benchmark\.`)

// savedReplies reads the thread's replies from the database: the ids
// saved for each reply number.
func (b *bench) savedReplies(ctx context.Context) (map[int][]int64, error) {
	db, err := sql.Open("postgres", b.dbURL)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	rows, err := db.QueryContext(ctx, `SELECT id, body FROM posts WHERE thread_id = $1`, b.threadID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	saved := map[int][]int64{}
	for rows.Next() {
		var id int64
		var body string
		if err := rows.Scan(&id, &body); err != nil {
			return nil, err
		}
		if m := benchReply.FindStringSubmatch(body); m != nil {
			n, _ := strconv.Atoi(m[1])
			saved[n] = append(saved[n], id)
		}
	}
	return saved, rows.Err()
}

// matchSaved checks posts[i], reply number i+1, against what was saved.
func matchSaved(posts []post, saved map[int][]int64) savedCheck {
	sc := savedCheck{Checked: true}
	for i, p := range posts {
		ids := saved[i+1]
		if len(ids) > 1 {
			sc.Twice++
		}
		switch {
		case p.err == nil && slices.Contains(ids, p.id):
			sc.Confirmed++
		case p.err == nil:
			sc.Missing++
			if sc.firstMiss == "" {
				sc.firstMiss = fmt.Sprintf("reply %d, answered 201 with id %d, saved as %v", i+1, p.id, ids)
			}
		case len(ids) > 0:
			sc.FailedSaved++
		}
	}
	return sc
}

// postingAround sorts the failed posts by answer and finds when posting
// failed relative to the stop signal (down) and the return (back).
func (o *pgOutcome) postingAround(posts []post, down, back time.Duration) {
	o.FailedBy = map[string]int{}
	var first, last *time.Duration
	var took []time.Duration
	for _, p := range posts {
		if p.err == nil {
			continue
		}
		took = append(took, p.done-p.start)
		kind, clear := failureKind(p.err)
		o.FailedBy[kind]++
		if !clear {
			o.Unclear++
			if o.firstUnclear == "" {
				o.firstUnclear = p.err.Error()
			}
		}
		if p.start >= down && (first == nil || p.start < *first) {
			first = &p.start
		}
		if last == nil || p.start > *last {
			last = &p.start
		}
	}
	o.FailedMs = newPercentiles(took)
	if first != nil {
		s := (*first - down).Seconds()
		o.FirstFailAfterDownS = &s
	}
	if last != nil {
		s := (*last - back).Seconds()
		o.LastFailAfterBackS = &s
	}
}

// readyGap is what one instance's /readyz said around the outage.
type readyGap struct {
	Instance string `json:"instance"`
	// Probes sent while Postgres was down (from its exit to the start of
	// the new one), by answer.
	GapProbes   int `json:"gap_probes"`
	GapReady    int `json:"gap_200"`
	GapNotReady int `json:"gap_503"`
	GapNoAnswer int `json:"gap_no_answer"`
	// NotReadyAfterS: the first probe not answered 200 after the stop;
	// ReadyAgainS: the 200 that followed the last one not answered 200,
	// from the return (nil: never ready again; 0: never left readiness).
	NotReadyAfterS *float64 `json:"not_ready_after_down_s,omitempty"`
	ReadyAgainS    *float64 `json:"ready_again_after_back_s,omitempty"`
}

func readyAround(name string, samples []readySample, down, relaunch, back time.Duration) readyGap {
	g := readyGap{Instance: name}
	lastBad := -1
	for i, s := range samples {
		if s.at >= down && s.at < relaunch {
			g.GapProbes++
			switch s.status {
			case http.StatusOK:
				g.GapReady++
			case 0:
				g.GapNoAnswer++
			default:
				g.GapNotReady++
			}
		}
		if s.at >= down && s.status != http.StatusOK {
			if g.NotReadyAfterS == nil {
				d := (s.at - down).Seconds()
				g.NotReadyAfterS = &d
			}
			lastBad = i
		}
	}
	if lastBad < 0 {
		zero := 0.0
		g.ReadyAgainS = &zero
		return g
	}
	if lastBad+1 < len(samples) {
		d := max(samples[lastBad+1].at-back, 0).Seconds()
		g.ReadyAgainS = &d
	}
	return g
}

func (o *pgOutcome) print(line func(string, ...any)) {
	line("  postgres     stopped in %s mode (exited %.2f s after the signal); the restarted server accepted connections after %.2f s", o.StopMode, o.StopS, o.RestartS)
	kinds := make([]string, 0, len(o.FailedBy))
	for k := range o.FailedBy {
		kinds = append(kinds, k)
	}
	slices.Sort(kinds)
	for _, k := range kinds {
		line("  refused      %4d × %s", o.FailedBy[k], k)
	}
	line("               answered in %s", o.FailedMs)
	line("               %d failed posts were not a clear 503 unavailable with Retry-After", o.Unclear)
	if o.firstUnclear != "" {
		line("               first: %.300s", o.firstUnclear)
	}
	if o.FirstFailAfterDownS != nil {
		line("               first failure %.2f s after the stop signal", *o.FirstFailAfterDownS)
	}
	if o.LastFailAfterBackS != nil {
		if *o.LastFailAfterBackS < 0 {
			line("               no post sent after Postgres was back failed")
		} else {
			line("               posting kept failing until %.2f s after Postgres was back (start of the last failed post)", *o.LastFailAfterBackS)
		}
	}
	if !o.Saved.Checked {
		line("  saved        NOT CHECKED: %s", o.Saved.Err)
	} else {
		line("  saved        in the database: %d of the posts answered 201; %d answered 201 but missing; %d failed but saved; %d saved twice",
			o.Saved.Confirmed, o.Saved.Missing, o.Saved.FailedSaved, o.Saved.Twice)
		if o.Saved.FailedSaved > 0 {
			line("               (failed but saved: the commit reached the database, its confirmation did not reach the server, which said it may not have been saved)")
		}
		if o.Saved.firstMiss != "" {
			line("               first missing: %s", o.Saved.firstMiss)
		}
	}
	for _, g := range o.Ready {
		again := "NEVER ready again"
		if g.ReadyAgainS != nil {
			again = fmt.Sprintf("ready again %.2f s after Postgres was back", *g.ReadyAgainS)
		}
		left := "never left readiness"
		if g.NotReadyAfterS != nil {
			left = fmt.Sprintf("not ready %.2f s after the stop", *g.NotReadyAfterS)
		}
		line("  readiness %s  while down: %d probes, %d × 200, %d × 503, %d unanswered; %s; %s",
			g.Instance, g.GapProbes, g.GapReady, g.GapNotReady, g.GapNoAnswer, left, again)
	}
}

// met is the Postgres part of the target: every refusal clear, nothing
// believed saved lost, out of readiness while down and back within
// `within`, posting back within it too.
func (o *pgOutcome) met(within time.Duration) bool {
	ok := o.Unclear == 0 && o.Saved.Checked && o.Saved.Missing == 0 && o.Saved.Twice == 0
	for _, g := range o.Ready {
		ok = ok && g.GapReady == 0 && g.ReadyAgainS != nil && *g.ReadyAgainS <= within.Seconds()
	}
	return ok && (o.LastFailAfterBackS == nil || *o.LastFailAfterBackS <= within.Seconds())
}
