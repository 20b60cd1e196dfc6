package livekittest

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	lkproto "github.com/livekit/protocol/livekit"
	"google.golang.org/protobuf/proto"
)

// Validate asks the server whether token lets its holder connect, with
// GET /rtc/validate. It returns the HTTP status and the body (the server's
// reason when it refuses).
func (s *Server) Validate(tb testing.TB, token string) (int, string) {
	tb.Helper()
	res, err := http.Get(s.HTTPURL + "/rtc/validate?access_token=" + url.QueryEscape(token))
	if err != nil {
		tb.Fatalf("livekittest: validate: %v", err)
		return 0, ""
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(res.Body, 4096))
	return res.StatusCode, strings.TrimSpace(string(body))
}

// Signal is a participant's signalling connection to the server (LiveKit's
// /rtc WebSocket), without media: enough for the server to count the
// participant in its room, to remove them and to close the room.
type Signal struct {
	conn *websocket.Conn
	// Join is the server's answer to the connection: the room joined and
	// the participant as the server sees it.
	Join *lkproto.JoinResponse
}

// Connect opens a signalling connection with token, asking for room (which
// the server ignores when the token names a room). It fails tb when the
// server refuses.
func (s *Server) Connect(tb testing.TB, token, room string) *Signal {
	tb.Helper()
	sig, err := s.Dial(token, room)
	if err != nil {
		tb.Fatalf("livekittest: connect: %v", err)
		return nil
	}
	tb.Cleanup(func() { sig.Close() })
	return sig
}

// Dial is Connect returning the error: the server's refusal or a fault.
func (s *Server) Dial(token, room string) (*Signal, error) {
	q := url.Values{"access_token": {token}, "auto_subscribe": {"0"}, "sdk": {"go"}, "version": {"2.0.0"}, "protocol": {"15"}}
	if room != "" {
		q.Set("room", room)
	}
	d := websocket.Dialer{HandshakeTimeout: 10 * time.Second}
	conn, res, err := d.Dial(s.URL+"/rtc?"+q.Encode(), nil)
	if err != nil {
		if res != nil {
			body, _ := io.ReadAll(io.LimitReader(res.Body, 4096))
			res.Body.Close()
			return nil, fmt.Errorf("refused: %d %s", res.StatusCode, strings.TrimSpace(string(body)))
		}
		return nil, err
	}
	sig := &Signal{conn: conn}
	for {
		msg, err := sig.Next(10 * time.Second)
		if err != nil {
			conn.Close()
			return nil, err
		}
		if j := msg.GetJoin(); j != nil {
			sig.Join = j
			return sig, nil
		}
		if l := msg.GetLeave(); l != nil {
			conn.Close()
			return nil, fmt.Errorf("refused: leave %s", l.GetReason())
		}
	}
}

// Next returns the next message from the server, or an error when none
// comes within wait or the connection closes.
func (g *Signal) Next(wait time.Duration) (*lkproto.SignalResponse, error) {
	if err := g.conn.SetReadDeadline(time.Now().Add(wait)); err != nil {
		return nil, err
	}
	typ, data, err := g.conn.ReadMessage()
	if err != nil {
		return nil, err
	}
	if typ != websocket.BinaryMessage {
		return nil, fmt.Errorf("unexpected message type %d", typ)
	}
	var msg lkproto.SignalResponse
	if err := proto.Unmarshal(data, &msg); err != nil {
		return nil, err
	}
	return &msg, nil
}

// WaitClosed reads until the server ends the connection (a leave message or
// a close), and returns the leave reason when there was one. It returns an
// error when the connection is still open after wait.
func (g *Signal) WaitClosed(wait time.Duration) (string, error) {
	deadline := time.Now().Add(wait)
	reason := ""
	for {
		left := time.Until(deadline)
		if left <= 0 {
			return reason, fmt.Errorf("still connected after %s", wait)
		}
		msg, err := g.Next(left)
		if err != nil {
			if reason != "" || websocket.IsCloseError(err, websocket.CloseNormalClosure, websocket.CloseGoingAway, websocket.CloseAbnormalClosure) || isEOF(err) {
				return reason, nil
			}
			if ne, ok := err.(interface{ Timeout() bool }); ok && ne.Timeout() {
				return reason, fmt.Errorf("still connected after %s", wait)
			}
			return reason, nil
		}
		if l := msg.GetLeave(); l != nil {
			reason = l.GetReason().String()
			return reason, nil
		}
	}
}

func isEOF(err error) bool {
	return err == io.EOF || err == io.ErrUnexpectedEOF || strings.Contains(err.Error(), "EOF")
}

// Close closes the connection.
func (g *Signal) Close() { _ = g.conn.Close() }
