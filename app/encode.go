package app

import (
	"encoding/base64"
	"strconv"
)

func encodeURLSafe(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

func itoa(i int64) string { return strconv.FormatInt(i, 10) }
