package main

import (
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"
)

func TestDumpReader(t *testing.T) {
	dump := `{"table":"a","columns":["n","s","b","z"],"rows":2}
[1,"aGVsbG8=",{"base64":"aGVsbG8="},null]
[-9223372036854775808,"",{"base64":""},null]

{"table":"empty","columns":["x"],"rows":0}
{"table":"c","columns":["x"],"rows":1}
[42]
`
	d := newDumpReader(strings.NewReader(dump))
	var got []any
	for {
		tab, err := d.NextTable()
		if errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		got = append(got, tab.Name, tab.Rows)
		for {
			row, err := d.NextRow()
			if errors.Is(err, io.EOF) {
				break
			} else if err != nil {
				t.Fatal(err)
			}
			got = append(got, row)
		}
	}
	want := []any{
		"a", int64(2),
		[]any{int64(1), "aGVsbG8=", []byte("hello"), nil},
		[]any{int64(-9223372036854775808), "", []byte{}, nil},
		"empty", int64(0),
		"c", int64(1),
		[]any{int64(42)},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("read %#v\nwant %#v", got, want)
	}
}

var badDumps = []struct {
	dump, want string
}{
	{`[1]`, "a row before any table"},
	{`{"columns":["x"]}`, "not a table header"},
	{"{\"table\":\"a\",\"columns\":[\"x\"],\"rows\":1}\n[1.5]", "not an integer"},
	{"{\"table\":\"a\",\"columns\":[\"x\"],\"rows\":1}\n[{\"hex\":\"00\"}]", "blob"},
	{"{\"table\":\"a\",\"columns\":[\"x\"],\"rows\":1}\n[true]", "unexpected bool"},
}

func TestDumpReaderRefuses(t *testing.T) {
	for _, tt := range badDumps {
		d := newDumpReader(strings.NewReader(tt.dump))
		var err error
		if _, err = d.NextTable(); err == nil {
			_, err = d.NextRow()
		}
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%q: %v, want an error with %q", tt.dump, err, tt.want)
		}
	}
}

// FuzzDumpReader reads arbitrary files as dumps: it may refuse them, never
// panic, and every value it returns is of a type the importer copies.
func FuzzDumpReader(f *testing.F) {
	f.Add("{\"table\":\"a\",\"columns\":[\"x\",\"y\"],\"rows\":1}\n[1,{\"base64\":\"AA==\"}]\n")
	for _, tt := range badDumps {
		f.Add(tt.dump)
	}
	f.Fuzz(func(t *testing.T, dump string) {
		d := newDumpReader(strings.NewReader(dump))
		for range 100 {
			if _, err := d.NextTable(); err != nil {
				return
			}
			for range 100 {
				row, err := d.NextRow()
				if err != nil {
					break
				}
				for _, v := range row {
					switch v.(type) {
					case int64, string, []byte, nil:
					default:
						t.Fatalf("value of type %T", v)
					}
				}
			}
		}
	})
}
