package main

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/admit-project/admit"
)

// MediaCmd is "admit media": the account's media server.
type MediaCmd struct {
	Email string `name:"email" required:"" env:"ADMIT_EMAIL" placeholder:"EMAIL" help:"The owner or admin to act as."`

	Show   MediaShowCmd   `cmd:"" help:"Print the account's media server as JSON (without its secret)."`
	Set    MediaSetCmd    `cmd:"" help:"Set the account's media server (LiveKit, Jitsi or BigBlueButton)."`
	Delete MediaDeleteCmd `cmd:"" help:"Remove the account's media server."`
}

// mediaRun opens the store as the owner or admin and prints what do returns
// as JSON (nothing for nil).
func (m *Main) mediaRun(ctx context.Context, sf *storeFlags, mc *MediaCmd, do func(svc admit.Service, a *admit.Actor) (any, error)) error {
	e, err := m.open(ctx, sf, admit.SystemClock{}, nil)
	if err != nil {
		return err
	}
	defer e.Close()
	a, err := e.actor(ctx, mc.Email)
	if err != nil {
		return err
	}
	out, err := do(e.service, a)
	if err != nil || out == nil {
		return err
	}
	enc := json.NewEncoder(m.Stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

// MediaShowCmd is "admit media show".
type MediaShowCmd struct{}

// Run prints the media server.
func (c *MediaShowCmd) Run(ctx context.Context, m *Main, sf *storeFlags, mc *MediaCmd) error {
	return m.mediaRun(ctx, sf, mc, func(svc admit.Service, a *admit.Actor) (any, error) {
		return svc.MediaSettings(ctx, a)
	})
}

// MediaSetCmd is "admit media set BACKEND".
type MediaSetCmd struct {
	Backend  string `arg:"" enum:"livekit,jitsi,bbb" help:"livekit, jitsi or bbb."`
	URL      string `name:"url" placeholder:"URL" help:"LiveKit: the server's URL (wss://…); BigBlueButton: the API URL (https://…/bigbluebutton/api/)."`
	APIKey   string `name:"api-key" placeholder:"KEY" help:"LiveKit: the API key."`
	Domain   string `name:"domain" placeholder:"HOST" help:"Jitsi: the Meet domain."`
	AppID    string `name:"app-id" placeholder:"ID" help:"Jitsi: prosody's app_id."`
	Tenant   string `name:"tenant" placeholder:"TENANT" help:"Jitsi: the tenant (optional)."`
	Checksum string `name:"checksum" enum:"sha1,sha256,sha384,sha512," default:"" help:"BigBlueButton: the checksum algorithm (default sha256)."`
	Secret   string `name:"secret" env:"ADMIT_MEDIA_SECRET" placeholder:"SECRET" help:"The API secret, app secret or shared secret; prefer the environment variable (a flag shows in the process list). Empty keeps the stored one."`
}

// Run saves the media server and prints it without its secret.
func (c *MediaSetCmd) Run(ctx context.Context, m *Main, sf *storeFlags, mc *MediaCmd) error {
	cfg := &admit.MediaConfig{Kind: admit.MediaKind(c.Backend)}
	switch cfg.Kind {
	case admit.MediaLiveKit:
		cfg.LiveKit = &admit.LiveKitConfig{URL: c.URL, APIKey: c.APIKey, APISecret: c.Secret}
	case admit.MediaJitsi:
		cfg.Jitsi = &admit.JitsiConfig{Domain: c.Domain, AppID: c.AppID, AppSecret: c.Secret, Tenant: c.Tenant}
	case admit.MediaBigBlueButton:
		cfg.BigBlueButton = &admit.BigBlueButtonConfig{APIURL: c.URL, Secret: c.Secret, Checksum: c.Checksum}
	}
	return m.mediaRun(ctx, sf, mc, func(svc admit.Service, a *admit.Actor) (any, error) {
		return svc.SetMediaSettings(ctx, a, cfg)
	})
}

// MediaDeleteCmd is "admit media delete".
type MediaDeleteCmd struct{}

// Run removes the media server.
func (c *MediaDeleteCmd) Run(ctx context.Context, m *Main, sf *storeFlags, mc *MediaCmd) error {
	err := m.mediaRun(ctx, sf, mc, func(svc admit.Service, a *admit.Actor) (any, error) {
		return nil, svc.DeleteMediaSettings(ctx, a)
	})
	if err == nil {
		fmt.Fprintln(m.Stdout, "media server removed")
	}
	return err
}
