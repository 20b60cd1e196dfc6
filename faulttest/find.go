package faulttest

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
)

// ErrMissing is wrapped by the errors of Launch* functions whose binary is
// not installed.
var ErrMissing = errors.New("faulttest: binary not found")

// ToolBinary returns the path of a test tool (toxiproxy-server,
// redis-server …): in $ADMIT_TOOLS_BIN, else ~/.cache/admit-tools/bin, else
// on PATH. Its error wraps ErrMissing.
func ToolBinary(name string) (string, error) {
	var dirs []string
	if d := os.Getenv("ADMIT_TOOLS_BIN"); d != "" {
		dirs = append(dirs, d)
	}
	if home, err := os.UserHomeDir(); err == nil {
		dirs = append(dirs, filepath.Join(home, ".cache", "admit-tools", "bin"))
	}
	for _, d := range dirs {
		p := filepath.Join(d, name)
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	if p, err := exec.LookPath(name); err == nil {
		return p, nil
	}
	return "", fmt.Errorf("%w: %s (looked in $ADMIT_TOOLS_BIN, ~/.cache/admit-tools/bin and PATH)", ErrMissing, name)
}

// PostgresBinDir returns the newest /usr/lib/postgresql/*/bin holding
// initdb, pg_ctl and postgres, else the directory of initdb on PATH. Its
// error wraps ErrMissing.
func PostgresBinDir() (string, error) {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	slices.SortFunc(dirs, func(a, b string) int { return versionOf(b) - versionOf(a) })
	for _, d := range dirs {
		if hasAll(d, "initdb", "pg_ctl", "postgres") {
			return d, nil
		}
	}
	if p, err := exec.LookPath("initdb"); err == nil && hasAll(filepath.Dir(p), "pg_ctl", "postgres") {
		return filepath.Dir(p), nil
	}
	return "", fmt.Errorf("%w: initdb, pg_ctl and postgres (looked in /usr/lib/postgresql/*/bin and PATH)", ErrMissing)
}

func versionOf(binDir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return n
}

func hasAll(dir string, names ...string) bool {
	for _, n := range names {
		if _, err := os.Stat(filepath.Join(dir, n)); err != nil {
			return false
		}
	}
	return true
}

// freePort returns a loopback TCP port that was free a moment ago.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// skipOrFail skips tb when err says a binary is missing and CI is not
// "true"; otherwise it fails tb with err.
func skipOrFail(tb testing.TB, err error) {
	tb.Helper()
	if errors.Is(err, ErrMissing) && os.Getenv("CI") != "true" {
		tb.Skip(err)
	}
	tb.Fatal(err)
}
