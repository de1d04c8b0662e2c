package store

// SetSearchBounds makes forum search look among window posts first and
// rank candidates, for a test to see its windows at work on a few posts;
// the returned function puts them back.
func SetSearchBounds(window int64, candidates int) func() {
	w, c := searchWindow, searchCandidates
	searchWindow, searchCandidates = window, candidates
	return func() { searchWindow, searchCandidates = w, c }
}
