package main

import (
	"context"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime/pprof"
	"strconv"
	"time"
)

// profiler writes CPU profiles of the spread phase (-profile): this
// process's own, and the server's from its pprof listener.
type profiler struct {
	dir, addr string
}

// newProfiler picks a free port for the server's pprof listener and adds
// WALLET_PPROF_ADDR to its environment.
func newProfiler(dir string, env []string) (*profiler, []string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, env, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, env, err
	}
	addr := ln.Addr().String()
	ln.Close()
	return &profiler{dir: dir, addr: addr}, append(env, "WALLET_PPROF_ADDR="+addr), nil
}

// start begins both profiles for about d; the returned function ends them
// and waits for the server's. A nil profiler does nothing.
func (p *profiler) start(ctx context.Context, d time.Duration) func() {
	if p == nil {
		return func() {}
	}
	self, err := os.Create(filepath.Join(p.dir, "walletbench.pprof"))
	if err == nil {
		err = pprof.StartCPUProfile(self)
	}
	if err != nil {
		log.Printf("profile: %v", err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := p.fetch(ctx, d); err != nil {
			log.Printf("profile: server: %v", err)
		}
	}()
	return func() {
		pprof.StopCPUProfile()
		if self != nil {
			self.Close()
		}
		<-done
		log.Printf("profiles in %s: go tool pprof -top %s", p.dir, filepath.Join(p.dir, "server.pprof"))
	}
}

func (p *profiler) fetch(ctx context.Context, d time.Duration) error {
	secs := max(1, int(d.Seconds()))
	req, err := http.NewRequestWithContext(ctx, http.MethodGet,
		"http://"+p.addr+"/debug/pprof/profile?seconds="+strconv.Itoa(secs), nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("HTTP %d", resp.StatusCode)
	}
	f, err := os.Create(filepath.Join(p.dir, "server.pprof"))
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = io.Copy(f, resp.Body)
	return err
}
