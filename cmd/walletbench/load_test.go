package main

import (
	"testing"
	"time"
)

func TestPgbenchLatencies(t *testing.T) {
	log := []byte("0 1 1520 0 1764790000 123456 80\n" +
		"1 1 2000 0 1764790000 223456 0\n" +
		"2 7 skipped 0 1764790001 10 5000\n" + // only with --latency-limit
		"3 1 900 0 1764790001 10\n") // no lag column: not a -R log line
	got := pgbenchLatencies(log)
	want := []time.Duration{1600 * time.Microsecond, 2000 * time.Microsecond}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("latency %d = %v, want %v (time + schedule lag)", i, got[i], want[i])
		}
	}
}
