package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/postgres"
	"github.com/admit-project/admit/sqlite"
	"github.com/admit-project/admit/translog"
)

// logFlags are the audit log's flags: where the checkpoint signing key is,
// the public key an auditor verifies with, and the witnesses.
type logFlags struct {
	SigningKey string   `name:"audit-signing-key" env:"ADMIT_AUDIT_SIGNING_KEY" placeholder:"FILE" type:"path" help:"The audit log's checkpoint signing key file, apart from the sealing keys (default audit-signing.key beside the key file; made by admit serve)."`
	Witnesses  []string `name:"audit-witness" env:"ADMIT_AUDIT_WITNESS" sep:"," placeholder:"WITNESS" help:"Where checkpoints are published and read back: file:PATH (an append-only file, on another volume) or an https:// URL (repeatable, or a comma list)."`
}

// checkFlags add the public key an auditor verifies with.
type checkFlags struct {
	logFlags
	PublicKey string `name:"public-key" env:"ADMIT_AUDIT_PUBLIC_KEY" placeholder:"KEY" help:"The log's public key, as admit audit public-key prints it: verify with no secret (default: from the signing key file)."`
}

// signingKeyPath returns --audit-signing-key, or audit-signing.key beside
// the master key file.
func (lf *logFlags) signingKeyPath(sf *storeFlags) string {
	if lf.SigningKey != "" {
		return lf.SigningKey
	}
	return filepath.Join(filepath.Dir(sf.keyPath()), "audit-signing.key")
}

// loadSigner loads (creating on first use, when create is set) the
// checkpoint signing key.
func (lf *logFlags) loadSigner(sf *storeFlags, create bool) (*translog.Signer, bool, error) {
	path := lf.signingKeyPath(sf)
	if !create {
		if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
			return nil, false, fmt.Errorf("no audit signing key at %s (admit serve makes it; give --public-key to verify without it)", path)
		}
	}
	return translog.LoadSigner(path, nil)
}

// verifier returns the verifier of checkpoints: from --public-key, else
// from the signing key file.
func (lf *checkFlags) verifier(sf *storeFlags) (note.Verifier, error) {
	if lf.PublicKey != "" {
		return translog.NewVerifier(lf.PublicKey)
	}
	s, _, err := lf.loadSigner(sf, false)
	if err != nil {
		return nil, err
	}
	return s.Verifier(), nil
}

// openWitnesses returns the witnesses --audit-witness names.
func (lf *logFlags) openWitnesses(v note.Verifier, now func() time.Time) ([]translog.Witness, func(), error) {
	var out []translog.Witness
	var files []*translog.FileWitness
	closeAll := func() {
		for _, f := range files {
			f.Close()
		}
	}
	for _, list := range lf.Witnesses {
		for _, w := range strings.Split(list, ",") {
			w = strings.TrimSpace(w)
			switch {
			case w == "":
			case strings.HasPrefix(w, "file:"):
				fw, err := translog.OpenFileWitness(strings.TrimPrefix(w, "file:"), v, now)
				if err != nil {
					closeAll()
					return nil, nil, err
				}
				files = append(files, fw)
				out = append(out, fw)
			case strings.HasPrefix(w, "https://") || strings.HasPrefix(w, "http://"):
				out = append(out, &translog.HTTPWitness{URL: w})
			default:
				closeAll()
				return nil, nil, admit.FieldErrorf("audit-witness", "--audit-witness must be file:PATH or an https:// URL, not %q", w)
			}
		}
	}
	return out, closeAll, nil
}

// latestWitnessed returns the largest checkpoint the witnesses hold.
func latestWitnessed(ctx context.Context, ws []translog.Witness, v note.Verifier) (*translog.Checkpoint, string, error) {
	var best *translog.Checkpoint
	var from string
	for _, w := range ws {
		var cp translog.Checkpoint
		var ok bool
		var err error
		switch w := w.(type) {
		case *translog.FileWitness:
			cp, ok = w.Latest()
		case *translog.HTTPWitness:
			cp, ok, err = w.Latest(ctx, v)
		}
		if err != nil {
			return nil, "", err
		}
		if ok && (best == nil || cp.Size > best.Size) {
			c := cp
			best, from = &c, w.String()
		}
	}
	return best, from, nil
}

