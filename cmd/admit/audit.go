package main

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/keys"
)

// AuditCmd is "admit audit".
type AuditCmd struct {
	Verify      AuditVerifyCmd      `cmd:"" help:"Check every entry against the log's tree and the tree against a witnessed checkpoint; name the first bad entry or the checkpoint it fails."`
	Checkpoint  AuditCheckpointCmd  `cmd:"" help:"Print the latest signed checkpoint (keep it: verify --checkpoint FILE)."`
	PublicKey   AuditPublicKeyCmd   `cmd:"" name:"public-key" help:"Print the log's public key, which checks checkpoints (no secret)."`
	Prove       AuditProveCmd       `cmd:"" help:"Print the proof that entry SEQ is in the latest checkpoint's tree."`
	Consistency AuditConsistencyCmd `cmd:"" help:"Print the proof that the latest checkpoint extends an older one."`
	Export      AuditExportCmd      `cmd:"" help:"Write the audit trail, every account's, in the order written."`
}

// AuditExportCmd is "admit audit export".
type AuditExportCmd struct {
	Format string `name:"format" default:"jsonl" enum:"jsonl,csv" help:"jsonl or csv."`
	Out    string `name:"out" placeholder:"FILE" help:"File to write (default standard output)."`
	After  int64  `name:"after" placeholder:"SEQ" help:"Export the entries after this seq."`
}

// Run writes the audit trail, every account's, in chain order,
// as JSON lines (the API's Event objects) or CSV (times RFC 3339 in UTC,
// hashes in hex). It does not check the chain.
func (c *AuditExportCmd) Run(ctx context.Context, m *Main, sf *storeFlags) (err error) {
	format, out, after := &c.Format, &c.Out, &c.After
	var write func(*admit.Event) error
	var flush func() error
	w := m.Stdout
	if *out != "" {
		f, err := os.OpenFile(*out, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
		if err != nil {
			return err
		}
		defer func() {
			if cerr := f.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				os.Remove(*out)
			}
		}()
		w = f
	}
	bw := bufio.NewWriter(w)
	switch *format {
	case "jsonl":
		enc := json.NewEncoder(bw)
		write = func(e *admit.Event) error { return enc.Encode(e) }
		flush = bw.Flush
	case "csv":
		cw := csv.NewWriter(bw)
		if err := cw.Write(csvHeader); err != nil {
			return err
		}
		write = func(e *admit.Event) error { return cw.Write(csvRecord(e)) }
		flush = func() error {
			cw.Flush()
			if err := cw.Error(); err != nil {
				return err
			}
			return bw.Flush()
		}
	default:
		return admit.FieldErrorf("format", "--format must be jsonl or csv")
	}

	db, _, err := m.openAudit(ctx, sf)
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := db.ScanEvents(ctx, *after, write); err != nil {
		return err
	}
	return flush()
}

var csvHeader = []string{"seq", "id", "at", "account_id", "actor", "action", "target", "source", "outcome", "detail", "prev_hash", "hash"}

func csvRecord(e *admit.Event) []string {
	return []string{
		strconv.FormatInt(e.Seq, 10), strconv.FormatInt(e.ID, 10), e.At.UTC().Format(time.RFC3339Nano),
		strconv.FormatInt(e.AccountID, 10), e.Actor, e.Action, e.Target, e.Source, e.Outcome, e.Detail,
		hex.EncodeToString(e.PrevHash), hex.EncodeToString(e.Hash),
	}
}

// openAudit opens an existing store and its key for reading the audit
// trail. Unlike the other commands it creates no key: a missing key file,
// or a missing embedded store, is an error, not a new one.
func (m *Main) openAudit(ctx context.Context, sf *storeFlags) (store, *keys.Ring, error) {
	if err := sf.checkDB(); err != nil {
		return nil, nil, err
	}
	if sf.DB == "" {
		if _, err := os.Stat(sf.sqlitePath()); err != nil {
			return nil, nil, fmt.Errorf("no store at %s: %w", sf.Data, err)
		}
	}
	keyFile := sf.keyPath()
	if _, err := os.Stat(keyFile); errors.Is(err, os.ErrNotExist) {
		return nil, nil, fmt.Errorf("no key file at %s: the audit chain cannot be checked without it", keyFile)
	}
	ring, _, err := keys.Load(keyFile)
	if err != nil {
		return nil, nil, err
	}
	db, _, err := openStore(ctx, sf, time.Now)
	if err != nil {
		return nil, nil, err
	}
	if err := db.SetAuditKey(ctx, ring.AuditKey()); err != nil {
		db.Close()
		return nil, nil, err
	}
	return db, ring, nil
}
