package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/keys"
	"github.com/admit-project/admit/postgres"
	"github.com/admit-project/admit/sqlite"
	"github.com/admit-project/admit/translog"
)

// The dump `admit export` writes and `admit import` reads is JSON lines:
// for each table, a header line
//
//	{"table":"meetings","columns":["pk","id",…],"rows":2}
//
// then one line per row, a JSON array of the row's values in the columns'
// order: numbers, strings, null, and blobs as {"base64":"…"} (standard
// encoding), so that no string is mistaken for a blob.

// dumpHeader is a table's header line.
type dumpHeader struct {
	Table   string   `json:"table"`
	Columns []string `json:"columns"`
	Rows    int64    `json:"rows"`
}

// dumpBlob is how a blob is written.
type dumpBlob struct {
	Base64 string `json:"base64"`
}

// ExportCmd is "admit export".
type ExportCmd struct {
	Out string `name:"out" required:"" placeholder:"FILE" help:"File to write the dump to."`
}

// Run runs `admit export`: it writes every table of the embedded
// store to --out, from one consistent read (a server may keep running).
func (c *ExportCmd) Run(ctx context.Context, m *Main, sf *storeFlags) (err error) {
	out := &c.Out
	if sf.DB != "" {
		return admit.FieldErrorf("db", "admit export reads the embedded store under --data; --db must be empty")
	}
	if *out == "" {
		return admit.FieldErrorf("out", "--out is required: the file to write the dump to")
	}
	// With its key, so that the store hashes any audit entry written before
	// the chain existed: the dump then holds a whole chain.
	st, _, err := m.openAudit(ctx, sf)
	if err != nil {
		return err
	}
	defer st.Close()
	db := st.(*sqlite.DB)

	tmp, err := os.CreateTemp(filepath.Dir(*out), ".admit-export-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	bw := bufio.NewWriterSize(tmp, 1<<16)
	enc := json.NewEncoder(bw)
	tables, rows := 0, int64(0)
	err = db.Export(ctx, func(t *sqlite.ExportTable) error {
		tables++
		fmt.Fprintf(m.Stdout, "%s: %d rows\n", t.Name, t.Rows)
		return enc.Encode(dumpHeader{Table: t.Name, Columns: t.Columns, Rows: t.Rows})
	}, func(values []any) error {
		rows++
		for i, v := range values {
			if b, ok := v.([]byte); ok {
				values[i] = dumpBlob{Base64: base64.StdEncoding.EncodeToString(b)}
			}
		}
		return enc.Encode(values)
	})
	if err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	if err := tmp.Sync(); err != nil {
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), *out); err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "exported %d tables, %d rows to %s\n", tables, rows, *out)
	return nil
}

// dumpReader reads a dump as a postgres.ImportSource.
type dumpReader struct {
	sc      *bufio.Scanner
	line    int
	header  *dumpHeader
	pending []byte // a header line read while looking for a row
}

func newDumpReader(r io.Reader) *dumpReader {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 1<<16), 64<<20)
	return &dumpReader{sc: sc}
}

func (d *dumpReader) next() ([]byte, error) {
	if d.pending != nil {
		l := d.pending
		d.pending = nil
		return l, nil
	}
	for d.sc.Scan() {
		d.line++
		if l := bytes.TrimSpace(d.sc.Bytes()); len(l) > 0 {
			return append([]byte(nil), l...), nil
		}
	}
	if err := d.sc.Err(); err != nil {
		return nil, err
	}
	return nil, io.EOF
}

func (d *dumpReader) errorf(format string, args ...any) error {
	return admit.FieldErrorf("file", "line %d of the dump: %s", d.line, fmt.Sprintf(format, args...))
}

