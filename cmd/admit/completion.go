package main

import (
	"fmt"
	"sort"
	"strings"

	"github.com/alecthomas/kong"
)

// Shell completion: the scripts ask the hidden command "admit __complete"
// for the words that may come next, which it reads off kong's model of the
// command tree, so that completion always matches the commands and flags.

// CompletionCmd is "admit completion bash|zsh".
type CompletionCmd struct {
	Shell string `arg:"" enum:"bash,zsh" help:"bash or zsh."`
}

const bashCompletion = `# admit completion for bash: eval "$(admit completion bash)"
_admit() {
	local IFS=$'\n'
	COMPREPLY=($(admit __complete -- "${COMP_WORDS[@]:1:$COMP_CWORD}" 2>/dev/null))
}
complete -o default -F _admit admit
`

const zshCompletion = `#compdef admit
# admit completion for zsh: eval "$(admit completion zsh)"
_admit() {
	local -a next
	next=("${(@f)$(admit __complete -- "${(@)words[2,$CURRENT]}" 2>/dev/null)}")
	next=(${next:#})
	if (( ${#next} )); then
		compadd -a next
	else
		_files
	fi
}
compdef _admit admit
`

// Run prints the script.
func (c *CompletionCmd) Run(m *Main) error {
	if c.Shell == "zsh" {
		fmt.Fprint(m.Stdout, zshCompletion)
	} else {
		fmt.Fprint(m.Stdout, bashCompletion)
	}
	return nil
}

// CompleteCmd is "admit __complete -- WORD...": the words after "admit",
// the last being the one to complete (possibly empty).
type CompleteCmd struct {
	Words []string `arg:"" optional:"" passthrough:"all" help:"The command line after admit."`
}

// Run prints the completions of the last word, one a line.
func (c *CompleteCmd) Run(m *Main, k *kong.Kong) error {
	for _, w := range complete(k.Model.Node, c.Words) {
		fmt.Fprintln(m.Stdout, w)
	}
	return nil
}

// complete returns the words that may replace the last of words (the one
// being typed) after the command line words[:len-1], sorted.
func complete(root *kong.Node, words []string) []string {
	if len(words) > 0 && words[0] == "--" {
		words = words[1:]
	}
	partial := ""
	if len(words) > 0 {
		partial, words = words[len(words)-1], words[:len(words)-1]
	}
	node := root
	var valueOf *kong.Flag // the flag whose value the partial word is
	for _, w := range words {
		if valueOf != nil {
			valueOf = nil
			continue
		}
		if strings.HasPrefix(w, "-") {
			if f := findFlag(node, w); f != nil && !f.IsBool() && !strings.Contains(w, "=") {
				valueOf = f
			}
			continue
		}
		if child := findChild(node, w); child != nil {
			node = child
		}
	}
	var out []string
	switch {
	case valueOf != nil:
		out = valueOf.EnumSlice()
	case strings.HasPrefix(partial, "-"):
		for _, group := range node.AllFlags(true) {
			for _, f := range group {
				out = append(out, "--"+f.Name)
			}
		}
	default:
		for _, child := range node.Children {
			if !child.Hidden {
				out = append(out, child.Name)
			}
		}
		for _, p := range node.Positional {
			out = append(out, p.EnumSlice()...)
		}
	}
	var match []string
	for _, w := range out {
		if w != "" && strings.HasPrefix(w, partial) {
			match = append(match, w)
		}
	}
	sort.Strings(match)
	return match
}

// findFlag returns the flag --name (or --name=value, or -s) of node or
// its parents, or nil.
func findFlag(node *kong.Node, word string) *kong.Flag {
	name, _, _ := strings.Cut(strings.TrimLeft(word, "-"), "=")
	long := strings.HasPrefix(word, "--")
	for _, group := range node.AllFlags(false) {
		for _, f := range group {
			if (long && f.Name == name) || (!long && f.Short != 0 && string(f.Short) == name) {
				return f
			}
		}
	}
	return nil
}

// findChild returns node's subcommand named word (or aliased), or nil.
func findChild(node *kong.Node, word string) *kong.Node {
	for _, child := range node.Children {
		if child.Name == word {
			return child
		}
		for _, a := range child.Aliases {
			if a == word {
				return child
			}
		}
	}
	return nil
}
