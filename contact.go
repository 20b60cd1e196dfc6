package admit

import ()

// MaxContactImportRows bounds one CSV import of the address book.
const MaxContactImportRows = 5000

// RejectedRow is a CSV row an import left out, and why.
type RejectedRow struct {
	Row    int    `json:"row"` // 1-based line of the file, the header being 1
	Reason string `json:"reason"`
}

// ContactImport reports a CSV import.
type ContactImport struct {
	Added    []*Contact     `json:"added"`
	Rejected []*RejectedRow `json:"rejected"`
}
