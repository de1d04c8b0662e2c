package demo

import (
	"time"

	"ideasx/store"
)

// documents is the demo library. The texts are this project's own summaries
// of what the working group's June 2019 newsletter reports.
func documents() []demoDoc {
	return []demoDoc{
		{
			key: "work-programme", symbol: "INF/MSME/W/1", title: "Work programme of the informal working group on MSMEs",
			category: "official-documents", date: day(2018, time.March, 12), tags: []string{"work programme"},
			summary: "The first work programme of the group: the themes it means to address for micro, small and medium-sized enterprises, " +
				"from **access to information** to **trade finance**, and how members will work on them.",
			files: map[string][]string{"en": {"The group will examine the obstacles that micro, small and medium-sized enterprises meet when they trade across borders, theme by theme."}},
		},
		{
			key: "work-programme-rev1", symbol: "INF/MSME/W/1/Rev.1", title: "Work programme of the informal working group on MSMEs, first revision",
			category: "official-documents", date: day(2018, time.June, 20), revises: "work-programme", tags: []string{"work programme"},
			summary: "The work programme revised after the first meetings: a standing agenda and regular open meetings.",
			files:   map[string][]string{"en": {"Revised to add a standing agenda, adopted for the open meetings of the group."}},
		},
		{
			key: "work-programme-rev2", symbol: "INF/MSME/W/1/Rev.2", title: "Work programme of the informal working group on MSMEs, second revision",
			category: "official-documents", date: day(2018, time.November, 28), revises: "work-programme-rev1", tags: []string{"work programme"},
			summary: "The current work programme, with the standing agenda adopted in November 2018 that the 2019 meetings follow:\n\n" +
				"- access to information\n- trade finance\n- trade facilitation and customs\n- e-commerce and digitalisation\n- rules of origin\n- skills and capacity building",
			files: map[string][]string{
				"en": {"Standing agenda: updates from members, presentations by international organisations, and a dialogue with the private sector."},
				"fr": {"Ordre du jour permanent : informations des Membres, exposés des organisations internationales et dialogue avec le secteur privé."},
				"es": {"Orden del día permanente: información de los Miembros, exposiciones de organizaciones internacionales y diálogo con el sector privado."},
			},
		},
		{
			key: "tpr-proposal", symbol: "INF/MSME/W/3/Rev.1", title: "Including information on MSMEs in Trade Policy Reviews",
			category: "official-documents", date: day(2019, time.February, 14), tags: []string{"trade policy review", "transparency"},
			summary: "A joint proposal by Argentina, Brazil, Canada and Uruguay: governments could choose to describe, in their Trade Policy Reviews, " +
				"what they do for small businesses, so that others can learn from it.",
			files: map[string][]string{
				"en": {"Members are invited, on a voluntary basis, to include in their Trade Policy Review reports a section on measures that help small firms trade."},
				"es": {"Se invita a los Miembros a incluir, de forma voluntaria, una sección sobre las medidas que ayudan a las pequeñas empresas a comerciar."},
			},
		},
		{
			key: "report-feb-2019", symbol: "INF/MSME/R/9", title: "Report of the open meeting of 22 February 2019",
			category: "meeting-reports", date: day(2019, time.March, 8), tags: []string{"open meeting", "trade in value added"},
			summary: "Fifty-eight delegations took part in the first open meeting of 2019, chaired by the Ambassador of Uruguay. " +
				"Switzerland and the ITC presented the Global Trade Helpdesk; Mexico suggested a public online tool to gather what the group has learnt; " +
				"Canada described its *small business lens* for regulators; the OECD presented the trade in value added (TiVA) database.",
			files: map[string][]string{
				"en": {"Fifty-eight delegations attended, seven of them observers. The meeting followed the standing agenda adopted in November 2018."},
				"fr": {"Cinquante-huit délégations ont participé à la réunion, tenue à Genève, qui a suivi l'ordre du jour permanent."},
			},
		},
		{
			key: "newsletter-june-2019", title: "Newsletter, June 2019",
			category: "newsletters", date: day(2019, time.June, 14), tags: []string{"newsletter", "msme day"},
			summary: "The June newsletter: the programme of MSME Day on 27 June, a look back at the February meeting, the workshops on cyber readiness " +
				"and on digitalisation, Mongolia joining the group, and the launch of the Ideas Exchange platform with the International Chamber of Commerce.",
			files: map[string][]string{
				"en": {"MSME Day 2019 will be celebrated in Geneva with trade facilitation in the morning and impact investment in the afternoon."},
				"fr": {"La Journée des MPME 2019 sera célébrée à Genève : facilitation des échanges le matin, investissement d'impact l'après-midi."},
				"es": {"El Día de las mipymes 2019 se celebrará en Ginebra: facilitación del comercio por la mañana e inversión de impacto por la tarde."},
			},
		},
		{
			key: "cyber-workshop", title: "Cyber readiness for small businesses: workshop notes",
			category: "presentations", date: day(2019, time.March, 27), tags: []string{"cybersecurity"},
			summary: "The Cyber Readiness Institute presented a free online programme that helps small firms protect themselves. " +
				"Many small businesses suffer attacks because they lack the tools and the awareness; members were encouraged to build a global network on the subject.",
			files: map[string][]string{"en": {"A free programme, built by business leaders and security experts, trains small firms to secure their systems."}},
		},
		{
			key: "digital-workshop", title: "SME digitalisation and global e-commerce: workshop summary",
			category: "presentations", date: day(2019, time.May, 16), tags: []string{"e-commerce", "digitalisation"},
			summary: "A workshop organised by the delegation of Romania on how digital platforms, online payments and delivery options open markets to small firms.",
			files: map[string][]string{
				"en": {"Speakers from public and private sectors discussed the effects of digitalisation on small firms, with examples from online marketplaces."},
				"es": {"Representantes de los sectores público y privado examinaron los efectos de la digitalización en las pequeñas empresas."},
			},
		},
		{
			key: "agenda-workshop", title: "Demystifying the MSME agenda: workshop notes",
			category: "presentations", date: day(2019, time.March, 7), tags: []string{"private sector"},
			summary: "A workshop for members and observers on what the MSME agenda means at the WTO, with views from business associations in Mauritius and Asia.",
		},
		{
			key: "tiva-study", title: "Measuring small firms' part in global value chains",
			category: "studies", date: day(2019, time.April, 2), tags: []string{"trade in value added", "statistics"},
			summary: "How trade in value added statistics can show the indirect exports of small firms that supply larger exporters.",
			files:   map[string][]string{"en": {"Small firms often export indirectly, as suppliers of larger exporters; value added statistics make this visible."}},
		},
		{
			key: "recommendations-draft", symbol: "INF/MSME/W/20", title: "Towards recommendations on access to information (members only)",
			category: "official-documents", date: day(2019, time.October, 1), visibility: store.MembersOnly, derestrict: ptr(day(2027, time.January, 15)),
			tags:    []string{"access to information"},
			summary: "A members-only note preparing recommendations on how governments can make trade information easier for small firms to find.",
			files:   map[string][]string{"en": {"Members discussed a single online point of entry for the rules, procedures and fees that apply to exporters."}},
		},
		{
			key: "finance-note", symbol: "INF/MSME/W/18", title: "Trade finance gaps for small exporters",
			category: "studies", date: day(2019, time.May, 30), visibility: store.MembersOnly, derestrict: ptr(day(2020, time.May, 30)),
			tags:    []string{"trade finance"},
			summary: "A note, derestricted since, on why small exporters are refused trade finance more often than large ones and what development banks offer.",
			files:   map[string][]string{"en": {"Rejection rates for trade finance requests are highest for small firms in developing economies."}},
		},
		{
			key: "msme-day-summary", title: "Summary of MSME Day 2019 (draft)",
			category: "meeting-reports", date: day(2019, time.July, 5), status: store.Draft, tags: []string{"msme day"},
			summary: "Draft summary of the sessions of 27 June 2019, waiting for the speakers' review.",
		},
	}
}

