package server

import "ideasx/store"

// landing is where sign-in leads when no page was asked for: what the
// person came for. Members and businesses come for the forum; the others
// (visitors, accounts awaiting approval) can only use the library.
func landing(u *store.User) string {
	if u.CanReadForum() {
		return "/forum"
	}
	return "/documents"
}
