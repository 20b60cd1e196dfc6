// admit host pages: small improvements over forms that work without it.
// Eye buttons reveal codes in place (the reveal is audited server-side),
// the invitation copies to the clipboard, the live roster follows
// server-sent events, and the schedule form checks the passcode and the
// guessing bound as the host types.
(function () {
  "use strict";

  function csrfOf(form) {
    var el = form.querySelector("input[name=csrf]");
    return el ? el.value : "";
  }

  // Eye buttons: show and hide a code without leaving the page.
  document.querySelectorAll("form.reveal-form").forEach(function (form) {
    var btn = form.querySelector("button.reveal");
    var target = document.getElementById(btn.getAttribute("data-target"));
    var shown = null;
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var label = btn.querySelector(".label");
      if (shown !== null && btn.getAttribute("aria-pressed") === "true") {
        target.textContent = target.getAttribute("data-hidden");
        btn.setAttribute("aria-pressed", "false");
        btn.setAttribute("aria-label", btn.getAttribute("aria-label").replace(/^Hide/, "Show"));
        if (label) { label.textContent = "Show"; }
        return;
      }
      fetch(form.action, {
        method: "POST", credentials: "same-origin",
        headers: { "Accept": "application/json", "X-CSRF-Token": csrfOf(form) },
        body: new URLSearchParams(new FormData(form))
      }).then(function (res) {
        if (!res.ok) { throw new Error("reveal failed"); }
        return res.json();
      }).then(function (data) {
        shown = data.display || data.value;
        target.textContent = shown;
        btn.setAttribute("aria-pressed", "true");
        btn.setAttribute("aria-label", btn.getAttribute("aria-label").replace(/^Show/, "Hide"));
        if (label) { label.textContent = "Hide"; }
        var inv = document.getElementById("invitation");
        if (inv) {
          var what = btn.getAttribute("data-what");
          var ph = what === "passcode" ? "(hidden: press Show next to the passcode)" : "(hidden: press Show next to the access code)";
          var text = inv.value;
          if (what === "passcode") {
            text = text.replace("Passcode: " + ph, "Passcode: " + data.value);
            text = text.replace("passcode " + ph, "passcode " + (data.phone || data.value));
          } else {
            text = text.split(ph).join(shown);
          }
          inv.value = text;
        }
      }).catch(function () { form.submit(); });
    });
  });

  // Copy an invitation with its real values: fetched (audited), put in the
  // box and copied; without fetch the form shows it on the page.
  document.querySelectorAll("form.copy-invitation-form").forEach(function (form) {
    if (!window.fetch || !navigator.clipboard) { return; }
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var status = document.getElementById("copy-status");
      fetch(form.action, {
        method: "POST", credentials: "same-origin",
        headers: { "Accept": "application/json", "X-CSRF-Token": csrfOf(form) },
        body: new URLSearchParams(new FormData(form))
      }).then(function (res) {
        if (!res.ok) { throw new Error("invitation failed"); }
        return res.json();
      }).then(function (data) {
        var box = document.getElementById("invitation");
        if (box) { box.value = data.text; }
        return navigator.clipboard.writeText(data.text);
      }).then(function () {
        if (status) { status.textContent = "Copied, with its real values."; }
      }).catch(function () { form.submit(); });
    });
  });

  // Copy the invitation.
  document.querySelectorAll("button.copy").forEach(function (btn) {
    var src = document.getElementById(btn.getAttribute("data-copy"));
    var status = document.getElementById("copy-status");
    if (!src || !navigator.clipboard) { return; }
    btn.hidden = false;
    btn.addEventListener("click", function () {
      navigator.clipboard.writeText(src.value).then(function () {
        if (status) { status.textContent = "Copied."; }
      }, function () {
        src.select();
        if (status) { status.textContent = "Select and copy the text above."; }
      });
    });
  });

  // Admit, Deny, Remove and Admit all: sent in place (the live roster shows
  // the result), or as the plain form when that fails.
  document.addEventListener("submit", function (ev) {
    var form = ev.target;
    if (!form.classList || !form.classList.contains("decide") || !window.fetch) { return; }
    ev.preventDefault();
    var btn = form.querySelector("button");
    if (btn) { btn.disabled = true; }
    fetch(form.action, {
      method: "POST", credentials: "same-origin",
      headers: { "Accept": "application/json", "X-CSRF-Token": csrfOf(form) },
      body: new URLSearchParams(new FormData(form))
    }).then(function (res) {
      if (!res.ok) { throw new Error("decision failed"); }
    }).catch(function () { form.submit(); });
  });

  // Live roster: the waiting room and who is in follow server-sent events;
  // someone new in the waiting room shows in the tab's title, in a line
  // above the roster, and as a short tone.
  var roster = document.getElementById("roster");
  if (roster && roster.getAttribute("data-events") && window.EventSource) {
    var live = document.getElementById("roster-live");
    var cue = document.getElementById("waiting-cue");
    var baseTitle = document.title.replace(/^\(\d+ waiting\) /, "");
    var waitingNow = function () {
      var s = live.querySelector("[data-waiting]");
      return s ? { n: parseInt(s.getAttribute("data-waiting"), 10) || 0, names: s.getAttribute("data-waiting-names") || "" } : { n: 0, names: "" };
    };
    var last = waitingNow().n;
    var tone = function () {
      var AC = window.AudioContext || window.webkitAudioContext;
      if (!AC) { return "none"; }
      try {
        var ctx = new AC();
        var osc = ctx.createOscillator();
        var gain = ctx.createGain();
        osc.frequency.value = 880;
        gain.gain.setValueAtTime(0.15, ctx.currentTime);
        gain.gain.exponentialRampToValueAtTime(0.001, ctx.currentTime + 0.4);
        osc.connect(gain); gain.connect(ctx.destination);
        osc.start(); osc.stop(ctx.currentTime + 0.4);
        return ctx.state;
      } catch (e) { return "blocked"; }
    };
    var update = function () {
      var w = waitingNow();
      document.title = w.n > 0 ? "(" + w.n + " waiting) " + baseTitle : baseTitle;
      if (w.n > last) {
        cue.textContent = (w.n === 1 ? "Waiting to be let in: " : w.n + " waiting to be let in: ") + w.names;
        cue.hidden = false;
        roster.classList.add("cue-on");
        roster.setAttribute("data-tone", tone());
      } else if (w.n === 0) {
        cue.hidden = true;
        roster.classList.remove("cue-on");
      }
      last = w.n;
    };
    var es = new EventSource(roster.getAttribute("data-events"));
    es.addEventListener("roster", function (ev) { live.innerHTML = ev.data; update(); });
    roster.setAttribute("data-live", "on");
  }

  // Schedule form: passcode policy and guessing bound as you type.
  var sched = document.getElementById("schedule-form");
  if (sched && window.fetch) {
    var timer = null;
    var check = function () {
      var body = new URLSearchParams(new FormData(sched));
      fetch(sched.getAttribute("data-check"), {
        method: "POST", credentials: "same-origin",
        headers: { "Accept": "application/json", "X-CSRF-Token": csrfOf(sched) },
        body: body
      }).then(function (res) { return res.json(); }).then(function (d) {
        var pc = document.getElementById("passcode-check");
        var input = document.getElementById("passcode");
        if (pc) {
          if (d.passcode_error) {
            pc.innerHTML = "";
            var s = document.createElement("span");
            s.className = "error";
            s.textContent = d.passcode_error;
            pc.appendChild(s);
            input.setAttribute("aria-invalid", "true");
          } else {
            pc.textContent = input.value ? "This passcode meets the policy." : "Empty: admit draws one, shown on the meeting's page.";
            input.removeAttribute("aria-invalid");
          }
        }
        var bv = document.getElementById("bound-value");
        var bs = document.getElementById("bound-state");
        var bn = document.getElementById("bound-note");
        var bw = document.getElementById("bound-words");
        if (bv && d.bound) { bv.textContent = d.bound; }
        if (bw && d.bound_words) { bw.textContent = d.bound_words; }
        if (bs) {
          bs.textContent = d.bound_ok ? "Within the account's limit of " + d.ceiling_words : "Too likely: above the account's limit";
          bs.className = d.bound_ok ? "ok" : "error";
        }
        if (bn) { bn.textContent = d.error || d.bound_error || ""; }
      }).catch(function () {});
    };
    var schedule = function () {
      clearTimeout(timer);
      timer = setTimeout(check, 250);
    };
    sched.addEventListener("input", schedule);
    sched.addEventListener("change", schedule);
  }
})();
