// Package clientaddr finds the address of the person behind a request that
// may have come through reverse proxies the operator runs.
package clientaddr

import (
	"fmt"
	"net/http"
	"net/netip"
	"strings"
)

// Trusted is the set of proxies whose X-Forwarded-For entries are believed.
// The zero value trusts no one: the client is the direct peer.
type Trusted []netip.Prefix

// Parse reads a comma-separated list of CIDR ranges or single addresses
// ("10.0.0.0/8, 172.16.0.0/12, 127.0.0.1, ::1"); an empty list trusts no one.
func Parse(s string) (Trusted, error) {
	var t Trusted
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if strings.Contains(f, "/") {
			p, err := netip.ParsePrefix(f)
			if err != nil {
				return nil, fmt.Errorf("%q is not a CIDR range such as 10.0.0.0/8", f)
			}
			// 10.1.2.3/8 means 10.0.0.0/8: the host bits say nothing more.
			t = append(t, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(f)
		if err != nil || a.Zone() != "" {
			return nil, fmt.Errorf("%q is neither an IP address nor a CIDR range such as 10.0.0.0/8", f)
		}
		a = a.Unmap()
		t = append(t, netip.PrefixFrom(a, a.BitLen()))
	}
	return t, nil
}

// String lists the ranges as Parse reads them.
func (t Trusted) String() string {
	s := make([]string, len(t))
	for i, p := range t {
		s[i] = p.String()
	}
	return strings.Join(s, ",")
}

// Contains reports whether a is one of the trusted proxies.
func (t Trusted) Contains(a netip.Addr) bool {
	// A dual-stack listener may show an IPv4 peer as ::ffff:a.b.c.d, which
	// an IPv4 range does not contain; zones never match a prefix either.
	a = a.Unmap().WithZone("")
	for _, p := range t {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// Client is the address to rate-limit and log: the direct peer unless it
// is a trusted proxy; then the right-most X-Forwarded-For entry that is not
// a trusted proxy, walking from the right. Each entry was written by the
// hop to its right, so an entry is only believed while every hop after it
// is trusted; a client's own X-Forwarded-For ends up on the left, where the
// walk has stopped before reaching it.
func (t Trusted) Client(r *http.Request) string {
	return t.client(r.RemoteAddr, r.Header.Values("X-Forwarded-For"))
}

func (t Trusted) client(remoteAddr string, xff []string) string {
	peer, ok := parse(remoteAddr)
	if !ok {
		return remoteAddr
	}
	if !t.Contains(peer) {
		return peer.String()
	}
	// Several X-Forwarded-For lines are one list, in order (RFC 9110 5.3).
	var hops []string
	for _, line := range xff {
		hops = append(hops, strings.Split(line, ",")...)
	}
	last := peer
	for i := len(hops) - 1; i >= 0; i-- {
		a, ok := parse(strings.TrimSpace(hops[i]))
		if !ok {
			// An unreadable entry ("unknown", an obfuscated name, garbage)
			// ends the walk at the last hop we could read. Using it as the
			// address would let whoever wrote it choose a rate-limit bucket;
			// skipping it would believe entries no trusted hop vouched for.
			return last.String()
		}
		if !t.Contains(a) {
			return a.String()
		}
		last = a
	}
	// Every hop is a trusted proxy: the client is inside the trusted
	// ranges itself (an office behind the same proxy), and the left-most
	// entry is the first address a proxy saw.
	return last.String()
}

// parse reads "addr", "addr:port" or "[v6]:port", the forms proxies write.
func parse(s string) (netip.Addr, bool) {
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().Unmap(), true
	}
	// Brackets without a port are what some proxies write for IPv6.
	a, err := netip.ParseAddr(strings.TrimSuffix(strings.TrimPrefix(s, "["), "]"))
	if err != nil {
		return netip.Addr{}, false
	}
	return a.Unmap(), true
}
