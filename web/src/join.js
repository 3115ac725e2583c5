// The join page, for every role: check the join link, check camera, microphone,
// speakers and network, join, wait in the lobby, take part in the hearing,
// (judge, mediator, clerk) run it from the console, and, once it is adjourned,
// confirm its transcript.

import { fetchSession, takeToken } from "./api.js";
import { AudioLevels } from "./audio-levels.js";
import { CaptionsView } from "./captions.js";
import { HearingConnection } from "./connection.js";
import { CourtConsole, consoleElements } from "./console.js";
import { ControlBar } from "./control-bar.js";
import { DeviceCheck } from "./device-check.js";
import { VideoGrid } from "./grid.js";
import { MediaRouter } from "./lobby-preview.js";
import { showDetails } from "./hearing-details.js";
import { t, translatePage } from "./i18n.js";
import { drawIcons } from "./icons.js";
import { HearingMedia } from "./hearing-media.js";
import { LobbyView } from "./lobby.js";
import { LocalMedia } from "./local-media.js";
import { confirmsTranscript, isOfficer, publishes, raisesHand } from "./permissions.js";
import { refusalText } from "./refusals.js";
import { RosterView } from "./roster.js";
import { Screens } from "./screens.js";
import { StatusBar } from "./status-bar.js";
import { TranscriptConfirmation } from "./transcript-confirm.js";

const $ = (id) => document.getElementById(id);

const el = {
  loading: $("loading"),
  fatal: $("fatal"),
  previewSection: $("preview-section"),
  observerNote: $("observer-note"),
  joinIntro: $("join-intro"),
  sessionMessage: $("session-message"),
  joinButton: $("join-button"),
  lobbyLeave: $("lobby-leave"),
  sequestered: $("sequestered"),
  observerBanner: $("observer-banner"),
  grid: $("video-grid"),
  statusMessage: $("status-message"),
  leaveButton: $("leave-button"),
  rosterCount: $("roster-count"),
  endedMessage: $("ended-message"),
  endedClose: $("ended-close"),
  rejoinButton: $("rejoin-button"),
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
  leftByChoice: false,
  iceServers: [],
  roster: null, // the last roster message
  self: null, // our own entry in it
  returned: false, // the court sent us back to the lobby
};

const levels = new AudioLevels();
const local = new LocalMedia();
const statusBar = new StatusBar({
  state: $("hearing-state"),
  recording: $("recording"),
  clock: $("clock"),
  clockValue: $("clock-value"),
  connection: $("connection-status"),
  banner: $("reconnect-banner"),
});
const grid = new VideoGrid(el.grid, levels);
// Tracks go to the grid, or, for people waiting in the lobby, to the console.
const view = new MediaRouter(grid);
const screens = new Screens({
  check: [$("screen-check"), $("check-title")],
  lobby: [$("screen-lobby"), $("lobby-title")],
  hearing: [$("screen-hearing"), $("hearing-view-title")],
  ended: [$("screen-ended"), $("ended-title")],
});
const lobby = new LobbyView({
  state: $("lobby-state"),
  verified: $("lobby-verified"),
  returned: $("lobby-returned"),
  video: $("lobby-video"),
});
const roster = new RosterView($("roster"), $("roster-empty"));
const captions = new CaptionsView($("captions"), $("captions-log"), $("captions-pending"));
const deviceCheck = new DeviceCheck(
  {
    video: $("preview-video"),
    micLevel: $("mic-level"),
    micHint: $("mic-hint"),
    previewMessage: $("preview-message"),
    previewRetry: $("preview-retry"),
    speakerButton: $("speaker-test"),
    speakerMessage: $("speaker-message"),
    networkButton: $("network-test"),
    networkResult: $("network-result"),
  },
  { media: local, levels, onMedia: () => mediaChanged() },
);
const controlBar = new ControlBar(
  {
    mic: $("mic-button"),
    camera: $("camera-button"),
    hand: $("hand-button"),
    notices: $("court-notices"),
  },
  {
    media: local,
    request: (event, data) => page.connection.request(event, data),
    onCamera: (on) => grid.setSelfCamera(on),
    onError: (error) => say(refused(error, "error.unknown")),
  },
);
/** @type {CourtConsole | null} the console, for judge, mediator and clerk */
let court = null;
/** @type {HearingMedia | null} created once we know who we are */
let media = null;
/** @type {TranscriptConfirmation | null} once the hearing is adjourned, for who confirms */
let confirmation = null;

