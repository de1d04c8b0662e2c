package demo

import (
	"context"
	"fmt"

	"ideasx/server/auth"
	"ideasx/server/markdown"
	"ideasx/store"
)

type demoPerson struct {
	email, name, org string
	kind             store.OrgKind
	country, size    string
	role             store.Role
}

// people are the demo participants. Their passwords are random until
// `ideasx demo` sets one that a newcomer can sign in with.
var people = []demoPerson{
	{"lucia@cafe-montevideo.example", "Lucía Fernández", "Café Montevideo SRL", store.OrgBusiness, "UY", "micro", store.RoleBusiness},
	{"wanjiru@nairobi-crafts.example", "Wanjiru Kamau", "Nairobi Crafts Cooperative", store.OrgBusiness, "KE", "small", store.RoleBusiness},
	{"ana@andes-textiles.example", "Ana Quispe", "Andes Textiles", store.OrgBusiness, "PE", "small", store.RoleBusiness},
	{"minh@saigon-soft.example", "Nguyen Van Minh", "Saigon Soft", store.OrgBusiness, "VN", "medium", store.RoleBusiness},
	{"chamber@dakar.example", "Aminata Diop", "Dakar Chamber of Commerce", store.OrgBusiness, "SN", "", store.RoleBusiness},
	{"delegate@uruguay.example", "Martín Silva", "Delegation of Uruguay", store.OrgMember, "UY", "", store.RoleMember},
	{"delegate@canada.example", "Claire Tremblay", "Delegation of Canada", store.OrgMember, "CA", "", store.RoleMember},
	{"delegate@kenya.example", "Otieno Odhiambo", "Delegation of Kenya", store.OrgMember, "KE", "", store.RoleMember},
	{"delegate@switzerland.example", "Lukas Meier", "Delegation of Switzerland", store.OrgMember, "CH", "", store.RoleMember},
	{"observer@itc.example", "Sofia Rossi", "International Trade Centre", store.OrgObserver, "CH", "", store.RoleMember},
	{"secretariat@msme-group.example", "Irène Dubois", "MSME Group Secretariat", store.OrgSecretariat, "CH", "", store.RoleModerator},
}

type demoReply struct {
	who, body string
	accept    bool
}

type demoThread struct {
	theme, who, title, body string
	kind                    store.ThreadKind
	attribution             store.Attribution
	tags                    []string
	replies                 []demoReply
	referTo                 string // an event title
}

var threads = []demoThread{
	{theme: "rules-of-origin", who: "lucia@cafe-montevideo.example", kind: store.Challenge, attribution: store.OnTheRecord,
		title: "Certificates of origin on paper take three weeks", tags: []string{"certificates", "coffee"},
		body: "We roast coffee for buyers in Kenya and Canada. Each shipment needs a **certificate of origin**, which our chamber issues on paper only. " +
			"It takes up to three weeks, and buyers cancel orders in the meantime.",
		replies: []demoReply{
			{who: "delegate@kenya.example", body: "Kenya has accepted electronic certificates since 2019. We can share the contact of the office that checks them."},
			{who: "delegate@uruguay.example", body: "Our chamber now offers a digital certificate as well; it should be issued within two days. We will check why it did not reach you.", accept: true},
		}},
	{theme: "trade-finance", who: "wanjiru@nairobi-crafts.example", kind: store.Challenge, attribution: store.PersonalCapacity,
		title: "Banks refuse letters of credit below 20,000 dollars", tags: []string{"letters of credit"},
		body: "Our orders are small, between 3,000 and 15,000 dollars. Local banks say a letter of credit is not worth their while below 20,000, so we ask buyers to pay in advance, and many refuse.",
		replies: []demoReply{
			{who: "observer@itc.example", body: "Several development banks run trade finance programmes for small amounts. The ITC keeps a list by country."},
			{who: "delegate@switzerland.example", body: "Could you tell us which documents the banks asked for? It would help the group's work on trade finance."},
		}, referTo: "Third open meeting of 2019"},
	{theme: "trade-facilitation", who: "chamber@dakar.example", kind: store.Challenge, attribution: store.ChathamHouse,
		title: "Informal fees at a land border", tags: []string{"customs", "transparency"},
		body: "Our members report fees at a land border that appear in no published schedule. We would like to discuss how other members publish border fees.",
		replies: []demoReply{
			{who: "delegate@canada.example", body: "Publishing every fee online, with the legal basis, is part of the Trade Facilitation Agreement. A single enquiry point helps as well."},
		}},
	{theme: "e-commerce", who: "minh@saigon-soft.example", kind: store.Challenge, attribution: store.OnTheRecord,
		title: "Small software exporters cannot receive online payments", tags: []string{"payments"},
		body: "Many payment platforms do not serve our country, so our customers abroad cannot pay us by card. We lose sales to larger firms that have subsidiaries abroad."},
	{theme: "cybersecurity", who: "ana@andes-textiles.example", kind: store.Discussion, attribution: store.OnTheRecord,
		title: "Free cyber readiness training: who has tried it?", tags: []string{"training"},
		body:    "The group heard about a free cyber readiness programme for small firms. Has anyone here followed it? Was it worth the time?",
		replies: []demoReply{{who: "wanjiru@nairobi-crafts.example", body: "We did, over four weeks. The password and backup parts alone were worth it."}}},
	{theme: "logistics", who: "wanjiru@nairobi-crafts.example", kind: store.Challenge, attribution: store.OnTheRecord,
		title: "Returns of small parcels cost more than the goods", tags: []string{"parcels", "returns"},
		body: "When a customer abroad returns a basket worth 40 dollars, the return costs us 60 dollars in postage and duties. Is there a simpler way for low-value returns?"},
}