// NextTable implements postgres.ImportSource.
func (d *dumpReader) NextTable() (*postgres.ImportTable, error) {
	for {
		l, err := d.next()
		if err != nil {
			return nil, err
		}
		if l[0] == '[' {
			if d.header == nil {
				return nil, d.errorf("a row before any table")
			}
			continue // rows the importer did not read
		}
		var h dumpHeader
		if err := json.Unmarshal(l, &h); err != nil || h.Table == "" || len(h.Columns) == 0 {
			return nil, d.errorf("not a table header")
		}
		d.header = &h
		return &postgres.ImportTable{Name: h.Table, Columns: h.Columns, Rows: h.Rows}, nil
	}
}

// NextRow implements postgres.ImportSource.
func (d *dumpReader) NextRow() ([]any, error) {
	l, err := d.next()
	if err != nil {
		return nil, err
	}
	if l[0] != '[' {
		d.pending = l
		return nil, io.EOF
	}
	dec := json.NewDecoder(bytes.NewReader(l))
	dec.UseNumber()
	var raw []any
	if err := dec.Decode(&raw); err != nil {
		return nil, d.errorf("%v", err)
	}
	for i, v := range raw {
		switch v := v.(type) {
		case json.Number:
			n, err := v.Int64()
			if err != nil {
				return nil, d.errorf("value %d: %s is not an integer", i+1, v)
			}
			raw[i] = n
		case map[string]any:
			s, ok := v["base64"].(string)
			b, err := base64.StdEncoding.DecodeString(s)
			if !ok || err != nil || len(v) != 1 {
				return nil, d.errorf("value %d: not a {\"base64\": …} blob", i+1)
			}
			raw[i] = b
		case string, nil:
		default:
			return nil, d.errorf("value %d: unexpected %T", i+1, v)
		}
	}
	return raw, nil
}

// ImportCmd is "admit import".
type ImportCmd struct {
	File string `arg:"" name:"file" type:"existingfile" help:"The dump file (from admit export)."`
	logFlags
}

// Run runs `admit import`: it copies a dump into an empty PostgreSQL
// store in one transaction, then prints each table's rows against the
// dump's and verifies the audit log against its own latest checkpoint.
func (c *ImportCmd) Run(ctx context.Context, m *Main, sf *storeFlags) error {
	if !isPostgres(sf.DB) {
		return admit.FieldErrorf("db", "--db must be the postgres:// URL of the store to import into")
	}
	f, err := os.Open(c.File)
	if err != nil {
		return err
	}
	defer f.Close()
	keyFile := sf.keyPath()
	if _, err := os.Stat(keyFile); errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("no key file at %s: use the embedded store's key file (--key-file), without which its secrets and audit chain are lost", keyFile)
	}
	ring, _, err := keys.Load(keyFile)
	if err != nil {
		return err
	}
	db, err := postgres.Open(ctx, sf.DB)
	if err != nil {
		return err
	}
	defer db.Close()
	counts, err := db.Import(ctx, newDumpReader(f), ring.AuditKey())
	if err != nil {
		return err
	}
	for _, c := range counts {
		if c.Skipped {
			fmt.Fprintf(m.Stdout, "%s: %d rows in the dump, not copied (the store keeps its own)\n", c.Table, c.Source)
			continue
		}
		fmt.Fprintf(m.Stdout, "%s: %d rows imported, %d in the dump\n", c.Table, c.Stored, c.Source)
	}
	// The audit log came with the dump (its tree and checkpoints): check
	// it against its own latest checkpoint with the log's public key,
	// from the signing key file beside the key file.
	lf := checkFlags{logFlags: c.logFlags}
	v, err := lf.verifier(sf)
	if err != nil {
		fmt.Fprintf(m.Stdout, "audit log not checked: %v\n", err)
		return nil
	}
	rep, err := translog.Verify(ctx, db.AuditLog(), translog.VerifyOptions{Verifier: v})
	if err != nil {
		return err
	}
	if rep.Problem != nil {
		return fmt.Errorf("audit log BROKEN: %s", rep.Problem)
	}
	fmt.Fprintf(m.Stdout, "audit log OK: %d entries, against the dump's %d signed checkpoints\n", rep.Entries, rep.Checkpoints)
	return nil
}
