package main

import (
	"context"
	"fmt"
	"path/filepath"
	"time"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/keys"
)

// KeysCmd is "admit keys".
type KeysCmd struct {
	Rotate KeysRotateCmd `cmd:"" help:"Make a new sealing key current and seal every stored secret again under it."`
}

// KeysRotateCmd is "admit keys rotate".
type KeysRotateCmd struct {
	Settle time.Duration `name:"settle" default:"2s" help:"How long to wait for running servers' writes before the last pass."`
}

// Run runs `admit keys rotate`: a new sealing key becomes current, every
// stored secret is sealed again under it (beside a running server, which
// picks the new key up by itself), and once a pass finds nothing left under
// the old keys they are retired.
func (c *KeysRotateCmd) Run(ctx context.Context, m *Main, sf *storeFlags) error {
	settle := &c.Settle
	path := sf.KeyFile
	if path == "" {
		path = filepath.Join(sf.Data, "admit.key")
	}
	// Open first, so that a missing store or key fails before anything changes.
	e, err := m.open(ctx, sf, admit.SystemClock{}, nil)
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
