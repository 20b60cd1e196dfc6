#!/bin/sh
# generate.sh makes the phone menu's prompts, once, with a speech synthesiser:
# each clip is 8 kHz mono G.711 mu-law, headerless (.ul), as the gateway plays
# it. Run it from anywhere; it needs espeak-ng and sox (Debian packages of the
# same names). The clips are committed; run it again only to change them.
set -eu
cd "$(dirname "$0")"
voice=${VOICE:-en-us}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

clip() { # clip NAME TEXT
	espeak-ng -v "$voice" -s 150 -w "$tmp/$1.wav" "$2"
	# 8 kHz mono, trimmed of leading and trailing silence, normalised.
	sox "$tmp/$1.wav" -r 8000 -c 1 -t ul "$1.ul" \
		silence 1 0.02 0.5% reverse silence 1 0.02 0.5% reverse norm -3
}

clip welcome "Welcome."
clip enter_id "Enter your meeting ID or access code, then press pound."
clip enter_passcode "Enter the passcode, then press pound."
clip refused "That meeting ID or passcode is not valid."
clip joining "You are joining the meeting."
clip wait "Please wait, the host will let you in."
clip wait_short "Please continue to hold."
clip denied "The host did not let you in. Goodbye."
clip removed "You have been removed from the meeting. Goodbye."
clip ended "This meeting has ended. Goodbye."
clip not_open "This meeting is not open yet. It opens on"
clip at "at"
clip utc "U T C."
clip goodbye "Goodbye."
clip failed "Sorry, your call cannot be connected now. Goodbye."
clip oh "oh"
clip hundred "hundred"

n=0
for w in zero one two three four five six seven eight nine ten eleven twelve \
	thirteen fourteen fifteen sixteen seventeen eighteen nineteen; do
	clip "n$n" "$w"
	n=$((n + 1))
done
clip n20 twenty
clip n30 thirty
clip n40 forty
clip n50 fifty

m=1
for w in January February March April May June July August September \
	October November December; do
	clip "m$m" "$w"
	m=$((m + 1))
done
