// The join page: check the join link, show the hearing, preview camera and
// microphone, and join over Socket.IO with a live roster.

import { fetchSession } from "./api.js";
import { HearingConnection } from "./connection.js";
import { kindLabel, roleLabel, stateLabel, t, translatePage } from "./i18n.js";
import { VideoGrid } from "./grid.js";
import { getLocalStream, resumeAudio, startPreview, stopPreview } from "./media-preview.js";
import { MediaSession } from "./media-session.js";
import { RosterView } from "./roster.js";

const $ = (id) => document.getElementById(id);

const el = {
  loading: $("loading"),
  fatal: $("fatal"),
  app: $("app"),
  kind: $("hearing-kind"),
  title: $("hearing-title"),
  court: $("court"),
  caseNumber: $("case-number"),
  scheduledStart: $("scheduled-start"),
  state: $("hearing-state"),
  name: $("participant-name"),
  role: $("participant-role"),
  previewSection: $("preview-section"),
  video: $("preview-video"),
  micLevel: $("mic-level"),
  previewMessage: $("preview-message"),
  previewRetry: $("preview-retry"),
  observerNote: $("observer-note"),
  connection: $("connection-status"),
  sessionMessage: $("session-message"),
  statusMessage: $("status-message"),
  joinButton: $("join-button"),
  leaveButton: $("leave-button"),
  rosterSection: $("roster-section"),
  roster: $("roster"),
  rosterEmpty: $("roster-empty"),
  grid: $("video-grid"),
};

// What the page knows; the token lives only here once it is out of the URL.
const page = {
  token: null,
  session: null,
  connection: null,
  ready: false, // connected and greeted: the server knows who we are
  joined: false,
  busy: false, // a join or leave is waiting for its ack
  over: false, // left, ended by the server, or refused for good
  iceServers: [],
  standing: null, // "lobby" or "admitted" once joined
  media: null, // the MediaSession once joined
  pendingOffer: null, // an offer that arrived before the join ack
};

const roster = new RosterView(el.roster, el.rosterEmpty);
const grid = new VideoGrid(el.grid);

// Roles whose tracks the node forwards from the moment they are in the hearing.
const PUBLISHING_ROLES = new Set(["judge", "mediator", "clerk", "party", "counsel", "interpreter"]);

/** The join token from `#token=...`, taken out of the visible URL (and history). */
function takeToken() {
  const params = new URLSearchParams(location.hash.slice(1));
  const token = params.get("token");
  if (params.has("token")) {
    history.replaceState(history.state, "", location.pathname + location.search);
  }
  return token || null;
}

/** A server-worded message, or our own when the server gave none. */
function serverText(message, fallbackKey) {
  const text = typeof message === "string" ? message.trim() : "";
  return text ? text[0].toUpperCase() + text.slice(1) : t(fallbackKey);
}

function setText(node, text) {
  node.textContent = text ?? "";
}

function showFatal(message, help) {
  el.loading.hidden = true;
  const lines = [message, help].filter(Boolean).map((text, i) => {
    const p = document.createElement("p");
    p.className = i === 0 ? "notice-title" : "";
    p.textContent = text;
    return p;
  });
  el.fatal.replaceChildren(...lines);
}

function formatStart(iso) {
  if (!iso) {
    return null;
  }
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) {
    return null;
  }
  const time = document.createElement("time");
  time.dateTime = iso;
  time.textContent = new Intl.DateTimeFormat(undefined, {
    weekday: "long",
    year: "numeric",
    month: "long",
    day: "numeric",
    hour: "numeric",
    minute: "2-digit",
    timeZoneName: "short",
  }).format(date);
  return time;
}

function setHearingState(state) {
  if (state) {
    el.state.dataset.state = state;
    setText(el.state, stateLabel(state));
  }
}

function showSession(session) {
  const { hearing, participant } = session;
  document.title = `${hearing.title} – ${t("page.title")}`;
  setText(el.kind, kindLabel(hearing.kind));
  setText(el.title, hearing.title);
  setText(el.court, hearing.court);
  setText(el.caseNumber, hearing.case_number);
  const start = formatStart(hearing.scheduled_start);
  el.scheduledStart.replaceChildren(start ?? t("details.notScheduled"));
  setHearingState(hearing.state);
  setText(el.name, participant.display_name);
  setText(el.role, roleLabel(participant.role));
  roster.setSelf(participant.id);
  el.loading.hidden = true;
  el.app.hidden = false;
}

// -- camera and microphone ------------------------------------------------------

async function preview() {
  el.previewRetry.hidden = true;
  setText(el.previewMessage, t("preview.requesting"));
  const result = await startPreview(el.video, el.micLevel);
  if (page.over) {
    // Left or ended while the browser was still asking.
    stopPreview(el.video);
    return;
  }
  if (result.ok) {
    setText(el.previewMessage, t(result.audioOnly ? "preview.audioOnly" : "preview.ready"));
  } else {
    setText(el.previewMessage, `${result.message} ${t("preview.canStillJoin")}`);
    el.previewRetry.hidden = false;
  }
}

// -- connection -------------------------------------------------------------------

function updateControls() {
  el.joinButton.hidden = page.joined || page.over;
  el.leaveButton.hidden = !page.joined || page.over;
  el.joinButton.disabled = !page.ready || page.busy;
  el.leaveButton.disabled = page.busy;
}

function setConnection(status) {
  setText(el.connection, t(`connection.${status}`));
  el.connection.dataset.status = status;
  if (status !== "connected") {
    page.ready = false;
    updateControls();
  }
}

