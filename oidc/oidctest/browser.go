package oidctest

import (
	"errors"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// Browser is an HTTP client that behaves like a browser towards the
// provider's login: it keeps cookies, follows redirects, reads the login
// form and posts it. It does not follow the redirect to StopAt (admit's
// callback), so a test can look at, keep or replay the callback URL.
type Browser struct {
	Client *http.Client
	// StopAt is the prefix of URLs not followed (the callback).
	StopAt string
}

// NewBrowser returns a Browser with an empty cookie jar that stops at
// stopAt.
func NewBrowser(tb testing.TB, stopAt string) *Browser {
	tb.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		tb.Fatalf("oidctest: cookie jar: %v", err)
	}
	b := &Browser{StopAt: stopAt}
	b.Client = &http.Client{Jar: jar, CheckRedirect: func(req *http.Request, via []*http.Request) error {
		if len(via) >= 20 {
			return errors.New("oidctest: too many redirects")
		}
		if b.StopAt != "" && strings.HasPrefix(req.URL.String(), b.StopAt) {
			return http.ErrUseLastResponse
		}
		return nil
	}}
	return b
}

// Login opens authURL, fills the provider's login form with username and
// password, submits it and returns the callback URL the provider redirects
// to (not followed). It returns an error when the provider shows the form
// again (wrong password) or answers anything but the redirect.
func (b *Browser) Login(authURL, username, password string) (*url.URL, error) {
	resp, err := b.Client.Get(authURL)
	if err != nil {
		return nil, fmt.Errorf("opening the authorization URL: %w", err)
	}
	if loc := stoppedAt(resp); loc != nil {
		return loc, nil // already signed in at the provider
	}
	page, err := readPage(resp)
	if err != nil {
		return nil, err
	}
	form, err := ParseForm(page)
	if err != nil {
		return nil, fmt.Errorf("login page at %s: %w", resp.Request.URL, err)
	}
	form.Values.Set("username", username)
	form.Values.Set("password", password)
	action, err := resp.Request.URL.Parse(form.Action)
	if err != nil {
		return nil, fmt.Errorf("form action %q: %w", form.Action, err)
	}
	resp, err = b.Client.PostForm(action.String(), form.Values)
	if err != nil {
		return nil, fmt.Errorf("posting the login form: %w", err)
	}
	if loc := stoppedAt(resp); loc != nil {
		return loc, nil
	}
	page, _ = readPage(resp)
	return nil, fmt.Errorf("login did not redirect to the callback: %s at %s:\n%.500s", resp.Status, resp.Request.URL, page)
}

// Get requests u with the browser's cookies (not following the redirect to
// StopAt).
func (b *Browser) Get(u string) (*http.Response, error) { return b.Client.Get(u) }

// stoppedAt returns the Location of a redirect the client did not follow.
func stoppedAt(resp *http.Response) *url.URL {
	if resp.StatusCode < 300 || resp.StatusCode > 399 {
		return nil
	}
	resp.Body.Close()
	loc, err := resp.Location()
	if err != nil {
		return nil
	}
	return loc
}

func readPage(resp *http.Response) (string, error) {
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return "", fmt.Errorf("reading %s: %w", resp.Request.URL, err)
	}
	if resp.StatusCode != http.StatusOK {
		return string(b), fmt.Errorf("%s answered %s: %.300s", resp.Request.URL, resp.Status, b)
	}
	return string(b), nil
}

// Form is an HTML form as a browser would submit it.
type Form struct {
	Action string
	Values url.Values
}

var (
	formTag  = regexp.MustCompile(`(?is)<form\b[^>]*>`)
	inputTag = regexp.MustCompile(`(?is)<input\b[^>]*>`)
	attr     = regexp.MustCompile(`(?is)\b([a-z-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')`)
)

func attrs(tag string) map[string]string {
	m := map[string]string{}
	for _, a := range attr.FindAllStringSubmatch(tag, -1) {
		m[strings.ToLower(a[1])] = html.UnescapeString(a[2] + a[3])
	}
	return m
}

// ParseForm reads the first form of page: its action and its inputs' names
// and values (enough for a login form).
func ParseForm(page string) (*Form, error) {
	loc := formTag.FindStringIndex(page)
	if loc == nil {
		return nil, errors.New("no form")
	}
	f := &Form{Action: attrs(page[loc[0]:loc[1]])["action"], Values: url.Values{}}
	body := page[loc[1]:]
	if end := strings.Index(strings.ToLower(body), "</form>"); end >= 0 {
		body = body[:end]
	}
	for _, tag := range inputTag.FindAllString(body, -1) {
		a := attrs(tag)
		if a["name"] != "" {
			f.Values.Set(a["name"], a["value"])
		}
	}
	return f, nil
}
