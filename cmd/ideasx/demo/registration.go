package demo

import (
	"context"
	"errors"
	"fmt"
	"time"

	"ideasx/store"
)

// loadRegistration opens registration for the MSME Days as the June 2019
// newsletter asked ("please confirm your participation by 23 June"), and
// registers two demo accounts for the 2027 one, once: a meeting whose
// settings were saved already is left as its organisers made it.
func loadRegistration(ctx context.Context, st *store.Store) error {
	geneva, err := time.LoadLocation("Europe/Zurich")
	if err != nil {
		return err
	}
	meetings := []struct {
		title    string
		deadline time.Time
		capacity int
		accounts []string
	}{
		{msmeDay2019, time.Date(2019, time.June, 23, 23, 59, 0, 0, geneva), 150, nil},
		{"MSME Day 2027", time.Date(2027, time.June, 23, 23, 59, 0, 0, geneva), 120, []string{"lucia@cafe-montevideo.example", "delegate@uruguay.example"}},
	}
	for _, m := range meetings {
		id, err := st.EventIDByTitle(ctx, m.title)
		if err != nil || id == 0 {
			return err
		}
		rs, err := st.RegistrationSettingsOf(ctx, id)
		if err != nil || !rs.UpdatedAt.IsZero() {
			return err
		}
		deadline := m.deadline
		rs = &store.RegistrationSettings{EventID: id, Enabled: true, OpenVisitors: true, OpenBusinesses: true, OpenMembers: true,
			Deadline: &deadline, Capacity: m.capacity, AskOrganisation: true, AskAttendance: true, AskInterpretation: true,
			AskAccessibility: true, LinkRevealMinutes: store.DefaultLinkReveal}
		if err := st.SaveRegistrationSettings(ctx, 0, rs); err != nil {
			return fmt.Errorf("demo registration settings %q: %w", m.title, err)
		}
		for _, email := range m.accounts {
			u, err := st.UserByEmail(ctx, email)
			if errors.Is(err, store.ErrNotFound) {
				continue
			}
			if err != nil {
				return err
			}
			uid := u.ID
			reg := &store.Registration{EventID: id, UserID: &uid, Name: u.Name, Email: u.Email, Locale: u.Locale,
				OrgKind: string(u.OrgKind), Country: u.OrgCountry, Organisation: u.OrgName, Attendance: store.AttendInPerson}
			err = st.Register(ctx, reg, store.RegistrantKindOf(u))
			if err != nil && !errors.Is(err, store.ErrConflict) && !errors.Is(err, store.ErrRegistrationClosed) && !errors.Is(err, store.ErrRegistrationDeadline) {
				return fmt.Errorf("demo registration %s: %w", email, err)
			}
		}
	}
	return nil
}
