package admit

import ()

// ResealStats counts what Reseal did.
type ResealStats struct {
	Seen     int // sealed values looked at
	Resealed int // sealed again under the current key
	Changed  int // changed by someone else meanwhile (already current)
}
