package e2e_test

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestAttackSimulation holds 10,000 live meetings and sends 100,000 guesses
// from as many sources: half war-dial random meeting IDs, half try random
// passcodes on real meeting IDs. No guess may get in; every invitee's link
// join made during the attack must; the audit chain must verify afterwards.
func TestAttackSimulation(t *testing.T) {
	const (
		meetings = 10000
		guesses  = 100000
		workers  = 32
	)
	s := startServer(t, "")
	tok := s.host("ada@example.com", "Ada")
	s.setClock(monday)
	attackClient := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 2 * workers}}
	post := func(path, token, source string, body any) (int, map[string]any) {
		b, _ := json.Marshal(body)
		req, _ := http.NewRequest("POST", s.url+path, bytes.NewReader(b))
		req.Header.Set("Content-Type", "application/json")
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		if source != "" {
			req.Header.Set("X-Forwarded-For", source)
		}
		resp, err := attackClient.Do(req)
		if err != nil {
			t.Errorf("%s: %v", path, err)
			return 0, nil
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		var m map[string]any
		json.Unmarshal(raw, &m)
		return resp.StatusCode, m
	}

	// 10,000 live meetings; every hundredth has two invitees.
	type live struct {
		id    string
		links []string
	}
	all := make([]live, meetings)
	var wg sync.WaitGroup
	next := atomic.Int32{}
	start := time.Now()
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= meetings {
					return
				}
				body := scheduledAt(monday.Add(10*time.Minute), nil)
				if i%100 == 0 {
					body["invitees"] = []map[string]any{{"name": fmt.Sprintf("Guest %d A", i)}, {"name": fmt.Sprintf("Guest %d B", i)}}
				}
				code, m := post("/api/v1/meetings", tok, "", body)
				if code != 201 {
					t.Errorf("schedule %d: %d %v", i, code, m)
					return
				}
				all[i].id = m["meeting_id"].(string)
				for _, inv := range m["invitees"].([]any) {
					link := inv.(map[string]any)["link"].(string)
					all[i].links = append(all[i].links, link[strings.LastIndex(link, "/")+1:])
				}
			}
		}()
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	t.Logf("scheduled %d meetings in %v", meetings, time.Since(start).Round(time.Millisecond))

	// The attack, and the invitees joining in the middle of it.
	var admitted, refused, limited, other atomic.Int32
	next.Store(0)
	start = time.Now()
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			pass := make([]byte, 10)
			for {
				i := int(next.Add(1)) - 1
				if i >= guesses {
					return
				}
				rand.Read(pass)
				for j := range pass {
					pass[j] = "23456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz"[int(pass[j])%56]
				}
				id := fmt.Sprintf("%d%010d", 1+mrand.IntN(9), mrand.Int64N(1e10))
				if i%2 == 1 {
					id = all[mrand.IntN(meetings)].id
				}
				source := fmt.Sprintf("10.%d.%d.%d", i>>16&0xff, i>>8&0xff, i&0xff)
				code, m := post("/api/v1/join", "", source, map[string]any{"meeting_id": id, "passcode": string(pass)})
				switch {
				case code == 200:
					admitted.Add(1)
					t.Errorf("guess %d got in: %v", i, m)
				case code == 403 && m["error"] == "invalid_credentials":
					refused.Add(1)
				case code == 429:
					limited.Add(1)
				default:
					other.Add(1)
					t.Errorf("guess %d: %d %v", i, code, m)
				}
			}
		}()
	}
	var invited, invitedIn atomic.Int32
	wg.Add(1)
	go func() {
		defer wg.Done()
		time.Sleep(500 * time.Millisecond) // well into the attack
		for i, mt := range all {
			for _, link := range mt.links {
				invited.Add(1)
				code, m := post("/api/v1/join", "", fmt.Sprintf("192.0.2.%d", i%250+1), map[string]any{"token": link})
				if code == 200 && m["status"] == "admitted" {
					invitedIn.Add(1)
				} else {
					t.Errorf("invitee link of meeting %s during the attack: %d %v", mt.id, code, m)
				}
			}
		}
	}()
	wg.Wait()
	elapsed := time.Since(start)
	t.Logf("%d guesses in %v: %d refused, %d rate limited, %d admitted; %d of %d invitee links admitted during the attack",
		guesses, elapsed.Round(time.Millisecond), refused.Load(), limited.Load(), admitted.Load(), invitedIn.Load(), invited.Load())
	if admitted.Load() != 0 || refused.Load()+limited.Load() != guesses {
		t.Errorf("%d guesses admitted, %d refused or limited of %d", admitted.Load(), refused.Load()+limited.Load(), guesses)
	}
	if invited.Load() != 200 || invitedIn.Load() != invited.Load() {
		t.Errorf("%d of %d invitee links admitted, want all 200", invitedIn.Load(), invited.Load())
	}
	out := s.cli("audit", "verify")
	if !strings.Contains(out, "audit log OK") {
		t.Errorf("audit verify after the attack: %s", out)
	}
	t.Log(strings.TrimSpace(out))
}
