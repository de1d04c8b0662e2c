package store_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"ideasx/store"
	"ideasx/store/storetest"
)

// TestCurationAsksAndTells: drafting asks each person quoted (a
// notification, live and mailed at once), the drafter is told of a refusal
// and of the last agreement, publishing waits for every consent, and a
// person who asked not to be named is not named in what is published.
func TestCurationAsksAndTells(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		biz := mustUser(t, s, "biz@x.org", store.RoleBusiness, "Firm")
		del := mustUser(t, s, "del@x.org", store.RoleMember, "Delegation")
		mod := mustUser(t, s, "mod@x.org", store.RoleModerator, "Secretariat")
		other := mustUser(t, s, "mod2@x.org", store.RoleModerator, "Secretariat")
		th := newThread(t, s, biz, firstTheme(t, s).ID, "Curated")
		summary := "**The challenge, as Test biz (Firm) put it:**\n\n> Test biz signs here.\n\n**The answer accepted, from Test del (Delegation):**\n\n> Yes"
		quoted := []store.QuotedPerson{{UserID: biz.ID, NamedAs: "Test biz (Firm)", AnonymousAs: "a business"},
			{UserID: del.ID, NamedAs: "Test del (Delegation)", AnonymousAs: "a delegation"},
			{UserID: mod.ID, NamedAs: "Test mod", AnonymousAs: "the secretariat"}}
		mails0, _ := s.PendingMail(ctx)
		seq0, _ := s.TopicSeq(ctx, fmt.Sprintf("user:%d", biz.ID))
		d, existing, err := s.CurateThread(ctx, mod.ID, th.ID, "What the dialogue found", summary, quoted)
		if err != nil || existing {
			t.Fatalf("curate: %v (existing %v)", err, existing)
		}
		if src, _ := s.SourceThread(ctx, d.ID); src != th.ID || d.Status != store.Draft {
			t.Errorf("draft %+v from thread %d", d, src)
		}
		for _, u := range []*store.User{biz, del} {
			if got := kinds(t, s, u.ID); got[store.NotifyConsentRequest] != 1 {
				t.Errorf("%s: notifications %v, want one consent_request", u.Email, got)
			}
		}
		if got := kinds(t, s, mod.ID); len(got) != 0 {
			t.Errorf("the drafter was asked about their own words: %v", got)
		}
		if n, _ := s.PendingMail(ctx); n != mails0+2 {
			t.Errorf("queued mails: %d, want %d (one per person asked, at once)", n, mails0+2)
		}
		if ev, _ := s.EventsSince(ctx, fmt.Sprintf("user:%d", biz.ID), seq0, 10); len(ev) != 1 || ev[0].Type != "notification" {
			t.Errorf("live events on the person's topic: %+v, want one notification", ev)
		}

		again, existing, err := s.CurateThread(ctx, other.ID, th.ID, "Second", "x", quoted)
		if err != nil || !existing || again.ID != d.ID {
			t.Errorf("drafting twice: %v, existing %v, id %d, want the first draft %d", err, existing, again.ID, d.ID)
		}
		if got := kinds(t, s, biz.ID); got[store.NotifyConsentRequest] != 1 {
			t.Errorf("drafting twice asked again: %v", got)
		}

		if err := s.SetDocumentStatus(ctx, mod.ID, d.ID, store.Published); !errors.Is(err, store.ErrConsentMissing) {
			t.Errorf("publishing without consent: %v", err)
		}
		if err := s.AnswerConsent(ctx, del.ID, d.ID, store.ConsentDeclined, "Please leave out our name"); err != nil {
			t.Fatal(err)
		}
		if got := kinds(t, s, mod.ID); got[store.NotifyConsentDeclined] != 1 || got[store.NotifyConsentsGiven] != 0 {
			t.Errorf("drafter after a refusal: %v, want one consent_declined", got)
		}
		if got := kinds(t, s, other.ID); len(got) != 0 {
			t.Errorf("another moderator was told: %v", got)
		}
		if err := s.AnswerConsent(ctx, biz.ID, d.ID, store.ConsentGranted, "ignored"); err != nil {
			t.Fatal(err)
		}
		if got := kinds(t, s, mod.ID); got[store.NotifyConsentsGiven] != 0 {
			t.Errorf("told all agreed while one refuses: %v", got)
		}
		d.Status = store.Published
		if err := s.SaveDocument(ctx, mod.ID, d); !errors.Is(err, store.ErrConsentMissing) {
			t.Errorf("publishing through a save with a refusal: %v", err)
		}
		c, err := s.ConsentRequest(ctx, del.ID, d.ID)
		if err != nil || c.Note != "Please leave out our name" || c.Answer() != store.ConsentDeclined {
			t.Errorf("refusal: %+v %v", c, err)
		}
		if err := s.AnswerConsent(ctx, del.ID, d.ID, store.ConsentAnonymous, ""); err != nil {
			t.Fatal(err)
		}
		if got := kinds(t, s, mod.ID); got[store.NotifyConsentsGiven] != 1 {
			t.Errorf("drafter after the last agreement: %v, want one consents_given", got)
		}
		if err := s.SetDocumentStatus(ctx, mod.ID, d.ID, store.Published); err != nil {
			t.Fatalf("publishing with every consent: %v", err)
		}
		pub, err := s.DocumentByID(ctx, d.ID, store.Access{})
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(pub.Summary, "Test del") || strings.Contains(pub.Summary, "Delegation)") ||
			!strings.Contains(pub.Summary, "The answer accepted, from a delegation:") || !strings.Contains(pub.Summary, "Test biz signs here") {
			t.Errorf("published summary does not keep the anonymity asked for:\n%s", pub.Summary)
		}
		if err := s.AnswerConsent(ctx, del.ID, d.ID, store.ConsentDeclined, ""); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("withdrawing after publication: %v", err)
		}
		if reqs, _ := s.ConsentRequests(ctx, del.ID); len(reqs) != 1 || reqs[0].Title != "What the dialogue found" || reqs[0].Answer() != store.ConsentAnonymous {
			t.Errorf("requests: %+v", reqs)
		}
		if docs, _ := s.ThreadDocuments(ctx, th.ID); len(docs) != 1 || docs[0].Status != store.Published {
			t.Errorf("thread documents: %+v", docs)
		}
		if _, existing, _ := s.CurateThread(ctx, mod.ID, th.ID, "Follow-up", "x", nil); existing {
			t.Error("a published document stops a new draft from the thread")
		}
	})
}