// auditLogOf returns the store's audit log.
func auditLogOf(db store) (translog.Store, error) {
	switch db := db.(type) {
	case *sqlite.DB:
		return db.AuditLog(), nil
	case *postgres.DB:
		return db.AuditLog(), nil
	}
	return nil, fmt.Errorf("the store %T has no audit log", db)
}

// startIntegrator runs the audit log's integrator until ctx ends: with
// PostgreSQL on the node elected by the store's advisory lock. It returns
// the signer (for the public key) and a stop function.
func (m *Main) startIntegrator(ctx context.Context, db store, sf *storeFlags, lf *logFlags, logger *slog.Logger) (*translog.Signer, func(), error) {
	log, err := auditLogOf(db)
	if err != nil {
		return nil, nil, err
	}
	signer, created, err := lf.loadSigner(sf, true)
	if err != nil {
		return nil, nil, err
	}
	if created {
		logger.Info("audit log: made a checkpoint signing key", "file", lf.signingKeyPath(sf), "public_key", signer.PublicKey())
	}
	ws, closeWitnesses, err := lf.openWitnesses(signer.Verifier(), time.Now)
	if err != nil {
		return nil, nil, err
	}
	if len(ws) == 0 {
		logger.Warn("audit log: no --audit-witness: truncation and wipe-and-reset of the log cannot be caught later")
	}
	in := &translog.Integrator{Store: log, Signer: signer, Witnesses: ws, Log: logger}
	ictx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		in.Run(ictx)
	}()
	return signer, func() { cancel(); <-done; closeWitnesses() }, nil
}

// openLog opens the store and its audit log for the audit commands.
func (m *Main) openLog(ctx context.Context, sf *storeFlags) (store, translog.Store, error) {
	if err := sf.checkDB(); err != nil {
		return nil, nil, err
	}
	if sf.DB == "" {
		if _, err := os.Stat(sf.sqlitePath()); err != nil {
			return nil, nil, fmt.Errorf("no store at %s: %w", sf.Data, err)
		}
	}
	db, _, err := openStore(ctx, sf, time.Now)
	if err != nil {
		return nil, nil, err
	}
	log, err := auditLogOf(db)
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	return db, log, nil
}

// AuditPublicKeyCmd is "admit audit public-key".
type AuditPublicKeyCmd struct {
	logFlags
}

// Run prints the log's public key, which an auditor keeps to check
// checkpoints (no secret).
func (c *AuditPublicKeyCmd) Run(ctx context.Context, m *Main, sf *storeFlags) error {
	s, _, err := c.loadSigner(sf, false)
	if err != nil {
		return err
	}
	fmt.Fprintln(m.Stdout, s.PublicKey())
	return nil
}

// AuditCheckpointCmd is "admit audit checkpoint".
type AuditCheckpointCmd struct {
	checkFlags
}

// Run prints the latest signed checkpoint, as a signed note.
func (c *AuditCheckpointCmd) Run(ctx context.Context, m *Main, sf *storeFlags) error {
	v, err := c.verifier(sf)
	if err != nil {
		return err
	}
	db, log, err := m.openLog(ctx, sf)
	if err != nil {
		return err
	}
	defer db.Close()
	cp, ok, err := translog.LatestCheckpoint(ctx, log, v)
	if err != nil {
		return err
	}
	if !ok {
		return admit.Errorf(admit.ENOTFOUND, "The audit log has no checkpoint yet (admit serve signs one within a second of the first entry).")
	}
	m.Stdout.Write(cp.Note)
	return nil
}

