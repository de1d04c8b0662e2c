package main

import (
	"encoding/json"
	"fmt"
	"os"
	"runtime"
	"text/tabwriter"
)

// report prints a table for people and one JSON line for scripts, both on
// standard output.
func report(cfg config, load string, results []result) {
	generator := "go"
	if cfg.wrk {
		generator = fmt.Sprintf("wrk -t%d", min(cfg.wrkThreads, cfg.connections))
	}
	fmt.Printf("\nhttpbench: %s, %d connections, %s each (after %s warm-up), load generator %s\n",
		cfg.engine, cfg.connections, cfg.duration, cfg.warmup, generator)
	fmt.Printf("machine: %d CPUs, load average before the run %s (the generator shares the machine with the server and its database)\n\n",
		runtime.NumCPU(), load)
	w := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(w, "scenario\treader\treq/s\tp50 ms\tp90 ms\tp99 ms\tmax ms\terrors\tKB/page\t")
	for _, r := range results {
		fmt.Fprintf(w, "%s\t%s\t%.0f\t%.1f\t%.1f\t%.1f\t%.1f\t%d\t%.1f\t\n",
			r.Name, r.Reader, r.ReqPerSec, r.P50, r.P90, r.P99, r.Max, r.Errors, float64(r.Bytes)/1024)
	}
	w.Flush()
	line, _ := json.Marshal(map[string]any{
		"bench": "http", "engine": cfg.engine, "connections": cfg.connections, "duration_s": cfg.duration.Seconds(),
		"generator": generator, "cpus": runtime.NumCPU(), "load_average": load, "scenarios": results,
	})
	fmt.Printf("\n%s\n", line)
}
