package store

import (
	"fmt"
	"slices"
	"strings"
	"sync"
)

// MaySeeNotification reports whether u may see, now, a notification of
// kind k: the moderators' kinds need a moderator, the news of an approval
// any active account, every other kind (they speak of the forum) forum
// access. It is asked when notifications are made, listed, counted, opened
// and mailed — in SQL through audienceSQL, which is derived from it — so
// that an account that lost its rights stops seeing what they gave it, and
// sees it again if they come back.
func (u *User) MaySeeNotification(k NotificationKind) bool {
	switch {
	case !u.Active() || !slices.Contains(NotificationKinds, k):
		return false
	case k.ModeratorOnly():
		return u.IsModerator()
	case k == NotifyApproved:
		return true
	}
	return u.CanReadForum()
}

// notificationVisible is the SQL condition that the owner u of
// notification n may see it now (MaySeeNotification).
var notificationVisible = audienceSQL(NotificationKinds, "n.kind")

// audienceSQL writes MaySeeNotification as a condition on an account u
// (its role and status) and, unless kindCol is empty, on the kind held in
// kindCol, by asking it of every status, role and kind. The values are the
// package's own constants, written as literals so that the condition can
// be pasted into any query without shifting its arguments.
func audienceSQL(kinds []NotificationKind, kindCol string) string {
	// Asked for the same few lists on every notification made or counted,
	// and the answer depends on them only: each is written once.
	key := kindCol + "|" + strings.Join(kindStrings(kinds), ",")
	if q, ok := audiences.Load(key); ok {
		return q.(string)
	}
	q := writeAudienceSQL(kinds, kindCol)
	audiences.Store(key, q)
	return q
}

// audiences holds audienceSQL's answers by kind column and kinds.
var audiences sync.Map

func kindStrings(kinds []NotificationKind) []string {
	out := make([]string, len(kinds))
	for i, k := range kinds {
		out[i] = string(k)
	}
	return out
}

func writeAudienceSQL(kinds []NotificationKind, kindCol string) string {
	var terms []string
	for _, st := range Statuses {
		// Kinds that the same roles may see form one term.
		var order []string
		byRoles := map[string][]string{}
		for _, k := range kinds {
			var roles []string
			for _, r := range Roles {
				if (&User{Role: r, Status: st}).MaySeeNotification(k) {
					roles = append(roles, sqlLiteral(string(r)))
				}
			}
			if len(roles) == 0 {
				continue
			}
			key := strings.Join(roles, ", ")
			if _, ok := byRoles[key]; !ok {
				order = append(order, key)
			}
			byRoles[key] = append(byRoles[key], sqlLiteral(string(k)))
		}
		for _, roles := range order {
			term := fmt.Sprintf("u.status = %s AND u.role IN (%s)", sqlLiteral(string(st)), roles)
			if kindCol != "" {
				term += fmt.Sprintf(" AND %s IN (%s)", kindCol, strings.Join(byRoles[roles], ", "))
			}
			terms = append(terms, "("+term+")")
		}
	}
	if len(terms) == 0 {
		return "(1 = 0)"
	}
	return "(" + strings.Join(terms, " OR ") + ")"
}

// sqlLiteral quotes one of the package's constants; anything that would
// need escaping is a programming error, caught when the package loads.
func sqlLiteral(v string) string {
	if strings.ContainsFunc(v, func(r rune) bool { return !(r >= 'a' && r <= 'z' || r == '_') }) {
		panic(fmt.Sprintf("store: %q is not a plain constant", v))
	}
	return "'" + v + "'"
}
