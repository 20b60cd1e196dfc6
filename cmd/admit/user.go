package main

import (
	"context"
	"fmt"
	"text/tabwriter"

	"github.com/admit-project/admit"
)

// UserCmd is "admit user".
type UserCmd struct {
	Create UserCreateCmd `cmd:"" help:"Create a user of the account (the first is its owner)."`
	List   UserListCmd   `cmd:"" help:"List the account's users."`
	Link   UserLinkCmd   `cmd:"" help:"Print a one-time link (valid 7 days) for a user to set their web password."`
}

// UserCreateCmd is "admit user create".
type UserCreateCmd struct {
	Email   string `name:"email" required:"" placeholder:"EMAIL" help:"The new user's email address."`
	Name    string `name:"name" required:"" placeholder:"NAME" help:"The new user's name."`
	Role    string `name:"role" enum:"owner,admin,host," default:"" help:"owner, admin or host (default: owner for the first user, host after)."`
	BaseURL string `name:"base-url" env:"ADMIT_BASE_URL" placeholder:"URL" help:"Public URL of the service, for the set-password link (default: the URL of the server running on --data)."`
}

// Run creates the user and says how they get a web password.
func (c *UserCreateCmd) Run(ctx context.Context, m *Main, sf *storeFlags) error {
	e, err := m.open(ctx, sf, admit.SystemClock{}, nil)
	if err != nil {
		return err
	}
	defer e.Close()
	acct, err := e.db.FindDefaultAccount(ctx)
	if err != nil {
		return err
	}
	r := admit.Role(c.Role)
	if r == "" {
		users, err := e.db.FindUsers(ctx, acct.ID)
		if err != nil {
			return err
		}
		r = admit.RoleHost
		if len(users) == 0 {
			r = admit.RoleOwner
		}
	}
	u, err := e.service.CreateUser(ctx, acct.ID, c.Email, c.Name, r)
	if err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "created user %d <%s> (%s)\n", u.ID, u.Email, u.Role)
	// A user made here has no password: without one, /signin refuses them.
	if base := sf.serverURL(c.BaseURL); base != "" {
		e.service.BaseURL = base
		link, err := e.service.PasswordLink(ctx, &admit.Actor{User: u, Source: "cli"}, u.ID)
		if err != nil {
			return err
		}
		fmt.Fprintf(m.Stdout, "%s has no web password yet; they set one at (once, within 7 days):\n%s\n", u.Name, link)
		return nil
	}
	fmt.Fprintf(m.Stdout, "%s has no web password yet: once the server runs, \"admit user link --email %s\" prints a link to set one.\n", u.Name, u.Email)
	return nil
}

// UserListCmd is "admit user list".
type UserListCmd struct{}

// Run prints the account's users, a line each.
func (c *UserListCmd) Run(ctx context.Context, m *Main, sf *storeFlags) error {
	e, err := m.open(ctx, sf, admit.SystemClock{}, nil)
	if err != nil {
		return err
	}
	defer e.Close()
	acct, err := e.db.FindDefaultAccount(ctx)
	if err != nil {
		return err
	}
	users, err := e.db.FindUsers(ctx, acct.ID)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(m.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tEMAIL\tNAME\tROLE\tTIME ZONE")
	for _, u := range users {
		tz := u.Timezone
		if tz == "" {
			tz = "-"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\n", u.ID, u.Email, u.Name, u.Role, tz)
	}
	return tw.Flush()
}

// UserLinkCmd is "admit user link".
type UserLinkCmd struct {
	Email   string `name:"email" required:"" placeholder:"EMAIL" help:"The user who sets a password."`
	BaseURL string `name:"base-url" env:"ADMIT_BASE_URL" placeholder:"URL" help:"Public URL of the service (default: the URL of the server running on --data)."`
}

// Run prints a one-time link (valid 7 days) for the user to set a web
// sign-in password.
func (c *UserLinkCmd) Run(ctx context.Context, m *Main, sf *storeFlags) error {
	base := sf.serverURL(c.BaseURL)
	if base == "" {
		return admit.FieldErrorf("base-url", "no server is running on %s: start \"admit serve\" there, or give the service's public URL with --base-url", sf.Data)
	}
	e, err := m.open(ctx, sf, admit.SystemClock{}, nil)
	if err != nil {
		return err
	}
	defer e.Close()
	a, err := e.actor(ctx, c.Email)
	if err != nil {
		return err
	}
	e.service.BaseURL = base
	link, err := e.service.PasswordLink(ctx, a, a.User.ID)
	if err != nil {
		return err
	}
	fmt.Fprintln(m.Stdout, link)
	return nil
}

// TokenCmd is "admit token".
type TokenCmd struct {
	Create TokenCreateCmd `cmd:"" help:"Print a new API token that acts as a user."`
}

// TokenCreateCmd is "admit token create".
type TokenCreateCmd struct {
	Email  string   `name:"email" required:"" env:"ADMIT_EMAIL" placeholder:"EMAIL" help:"The user the token acts as."`
	Scopes []string `name:"scopes" default:"manage" sep:"," enum:"read,manage" help:"Comma-separated scopes: read, manage."`
}

// Run prints the token.
func (c *TokenCreateCmd) Run(ctx context.Context, m *Main, sf *storeFlags) error {
	e, err := m.open(ctx, sf, admit.SystemClock{}, nil)
	if err != nil {
		return err
	}
	defer e.Close()
	a, err := e.actor(ctx, c.Email)
	if err != nil {
		return err
	}
	tok, err := e.service.CreateAPIToken(ctx, a.User.ID, c.Scopes)
	if err != nil {
		return err
	}
	fmt.Fprintln(m.Stdout, tok)
	return nil
}
