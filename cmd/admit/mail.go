package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/mail"
)

// startMail gives the service its Mailer (calendar files and invitation
// text work without SMTP) and, when smtp is set, turns mail on: changes
// enqueue their messages, and this node runs a sender loop and enqueues
// due reminders every interval. The function it returns stops both.
// Without smtp, the loop still runs for accounts that set their own SMTP
// server (when the store keeps accounts' mail settings).
func startMail(ctx context.Context, e *env, smtp *admit.SMTPSettings, clk admit.Clock, interval time.Duration, logger *slog.Logger) (func(), error) {
	host := "admit.invalid"
	if u, err := url.Parse(e.service.BaseURL); err == nil && u.Hostname() != "" {
		host = u.Hostname()
	}
	postman := &mail.Postman{Random: rand.Reader, Sealer: e.ring, FromDomain: host, UIDDomain: host}
	e.service.Mailer = postman
	_, perAccount := e.db.(admit.AccountMailStore)
	outbox, ok := e.db.(admit.OutboxStore)
	if smtp == nil && (!ok || !perAccount) {
		logger.Info("mail is off: no --smtp-host; invitations are copied and downloaded")
		return func() {}, nil
	}
	if !ok {
		return nil, fmt.Errorf("admit: this store keeps no outbox")
	}
	var deliverer mail.Deliverer
	if smtp != nil {
		postman.FromDomain = smtp.From[strings.LastIndexByte(smtp.From, '@')+1:]
		e.service.SendMail = true
		deliverer = &mail.SMTPSender{Settings: *smtp}
	}
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		return nil, err
	}
	name, _ := os.Hostname()
	loop := &mail.Loop{Store: outbox, Deliverer: deliverer, Sealer: e.ring, Settings: smtp, Accounts: e.service,
		Clock: clk, Node: name + "-" + hex.EncodeToString(b[:]), Interval: interval, Logger: logger}
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); loop.Run(ctx) }()
	go func() {
		defer wg.Done()
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			if _, err := e.service.EnqueueReminders(ctx); err != nil && ctx.Err() == nil {
				logger.Error("mail: reminders", "error", err)
			}
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
	if smtp != nil {
		logger.Info("mail is on", "smtp", fmt.Sprintf("%s:%d", smtp.Host, smtp.Port), "security", smtp.Security, "node", loop.Node)
	} else {
		logger.Info("mail is off for accounts without their own SMTP server: no --smtp-host", "node", loop.Node)
	}
	return func() { cancel(); wg.Wait() }, nil
}
