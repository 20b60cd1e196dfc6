package faulttest

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"syscall"
	"testing"
)

// Redis is a private redis-server on 127.0.0.1 on its own port, keeping
// nothing on disk.
type Redis struct {
	// Port is the server's TCP port on 127.0.0.1.
	Port int
	path string
	proc *process
}

// LaunchRedis starts a redis-server. Its error wraps ErrMissing when
// redis-server is not installed. The caller must Close it.
func LaunchRedis() (*Redis, error) {
	path, err := ToolBinary("redis-server")
	if err != nil {
		return nil, err
	}
	r := &Redis{path: path}
	for range 3 { // another process may take the free port first
		if r.Port, err = freePort(); err != nil {
			return nil, err
		}
		if err = r.Start(); err == nil {
			return r, nil
		}
	}
	return nil, err
}

// Addr returns "127.0.0.1:PORT".
func (r *Redis) Addr() string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(r.Port)) }

// URL returns "redis://127.0.0.1:PORT/0".
func (r *Redis) URL() string { return "redis://" + r.Addr() + "/0" }

// Start starts the stopped server again on the same port (empty: it keeps
// nothing on disk).
func (r *Redis) Start() error {
	if r.proc != nil {
		return errors.New("faulttest: redis-server already running")
	}
	p, err := startProcess(r.path, []string{"--bind", "127.0.0.1", "--port", strconv.Itoa(r.Port),
		"--save", "", "--appendonly", "no", "--protected-mode", "no", "--daemonize", "no"}, r.Addr())
	if err != nil {
		return fmt.Errorf("faulttest: redis-server: %w", err)
	}
	r.proc = p
	return nil
}

// Stop kills the server (SIGKILL: as a crash) and waits for it to exit.
func (r *Redis) Stop() error {
	err := r.proc.stop(syscall.SIGKILL)
	r.proc = nil
	return err
}

// Close stops the server if it runs.
func (r *Redis) Close() error { return r.Stop() }

// StartRedis starts a redis-server for tb and stops it in tb.Cleanup. It
// skips tb when redis-server is not installed, unless CI=true.
func StartRedis(tb testing.TB) *Redis {
	tb.Helper()
	r, err := LaunchRedis()
	if err != nil {
		skipOrFail(tb, err)
		return nil
	}
	tb.Cleanup(func() { r.Close() })
	return r
}
