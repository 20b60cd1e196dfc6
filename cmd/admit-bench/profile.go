package main

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime/pprof"
	"strings"
)

// startProfile starts a CPU profile of one phase when file is set: cpu.pprof
// becomes cpu-10000-valid.pprof. The returned function stops it.
func startProfile(file string, meetings int, phase string) (stop func() error, err error) {
	if file == "" {
		return func() error { return nil }, nil
	}
	ext := filepath.Ext(file)
	if ext == "" {
		ext = ".pprof"
	}
	path := fmt.Sprintf("%s-%d-%s%s", strings.TrimSuffix(file, filepath.Ext(file)), meetings, phase, ext)
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() error {
		pprof.StopCPUProfile()
		return f.Close()
	}, nil
}
