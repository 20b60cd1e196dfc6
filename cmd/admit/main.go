// Command admit runs the admit service and administers its store.
//
// The command tree is declared below as the CLI struct and parsed by
// github.com/alecthomas/kong, so that help, exit codes, environment
// variables and shell completion are the same for every command. Run
// "admit help" (or "admit", or "admit -h") for the commands, and
// "admit COMMAND -h" for a command's flags.
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
	"strconv"
	"strings"
	"syscall"

	"github.com/alecthomas/kong"

	"github.com/admit-project/admit"
)

func main() {
	// Every file admit makes (the store, its WAL, exports, the set-up link)
	// is its owner's only.
	syscall.Umask(0o077)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	m := NewMain()
	err := m.Run(ctx, os.Args[1:])
	stop()
	os.Exit(m.report(err))
}

// Main is the program, with its streams, so tests can run it in process.
// Flags' environment variables are read from the process's environment.
type Main struct {
	Stdout io.Writer
	Stderr io.Writer
}

// NewMain returns a Main on the process's streams.
func NewMain() *Main {
	return &Main{Stdout: os.Stdout, Stderr: os.Stderr}
}

// CLI is admit's command tree: the store flags every command takes, then
// one field per command. Each command is a struct whose Run method does
// it; its fields are its flags and arguments.
type CLI struct {
	storeFlags

	Serve      ServeCmd      `cmd:"" help:"Run the service: the JSON API under /api/ and the web app."`
	User       UserCmd       `cmd:"" help:"Create, list and let in the account's users."`
	Token      TokenCmd      `cmd:"" help:"Make API tokens."`
	Account    AccountCmd    `cmd:"" help:"Print or set the account's plan (the operator's decision)."`
	Meeting    MeetingCmd    `cmd:"" help:"Schedule, show, change and end meetings as a host (output is JSON)."`
	Media      MediaCmd      `cmd:"" help:"Show, set and remove the account's media server (LiveKit, Jitsi, BigBlueButton)."`
	Audit      AuditCmd      `cmd:"" help:"Check and export the audit log."`
	SSO        SSOCmd        `cmd:"" name:"sso" help:"Connect the account's identity provider for single sign-on."`
	Keys       KeysCmd       `cmd:"" help:"Rotate the key that seals stored secrets."`
	Migrate    MigrateCmd    `cmd:"" help:"Apply the store's pending migrations and print its schema version."`
	Export     ExportCmd     `cmd:"" help:"Write the embedded store to a dump file."`
	Import     ImportCmd     `cmd:"" help:"Copy a dump into an empty PostgreSQL store."`
	Version    VersionCmd    `cmd:"" help:"Print admit's version."`
	Completion CompletionCmd `cmd:"" help:"Print a shell completion script: eval \"$(admit completion bash)\"."`
	Complete   CompleteCmd   `cmd:"" name:"__complete" hidden:"" help:"Print the completions of a partial command line (used by the completion scripts)."`
	Help       HelpCmd       `cmd:"" help:"Show help for admit or for a command."`
}

// description heads the top-level help.
const description = `admit decides who may enter a conference meeting.

First steps: "admit serve" prints a one-time link to set up the owner
account in the web app. Locked out (a user made with "admit user create"
has no password)? This prints a one-time link to set one:
  admit user link --email E`

// exitError ends the program with a status after kong has said why (help
// printed: 0).
type exitError int

func (e exitError) Error() string { return fmt.Sprintf("exit status %d", int(e)) }

// usageError is a command line kong could not parse: exit status 2.
type usageError struct{ err error }

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

// parser returns kong's parser of the command tree into cli.
func (m *Main) parser(cli *CLI) (*kong.Kong, error) {
	return kong.New(cli,
		kong.Name("admit"),
		kong.Description(description),
		kong.Writers(m.Stdout, m.Stderr),
		kong.Exit(func(code int) { panic(exitError(code)) }),
		kong.ConfigureHelp(kong.HelpOptions{Compact: true, NoAppDescFormat: true, WrapUpperBound: 100}),
		kong.Vars{
			"default_data":         defaultData,
			"default_http":         defaultHTTP,
			"default_redis_prefix": defaultRedisPrefix,
			"default_duration":     strconv.Itoa(admit.DefaultDurationMinutes),
			"default_source_limit": strconv.Itoa(admit.DefaultSourcePolicy().MaxFailures),
		},
	)
}

// Run parses args and runs the command they name. A bare "admit" and
// "admit help" print the same help as "admit -h" (exit status 0).
func (m *Main) Run(ctx context.Context, args []string) (err error) {
	cli := &CLI{}
	k, err := m.parser(cli)
	if err != nil {
		return err
	}
	if len(args) == 0 {
		args = []string{"--help"}
	}
	defer func() {
		if r := recover(); r != nil {
			code, ok := r.(exitError)
			if !ok {
				panic(r)
			}
			err = nil
			if code != 0 {
				err = code
			}
		}
	}()
	kctx, err := k.Parse(args)
	if err != nil {
		fmt.Fprintf(m.Stderr, "admit: %v\n", err)
		var pe *kong.ParseError
		if errors.As(err, &pe) && pe.Context != nil {
			fmt.Fprintf(m.Stderr, "Run \"%s\" for usage.\n", strings.TrimSpace("admit help "+commandPath(pe.Context)))
		}
		return &usageError{err}
	}
	kctx.BindTo(ctx, (*context.Context)(nil))
	kctx.Bind(m, &cli.storeFlags, k)
	return kctx.Run()
}

// commandPath is the words of the command kctx selected ("meeting
// create"), or "" for none.
func commandPath(kctx *kong.Context) string {
	if n := kctx.Selected(); n != nil {
		return strings.TrimPrefix(n.Path(), "admit ")
	}
	return ""
}

// report prints err (the user-facing message of admit errors) and returns
// the process's exit status.
func (m *Main) report(err error) int {
	var code exitError
	var ue *usageError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &code):
		return int(code)
	case errors.As(err, &ue):
		return 2
	}
	fmt.Fprintln(m.Stderr, "admit:", admitMessage(err))
	return exitCode(err)
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
		return e.Message
	}
	return err.Error()
}

// HelpCmd is "admit help [COMMAND...]": the help of admit, or of a command.
type HelpCmd struct {
	Command []string `arg:"" optional:"" help:"The command to explain, e.g. \"meeting create\"."`
}

// Run prints the help of the command named.
func (c *HelpCmd) Run(ctx context.Context, m *Main) error {
	return m.Run(ctx, append(append([]string{}, c.Command...), "--help"))
}
