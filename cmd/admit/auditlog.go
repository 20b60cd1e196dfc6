package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
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
	signingKey string
	publicKey  string
	witnesses  stringList
}

func (m *Main) addLogFlags(fs *flag.FlagSet, lf *logFlags) {
	fs.StringVar(&lf.signingKey, "audit-signing-key", m.Getenv("ADMIT_AUDIT_SIGNING_KEY"),
		"the audit log's checkpoint signing key file (default audit-signing.key beside the key file; $ADMIT_AUDIT_SIGNING_KEY); apart from the sealing keys")
	fs.StringVar(&lf.publicKey, "public-key", m.Getenv("ADMIT_AUDIT_PUBLIC_KEY"),
		"the log's public key, as `admit audit public-key` prints it (verify without the signing key; $ADMIT_AUDIT_PUBLIC_KEY)")
	if v := m.Getenv("ADMIT_AUDIT_WITNESS"); v != "" {
		lf.witnesses = append(lf.witnesses, v)
	}
	fs.Var(&lf.witnesses, "audit-witness", "where checkpoints are published: file:PATH (an append-only file, on another volume) or an https:// URL (repeatable, or a comma list; $ADMIT_AUDIT_WITNESS)")
}

// signingKeyPath returns --audit-signing-key, or audit-signing.key beside
// the master key file.
func (lf *logFlags) signingKeyPath(sf *storeFlags) string {
	if lf.signingKey != "" {
		return lf.signingKey
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
func (lf *logFlags) verifier(sf *storeFlags) (note.Verifier, error) {
	if lf.publicKey != "" {
		return translog.NewVerifier(lf.publicKey)
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
	for _, list := range lf.witnesses {
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
	if sf.db == "" {
		if _, err := os.Stat(sf.sqlitePath()); err != nil {
			return nil, nil, fmt.Errorf("no store at %s: %w", sf.data, err)
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

// runAuditPublicKey prints the log's public key, which an auditor keeps to
// check checkpoints (no secret).
func (m *Main) runAuditPublicKey(ctx context.Context, args []string) error {
	var sf storeFlags
	var lf logFlags
	fs := m.newFlags("audit public-key", &sf)
	m.addLogFlags(fs, &lf)
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	s, _, err := lf.loadSigner(&sf, false)
	if err != nil {
		return err
	}
	fmt.Fprintln(m.Stdout, s.PublicKey())
	return nil
}

// runAuditCheckpoint prints the latest signed checkpoint, as a signed note.
func (m *Main) runAuditCheckpoint(ctx context.Context, args []string) error {
	var sf storeFlags
	var lf logFlags
	fs := m.newFlags("audit checkpoint", &sf)
	m.addLogFlags(fs, &lf)
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	v, err := lf.verifier(&sf)
	if err != nil {
		return err
	}
	db, log, err := m.openLog(ctx, &sf)
	if err != nil {
		return err
	}
	defer db.Close()
	cp, ok, err := translog.LatestCheckpoint(ctx, log, v)
	if err != nil {
		return err
	}
	if !ok {
		return admit.Errorf(admit.ENOTFOUND, "the audit log has no checkpoint yet (admit serve signs one within a second of the first entry)")
	}
	m.Stdout.Write(cp.Note)
	return nil
}

// runAuditLogVerify checks every entry against the tree and the tree
// against a checkpoint: --checkpoint FILE, else the latest a witness holds,
// else (saying so) the store's own latest.
func (m *Main) runAuditLogVerify(ctx context.Context, args []string) error {
	var sf storeFlags
	var lf logFlags
	fs := m.newFlags("audit verify", &sf)
	m.addLogFlags(fs, &lf)
	cpFile := fs.String("checkpoint", "", "a checkpoint to verify against: a signed note (admit audit checkpoint) or a witness file")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	v, err := lf.verifier(&sf)
	if err != nil {
		return err
	}
	var trusted *translog.Checkpoint
	from := ""
	if *cpFile != "" {
		cp, err := translog.ReadCheckpointFile(*cpFile, v)
		if err != nil {
			return admit.FieldErrorf("checkpoint", "--checkpoint: %v", err)
		}
		trusted, from = &cp, *cpFile
	} else if len(lf.witnesses) > 0 {
		ws, closeWitnesses, err := lf.openWitnesses(v, time.Now)
		if err != nil {
			return err
		}
		trusted, from, err = latestWitnessed(ctx, ws, v)
		closeWitnesses()
		if err != nil {
			return err
		}
	}
	db, log, err := m.openLog(ctx, &sf)
	if err != nil {
		return err
	}
	defer db.Close()
	start := time.Now()
	rep, err := translog.Verify(ctx, log, translog.VerifyOptions{Verifier: v, Trusted: trusted})
	if err != nil {
		return err
	}
	if *asJSON {
		json.NewEncoder(m.Stdout).Encode(rep)
	}
	if rep.Problem != nil {
		return fmt.Errorf("audit log BROKEN: %s", rep.Problem)
	}
	if *asJSON {
		return nil
	}
	switch {
	case from != "":
		fmt.Fprintf(m.Stdout, "audit log OK: %d entries, against the checkpoint of size %d from %s and %d more signed checkpoints, in %v\n",
			rep.Entries, rep.Trusted.Size, from, rep.Checkpoints-1, time.Since(start).Round(time.Millisecond))
	case rep.TrustedFromStore:
		fmt.Fprintf(m.Stdout, "audit log OK: %d entries, against the store's own %d signed checkpoints (give --checkpoint or --audit-witness to catch truncation and wipe-and-reset)\n",
			rep.Entries, rep.Checkpoints)
	default:
		fmt.Fprintf(m.Stdout, "audit log OK: %d entries, none covered by a checkpoint yet\n", rep.Entries)
	}
	if rep.Uncovered > 0 {
		fmt.Fprintf(m.Stdout, "%d entries after the latest checkpoint are not covered yet\n", rep.Uncovered)
	}
	return nil
}

// runAuditProve prints the inclusion proof of entry SEQ in the latest
// checkpoint's tree, as JSON.
func (m *Main) runAuditProve(ctx context.Context, args []string) error {
	var sf storeFlags
	var lf logFlags
	fs := m.newFlags("audit prove", &sf)
	m.addLogFlags(fs, &lf)
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	if fs.NArg() != 1 {
		return admit.FieldErrorf("seq", "usage: admit audit prove SEQ")
	}
	seq, err := strconv.ParseInt(fs.Arg(0), 10, 64)
	if err != nil || seq < 1 {
		return admit.FieldErrorf("seq", "SEQ must be an entry's number, from 1")
	}
	v, err := lf.verifier(&sf)
	if err != nil {
		return err
	}
	db, log, err := m.openLog(ctx, &sf)
	if err != nil {
		return err
	}
	defer db.Close()
	cp, ok, err := translog.LatestCheckpoint(ctx, log, v)
	if err != nil {
		return err
	}
	if !ok {
		return admit.Errorf(admit.ENOTFOUND, "the audit log has no checkpoint yet")
	}
	in, err := translog.InclusionProof(ctx, log, seq, cp)
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

// runAuditConsistency prints the consistency proof that the latest
// checkpoint (or --new FILE) extends --old FILE.
func (m *Main) runAuditConsistency(ctx context.Context, args []string) error {
	var sf storeFlags
	var lf logFlags
	fs := m.newFlags("audit consistency", &sf)
	m.addLogFlags(fs, &lf)
	oldFile := fs.String("old", "", "the older checkpoint (a signed note or a witness file)")
	newFile := fs.String("new", "", "the newer checkpoint (default the store's latest)")
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	if *oldFile == "" {
		return admit.FieldErrorf("old", "--old FILE is required")
	}
	v, err := lf.verifier(&sf)
	if err != nil {
		return err
	}
	older, err := translog.ReadCheckpointFile(*oldFile, v)
	if err != nil {
		return admit.FieldErrorf("old", "--old: %v", err)
	}
	db, log, err := m.openLog(ctx, &sf)
	if err != nil {
		return err
	}
	defer db.Close()
	var newer translog.Checkpoint
	if *newFile != "" {
		if newer, err = translog.ReadCheckpointFile(*newFile, v); err != nil {
			return admit.FieldErrorf("new", "--new: %v", err)
		}
	} else {
		var ok bool
		if newer, ok, err = translog.LatestCheckpoint(ctx, log, v); err != nil {
			return err
		} else if !ok {
			return admit.Errorf(admit.ENOTFOUND, "the audit log has no checkpoint yet")
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
