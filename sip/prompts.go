package sip

import (
	"embed"
	"fmt"
	"strings"

	"github.com/zaf/g711"
)

// promptFiles holds the recorded clips: 8 kHz mono G.711 mu-law without a
// header, made by prompts/generate.sh.
//
//go:embed prompts/*.ul
var promptFiles embed.FS

// frameSize is the bytes of one 20 ms G.711 frame at 8 kHz.
const frameSize = 160

// Silence of each law.
const (
	silenceUlaw = 0xFF
	silenceAlaw = 0xD5
)

// Clip returns the mu-law samples of p, or an error naming a clip that is
// not recorded.
func Clip(p Prompt) ([]byte, error) {
	b, err := promptFiles.ReadFile("prompts/" + string(p) + ".ul")
	if err != nil {
		return nil, fmt.Errorf("sip: no recorded prompt %q", p)
	}
	return b, nil
}

// Prompts lists the names of every recorded clip.
func Prompts() []Prompt {
	entries, _ := promptFiles.ReadDir("prompts")
	var ps []Prompt
	for _, e := range entries {
		if name, ok := strings.CutSuffix(e.Name(), ".ul"); ok {
			ps = append(ps, Prompt(name))
		}
	}
	return ps
}

// Render joins the clips of ps into one stream in the given law (alaw or
// mu-law), padded with silence to whole 20 ms frames.
func Render(ps []Prompt, alaw bool) ([]byte, error) {
	var out []byte
	for _, p := range ps {
		b, err := Clip(p)
		if err != nil {
			return nil, err
		}
		out = append(out, b...)
	}
	silence := byte(silenceUlaw)
	if alaw {
		out = g711.Ulaw2Alaw(out)
		silence = silenceAlaw
	}
	for len(out)%frameSize != 0 {
		out = append(out, silence)
	}
	return out, nil
}