// AuditVerifyCmd is "admit audit verify".
type AuditVerifyCmd struct {
	checkFlags
	Checkpoint string `name:"checkpoint" placeholder:"FILE" type:"path" help:"A checkpoint to verify against: a signed note (admit audit checkpoint) or a witness file (default: the latest a witness holds)."`
	JSON       bool   `name:"json" help:"Print the report as JSON."`
}

// Run checks every entry against the tree and the tree against a
// checkpoint: --checkpoint FILE, else the latest a witness holds, else
// (saying so) the store's own latest.
func (c *AuditVerifyCmd) Run(ctx context.Context, m *Main, sf *storeFlags) error {
	v, err := c.verifier(sf)
	if err != nil {
		return err
	}
	var trusted *translog.Checkpoint
	from := ""
	if c.Checkpoint != "" {
		cp, err := translog.ReadCheckpointFile(c.Checkpoint, v)
		if err != nil {
			return admit.FieldErrorf("checkpoint", "--checkpoint: %v", err)
		}
		trusted, from = &cp, c.Checkpoint
	} else if len(c.Witnesses) > 0 {
		ws, closeWitnesses, err := c.openWitnesses(v, time.Now)
		if err != nil {
			return err
		}
		trusted, from, err = latestWitnessed(ctx, ws, v)
		closeWitnesses()
		if err != nil {
			return err
		}
	}
	db, log, err := m.openLog(ctx, sf)
	if err != nil {
		return err
	}
	defer db.Close()
	start := time.Now()
	// The entries not placed yet are counted before the log is read: an
	// entry written before this command is then counted as pending or
	// found in the log (which only grows), never missing from both, so that
	// "OK" with nothing pending means every earlier entry is placed.
	pending, pendingErr := pendingEntries(ctx, db)
	if testHookBetweenReads != nil {
		testHookBetweenReads()
	}
	rep, err := translog.Verify(ctx, log, translog.VerifyOptions{Verifier: v, Trusted: trusted})
	if err != nil {
		return err
	}
	if c.JSON {
		json.NewEncoder(m.Stdout).Encode(rep)
	}
	if rep.Problem != nil {
		return fmt.Errorf("audit log BROKEN: %s", rep.Problem)
	}
	if c.JSON {
		return nil
	}
	switch {
	case from != "":
		fmt.Fprintf(m.Stdout, "audit log OK: %d entries, against the checkpoint of size %d from %s and %d signed checkpoints in all, in %v\n",
			rep.Entries, rep.Trusted.Size, from, rep.Checkpoints, time.Since(start).Round(time.Millisecond))
	case rep.TrustedFromStore:
		fmt.Fprintf(m.Stdout, "audit log OK: %d entries, against the store's own %d signed checkpoints (give --checkpoint or --audit-witness to catch truncation and wipe-and-reset)\n",
			rep.Entries, rep.Checkpoints)
	default:
		fmt.Fprintf(m.Stdout, "audit log OK: %d entries, none covered by a checkpoint yet\n", rep.Entries)
	}
	if rep.Uncovered > 0 {
		fmt.Fprintf(m.Stdout, "%d entries after the latest checkpoint are not covered yet\n", rep.Uncovered)
	}
	if pendingErr == nil && pending > 0 {
		fmt.Fprintf(m.Stdout, "%d entries are not placed in the log yet (admit serve places them within a second or two)\n", pending)
	}
	return nil
}

// testHookBetweenReads, when set by a test, runs between verify's two
// reads of the log: the entries and the entries not placed yet.
var testHookBetweenReads func()

// pendingEntries counts the entries the integrator has not placed yet.
func pendingEntries(ctx context.Context, db store) (int64, error) {
	switch db := db.(type) {
	case *sqlite.DB:
		return db.AuditLog().Pending(ctx)
	case *postgres.DB:
		return db.AuditLog().Pending(ctx)
	}
	return 0, nil
}

// AuditProveCmd is "admit audit prove".
type AuditProveCmd struct {
	checkFlags
	Seq int64 `arg:"" name:"seq" help:"The entry's place in the log, from 1."`
}