const role = () => page.session.participant.role;
const selfId = () => page.session.participant.id;

/** What to say about a refusal: our words for its reason, else the server's. */
function refused(error, fallbackKey) {
  return refusalText(error, { nameOf, fallback: fallbackKey });
}

/** A server-worded message, or our own when the server gave none. */
function serverText(message, fallbackKey) {
  const text = typeof message === "string" ? message.trim() : "";
  return text ? text[0].toUpperCase() + text.slice(1) : t(fallbackKey);
}

function say(text) {
  el.statusMessage.textContent = text ?? "";
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

function showSession(session) {
  document.title = `${session.hearing.title} – ${t("page.title")}`;
  showDetails(session);
  statusBar.setState(session.hearing.state);
  roster.setSelf(session.participant.id);
  el.loading.hidden = true;
}

// -- screens ----------------------------------------------------------------------

/** Show the screen for where we are: check, lobby, hearing or ended. */
function render() {
  let screen = screens.current ?? "check";
  if (page.over) {
    screen = "ended";
  } else if (!page.joined) {
    screen = "check";
  } else if (page.self?.presence === "admitted") {
    screen = "hearing";
  } else if (page.self?.presence === "lobby") {
    screen = "lobby";
  }
  if (screens.show(screen)) {
    if (screen === "check") {
      deviceCheck.resume();
    } else {
      deviceCheck.pause();
    }
    if (screen === "lobby") {
      lobby.enter(local.stream);
    } else {
      lobby.leave();
    }
  }
  updateButtons();
  if (screen === "lobby") {
    lobby.render(page.roster?.state ?? statusBar.state, page.self, page.returned, nameOf);
  } else if (screen === "hearing") {
    renderHearing();
  }
}

function renderHearing() {
  const self = page.self;
  const sequestered = role() === "witness" && !self?.called;
  el.sequestered.hidden = !sequestered;
  el.grid.parentElement.hidden = sequestered;
  el.observerBanner.hidden = role() !== "observer";
  controlBar.configure({
    canPublish: publishes(role(), self?.called) && Boolean(local.stream),
    canRaiseHand: raisesHand(role()),
  });
  controlBar.update(self);
}

function updateButtons() {
  el.joinButton.disabled = !page.ready || page.busy;
  el.leaveButton.disabled = page.busy;
  el.lobbyLeave.disabled = page.busy;
  el.rejoinButton.hidden = !page.leftByChoice;
}

function nameOf(id) {
  return page.roster?.participants.find((p) => p.participant_id === id)?.display_name ?? id;
}

// -- the roster and the server's notices ----------------------------------------------

function showRoster(message) {
  if (!message || message.hearing_id !== page.session.hearing.id || !roster.show(message)) {
    return;
  }
  const was = page.self?.presence;
  page.roster = message;
  page.self = message.participants.find((p) => p.participant_id === selfId()) ?? null;
  if (page.self?.presence === "admitted") {
    page.returned = false;
    if (was === "lobby") {
      say(t("join.admitted"));
    }
  }
  el.rosterCount.textContent = String(message.participants.length);
  statusBar.setState(message.state);
  grid.setPeople(message.participants, selfId());
  view.setPeople(message.participants);
  court?.update(message);
  syncMedia();
  render();
}

function onHearingState(message) {
  if (message?.hearing_id !== page.session.hearing.id) {
    return;
  }
  statusBar.setHearingState(message);
  court?.setState(message.state);
  if (page.roster) {
    page.roster = { ...page.roster, state: message.state };
  }
  render();
}

function onSessionEnded(message) {
  const code = message?.code;
  const key = `ended.code.${code}`;
  const text = t(key) !== key ? t(key) : serverText(message?.message, "join.ended");
  finish(text);
  if (code === "hearing_adjourned") {
    offerConfirmation();
  }
}

/** The hearing is adjourned: those asked to confirm its transcript are offered it here. */
function offerConfirmation() {
  if (!confirmsTranscript(role()) || confirmation) {
    return;
  }
  confirmation = new TranscriptConfirmation(
    {
      section: $("confirm"),
      loading: $("confirm-loading"),
      error: $("confirm-error"),
      retry: $("confirm-retry"),
      body: $("confirm-body"),
      list: $("confirm-transcript"),
      empty: $("confirm-empty"),
      result: $("confirm-result"),
      actions: $("confirm-actions"),
      confirm: $("confirm-button"),
      object: $("object-button"),
      form: $("object-form"),
      note: $("object-note"),
      noteError: $("object-note-error"),
      cancel: $("object-cancel"),
    },
    { token: page.token, refusal: (error) => refused(error, "error.unknown") },
  );
  el.endedClose.textContent = t("ended.closeAfterConfirm");
  confirmation.start();
}

// -- joining and leaving ------------------------------------------------------------

async function greet() {
  roster.reset();
  try {
    const welcome = await page.connection.request("hello");
    page.iceServers = welcome.ice_servers ?? [];
    // The hearing clock as of now, for someone arriving mid-hearing.
    statusBar.clock.set({ clock: welcome.clock, clock_running: welcome.clock_running });
    showRoster(welcome.roster);
    page.ready = true;
    deviceCheck.setConnection(page.connection, page.iceServers);
  } catch (error) {
    el.sessionMessage.textContent = refused(error, "join.timeout");
    updateButtons();
    return;
  }
  if (page.joined) {
    // Back after a dropped connection: the server kept our place; join again.
    await join({ rejoin: true });
  }
  updateButtons();
}

async function join({ rejoin = false } = {}) {
  if (page.busy || page.over) {
    return;
  }
  page.busy = true;
  levels.resume();
  if (!rejoin) {
    el.joinButton.textContent = t("join.joining");
    el.sessionMessage.textContent = "";
  }
  updateButtons();
  try {
    const ack = await page.connection.request("join");
    page.joined = true;
    if (isOfficer(role()) && !court) {
      startConsole();
    }
    showRoster(ack.roster);
    if (!rejoin) {
      say(page.self?.presence === "admitted" ? t("join.joined") : "");
    }
  } catch (error) {
    if (!rejoin) {
      page.joined = false;
    }
    el.sessionMessage.textContent = refused(error, "join.timeout");
  } finally {
    page.busy = false;
    el.joinButton.textContent = t("join.button");
    render();
  }
}

async function leave() {
  if (page.busy || page.over) {
    return;
  }
  page.busy = true;
  updateButtons();
  if (page.connection.connected) {
    try {
      await page.connection.request("leave");
    } catch {
      // Closing the connection below leaves the hearing all the same.
    }
  }
  page.busy = false;
  page.leftByChoice = true;
  finish(t("join.left"));
}

/** Stop taking part: no more connection, camera or microphone. */
function finish(message) {
  page.over = true;
  page.ready = false;
  page.joined = false;
  media?.stop();
  page.connection?.close();
  deviceCheck.end();
  local.stop();
  grid.clear();
  captions.clear();
  el.endedMessage.textContent = message;
  render();
}

/** After leaving by choice: back to the check, with a new connection. */
function joinAgain() {
  page.over = false;
  page.leftByChoice = false;
  page.roster = null;
  page.self = null;
  render();
  if (role() !== "observer") {
    deviceCheck.resume();
    deviceCheck.startDevices();
  }
  connect(page.token);
}

function connect(token) {
  page.connection = new HearingConnection(token, page.session.hearing.id, {
    onStatus: (status) => {
      statusBar.setConnection(status);
      if (status !== "connected") {
        page.ready = false;
        media?.disconnected();
        updateButtons();
      }
    },
    onConnected: () => {
      greet();
    },
    onRefused: (error, final) => {
      const text = refused(error, "connection.refused");
      if (final) {
        finish(text);
        if (error?.details?.state === "adjourned") {
          offerConfirmation(); // adjourned while this page was away (left, or offline)
        }
      } else {
        el.sessionMessage.textContent = text;
      }
    },
    onRoster: showRoster,
    onHearingState,
    onSubscribeOffer: (offer) => media?.offer(offer),
    onSessionEnded,
    onError: () => {
      // Every refusal also comes back in the request's ack, where it is shown.
    },
    onMuted: (message) => controlBar.mutedByCourt(message?.kind),
    onUnmuteRequested: (message) => controlBar.unmuteRequested(message?.kind),
    onCalled: () => say(t("witness.called")),
    onReleased: () => say(t("witness.released")),
    onReturnedToLobby: () => {
      page.returned = true;
      render();
    },
    onCaption: (caption) => captions.add(caption),
    onMediaQuality: (message) => court?.setQuality(message),
    onRecordingAlert: (message) => court?.recordAlert("recording", message),
    onTranscriptionAlert: (message) => court?.recordAlert("transcription", message),
  });
  page.connection.connect();
}

function startConsole() {
  court = new CourtConsole(consoleElements(), {
    role: role(),
    selfId: selfId(),
    hearing: page.session.hearing,
    request: (event, data) => page.connection.request(event, data),
    previewOf: (id, label) => view.previewElement(id, label),
  });
  view.onChange(() => court.render());
  document.body.dataset.console = "true";
  // The clerk's desk, in a window of its own beside the console (same join link).
  const deskLink = $("desk-link");
  deskLink.href = `/desk${location.search}#token=${encodeURIComponent(page.token)}`;
  deskLink.parentElement.hidden = false;
  statusBar.onTick((seconds) => court.tick(seconds));
}

// -- media ------------------------------------------------------------------------

function syncMedia() {
  media?.sync({
    active: page.joined && !page.over && Boolean(page.connection?.connected),
    self: page.self,
  });
}

/** The camera or microphone became available (or changed) after joining. */
function mediaChanged() {
  media?.publishOwn();
  render();
}

// -- start ----------------------------------------------------------------------

async function main() {
  translatePage();
  drawIcons();
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
      showFatal(refused(error, "session.failed"), t("token.missingHelp"));
    }
    return;
  }
  showSession(page.session);
  if (page.session.hearing.state === "adjourned") {
    // Opened after the hearing: nothing to join, no camera to start, no connection to
    // report on; the transcript.
    page.over = true;
    $("connection-status").parentElement.hidden = true;
    el.endedMessage.textContent = t("ended.code.hearing_adjourned");
    render();
    offerConfirmation();
    return;
  }
  media = new HearingMedia({
    connection: () => page.connection,
    iceServers: () => page.iceServers,
    local,
    grid: view,
    role: role(),
    onError: (error) => say(refused(error, "media.publishFailed")),
  });

  el.joinButton.addEventListener("click", () => join());
  el.leaveButton.addEventListener("click", leave);
  el.lobbyLeave.addEventListener("click", leave);
  el.rejoinButton.addEventListener("click", joinAgain);

  if (isOfficer(role())) {
    el.joinIntro.textContent = t("join.introOfficer");
  } else if (role() === "observer") {
    el.joinIntro.textContent = t("join.introObserver");
  }
  render();
  connect(page.token);
  if (role() === "observer") {
    el.observerNote.hidden = false;
  } else {
    el.previewSection.hidden = false;
    deviceCheck.startDevices();
  }
}

main();
