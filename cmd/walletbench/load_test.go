package main

import (
	"os"
	"path/filepath"
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

func TestTimelineWrite(t *testing.T) {
	var none *timeline
	none.add(time.Millisecond, time.Millisecond) // a phase without a timeline keeps nothing
	tl := &timeline{start: time.UnixMicro(1_796_694_365_699_369)}
	tl.add(1500*time.Microsecond, 2*time.Millisecond)
	tl.add(0, 125250*time.Microsecond)
	path := filepath.Join(t.TempDir(), "tl.txt")
	if err := tl.write(path); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	want := "# start 1796694365699369\n1.500 2.000\n0.000 125.250\n"
	if string(got) != want {
		t.Errorf("timeline file:\n%s\nwant:\n%s", got, want)
	}
}