// Run prints the inclusion proof of entry SEQ in the latest checkpoint's
// tree, as JSON.
func (c *AuditProveCmd) Run(ctx context.Context, m *Main, sf *storeFlags) error {
	if c.Seq < 1 {
		return admit.FieldErrorf("seq", "SEQ must be an entry's place in the log, from 1")
	}
	v, err := c.verifier(sf)
	if err != nil {
		return err
	}
	db, log, err := m.openLog(ctx, sf)
	if err != nil {
		return err
	}
	defer db.Close()
	cp, ok, err := translog.LatestCheckpoint(ctx, log, v)
	if err != nil {
		return err
	}
	if !ok {
		return admit.Errorf(admit.ENOTFOUND, "The audit log has no checkpoint yet.")
	}
	in, err := translog.InclusionProof(ctx, log, c.Seq, cp)
	if err != nil {
		return err
	}
	return json.NewEncoder(m.Stdout).Encode(proofJSON(in))
}

// inclusionJSON is what `admit audit prove` prints.
type inclusionJSON struct {
	Entry      *admit.Event `json:"entry"`
	LeafHash   string       `json:"leaf_hash"`
	Index      uint64       `json:"index"`
	TreeSize   uint64       `json:"tree_size"`
	Root       string       `json:"root"`
	Proof      []string     `json:"proof"`
	Checkpoint string       `json:"checkpoint"`
}

func proofJSON(in *translog.Inclusion) inclusionJSON {
	out := inclusionJSON{Entry: in.Entry, LeafHash: base64.StdEncoding.EncodeToString(in.LeafHash), Index: in.Index,
		TreeSize: in.Checkpoint.Size, Root: base64.StdEncoding.EncodeToString(in.Checkpoint.Root), Checkpoint: string(in.Checkpoint.Note)}
	for _, h := range in.Proof {
		out.Proof = append(out.Proof, base64.StdEncoding.EncodeToString(h))
	}
	return out
}

// AuditConsistencyCmd is "admit audit consistency".
type AuditConsistencyCmd struct {
	checkFlags
	Old string `name:"old" required:"" placeholder:"FILE" type:"path" help:"The older checkpoint (a signed note or a witness file)."`
	New string `name:"new" placeholder:"FILE" type:"path" help:"The newer checkpoint (default the store's latest)."`
}

// Run prints the consistency proof that the newer checkpoint extends the
// older, as JSON.
func (c *AuditConsistencyCmd) Run(ctx context.Context, m *Main, sf *storeFlags) error {
	v, err := c.verifier(sf)
	if err != nil {
		return err
	}
	older, err := translog.ReadCheckpointFile(c.Old, v)
	if err != nil {
		return admit.FieldErrorf("old", "--old: %v", err)
	}
	db, log, err := m.openLog(ctx, sf)
	if err != nil {
		return err
	}
	defer db.Close()
	var newer translog.Checkpoint
	if c.New != "" {
		if newer, err = translog.ReadCheckpointFile(c.New, v); err != nil {
			return admit.FieldErrorf("new", "--new: %v", err)
		}
	} else {
		var ok bool
		if newer, ok, err = translog.LatestCheckpoint(ctx, log, v); err != nil {
			return err
		} else if !ok {
			return admit.Errorf(admit.ENOTFOUND, "The audit log has no checkpoint yet.")
		}
	}
	p, err := translog.ConsistencyProof(ctx, log, older, newer)
	if err != nil {
		return err
	}
	out := struct {
		OldSize uint64   `json:"old_size"`
		NewSize uint64   `json:"new_size"`
		OldRoot string   `json:"old_root"`
		NewRoot string   `json:"new_root"`
		Proof   []string `json:"proof"`
	}{older.Size, newer.Size, base64.StdEncoding.EncodeToString(older.Root), base64.StdEncoding.EncodeToString(newer.Root), []string{}}
	for _, h := range p {
		out.Proof = append(out.Proof, base64.StdEncoding.EncodeToString(h))
	}
	return json.NewEncoder(m.Stdout).Encode(out)
}
