package demo

import (
	"context"
	"fmt"
	"time"

	"ideasx/store"
)

// The programme of MSME Day 2019 as the group's June 2019 newsletter gave
// it: a morning on trade facilitation with the UK Federation of Small
// Businesses, an afternoon on impact investment with the International
// Trade Centre, its co-organisers, and the Impact Investment Lab held as a
// side event. Names, titles and times are the newsletter's; descriptions
// are this project's own words.

const msmeDay2019 = "MSME Day 2019"

// person builds a programme entry; fr and es are the title and organisation
// where they differ from the English.
func person(role, name, title, org string, fr, es [2]string) store.SessionPerson {
	return store.SessionPerson{Role: role, Name: name, Title: title, Organisation: org,
		TitleFR: fr[0], OrganisationFR: fr[1], TitleES: es[0], OrganisationES: es[1]}
}

var (
	wto = [3]string{"WTO", "OMC", "OMC"}
	itc = [3]string{"ITC", "CCI", "ITC"}
)

func msmeDaySessions(at func(h, m int) time.Time) []store.EventSession {
	alanWolff := func(role string) store.SessionPerson {
		return person(role, "Alan Wolff", "Deputy Director-General", wto[0],
			[2]string{"Directeur général adjoint", wto[1]}, [2]string{"Director General Adjunto", wto[2]})
	}
	cancela := func(role string) store.SessionPerson {
		return person(role, "H.E. José Luis Cancela", "Ambassador of Uruguay, Chair of the Informal Working Group on MSMEs", wto[0],
			[2]string{"Ambassadeur de l'Uruguay, Président du Groupe de travail informel sur les MPME", wto[1]},
			[2]string{"Embajador del Uruguay, Presidente del Grupo de Trabajo Informal sobre las MIPYMES", wto[2]})
	}
	morning, afternoon := "WTO, Centre William Rappard", ""
	return []store.EventSession{
		{StartsAt: at(10, 0), EndsAt: at(10, 10), Venue: morning,
			Title: "Opening remarks", TitleFR: "Remarques d'ouverture", TitleES: "Palabras de apertura",
			People: []store.SessionPerson{alanWolff(store.SessionOpening)}},
		{StartsAt: at(10, 10), EndsAt: at(10, 20), Venue: morning,
			Title: "Welcome", TitleFR: "Mots de bienvenue", TitleES: "Bienvenida",
			People: []store.SessionPerson{cancela(store.SessionOpening)}},
		{StartsAt: at(10, 20), EndsAt: at(12, 0), Venue: morning,
			Title:   "How to make trade easier for small and medium-sized businesses",
			TitleFR: "Comment faciliter les échanges pour les petites et moyennes entreprises",
			TitleES: "Cómo facilitar el comercio a las pequeñas y medianas empresas",
			Description: "Selling abroad, directly or through a larger firm's supply chain, lets a small business find new customers and grow, " +
				"yet far fewer small firms export than large ones: finding the rules, proving origin and paying for paperwork weigh more on them. " +
				"Speakers from business, a single-window operator and a delegation look at what would make trade simpler for them.",
			DescriptionFR: "Vendre à l'étranger, directement ou par la chaîne d'approvisionnement d'une grande entreprise, permet à une petite entreprise de trouver de nouveaux clients et de croître ; " +
				"pourtant les petites entreprises exportent bien moins que les grandes : trouver les règles, prouver l'origine et payer les formalités pèsent plus lourd pour elles. " +
				"Des intervenants du monde des affaires, d'un guichet unique et d'une délégation cherchent ce qui leur simplifierait le commerce.",
			People: []store.SessionPerson{
				person(store.SessionSpeaker, "Mike Cherry", "National Chairman", "UK Federation of Small Businesses (FSB)",
					[2]string{"Président national", "Fédération des petites entreprises du Royaume-Uni (FSB)"},
					[2]string{"Presidente nacional", "Federación de Pequeñas Empresas del Reino Unido (FSB)"}),
				person(store.SessionSpeaker, "Jalal Benhayoun", "Director General", "PORTNET (Morocco)",
					[2]string{"Directeur général", "PORTNET (Maroc)"}, [2]string{"Director General", "PORTNET (Marruecos)"}),
				person(store.SessionSpeaker, "Andrew Staines", "Ambassador and Deputy Permanent Representative of the United Kingdom to the UN and the WTO in Geneva", "",
					[2]string{"Ambassadeur et Représentant permanent adjoint du Royaume-Uni auprès de l'ONU et de l'OMC à Genève", ""},
					[2]string{"Embajador y Representante Permanente Adjunto del Reino Unido ante las Naciones Unidas y la OMC en Ginebra", ""}),
				person(store.SessionModerator, "James Sibley", "Deputy Head of European and International Affairs", "UK FSB",
					[2]string{"Chef adjoint des affaires européennes et internationales", ""},
					[2]string{"Subjefe de Asuntos Europeos e Internacionales", ""}),
			}},
		{StartsAt: at(15, 0), EndsAt: at(15, 20), Venue: afternoon,
			Title: "Welcome", TitleFR: "Mots de bienvenue", TitleES: "Bienvenida",
			People: []store.SessionPerson{
				alanWolff(store.SessionOpening),
				person(store.SessionOpening, "Dorothy Tembo", "Deputy Executive Director", itc[0],
					[2]string{"Directrice exécutive adjointe", itc[1]}, [2]string{"Directora Ejecutiva Adjunta", itc[2]}),
				person(store.SessionOpening, "Olga Algayerova", "Executive Secretary", "United Nations Economic Commission for Europe",
					[2]string{"Secrétaire exécutive", "Commission économique des Nations Unies pour l'Europe"},
					[2]string{"Secretaria Ejecutiva", "Comisión Económica de las Naciones Unidas para Europa"}),
				person(store.SessionOpening, "Alexandre Epalle", "Director General for Economic Development, Research and Innovation", "Republic and Canton of Geneva",
					[2]string{"Directeur général du développement économique, de la recherche et de l'innovation", "République et canton de Genève"},
					[2]string{"Director General de Desarrollo Económico, Investigación e Innovación", "República y Cantón de Ginebra"}),
			}},
		{StartsAt: at(15, 20), EndsAt: at(16, 0), Venue: afternoon,
			Title:   "Impact investment for micro, small and medium-sized enterprises",
			TitleFR: "Investissements d'impact pour les micro, petites et moyennes entreprises",
			TitleES: "Inversión de impacto para las micro, pequeñas y medianas empresas",
			People: []store.SessionPerson{
				person(store.SessionSpeaker, "Fabio Sofia", "President", "Sustainable Finance Geneva",
					[2]string{"Président", ""}, [2]string{"Presidente", ""}),
				person(store.SessionSpeaker, "Freda Ampofo", "Founder", "Kaeme, Ghana",
					[2]string{"Fondatrice", ""}, [2]string{"Fundadora", ""}),
				person(store.SessionSpeaker, "Ndeye Thiaw", "Co-founder", "Brightmore Capital, Senegal",
					[2]string{"Co-fondatrice", "Brightmore Capital, Sénégal"}, [2]string{"Cofundadora", "Brightmore Capital, Senegal"}),
				person(store.SessionModerator, "Crispin Conroy", "Permanent Observer to the United Nations Office at Geneva", "International Chamber of Commerce",
					[2]string{"Observateur permanent auprès de l'Office des Nations Unies à Genève", "Chambre de commerce internationale"},
					[2]string{"Observador Permanente ante la Oficina de las Naciones Unidas en Ginebra", "Cámara de Comercio Internacional"}),
			}},
		{StartsAt: at(16, 0), EndsAt: at(17, 30), Venue: afternoon,
			Title:   "Launch of the SME Competitiveness Outlook 2019: Big Money for Small Business",
			TitleFR: "Lancement de Perspective de la compétitivité des PME 2019 : Financements solides pour petites entreprises",
			TitleES: "Presentación de Perspectivas de competitividad de las pymes 2019: Grandes capitales para pequeñas empresas",
			Description: "More investment in small firms in developing countries means more jobs and better practices, and moves the economy towards the " +
				"Sustainable Development Goals. This year's report is about bringing global investors and local small businesses together.",
			DescriptionFR: "Investir davantage dans les petites entreprises des pays en développement, c'est plus d'emplois, de meilleures pratiques et une économie " +
				"qui avance vers les objectifs de développement durable. Le rapport de cette année rapproche les investisseurs mondiaux et les petites entreprises locales.",
			People: []store.SessionPerson{
				cancela(store.SessionSpeaker),
				person(store.SessionSpeaker, "Marion Jansen", "Chief Economist, Division of Market Development", itc[0],
					[2]string{"Économiste en chef, Division du développement des marchés", itc[1]},
					[2]string{"Economista Jefe, División de Desarrollo de Mercados", itc[2]}),
				person(store.SessionSpeaker, "Afua Asabea Asare", "Chief Executive", "Ghana Export Promotion Authority",
					[2]string{"Directrice exécutive", "Centre pour la promotion des exportations du Ghana"},
					[2]string{"Directora Ejecutiva", "Autoridad de Promoción de las Exportaciones de Ghana"}),
				person(store.SessionSpeaker, "Gulbakhor Makhkamova", "Executive Director", "National Association of Business Women of Tajikistan",
					[2]string{"Directrice exécutive", ""}, [2]string{"Directora Ejecutiva", ""}),
				person(store.SessionModerator, "Jacqueline Coté", "Director of Public Relations", "Graduate Institute of International and Development Studies",
					[2]string{"Directrice des relations publiques", "Institut de hautes études internationales et du développement"},
					[2]string{"Directora de Relaciones Públicas", "Instituto de Altos Estudios Internacionales y del Desarrollo"}),
			}},
		{StartsAt: at(17, 30), EndsAt: at(17, 40), Venue: afternoon,
			Title: "Closing remarks", TitleFR: "Observations finales", TitleES: "Palabras de clausura",
			People: []store.SessionPerson{person(store.SessionOpening, "Arancha González", "Executive Director", itc[0],
				[2]string{"Directrice exécutive", itc[1]}, [2]string{"Directora Ejecutiva", itc[2]})}},
		{StartsAt: at(17, 40), EndsAt: at(19, 0), Venue: afternoon,
			Title: "Reception", TitleFR: "Cocktail", TitleES: "Cóctel", People: []store.SessionPerson{}},
	}
}

