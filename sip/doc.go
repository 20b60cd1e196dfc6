// Package sip is admit's phone gateway: a SIP endpoint (UDP, TCP and TLS,
// on github.com/emiago/sipgo and github.com/emiago/diago) that answers calls
// from configured trunks, asks the caller for the meeting ID or access code
// and the passcode with recorded prompts, has an admit.PhoneAdmitter decide,
// and bridges an admitted caller to the meeting's media by calling the
// conference SIP URI and relaying audio between the two legs, or, on
// trunks that allow it, by transferring the call there with REFER. Where
// dial-in numbers belong to accounts, the called number selects the
// account whose meetings a call reaches.
//
// The caller's menu (menu.go) is a pure state machine; the DTMF decoders
// (dtmf.go) read RFC 4733 telephone events and SIP INFO bodies themselves.
//
// It may import the standard library, the root package admit, sipgo, diago
// and their dependencies (github.com/zaf/g711, github.com/icholy/digest); it
// never imports the application, the stores or the HTTP edge.
package sip
