package demo

import (
	"context"
	"fmt"

	"ideasx/server/markdown"
	"ideasx/store"
)

// demoOutcome is a demo challenge taken up at MSME Day 2019, and what the
// meeting concluded on it, written for this project from the morning
// session's theme in the group's June 2019 newsletter (making trade easier
// for small firms, whose costs include finding information and meeting
// rules of origin).
type demoOutcome struct {
	thread     string
	en, fr, es string
	close      bool
	// publicTitle and publicSummary, when set, make the challenge a
	// published public document, so that visitors see it on the agenda.
	publicTitle, publicSummary string
}

var msmeDayOutcomes = []demoOutcome{
	{thread: "Certificates of origin on paper take three weeks", close: true,
		publicTitle:   "Paper certificates of origin hold up small exporters",
		publicSummary: "A coffee roaster told the forum that paper certificates of origin took up to three weeks, and that buyers cancelled orders meanwhile. Delegations described the electronic certificates they already accept.",
		en: "Taken up in the morning session on making trade easier for small businesses, where rules of origin and finding information were named among the costs that weigh most on small exporters.\n\n" +
			"- Delegations that accept **electronic certificates of origin** offered to explain how they check them.\n- The chamber concerned now issues a digital certificate within two days.\n\n" +
			"The group will come back to electronic certificates at its next open meeting.",
		fr: "Examiné lors de la session du matin consacrée à faciliter le commerce des petites entreprises, où les règles d'origine et l'accès à l'information ont été cités parmi les coûts qui pèsent le plus sur les petits exportateurs.\n\n" +
			"- Les délégations qui acceptent des **certificats d'origine électroniques** ont proposé d'expliquer comment elles les vérifient.\n- La chambre concernée délivre désormais un certificat numérique en deux jours.\n\n" +
			"Le groupe reviendra sur les certificats électroniques à sa prochaine réunion ouverte.",
		es: "Examinado en la sesión de la mañana sobre cómo facilitar el comercio de las pequeñas empresas, donde las normas de origen y el acceso a la información figuraron entre los costos que más pesan sobre los pequeños exportadores.\n\n" +
			"- Las delegaciones que aceptan **certificados de origen electrónicos** ofrecieron explicar cómo los verifican.\n- La cámara en cuestión expide ahora un certificado digital en dos días.\n\n" +
			"El grupo volverá sobre los certificados electrónicos en su próxima reunión abierta."},
	{thread: "Informal fees at a land border",
		en: "Discussed in the morning session. Members recalled that every fee charged at the border should be published with its legal basis, and that an enquiry point helps traders check what they are asked to pay. " +
			"The secretariat will gather examples of how members publish border fees and share them in this thread.",
		fr: "Examiné lors de la session du matin. Les membres ont rappelé que chaque redevance perçue à la frontière devrait être publiée avec sa base juridique, et qu'un point d'information aide les commerçants à vérifier ce qu'on leur demande de payer. " +
			"Le secrétariat rassemblera des exemples de la manière dont les membres publient ces redevances et les partagera dans cette discussion."},
}

// loadAgenda puts the demo challenges on MSME Day 2019's agenda with their
// outcomes; a second run finds them there and adds nothing.
func loadAgenda(ctx context.Context, st *store.Store, users map[string]*store.User) error {
	eventID, err := st.EventIDByTitle(ctx, msmeDay2019)
	if err != nil || eventID == 0 {
		return err
	}
	mod := users["secretariat@msme-group.example"]
	all, err := st.ListThreads(ctx, store.ThreadFilter{WithHidden: true, Limit: 100})
	if err != nil {
		return err
	}
	byTitle := map[string]int64{}
	for _, t := range all {
		byTitle[t.Title] = t.ID
	}
	agenda, err := st.EventAgenda(ctx, eventID, store.Access{Members: true, Curator: true})
	if err != nil {
		return err
	}
	onAgenda := map[int64]*store.AgendaItem{}
	for i := range agenda {
		onAgenda[agenda[i].ThreadID] = &agenda[i]
	}
	for _, o := range msmeDayOutcomes {
		threadID, ok := byTitle[o.thread]
		if !ok {
			continue
		}
		item := onAgenda[threadID]
		if item == nil {
			if item, err = st.AddAgendaItem(ctx, mod, eventID, threadID); err != nil {
				return fmt.Errorf("demo agenda %q: %w", o.thread, err)
			}
		}
		if o.publicTitle != "" {
			if err := publishFromThread(ctx, st, mod, threadID, o.publicTitle, o.publicSummary); err != nil {
				return err
			}
		}
		if item.HasOutcome() {
			continue
		}
		body := store.OutcomePostBody(o.en, o.fr, o.es)
		if _, err := st.RecordOutcome(ctx, mod, item.ID, store.OutcomeInput{EN: o.en, FR: o.fr, ES: o.es, Body: body,
			HTML: string(markdown.Render(body)), Close: o.close}); err != nil {
			return fmt.Errorf("demo outcome %q: %w", o.thread, err)
		}
	}
	return nil
}

// publishFromThread curates a thread into a published public document, once.
func publishFromThread(ctx context.Context, st *store.Store, mod *store.User, threadID int64, title, summary string) error {
	docs, err := st.ThreadDocuments(ctx, threadID)
	if err != nil {
		return err
	}
	for _, d := range docs {
		if d.Status == store.Published {
			return nil
		}
	}
	d, _, err := st.CurateThread(ctx, mod.ID, threadID, title, summary, nil)
	if err != nil {
		return fmt.Errorf("demo curation: %w", err)
	}
	return st.SetDocumentStatus(ctx, mod.ID, d.ID, store.Published)
}
