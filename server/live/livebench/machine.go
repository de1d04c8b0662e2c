package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// procStat is what /proc says of a process: CPU used so far, resident
// memory now and at its peak.
type procStat struct {
	cpu      time.Duration
	rss, hwm int64 // KiB
}

// clockTick is USER_HZ, 100 on every Linux this runs on.
const clockTick = 100

func readProc(pid int) (procStat, error) {
	var ps procStat
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return ps, err
	}
	// The command name may hold spaces; the fields after it do not.
	i := strings.LastIndexByte(string(data), ')')
	if i < 0 {
		return ps, errors.New("unreadable /proc stat")
	}
	f := strings.Fields(string(data[i+1:]))
	if len(f) < 13 {
		return ps, errors.New("short /proc stat")
	}
	utime, _ := strconv.ParseInt(f[11], 10, 64)
	stime, _ := strconv.ParseInt(f[12], 10, 64)
	ps.cpu = time.Duration(utime+stime) * time.Second / clockTick

	st, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return ps, err
	}
	defer st.Close()
	sc := bufio.NewScanner(st)
	for sc.Scan() {
		k, v, _ := strings.Cut(sc.Text(), ":")
		kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
		switch k {
		case "VmRSS":
			ps.rss = kb
		case "VmHWM":
			ps.hwm = kb
		}
	}
	return ps, sc.Err()
}

// machineCPU is the time of all CPUs from /proc/stat, in ticks: busy
// (user, system, interrupts), of which softirq (much of the loopback
// network's work, which no process is charged for), stolen by the
// hypervisor, and the total.
type machineCPU struct{ busy, softirq, steal, total int64 }

func readMachineCPU() machineCPU {
	data, err := os.ReadFile("/proc/stat")
	if err != nil {
		return machineCPU{}
	}
	line, _, _ := strings.Cut(string(data), "\n")
	f := strings.Fields(line)
	var m machineCPU
	// user nice system idle iowait irq softirq steal (guest time is
	// already counted in user).
	for i, v := range f[1:min(len(f), 9)] {
		n, _ := strconv.ParseInt(v, 10, 64)
		m.total += n
		switch i {
		case 3, 4: // idle, iowait
		case 6:
			m.softirq += n
			m.busy += n
		case 7:
			m.steal += n
		default:
			m.busy += n
		}
	}
	return m
}

// services is the CPU used so far by each Postgres and Redis process
// (those serving other work on the machine included, if they share them).
type services map[int]serviceCPU

type serviceCPU struct {
	redis bool
	cpu   time.Duration
}

func readServices() services {
	out := services{}
	dirs, _ := os.ReadDir("/proc")
	for _, d := range dirs {
		pid, err := strconv.Atoi(d.Name())
		if err != nil {
			continue
		}
		data, err := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid))
		if err != nil {
			continue
		}
		comm := strings.TrimSpace(string(data))
		if comm != "postgres" && comm != "redis-server" {
			continue
		}
		if ps, err := readProc(pid); err == nil {
			out[pid] = serviceCPU{redis: comm == "redis-server", cpu: ps.cpu}
		}
	}
	return out
}

// since is the CPU used from before to s, by Postgres and by Redis: a
// process that ended meanwhile is left out, one that started counts whole.
func (s services) since(before services) (pg, redis time.Duration) {
	for pid, now := range s {
		d := now.cpu - before[pid].cpu
		if d < 0 {
			d = now.cpu // the pid was reused
		}
		if now.redis {
			redis += d
		} else {
			pg += d
		}
	}
	return pg, redis
}

// selfCPU is the CPU the load generator has used.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func cores() int { return runtime.NumCPU() }

// quietCheck lets the instances settle for two seconds and says how busy
// the machine was meanwhile: anything else running then (a compiler, a
// test suite) will run during the measurement too and weigh on it.
func (b *bench) quietCheck(ctx context.Context) float64 {
	m0 := readMachineCPU()
	_ = sleep(ctx, 2*time.Second)
	m1 := readMachineCPU()
	if m1.total <= m0.total {
		return 0
	}
	pct := 100 * float64(m1.busy-m0.busy) / float64(m1.total-m0.total)
	if pct > 10 {
		logf("warning: the machine was %.0f%% busy while nothing was asked of it: other work is running and will weigh on the figures", pct)
	}
	return pct
}

// waitQuiet waits, at most max, for a second in which the machine is
// mostly idle (the instances and the clients are, at this point), so that
// the posting window is less likely to share the cores with other work.
func waitQuiet(ctx context.Context, max time.Duration) error {
	deadline := time.Now().Add(max)
	for {
		m0 := readMachineCPU()
		if err := sleep(ctx, time.Second); err != nil {
			return err
		}
		m1 := readMachineCPU()
		pct := 0.0
		if m1.total > m0.total {
			pct = 100 * float64(m1.busy-m0.busy) / float64(m1.total-m0.total)
		}
		if pct <= 15 {
			logf("machine quiet (%.0f%% busy); starting", pct)
			return nil
		}
		if time.Now().After(deadline) {
			logf("warning: the machine is still %.0f%% busy after waiting %s; starting anyway", pct, max)
			return nil
		}
	}
}
