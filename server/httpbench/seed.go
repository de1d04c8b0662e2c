package main

import (
	"context"
	"fmt"
	"html"
	"strings"
	"time"

	"ideasx/server/auth"
	"ideasx/store"
)

const (
	threadPosts      = 50
	libraryDocuments = 1000
	threadTitle      = "Certificates of origin for small exporters"
	documentPrefix   = "Trade facilitation note"
	// forumWord is in every post of the thread, and searched for.
	forumWord = "brokers"
)

// seeded is what the scenarios need from the database.
type seeded struct {
	threadID                      int64
	memberCookie, moderatorCookie string
}

// postText is the n-th post (1 is the opening one): the thread page check
// looks for the last.
func postText(n int) string {
	return fmt.Sprintf("Bench post %d. Customs %s ask for the same papers twice; a single window would spare a week per shipment. ", n, forumWord) +
		strings.Repeat("Pre-arrival processing and risk management would help small exporters most. ", 4)
}

func (b *bench) storeOptions() store.Options {
	return store.Options{DatabaseURL: b.dbURL, DataDir: b.dataDir()}
}

// seed migrates the database and writes the thread, the library and the
// sessions of a member and a moderator, through the store package; the
// store is closed before the server opens the database.
func seed(ctx context.Context, opts store.Options) (seeded, error) {
	var out seeded
	st, err := store.Open(ctx, opts)
	if err != nil {
		return out, err
	}
	defer st.Close()
	if _, err := st.Migrate(ctx); err != nil {
		return out, fmt.Errorf("migrate: %w", err)
	}
	newUser := func(email string, role store.Role, org string, kind store.OrgKind) (*store.User, error) {
		// Nobody signs in with a password: the sessions are made below.
		return st.CreateUser(ctx, store.NewUser{Email: email, Name: "Bench " + strings.Split(email, "@")[0], Role: role,
			Status: store.StatusActive, PasswordHash: "unusable"}, store.Organisation{Name: org, Kind: kind, Country: "CH"})
	}
	business, err := newUser("business@httpbench.example", store.RoleBusiness, "Andes Textiles", store.OrgBusiness)
	if err != nil {
		return out, err
	}
	member, err := newUser("member@httpbench.example", store.RoleMember, "Delegation of Chile", store.OrgMember)
	if err != nil {
		return out, err
	}
	moderator, err := newUser("moderator@httpbench.example", store.RoleModerator, "Secretariat", store.OrgSecretariat)
	if err != nil {
		return out, err
	}
	themes, err := st.Themes(ctx, false)
	if err != nil || len(themes) == 0 {
		return out, fmt.Errorf("themes (the migrations make some): %v", err)
	}
	body := func(n int) (string, string) {
		t := postText(n)
		return t, "<p>" + html.EscapeString(t) + "</p>"
	}
	first, firstHTML := body(1)
	th, err := st.CreateThread(ctx, store.NewThread{ThemeID: themes[0].ID, Kind: store.Challenge, Title: threadTitle,
		Attribution: store.OnTheRecord, Body: first, HTML: firstHTML, Author: business})
	if err != nil {
		return out, fmt.Errorf("thread: %w", err)
	}
	out.threadID = th.ID
	for n := 2; n <= threadPosts; n++ {
		author := business
		if n%2 == 0 {
			author = member
		}
		text, h := body(n)
		if _, err := st.CreatePost(ctx, store.NewPost{ThreadID: th.ID, Author: author, Body: text, HTML: h}); err != nil {
			return out, fmt.Errorf("post %d: %w", n, err)
		}
	}
	if err := st.SyntheticDocuments(ctx, libraryDocuments, documentPrefix, moderator.ID); err != nil {
		return out, err
	}
	for _, s := range []struct {
		u      *store.User
		cookie *string
	}{{member, &out.memberCookie}, {moderator, &out.moderatorCookie}} {
		plain, hash := auth.NewToken("")
		if err := st.CreateSession(ctx, hash, s.u.ID, 24*time.Hour, "127.0.0.1", "httpbench"); err != nil {
			return out, err
		}
		*s.cookie = "ideasx_session=" + plain
	}
	return out, nil
}
