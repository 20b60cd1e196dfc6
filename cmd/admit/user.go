package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/admit-project/admit"
)

func (m *Main) runUser(ctx context.Context, args []string) error {
	if len(args) > 0 && args[0] == "link" {
		return m.runUserLink(ctx, args[1:])
	}
	if len(args) == 0 || args[0] != "create" {
		fmt.Fprintln(m.Stderr, "usage: admit user create --email E --name N [--role owner|admin|host]\n       admit user link --email E [--base-url URL]")
		return errUsage
	}
	var sf storeFlags
	fs := m.newFlags("user create", &sf)
	email := fs.String("email", "", "the user's email address")
	name := fs.String("name", "", "the user's name")
	role := fs.String("role", "", "owner, admin or host (default: owner for the first user, host after)")
	if err := fs.Parse(args[1:]); err != nil {
		return errUsage
	}
	e, err := m.open(ctx, &sf, admit.SystemClock{}, nil)
	if err != nil {
		return err
	}
	defer e.Close()
	acct, err := e.db.FindDefaultAccount(ctx)
	if err != nil {
		return err
	}
	r := admit.Role(*role)
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
	u, err := e.service.CreateUser(ctx, acct.ID, *email, *name, r)
	if err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "created user %d <%s> (%s)\n", u.ID, u.Email, u.Role)
	return nil
}

// runUserLink prints a one-time link (valid 7 days) for the user to set a
// web sign-in password.
func (m *Main) runUserLink(ctx context.Context, args []string) error {
	var sf storeFlags
	fs := m.newFlags("user link", &sf)
	email := fs.String("email", "", "the user who sets a password")
	baseURL := fs.String("base-url", envOr(m.Getenv, "ADMIT_BASE_URL", "http://"+defaultHTTP), "public URL of the service ($ADMIT_BASE_URL)")
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	e, err := m.open(ctx, &sf, admit.SystemClock{}, nil)
	if err != nil {
		return err
	}
	defer e.Close()
	a, err := e.actor(ctx, *email)
	if err != nil {
		return err
	}
	e.service.BaseURL = strings.TrimRight(*baseURL, "/")
	link, err := e.service.PasswordLink(ctx, a, a.User.ID)
	if err != nil {
		return err
	}
	fmt.Fprintln(m.Stdout, link)
	return nil
}

func (m *Main) runToken(ctx context.Context, args []string) error {
	if len(args) == 0 || args[0] != "create" {
		fmt.Fprintln(m.Stderr, "usage: admit token create --email E [--scopes read,manage]")
		return errUsage
	}
	var sf storeFlags
	fs := m.newFlags("token create", &sf)
	email := fs.String("email", "", "the user the token acts as")
	scopes := fs.String("scopes", "manage", "comma-separated scopes: read, manage")
	if err := fs.Parse(args[1:]); err != nil {
		return errUsage
	}
	e, err := m.open(ctx, &sf, admit.SystemClock{}, nil)
	if err != nil {
		return err
	}
	defer e.Close()
	a, err := e.actor(ctx, *email)
	if err != nil {
		return err
	}
	tok, err := e.service.CreateAPIToken(ctx, a.User.ID, splitComma(*scopes))
	if err != nil {
		return err
	}
	fmt.Fprintln(m.Stdout, tok)
	return nil
}

func splitComma(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' })
}