func loadForum(ctx context.Context, st *store.Store, rep *Report) error {
	users := map[string]*store.User{}
	hash, err := auth.HashPassword(string(randomSecret()))
	if err != nil {
		return err
	}
	for _, p := range people {
		u, err := st.UserByEmail(ctx, p.email)
		if err != nil {
			u, err = st.CreateUser(ctx, store.NewUser{Email: p.email, Name: p.name, Role: p.role, Status: store.StatusActive, PasswordHash: hash},
				store.Organisation{Name: p.org, Kind: p.kind, Country: p.country, SizeClass: p.size})
			if err != nil {
				return fmt.Errorf("demo person %s: %w", p.email, err)
			}
			rep.People++
		}
		users[p.email] = u
	}
	themes, err := st.Themes(ctx, true)
	if err != nil {
		return err
	}
	themeIDs := map[string]int64{}
	for _, t := range themes {
		themeIDs[t.Slug] = t.ID
	}
	existing, err := st.ListThreads(ctx, store.ThreadFilter{WithHidden: true, Limit: 100})
	if err != nil {
		return err
	}
	have := map[string]bool{}
	for _, t := range existing {
		have[t.Title] = true
	}
	for _, dt := range threads {
		if have[dt.title] {
			continue
		}
		th, err := st.CreateThread(ctx, store.NewThread{ThemeID: themeIDs[dt.theme], Kind: dt.kind, Title: dt.title, Attribution: dt.attribution,
			Tags: dt.tags, Body: dt.body, HTML: string(markdown.Render(dt.body)), Author: users[dt.who]})
		if err != nil {
			return fmt.Errorf("demo thread %q: %w", dt.title, err)
		}
		rep.Threads++
		for _, r := range dt.replies {
			p, err := st.CreatePost(ctx, store.NewPost{ThreadID: th.ID, Author: users[r.who], Body: r.body, HTML: string(markdown.Render(r.body))})
			if err != nil {
				return fmt.Errorf("demo reply: %w", err)
			}
			if err := st.MarkRead(ctx, users[r.who], th.ID, p.ID); err != nil {
				return err
			}
			if r.accept {
				if err := st.ChangeChallengeStatus(ctx, users[dt.who], th.ID, store.StatusRequest{To: store.StatusAnswered, AcceptedPostID: p.ID}); err != nil {
					return fmt.Errorf("demo acceptance: %w", err)
				}
			}
		}
		if dt.referTo != "" {
			id, err := st.EventIDByTitle(ctx, dt.referTo)
			if err != nil || id == 0 {
				continue
			}
			if err := st.ChangeChallengeStatus(ctx, users["secretariat@msme-group.example"], th.ID, store.StatusRequest{To: store.StatusReferred, EventID: id,
				Note: "On the agenda of the October meeting"}); err != nil {
				return fmt.Errorf("demo referral: %w", err)
			}
		}
	}
	return loadAgenda(ctx, st, users)
}

// Synthetic adds n generated threads of 10 posts by the demo people, for
// benchmarks (`ideasx demo --scale N`).
func Synthetic(ctx context.Context, st *store.Store, n int) error {
	var authors []*store.User
	for _, p := range people {
		u, err := st.UserByEmail(ctx, p.email)
		if err != nil {
			return fmt.Errorf("synthetic threads need the demo people: %w", err)
		}
		authors = append(authors, u)
	}
	themes, err := st.Themes(ctx, false)
	if err != nil {
		return err
	}
	ids := make([]int64, len(themes))
	for i, t := range themes {
		ids[i] = t.ID
	}
	return st.SyntheticThreads(ctx, n, 10, authors, ids)
}

// Account is a demo participant one can sign in as, once its password is set.
type Account struct {
	Email, Name, Org string
	Role             store.Role
}

// Accounts lists the demo participants, businesses first.
func Accounts() []Account {
	out := make([]Account, len(people))
	for i, p := range people {
		out[i] = Account{Email: p.email, Name: p.name, Org: p.org, Role: p.role}
	}
	return out
}
