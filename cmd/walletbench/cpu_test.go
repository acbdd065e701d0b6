package main

import (
	"os"
	"testing"
	"time"
)

// procCPU reads the same clock getrusage does (to /proc's 10 ms grain).
func TestProcCPU(t *testing.T) {
	for end := time.Now().Add(50 * time.Millisecond); time.Now().Before(end); {
	}
	got, ok := procCPU(os.Getpid())
	self := selfCPU()
	if !ok || got <= 0 || got > self+20*time.Millisecond {
		t.Fatalf("procCPU = %v, %t; getrusage says %v", got, ok, self)
	}
	if _, ok := procCPU(0); ok {
		t.Fatal("pid 0 has no CPU")
	}
}

func TestCPUStats(t *testing.T) {
	c := newCPUStats(1000, time.Second, 2*time.Second, 500*time.Millisecond, 3)
	if c.ServerMs != 1 || c.PostgresMs != 2 || c.ClientMs != 0.5 || c.TotalMs != 3.5 {
		t.Fatalf("%+v", c)
	}
	r := &result{Spread: &phaseStats{CPU: c}, Hot: &phaseStats{}, Pgbench: pgbenchResult{CPU: newCPUStats(1000, 0, time.Second, 0, 1)}}
	r.evaluate()
	if r.CPUBoundRatio != round(1/3.5, 2) {
		t.Fatalf("cpuBoundRatio %v", r.CPUBoundRatio)
	}
}

func TestDBNameOf(t *testing.T) {
	if got := dbNameOf("postgres://u@h:5432/wallet_bench_x?sslmode=disable"); got != "wallet_bench_x" {
		t.Fatal(got)
	}
}
