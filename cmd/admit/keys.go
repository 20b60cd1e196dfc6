package main

import (
	"context"
	"fmt"
	"path/filepath"
	"time"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/keys"
)

// runKeys runs `admit keys rotate`: a new sealing key becomes current, every
// stored secret is sealed again under it (beside a running server, which
// picks the new key up by itself), and once a pass finds nothing left under
// the old keys they are retired.
func (m *Main) runKeys(ctx context.Context, args []string) error {
	if len(args) == 0 || args[0] != "rotate" {
		fmt.Fprintln(m.Stderr, "usage: admit keys rotate [--data DIR] [--key-file PATH]")
		return errUsage
	}
	var sf storeFlags
	fs := m.newFlags("keys rotate", &sf)
	settle := fs.Duration("settle", 2*time.Second, "how long to wait for running servers' writes before the last pass")
	if err := fs.Parse(args[1:]); err != nil {
		return errUsage
	}
	path := sf.keyFile
	if path == "" {
		path = filepath.Join(sf.data, "admit.key")
	}
	// Open first, so that a missing store or key fails before anything changes.
	e, err := m.open(ctx, &sf, admit.SystemClock{}, nil)
	if err != nil {
		return err
	}
	defer e.Close()
	v, err := keys.Rotate(path)
	if err != nil {
		return err
	}
	e.ring.Reload()
	fmt.Fprintf(m.Stdout, "new sealing key version %d is current\n", v)
	stale := func(sealed []byte) bool { of, _ := e.ring.Version(sealed); return of != v }
	total := 0
	for pass, quiet := 1, 0; quiet < 2; pass++ {
		st, err := e.service.Reseal(ctx, stale)
		if err != nil {
			return fmt.Errorf("reseal pass %d: %w (the new key stays current and the old ones are kept; run rotate again)", pass, err)
		}
		total += st.Resealed
		fmt.Fprintf(m.Stdout, "pass %d: %d sealed values, %d sealed again, %d changed meanwhile\n", pass, st.Seen, st.Resealed, st.Changed)
		if st.Resealed == 0 && st.Changed == 0 {
			quiet++
			if quiet < 2 {
				// A server may have sealed under the old key just before it
				// saw the new one; let such writes land, then look again.
				time.Sleep(*settle)
			}
		} else {
			quiet = 0
		}
	}
	if err := keys.Retire(path, v); err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "%d values sealed again; sealing keys before version %d retired\n", total, v)
	return nil
}
