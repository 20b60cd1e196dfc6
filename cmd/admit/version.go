package main

import (
	"fmt"
	"runtime"
	"runtime/debug"
)

// version is admit's version, set at build time with
// -ldflags "-X main.version=v1.2.3"; empty, the module's version or the
// commit it was built from is printed.
var version string

// VersionCmd is "admit version".
type VersionCmd struct{}

// Run prints the version, the commit when known, and the Go version.
func (c *VersionCmd) Run(m *Main) error {
	fmt.Fprintf(m.Stdout, "admit %s (%s)\n", buildVersion(), runtime.Version())
	return nil
}

// buildVersion is version, else what the build recorded.
func buildVersion() string {
	if version != "" {
		return version
	}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	v := info.Main.Version
	for _, s := range info.Settings {
		if s.Key == "vcs.revision" && len(s.Value) >= 12 {
			v += " " + s.Value[:12]
		}
	}
	if v == "" {
		v = "(devel)"
	}
	return v
}