var msmeDayCoOrganisers = []store.CoOrganiser{
	{Name: "UK Federation of Small Businesses (FSB)", NameFR: "Fédération des petites entreprises du Royaume-Uni (FSB)",
		NameES: "Federación de Pequeñas Empresas del Reino Unido (FSB)", URL: "https://www.fsb.org.uk"},
	{Name: "International Trade Centre (ITC)", NameFR: "Centre du commerce international (CCI)", NameES: "Centro de Comercio Internacional (ITC)",
		URL: "https://intracen.org"},
	{Name: "Republic and State of Geneva", NameFR: "République et État de Genève", NameES: "República y Estado de Ginebra", URL: "https://www.ge.ch"},
	{Name: "Sustainable Finance Geneva (SFG)", URL: "https://www.sfgeneva.org"},
}

// loadProgramme gives MSME Day 2019 its programme, co-organisers and side
// event, unless it has a programme already.
func loadProgramme(ctx context.Context, st *store.Store, rep *Report) error {
	geneva, err := time.LoadLocation("Europe/Zurich")
	if err != nil {
		return err
	}
	at := func(h, m int) time.Time { return time.Date(2019, time.June, 27, h, m, 0, 0, geneva) }
	mainID, err := st.EventIDByTitle(ctx, msmeDay2019)
	if err != nil || mainID == 0 {
		return err
	}
	existing, err := st.EventSessions(ctx, mainID)
	if err != nil || len(existing) > 0 {
		return err
	}
	for _, sess := range msmeDaySessions(at) {
		sess.EventID = mainID
		if err := st.SaveEventSession(ctx, 0, &sess); err != nil {
			return fmt.Errorf("demo session %q: %w", sess.Title, err)
		}
		rep.Sessions++
	}
	if err := st.SaveEventLinks(ctx, 0, mainID, 0, msmeDayCoOrganisers); err != nil {
		return fmt.Errorf("demo co-organisers: %w", err)
	}
	lab := store.Event{Title: "Impact Investment Lab", StartsAt: at(9, 0), EndsAt: at(12, 0), Timezone: "Europe/Zurich",
		Place: "International Trade Centre, Geneva", Visibility: store.Public,
		Programme: "A side event of MSME Day held at the ITC in the morning: investors and small firms from developing countries " +
			"work through what makes a small business ready for impact investment."}
	labID, err := st.EventIDByTitle(ctx, lab.Title)
	if err != nil {
		return err
	}
	if labID == 0 {
		if err := st.SaveEvent(ctx, 0, &lab); err != nil {
			return fmt.Errorf("demo side event: %w", err)
		}
		labID = lab.ID
		rep.Events++
	}
	return st.SaveEventLinks(ctx, 0, labID, mainID, nil)
}
