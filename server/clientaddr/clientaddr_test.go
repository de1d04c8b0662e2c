package clientaddr

import (
	"net/http/httptest"
	"strings"
	"testing"
)

func TestClient(t *testing.T) {
	t.Parallel()
	trusted, err := Parse("10.0.0.0/8, 172.16.0.0/12,127.0.0.1,fd00::/8")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, trusted, peer string
		xff                 []string
		want                string
	}{
		{"no proxy trusted, header ignored", "", "203.0.113.7:5000", []string{"198.51.100.1"}, "203.0.113.7"},
		{"spoofed header from an untrusted peer", "yes", "203.0.113.7:5000", []string{"10.0.0.1, 198.51.100.1"}, "203.0.113.7"},
		{"one trusted proxy", "yes", "10.1.2.3:443", []string{"198.51.100.1"}, "198.51.100.1"},
		{"one trusted proxy, no header", "yes", "10.1.2.3:443", nil, "10.1.2.3"},
		{"client's own header is left of the proxy's entry", "yes", "10.1.2.3:443", []string{"1.1.1.1, 6.6.6.6, 198.51.100.1"}, "198.51.100.1"},
		{"chain of proxies", "yes", "10.1.2.3:443", []string{"198.51.100.1, 172.17.0.2, 10.9.9.9"}, "198.51.100.1"},
		{"chain across several header lines", "yes", "10.1.2.3:443", []string{"6.6.6.6, 198.51.100.1", "172.17.0.2"}, "198.51.100.1"},
		{"untrusted hop in the middle stops the walk", "yes", "10.1.2.3:443", []string{"198.51.100.1, 192.0.2.50, 10.9.9.9"}, "192.0.2.50"},
		{"client inside the trusted ranges", "yes", "127.0.0.1:443", []string{"10.4.4.4"}, "10.4.4.4"},
		{"all trusted: left-most", "yes", "127.0.0.1:443", []string{"10.4.4.4, 172.16.0.9"}, "10.4.4.4"},
		{"IPv6 client through an IPv6 proxy", "yes", "[fd00::5]:443", []string{"2001:db8::1"}, "2001:db8::1"},
		{"IPv6 client with brackets and port", "yes", "10.1.2.3:443", []string{"[2001:db8::1]:5555"}, "2001:db8::1"},
		{"IPv4 entry with port", "yes", "10.1.2.3:443", []string{"198.51.100.1:5555"}, "198.51.100.1"},
		{"IPv4-mapped peer matches the IPv4 range", "yes", "[::ffff:10.1.2.3]:443", []string{"198.51.100.1"}, "198.51.100.1"},
		{"untrusted IPv6 peer", "yes", "[2001:db8::9]:443", []string{"198.51.100.1"}, "2001:db8::9"},
		{"garbage right after the peer: the peer", "yes", "10.1.2.3:443", []string{"198.51.100.1, unknown"}, "10.1.2.3"},
		{"garbage behind a trusted hop: that hop", "yes", "10.1.2.3:443", []string{"<script>, 10.9.9.9"}, "10.9.9.9"},
		{"empty entries are garbage", "yes", "10.1.2.3:443", []string{"198.51.100.1,,"}, "10.1.2.3"},
		{"garbage left of the client is never read", "yes", "10.1.2.3:443", []string{"not-an-ip, 198.51.100.1"}, "198.51.100.1"},
		{"an address without a port as peer", "yes", "10.1.2.3", []string{"198.51.100.1"}, "198.51.100.1"},
		{"unreadable peer is returned as is", "yes", "@", []string{"198.51.100.1"}, "@"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tr := Trusted(nil)
			if tc.trusted != "" {
				tr = trusted
			}
			r := httptest.NewRequest("GET", "/", nil)
			r.RemoteAddr = tc.peer
			for _, v := range tc.xff {
				r.Header.Add("X-Forwarded-For", v)
			}
			if got := tr.Client(r); got != tc.want {
				t.Errorf("got %s, want %s", got, tc.want)
			}
		})
	}
}

func TestParse(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"":                                   "",
		" 10.0.0.0/8 , 127.0.0.1,":           "10.0.0.0/8,127.0.0.1/32",
		"10.1.2.3/8":                         "10.0.0.0/8",
		"::1,fd00::/8":                       "::1/128,fd00::/8",
		"::ffff:192.0.2.1":                   "192.0.2.1/32",
		"10.0.0.0/8,172.16.0.0/12,127.0.0.1": "10.0.0.0/8,172.16.0.0/12,127.0.0.1/32",
	} {
		got, err := Parse(in)
		if err != nil || got.String() != want {
			t.Errorf("Parse(%q): got %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"10.0.0.0/33", "proxy.example.com", "10.0.0", "true", "fe80::1%eth0"} {
		_, err := Parse(bad)
		if err == nil || !strings.Contains(err.Error(), bad) {
			t.Errorf("Parse(%q): got %v, want an error naming it", bad, err)
		}
	}
}
