// admit's room client: an admitted participant (or the host) connects to the
// occurrence's LiveKit room with the URL and short-lived token admit gave
// the page, in data attributes of the element with id "room":
//
//   data-server   the LiveKit server (ws:// or wss://); not "data-url",
//                 which html/template would treat as a link and rewrite
//   data-token    the access token (LiveKit's format, signed by admit)
//   data-refresh  optional: admit's endpoint that returns a fresh token
//                 ({"url": ..., "token": ...}) while the participant stays
//                 admitted; used when the first token has expired
//
// It shows every participant's camera under the name admit gave them
// ("Name (2)" included), offers microphone and camera toggles and Leave,
// and says so when the server disconnects it (removed by the host, meeting
// ended). The element's data-state follows the connection: connecting,
// connected, reconnecting, removed, ended, left, disconnected, failed.
//
// Built with esbuild into web/static/room.js (web/room/build.sh); no inline
// script, so the page's content security policy stays strict.
import {
  Room,
  RoomEvent,
  Track,
  DisconnectReason,
} from "livekit-client";

const root = document.getElementById("room");
if (root) {
  start(root);
}

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text) e.textContent = text;
  return e;
}

function start(root) {
  const serverURL = root.getAttribute("data-server");
  let token = root.getAttribute("data-token");
  const refreshURL = root.getAttribute("data-refresh");

  const status = el("p", "room-status", "Connecting to the meeting…");
  status.setAttribute("role", "status");
  status.setAttribute("aria-live", "polite");
  const tiles = el("div", "room-tiles");
  const controls = el("div", "room-controls");
  const micButton = el("button", "secondary", "Mute microphone");
  micButton.type = "button";
  micButton.id = "room-mic";
  const camButton = el("button", "secondary", "Turn camera off");
  camButton.type = "button";
  camButton.id = "room-camera";
  const leaveButton = el("button", "danger", "Leave");
  leaveButton.type = "button";
  leaveButton.id = "room-leave";
  controls.append(micButton, camButton, leaveButton);
  root.replaceChildren(status, tiles, controls);
  for (const b of [micButton, camButton]) b.disabled = true;

  const room = new Room({ adaptiveStream: true, dynacast: true });
  window.admitRoom = room; // for tests and the browser console
  let leaving = false;

  function setState(state, text) {
    root.setAttribute("data-state", state);
    if (text) status.textContent = text;
  }

  // One tile per participant, keyed by identity.
  function tileFor(p) {
    let t = tiles.querySelector('[data-identity="' + CSS.escape(p.identity) + '"]');
    if (!t) {
      t = el("figure", "room-tile");
      t.setAttribute("data-identity", p.identity);
      if (p.isLocal) t.setAttribute("data-local", "true");
      const video = el("video");
      video.autoplay = true;
      video.playsInline = true;
      video.muted = true; // audio plays through separate <audio> elements
      video.addEventListener("resize", () => markVideo(t, video));
      video.addEventListener("playing", () => markVideo(t, video));
      const caption = el("figcaption", "room-name");
      t.append(video, caption);
      tiles.append(t);
    }
    t.querySelector(".room-name").textContent =
      (p.name || p.identity) + (p.isLocal ? " (you)" : "");
    return t;
  }

  function markVideo(tile, video) {
    if (video.videoWidth > 0) tile.setAttribute("data-video", "playing");
  }

  function removeTile(p) {
    const t = tiles.querySelector('[data-identity="' + CSS.escape(p.identity) + '"]');
    if (t) t.remove();
  }

  function attach(track, p) {
    const t = tileFor(p);
    if (track.kind === Track.Kind.Video) {
      track.attach(t.querySelector("video"));
    } else if (track.kind === Track.Kind.Audio && !p.isLocal) {
      const a = track.attach();
      a.setAttribute("data-identity", p.identity);
      t.append(a);
    }
  }

  function detach(track, p) {
    for (const e of track.detach()) {
      if (e.tagName === "AUDIO") e.remove();
    }
    const t = tiles.querySelector('[data-identity="' + CSS.escape(p.identity) + '"]');
    if (t && track.kind === Track.Kind.Video) t.removeAttribute("data-video");
  }

  function updateButtons() {
    const lp = room.localParticipant;
    micButton.textContent = lp.isMicrophoneEnabled ? "Mute microphone" : "Unmute microphone";
    micButton.setAttribute("aria-pressed", String(!lp.isMicrophoneEnabled));
    camButton.textContent = lp.isCameraEnabled ? "Turn camera off" : "Turn camera on";
    camButton.setAttribute("aria-pressed", String(!lp.isCameraEnabled));
  }

  room
    .on(RoomEvent.ParticipantConnected, (p) => tileFor(p))
    .on(RoomEvent.ParticipantDisconnected, (p) => removeTile(p))
    .on(RoomEvent.ParticipantNameChanged, (_name, p) => tileFor(p))
    .on(RoomEvent.TrackSubscribed, (track, _pub, p) => attach(track, p))
    .on(RoomEvent.TrackUnsubscribed, (track, _pub, p) => detach(track, p))
    .on(RoomEvent.LocalTrackPublished, (pub, p) => {
      if (pub.track) attach(pub.track, p);
      updateButtons();
    })
    .on(RoomEvent.LocalTrackUnpublished, (pub, p) => {
      if (pub.track) detach(pub.track, p);
      updateButtons();
    })
    .on(RoomEvent.TrackMuted, updateButtons)
    .on(RoomEvent.TrackUnmuted, updateButtons)
    .on(RoomEvent.Reconnecting, () => setState("reconnecting", "Connection lost; reconnecting…"))
    .on(RoomEvent.Reconnected, () => setState("connected", "You are in the meeting."))
    .on(RoomEvent.Disconnected, (reason) => {
      for (const b of [micButton, camButton, leaveButton]) b.disabled = true;
      tiles.replaceChildren();
      if (leaving || reason === DisconnectReason.CLIENT_INITIATED) {
        setState("left", "You left the meeting.");
      } else if (reason === DisconnectReason.PARTICIPANT_REMOVED) {
        setState("removed", "The host removed you from the meeting.");
      } else if (reason === DisconnectReason.ROOM_DELETED) {
        setState("ended", "The meeting has ended.");
      } else if (reason === DisconnectReason.DUPLICATE_IDENTITY) {
        setState("disconnected", "You joined the meeting from another window; this one is disconnected.");
      } else {
        setState("disconnected", "You were disconnected from the meeting.");
      }
    });

  micButton.addEventListener("click", async () => {
    micButton.disabled = true;
    try {
      await room.localParticipant.setMicrophoneEnabled(!room.localParticipant.isMicrophoneEnabled);
    } catch (e) {
      status.textContent = "The microphone could not be changed: " + e.message;
    }
    micButton.disabled = false;
    updateButtons();
  });
  camButton.addEventListener("click", async () => {
    camButton.disabled = true;
    try {
      await room.localParticipant.setCameraEnabled(!room.localParticipant.isCameraEnabled);
    } catch (e) {
      status.textContent = "The camera could not be changed: " + e.message;
    }
    camButton.disabled = false;
    updateButtons();
  });

  // Leave: disconnect from the media, then tell admit (the page's leave
  // form, when it has one) so that the roster shows it.
  const leaveForm = document.querySelector("form[data-room-leave]");
  async function leave() {
    leaving = true;
    try {
      await room.disconnect();
    } catch (_) {
      // leaving anyway
    }
  }
  leaveButton.addEventListener("click", async () => {
    await leave();
    if (leaveForm) leaveForm.submit();
  });
  if (leaveForm) {
    leaveForm.hidden = true;
    leaveForm.addEventListener("submit", () => { leaving = true; room.disconnect(); });
  }

  async function refresh() {
    if (!refreshURL) return null;
    const res = await fetch(refreshURL, {
      method: "POST",
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    });
    if (!res.ok) return null;
    const body = await res.json();
    return body && body.token ? body : null;
  }

  async function connect() {
    setState("connecting", "Connecting to the meeting…");
    try {
      await room.connect(serverURL, token);
    } catch (first) {
      // The page's token may have expired while it was open: ask admit for
      // a fresh one, which it gives only while the participant is admitted.
      let fresh = null;
      try {
        fresh = await refresh();
      } catch (_) {
        fresh = null;
      }
      if (!fresh) throw first;
      token = fresh.token;
      await room.connect(fresh.url || serverURL, token);
    }
    setState("connected", "You are in the meeting.");
    tileFor(room.localParticipant);
    for (const p of room.remoteParticipants.values()) tileFor(p);
    try {
      await room.localParticipant.enableCameraAndMicrophone();
    } catch (e) {
      status.textContent =
        "You are in the meeting, but your camera or microphone could not start: " + e.message;
    }
    for (const b of [micButton, camButton]) b.disabled = false;
    updateButtons();
  }

  if (!serverURL || !token) {
    setState("failed", "This page has no connection to a meeting room.");
    return;
  }
  connect().catch((e) => {
    if (root.getAttribute("data-state") === "connecting") {
      setState("failed", "Could not connect to the meeting: " + (e && e.message ? e.message : e));
    }
  });
}