function showRoster(message) {
  if (message && message.hearing_id && message.hearing_id !== page.session.hearing.id) {
    return;
  }
  if (roster.show(message)) {
    setHearingState(message.state);
    grid.setPeople(message.participants);
    const self = message.participants.find((p) => p.participant_id === page.session.participant.id);
    setStanding(self?.presence ?? null);
  }
}

/** Stop taking part: no more connection, camera or microphone. */
function finish() {
  page.over = true;
  page.ready = false;
  stopMedia();
  page.connection?.close();
  stopPreview(el.video);
  el.previewSection.hidden = true;
  el.rosterSection.hidden = true;
  updateControls();
}

async function greet() {
  roster.reset();
  try {
    const welcome = await page.connection.request("hello");
    page.iceServers = welcome.ice_servers ?? [];
    page.standing = null; // media starts again if the server kept our place
    stopMedia();
    roster.setSelf(welcome.participant_id);
    showRoster(welcome.roster);
    page.ready = true;
  } catch (error) {
    setText(el.sessionMessage, serverText(error.message, "join.timeout"));
    updateControls();
    return;
  }
  if (page.joined) {
    // Back after a dropped connection: the server saw us leave, so join again.
    await join({ rejoin: true });
  }
  updateControls();
}

async function join({ rejoin = false } = {}) {
  if (page.busy || page.over) {
    return;
  }
  page.busy = true;
  updateControls();
  if (!rejoin) {
    setText(el.joinButton, t("join.joining"));
    setText(el.sessionMessage, "");
  }
  try {
    const ack = await page.connection.request("join");
    page.joined = true;
    showRoster(ack.roster);
  } catch (error) {
    page.joined = false;
    setText(el.sessionMessage, serverText(error.message, "join.timeout"));
  } finally {
    page.busy = false;
    setText(el.joinButton, t("join.button"));
    const hadFocus = document.activeElement === el.joinButton;
    updateControls();
    if (page.joined && (hadFocus || !rejoin)) {
      el.leaveButton.focus();
    } else if (!page.joined && !rejoin) {
      el.joinButton.focus();
    }
  }
}

async function leave() {
  if (page.busy || page.over) {
    return;
  }
  page.busy = true;
  setText(el.leaveButton, t("join.leaving"));
  updateControls();
  if (page.connection.connected) {
    try {
      await page.connection.request("leave");
    } catch {
      // Closing the connection below leaves the hearing all the same.
    }
  }
  page.busy = false;
  page.joined = false;
  finish();
  setText(el.leaveButton, t("join.leave"));
  setText(el.statusMessage, t("join.left"));
  el.statusMessage.focus();
}

function connect(token) {
  page.connection = new HearingConnection(token, page.session.hearing.id, {
    onStatus: setConnection,
    onConnected: () => {
      greet();
    },
    onRefused: (error, final) => {
      if (final) {
        setText(el.sessionMessage, serverText(error.message, "connection.refused"));
        finish();
      } else {
        setText(el.statusMessage, serverText(error.message, "connection.refused"));
      }
    },
    onRoster: showRoster,
    onSubscribeOffer,
    onError: (error) => {
      setText(el.statusMessage, serverText(error?.message, "connection.refused"));
    },
    onHearingState: (message) => {
      if (message?.hearing_id === page.session.hearing.id) {
        setHearingState(message.state);
      }
    },
    onSessionEnded: (message) => {
      setText(el.sessionMessage, serverText(message?.message, "join.ended"));
      page.joined = false;
      finish();
      el.sessionMessage.focus();
    },
  });
  page.connection.connect();
}

// -- media ----------------------------------------------------------------------

/** Where the server says we are: media flows only once we are admitted. */
function setStanding(presence) {
  if (!page.joined || page.over || presence === page.standing) {
    return;
  }
  page.standing = presence;
  if (presence === "admitted") {
    setText(el.statusMessage, t("join.joined"));
    startMedia();
  } else if (presence === "lobby") {
    setText(el.statusMessage, t("join.lobby"));
    stopMedia();
  }
}

/** Publish our camera and microphone and take the node's offers for everyone else's. */
function startMedia() {
  stopMedia();
  page.media = new MediaSession(page.connection, page.iceServers, grid);
  if (page.pendingOffer) {
    page.media.onOffer(page.pendingOffer);
    page.pendingOffer = null;
  }
  if (PUBLISHING_ROLES.has(page.session.participant.role)) {
    page.media.publish(getLocalStream()).catch((error) => {
      setText(el.statusMessage, serverText(error.message, "media.publishFailed"));
    });
  }
}

function stopMedia() {
  page.media?.close();
  page.media = null;
  grid.clear();
}

function onSubscribeOffer(offer) {
  if (page.media) {
    page.media.onOffer(offer);
  } else {
    page.pendingOffer = offer;
  }
}

// -- start ----------------------------------------------------------------------

async function main() {
  translatePage();
  page.token = takeToken();
  if (!page.token) {
    showFatal(t("token.missing"), t("token.missingHelp"));
    return;
  }
  try {
    page.session = await fetchSession(page.token);
  } catch (error) {
    if (error.code === "network_error") {
      showFatal(t("session.unreachable"));
    } else {
      showFatal(serverText(error.message, "session.failed"), t("token.missingHelp"));
    }
    return;
  }
  showSession(page.session);

  el.joinButton.addEventListener("click", () => {
    resumeAudio();
    join();
  });
  el.leaveButton.addEventListener("click", leave);
  el.previewRetry.addEventListener("click", preview);

  updateControls();
  connect(page.token);
  if (page.session.participant.role === "observer") {
    el.observerNote.hidden = false;
  } else {
    el.previewSection.hidden = false;
    preview();
  }
}

main();
