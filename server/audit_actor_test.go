package server_test

import (
	"context"
	"testing"

	"ideasx/server/servertest"
	"ideasx/store"
	"ideasx/store/storetest"
)

func TestAuditLogNamesTheCommandLineAsActor(t *testing.T) {
	t.Parallel()
	app := servertest.New(t, storetest.SQLite, nil)
	app.CreateUser("admin@x.example", store.RoleAdmin, "Secretariat", store.OrgSecretariat)
	mo := app.CreateUser("mo@x.example", store.RoleMember, "Member", store.OrgMember)
	if err := app.Store.SetRole(context.Background(), store.SystemActor, mo.ID, store.RoleModerator); err != nil {
		t.Fatal(err)
	}
	admin := app.Client()
	admin.SignIn("admin@x.example")
	mustContain(t, admin.Get("/admin/audit?action=user.role"), "command line (ideasx)", "user.role")
}