// events are the group's 2019 meetings, and one to come.
func events(at func(y int, m time.Month, d, h, min int) time.Time, docs map[string]int64) []store.Event {
	return []store.Event{
		{Title: "First open meeting of 2019", StartsAt: at(2019, time.February, 22, 10, 0), EndsAt: at(2019, time.February, 22, 18, 0),
			Place: "WTO, Centre William Rappard, Geneva", DocumentIDs: []int64{docs["report-feb-2019"], docs["work-programme-rev2"]},
			Programme: "Chaired by the Ambassador of Uruguay, following the standing agenda.\n\n- Global Trade Helpdesk (Switzerland, ITC)\n" +
				"- MSMEs in Trade Policy Reviews (Argentina, Brazil, Canada, Uruguay)\n- Trade in value added (OECD)"},
		{Title: "Workshop: demystifying the MSME agenda", StartsAt: at(2019, time.March, 7, 9, 30), EndsAt: at(2019, time.March, 7, 13, 0),
			Place: "Geneva", DocumentIDs: []int64{docs["agenda-workshop"]},
			Programme: "Members, observers and business associations on the road to recommendations."},
		{Title: "Workshop on cyber readiness", StartsAt: at(2019, time.March, 27, 15, 0), EndsAt: at(2019, time.March, 27, 17, 0),
			Place: "WTO, Geneva", DocumentIDs: []int64{docs["cyber-workshop"]},
			Programme: "A free online programme to make small firms ready for cyber threats."},
		{Title: "Workshop on SME digitalisation and global e-commerce", StartsAt: at(2019, time.May, 16, 10, 0), EndsAt: at(2019, time.May, 16, 13, 0),
			Place: "WTO, Geneva", DocumentIDs: []int64{docs["digital-workshop"]},
			Programme: "Organised by the delegation of Romania, with speakers from governments, international organisations and online marketplaces."},
		{Title: "MSME Day 2019", StartsAt: at(2019, time.June, 27, 10, 0), EndsAt: at(2019, time.June, 27, 17, 30),
			Place: "WTO and ITC, Geneva", DocumentIDs: []int64{docs["newsletter-june-2019"]},
			Programme: "**Morning** — how to make trade easier for small businesses, with the UK Federation of Small Businesses.\n\n" +
				"**Afternoon** — impact investment for small firms, and the launch of the ITC's *SME Competitiveness Outlook 2019*."},
		{Title: "Second open meeting of 2019", StartsAt: at(2019, time.June, 28, 10, 0), EndsAt: at(2019, time.June, 28, 18, 0),
			Place: "WTO, Centre William Rappard, Geneva", Programme: "Regular open meeting of the informal working group."},
		{Title: "Third open meeting of 2019", StartsAt: at(2019, time.October, 1, 10, 0), EndsAt: at(2019, time.October, 2, 18, 0),
			Place: "WTO, Centre William Rappard, Geneva", DocumentIDs: []int64{docs["recommendations-draft"]},
			Programme: "Two days of discussion on the draft recommendations."},
		{Title: "Fourth open meeting of 2019", StartsAt: at(2019, time.November, 27, 10, 0), EndsAt: at(2019, time.November, 28, 18, 0),
			Place: "WTO, Centre William Rappard, Geneva", Programme: "Last open meeting of the year."},
		{Title: "MSME Day 2027", StartsAt: at(2027, time.June, 28, 9, 30), EndsAt: at(2027, time.June, 28, 17, 0),
			Place: "Geneva", OnlineURL: "https://example.org/msme-day-2027",
			Programme: "Businesses and delegations meet to discuss the challenges posted on Ideas Exchange during the year."},
	}
}
