package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/oidc"
)

// SSOCmd is "admit sso": the account's identity provider for single
// sign-on, set as its owner would on the settings page.
type SSOCmd struct {
	Show   SSOShowCmd   `cmd:"" help:"Show the account's identity provider (never its client secret), as JSON."`
	Set    SSOSetCmd    `cmd:"" help:"Connect or change the account's identity provider (the client secret is stored sealed)."`
	Test   SSOTestCmd   `cmd:"" help:"Read the provider's discovery document and signing keys."`
	Remove SSORemoveCmd `cmd:"" help:"Disconnect the account's identity provider."`
}

// ownerActor opens the store and returns the service with the default
// account's owner as the actor (the CLI has every scope).
func ownerActor(ctx context.Context, m *Main, sf *storeFlags) (*env, *admit.Actor, error) {
	e, err := m.open(ctx, sf, admit.SystemClock{}, nil)
	if err != nil {
		return nil, nil, err
	}
	acct, err := e.db.FindDefaultAccount(ctx)
	if err != nil {
		e.Close()
		return nil, nil, err
	}
	users, err := e.db.FindUsers(ctx, acct.ID)
	if err != nil {
		e.Close()
		return nil, nil, err
	}
	for _, u := range users {
		if u.Role == admit.RoleOwner {
			return e, &admit.Actor{User: u, Source: "cli"}, nil
		}
	}
	e.Close()
	return nil, nil, admit.Errorf(admit.ENOTFOUND, "the account has no owner yet: create one first (admit user create)")
}

// SSOShowCmd is "admit sso show".
type SSOShowCmd struct{}

// Run prints the provider.
func (c *SSOShowCmd) Run(ctx context.Context, m *Main, sf *storeFlags) error {
	e, a, err := ownerActor(ctx, m, sf)
	if err != nil {
		return err
	}
	defer e.Close()
	p, has, err := e.service.ProviderSettings(ctx, a)
	if err != nil {
		return err
	}
	out := struct {
		*admit.IdentityProvider
		HasClientSecret bool `json:"has_client_secret"`
	}{p, has}
	enc := json.NewEncoder(m.Stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

// SSOSetCmd is "admit sso set".
type SSOSetCmd struct {
	Name             string   `name:"name" required:"" help:"Shown as “Sign in with <name>”."`
	Issuer           string   `name:"issuer" required:"" placeholder:"URL" help:"The provider's issuer URL (https; http only on localhost)."`
	ClientID         string   `name:"client-id" required:"" help:"admit's client ID at the provider."`
	ClientSecretFile string   `name:"client-secret-file" type:"path" placeholder:"FILE" help:"File holding the client secret; without it or $ADMIT_SSO_CLIENT_SECRET the stored secret stays."`
	ClientSecret     string   `name:"client-secret" env:"ADMIT_SSO_CLIENT_SECRET" placeholder:"SECRET" help:"The client secret (prefer the environment variable or the file: others can read a command line)."`
	Domain           []string `name:"domain" required:"" placeholder:"DOMAIN" help:"An email domain allowed to sign in (repeatable)."`
	RoleClaim        string   `name:"role-claim" placeholder:"CLAIM" help:"The claim (e.g. groups) whose values --map maps to roles."`
	Map              []string `name:"map" placeholder:"VALUE=ROLE" help:"A role mapping, value=admin or value=host (repeatable)."`
	DefaultRole      string   `name:"default-role" enum:"admin,host," default:"" help:"The role of people no mapping matches (default: none, they are refused)."`
	SSOOnly          bool     `name:"sso-only" help:"Turn passwords off for everyone but the owner."`
}

// Run stores the provider.
func (c *SSOSetCmd) Run(ctx context.Context, m *Main, sf *storeFlags) error {
	p := &admit.IdentityProvider{Name: c.Name, Issuer: c.Issuer, ClientID: c.ClientID, AllowedDomains: c.Domain,
		RoleClaim: c.RoleClaim, DefaultRole: admit.Role(c.DefaultRole), SSOOnly: c.SSOOnly}
	for _, mp := range c.Map {
		v, r, ok := strings.Cut(mp, "=")
		if !ok {
			return admit.FieldErrorf("map", "--map %q must read value=role", mp)
		}
		p.RoleMappings = append(p.RoleMappings, admit.RoleMapping{Value: strings.TrimSpace(v), Role: admit.Role(strings.TrimSpace(r))})
	}
	switch {
	case c.ClientSecretFile != "":
		b, err := os.ReadFile(c.ClientSecretFile)
		if err != nil {
			return fmt.Errorf("--client-secret-file: %w", err)
		}
		p.ClientSecret = strings.TrimSpace(string(b))
	case c.ClientSecret != "":
		p.ClientSecret = c.ClientSecret
	}
	e, a, err := ownerActor(ctx, m, sf)
	if err != nil {
		return err
	}
	defer e.Close()
	out, err := e.service.SetIdentityProvider(ctx, a, p, p.ClientSecret == "")
	if err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "identity provider %q at %s connected; register BASE_URL/signin/sso/callback there as the redirect URI\n", out.Name, out.Issuer)
	return nil
}

// SSOTestCmd is "admit sso test".
type SSOTestCmd struct{}

// Run discovers the provider and fetches its keys.
func (c *SSOTestCmd) Run(ctx context.Context, m *Main, sf *storeFlags) error {
	e, a, err := ownerActor(ctx, m, sf)
	if err != nil {
		return err
	}
	defer e.Close()
	if _, _, err := e.service.ProviderSettings(ctx, a); err != nil {
		return err
	}
	p, err := e.service.IdentityProvider(ctx, a.User.AccountID)
	if err != nil {
		return err
	}
	g := &oidc.Registry{Keeper: &oidc.StateKeeper{Sealer: e.ring, Clock: admit.SystemClock{}}}
	tctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	if err := g.TestConnection(tctx, p); err != nil {
		var se *admit.SignInError
		if errors.As(err, &se) && se.Err != nil {
			return fmt.Errorf("the connection failed: %v", se.Err)
		}
		return err
	}
	fmt.Fprintf(m.Stdout, "connection works: %s answered with its discovery document and signing keys\n", p.Issuer)
	return nil
}

// SSORemoveCmd is "admit sso remove".
type SSORemoveCmd struct{}

// Run disconnects the provider.
func (c *SSORemoveCmd) Run(ctx context.Context, m *Main, sf *storeFlags) error {
	e, a, err := ownerActor(ctx, m, sf)
	if err != nil {
		return err
	}
	defer e.Close()
	if err := e.service.DeleteIdentityProvider(ctx, a); err != nil {
		return err
	}
	fmt.Fprintln(m.Stdout, "identity provider disconnected")
	return nil
}
