package main

import "testing"

// A wrk 4.1 report with --latency, as it prints it, units mixed.
const wrkSample = `Running 10s test @ http://127.0.0.1:46369/documents
  2 threads and 32 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    45.20ms   12.01ms   1.02s    91.50%
    Req/Sec   340.12     40.10   420.00     70.00%
  Latency Distribution
     50%  812.00us
     75%   48.00ms
     90%   55.50ms
     99%    1.50m
  6720 requests in 10.00s, 85.20MB read
  Socket errors: connect 0, read 1, write 0, timeout 2
  Non-2xx or 3xx responses: 3
Requests/sec:    672.00
Transfer/sec:      8.52MB
`

func TestParseWrkReadsRateRequestsPercentilesAndErrors(t *testing.T) {
	r, err := parseWrk(wrkSample)
	if err != nil {
		t.Fatal(err)
	}
	want := result{Requests: 6720, Errors: 6, ReqPerSec: 672, P50: 0.812, P90: 55.5, P99: 90000, Max: 1020}
	if r != want {
		t.Errorf("parseWrk = %+v, want %+v", r, want)
	}
}

func TestParseWrkRefusesAReportWithoutRate(t *testing.T) {
	if _, err := parseWrk("unable to connect to 127.0.0.1:1 Connection refused\n"); err == nil {
		t.Error("parseWrk accepted output without Requests/sec")
	}
}
