package main

import (
	"log/slog"
	"os"
	"path/filepath"
	"strings"
)

// A running server records its public URL in a file under --data, so that
// the commands that print links (admit user link, admit user create) print
// links to it rather than to a guess. The file goes when the server stops.

// serverURLFile is the file under the data directory that holds the
// running server's public URL.
func (sf *storeFlags) serverURLFile() string { return filepath.Join(sf.Data, "server.url") }

// recordServerURL writes url to the data directory's server URL file and
// returns the function that removes it. A failure is logged, not fatal: the
// commands then ask for --base-url.
func recordServerURL(sf *storeFlags, url string, logger *slog.Logger) (forget func()) {
	path := sf.serverURLFile()
	if err := os.MkdirAll(sf.Data, 0o700); err == nil {
		err = os.WriteFile(path, []byte(url+"\n"), 0o600)
		if err == nil {
			return func() { os.Remove(path) }
		}
		logger.Warn("cannot record the server's URL for admit user link", "err", err)
	}
	return func() {}
}

// serverURL returns --base-url when given, else the URL the server running
// on this data directory recorded, else "" (no server found).
func (sf *storeFlags) serverURL(baseURL string) string {
	if baseURL != "" {
		return strings.TrimRight(baseURL, "/")
	}
	b, err := os.ReadFile(sf.serverURLFile())
	if err != nil {
		return ""
	}
	return strings.TrimRight(strings.TrimSpace(string(b)), "/")
}
