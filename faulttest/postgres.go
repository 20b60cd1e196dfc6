package faulttest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Postgres is a private PostgreSQL cluster: made by initdb in its own
// temporary directory, listening on 127.0.0.1 on its own port, with trust
// authentication for the user postgres.
type Postgres struct {
	// Port is the cluster's TCP port on 127.0.0.1.
	Port int
	// Dir is the cluster's directory (data/, the log, the socket).
	Dir    string
	binDir string
	asUser string // "postgres" when run as root, else ""
}

// PostgresOptions are a cluster's settings beyond the defaults.
type PostgresOptions struct {
	// Settings are written to postgresql.conf, e.g. {"fsync": "off"}.
	// listen_addresses, port and unix_socket_directories are set by the
	// package.
	Settings map[string]string
}

// LaunchPostgres makes and starts a cluster. Its error wraps ErrMissing when
// PostgreSQL is not installed. The caller must Close it.
func LaunchPostgres(ctx context.Context, opts PostgresOptions) (*Postgres, error) {
	binDir, err := PostgresBinDir()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "faulttest-pg-")
	if err != nil {
		return nil, err
	}
	pg := &Postgres{Dir: dir, binDir: binDir}
	if os.Geteuid() == 0 {
		// initdb refuses to run as root: the cluster belongs to postgres.
		if _, err := exec.LookPath("runuser"); err != nil {
			os.RemoveAll(dir)
			return nil, fmt.Errorf("%w: runuser (needed to run initdb as postgres under root)", ErrMissing)
		}
		u, err := user.Lookup("postgres")
		if err != nil {
			os.RemoveAll(dir)
			return nil, fmt.Errorf("%w: user postgres (initdb may not run as root): %v", ErrMissing, err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			os.RemoveAll(dir)
			return nil, err
		}
		pg.asUser = "postgres"
	}
	data := filepath.Join(dir, "data")
	if out, err := pg.run(ctx, "initdb", "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C", "--no-sync"); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("faulttest: initdb: %v: %s", err, out)
	}
	var lastErr error
	for range 3 { // another process may take the free port first
		if pg.Port, err = freePort(); err != nil {
			os.RemoveAll(dir)
			return nil, err
		}
		if lastErr = pg.configure(opts); lastErr != nil {
			break
		}
		if lastErr = pg.Start(ctx); lastErr == nil {
			return pg, nil
		}
	}
	pg.Close()
	return nil, lastErr
}

// configure writes the cluster's settings to postgresql.conf (the last
// value of a setting wins, so rewriting appends).
func (pg *Postgres) configure(opts PostgresOptions) error {
	conf := fmt.Sprintf("\n# faulttest\nlisten_addresses = '127.0.0.1'\nport = %d\nunix_socket_directories = '%s'\nmax_connections = 200\n", pg.Port, pg.Dir)
	for k, v := range opts.Settings {
		conf += fmt.Sprintf("%s = '%s'\n", k, strings.ReplaceAll(v, "'", "''"))
	}
	f, err := os.OpenFile(filepath.Join(pg.Dir, "data", "postgresql.conf"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	_, err = f.WriteString(conf)
	return errors.Join(err, f.Close())
}

// run runs one of PostgreSQL's programs, as postgres when we are root.
func (pg *Postgres) run(ctx context.Context, prog string, args ...string) ([]byte, error) {
	path := filepath.Join(pg.binDir, prog)
	var cmd *exec.Cmd
	if pg.asUser != "" {
		cmd = exec.CommandContext(ctx, "runuser", append([]string{"-u", pg.asUser, "--", path}, args...)...)
	} else {
		cmd = exec.CommandContext(ctx, path, args...)
	}
	cmd.Dir = pg.Dir
	return cmd.CombinedOutput()
}

// URL returns the connection URL of the database postgres as user postgres,
// with extra query parameters (e.g. "pool_max_conns=16") appended.
func (pg *Postgres) URL(params ...string) string {
	q := append([]string{"sslmode=disable"}, params...)
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?%s", pg.Port, strings.Join(q, "&"))
}

// Addr returns the cluster's "127.0.0.1:PORT".
func (pg *Postgres) Addr() string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(pg.Port)) }

// Start starts the stopped cluster and waits until it accepts connections.
func (pg *Postgres) Start(ctx context.Context) error {
	out, err := pg.run(ctx, "pg_ctl", "-D", filepath.Join(pg.Dir, "data"), "-l", filepath.Join(pg.Dir, "postgres.log"), "-w", "-t", "60", "start")
	if err != nil {
		return fmt.Errorf("faulttest: pg_ctl start: %v: %s%s", err, out, pg.Log())
	}
	return nil
}

// Stop stops the cluster: mode "fast" (clients disconnected, a clean
// shutdown) or "immediate" (as a crash: recovery from the WAL at the next
// start).
func (pg *Postgres) Stop(ctx context.Context, mode string) error {
	out, err := pg.run(ctx, "pg_ctl", "-D", filepath.Join(pg.Dir, "data"), "-m", mode, "-w", "-t", "60", "stop")
	if err != nil {
		return fmt.Errorf("faulttest: pg_ctl stop: %v: %s", err, out)
	}
	return nil
}

// Log returns the end of the server's log, for failure messages.
func (pg *Postgres) Log() string {
	b, _ := os.ReadFile(filepath.Join(pg.Dir, "postgres.log"))
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	return string(b)
}

// Close stops the cluster (immediately) and removes its directory.
func (pg *Postgres) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	var err error
	if _, serr := os.Stat(filepath.Join(pg.Dir, "data", "postmaster.pid")); serr == nil {
		err = pg.Stop(ctx, "immediate")
	}
	return errors.Join(err, os.RemoveAll(pg.Dir))
}

// StartPostgres makes and starts a cluster for tb and closes it in
// tb.Cleanup. It skips tb when PostgreSQL is not installed, unless CI=true.
func StartPostgres(tb testing.TB, opts PostgresOptions) *Postgres {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	pg, err := LaunchPostgres(ctx, opts)
	if err != nil {
		skipOrFail(tb, err)
		return nil
	}
	tb.Cleanup(func() {
		if err := pg.Close(); err != nil {
			tb.Errorf("faulttest: closing PostgreSQL: %v", err)
		}
	})
	return pg
}