// TestAnonymise: a name is replaced as a whole word, never inside another.
func TestAnonymise(t *testing.T) {
	cs := []store.Consent{{Name: "Ana", NamedAs: "Ana (Textiles SA)", AnonymousAs: "a business", Anonymous: true},
		{Name: "Bo", NamedAs: "Bo", AnonymousAs: "a delegation"}}
	got := store.Anonymise("As Ana (Textiles SA) said, Ana and Anabel agree; Bo too.", cs)
	if want := "As a business said, a business and Anabel agree; Bo too."; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

// TestEditingADraftAsksAgain: a person who agreed is asked again when
// their passage is edited, and only then; the draft cannot be published
// until they answer again.
func TestEditingADraftAsksAgain(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		biz := mustUser(t, s, "biz@x.org", store.RoleBusiness, "Firm")
		del := mustUser(t, s, "del@x.org", store.RoleMember, "Delegation")
		mod := mustUser(t, s, "mod@x.org", store.RoleModerator, "Secretariat")
		th := newThread(t, s, biz, firstTheme(t, s).ID, "Edited")
		summary := "Intro.\n\n**From Test biz (Firm):**\n\n> Fees are high.\n\n**From Test del (Delegation):**\n\n> Use the window."
		d, _, err := s.CurateThread(ctx, mod.ID, th.ID, "Edited", summary, []store.QuotedPerson{
			{UserID: biz.ID, NamedAs: "Test biz (Firm)", AnonymousAs: "a business"},
			{UserID: del.ID, NamedAs: "Test del (Delegation)", AnonymousAs: "a delegation"}})
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range []*store.User{biz, del} {
			if err := s.AnswerConsent(ctx, u.ID, d.ID, store.ConsentGranted, ""); err != nil {
				t.Fatal(err)
			}
		}
		answers := func() map[int64]string {
			cs, _ := s.DocumentConsents(ctx, d.ID)
			out := map[int64]string{}
			for _, c := range cs {
				out[c.UserID] = c.Answer()
			}
			return out
		}
		d.Title, d.Summary = "Edited again", strings.Replace(summary, "Intro.", "A new introduction.", 1)
		if err := s.SaveDocument(ctx, mod.ID, d); err != nil {
			t.Fatal(err)
		}
		if got := answers(); got[biz.ID] != store.ConsentGranted || got[del.ID] != store.ConsentGranted {
			t.Errorf("an edit outside the passages: %v, want both still granted", got)
		}
		d.Summary = strings.Replace(d.Summary, "Use the window.", "Use the single window, and pay nothing.", 1)
		if err := s.SaveDocument(ctx, mod.ID, d); err != nil {
			t.Fatal(err)
		}
		if got := answers(); got[biz.ID] != store.ConsentGranted || got[del.ID] != store.ConsentPending {
			t.Errorf("an edit of the delegate's passage: %v, want the delegate pending, the business granted", got)
		}
		if got := kinds(t, s, del.ID); got[store.NotifyConsentRequest] != 2 {
			t.Errorf("the delegate was not asked again: %v", got)
		}
		if err := s.SetDocumentStatus(ctx, mod.ID, d.ID, store.Published); !errors.Is(err, store.ErrConsentMissing) {
			t.Errorf("publishing after the edit: %v, want ErrConsentMissing", err)
		}
	})
}
