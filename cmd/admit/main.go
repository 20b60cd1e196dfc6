// Command admit runs the admit service and administers its store.
//
//	admit serve [--data DIR | --db URL] [--redis URL] [--http ADDR] [--test-clock]
//	admit migrate [--data DIR | --db URL]
//	admit export [--data DIR] --out FILE
//	admit import --db URL FILE
//	admit user create --email E --name N [--role R]
//	admit token create --email E [--scopes read,manage]
//	admit meeting list|show|create|update|regenerate|end|delete …
//	admit audit verify|export [--format jsonl|csv] [--out FILE]
//
// Every command takes --data (default ./admit-data, or ADMIT_DATA) and --db
// (empty for the embedded SQLite store under --data, or a postgres:// URL;
// ADMIT_DB). CLI commands work while the server runs on the same store.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/admit-project/admit"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	m := NewMain()
	err := m.Run(ctx, os.Args[1:])
	if errors.Is(err, errUsage) {
		os.Exit(2)
	} else if err != nil {
		fmt.Fprintln(os.Stderr, "admit:", admitMessage(err))
		os.Exit(exitCode(err))
	}
}

// Main is the program, with its streams, so tests can run it in process.
type Main struct {
	Stdout io.Writer
	Stderr io.Writer
	Getenv func(string) string
}

// NewMain returns a Main on the process's streams and environment.
func NewMain() *Main {
	return &Main{Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv}
}

var errUsage = errors.New("usage")

const usage = `admit decides who may enter a conference meeting.

Usage:
  admit serve [--data DIR | --db URL] [--redis URL] [--http ADDR] [--test-clock]
  admit migrate [--data DIR | --db URL]
  admit export [--data DIR] --out FILE
  admit import --db postgres://... FILE
  admit user create --email E --name N [--role owner|admin|host]
  admit token create --email E [--scopes read,manage]
  admit meeting list|show|create|update|regenerate|end|delete ...
  admit audit verify|export [--format jsonl|csv] [--out FILE]
  admit keys rotate

Every command takes --data DIR (default ./admit-data, or $ADMIT_DATA) and
--db URL (empty: the embedded store under --data; or postgres://...; $ADMIT_DB).
Run "admit COMMAND -h" for a command's flags.
`

// Run runs the command named by args[0].
func (m *Main) Run(ctx context.Context, args []string) error {
	if len(args) == 0 {
		fmt.Fprint(m.Stderr, usage)
		return errUsage
	}
	switch args[0] {
	case "serve":
		return m.runServe(ctx, args[1:])
	case "user":
		return m.runUser(ctx, args[1:])
	case "token":
		return m.runToken(ctx, args[1:])
	case "meeting", "meetings":
		return m.runMeeting(ctx, args[1:])
	case "audit":
		return m.runAudit(ctx, args[1:])
	case "keys":
		return m.runKeys(ctx, args[1:])
	case "migrate":
		return m.runMigrate(ctx, args[1:])
	case "export":
		return m.runExport(ctx, args[1:])
	case "import":
		return m.runImport(ctx, args[1:])
	case "help", "-h", "--help":
		fmt.Fprint(m.Stdout, usage)
		return nil
	}
	fmt.Fprintf(m.Stderr, "admit: unknown command %q\n\n%s", args[0], usage)
	return errUsage
}

// exitCode maps an error's code to the process's exit status, in one place.
func exitCode(err error) int {
	switch admit.ErrorCode(err) {
	case admit.EINVALID, admit.ETOOLARGE:
		return 2
	case admit.ENOTFOUND:
		return 3
	case admit.ECONFLICT:
		return 4
	case admit.EUNAUTHORIZED, admit.EFORBIDDEN:
		return 5
	}
	return 1
}

// admitMessage is what the CLI prints of an error: the user-facing message
// for admit errors, the error itself otherwise (the CLI's user is the
// operator).
func admitMessage(err error) string {
	var e *admit.Error
	if errors.As(err, &e) {
		if e.Field != "" && e.Code == admit.EINVALID {
			return e.Message
		}
		return e.Message
	}
	return err.Error()
}
