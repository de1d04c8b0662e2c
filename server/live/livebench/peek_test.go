package main

import "testing"

func TestPeek(t *testing.T) {
	for _, c := range []struct {
		line    string
		typ     string
		seq, id int64
	}{
		{`{"type":"post.created","topic":"thread:1","seq":12,"data":{"id":345,"thread_id":1}}`, "post.created", 12, 345},
		{`{"topic":"thread:1","type":"post.created","data":{"thread_id":1,"id":7},"seq":3}`, "post.created", 3, 7},
		{`{"type":"subscribed","topic":"thread:1","seq":1}`, "subscribed", 0, 0},
		{`not json`, "", 0, 0},
	} {
		typ, seq, id := peek([]byte(c.line))
		if typ != c.typ || seq != c.seq || id != c.id {
			t.Errorf("peek(%s) = %q %d %d, want %q %d %d", c.line, typ, seq, id, c.typ, c.seq, c.id)
		}
	}
}
