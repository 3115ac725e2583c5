// The clerk's desk (judge and mediator may open it too), from the console's link
// `/desk#token=...`: the transcript as it is said, with names and hearing-clock times;
// corrections shown as a redline; downloads in every format; and after adjournment
// the recordings, played together in step with the transcript, and who has confirmed
// the transcript.
//
// The desk has a connection of its own that only listens (captions, corrections, the
// hearing's state): the officer's console keeps its place in the hearing, and the desk
// keeps working after adjournment, when the hearing's connections have ended.

import { ApiError, apiRequest, fetchSession, takeToken } from "./api.js";
import { ConfirmationsCard } from "./confirmations.js";
import { HearingConnection } from "./connection.js";
import { formatClock } from "./hearing-clock.js";
import { stateLabel, t, translatePage } from "./i18n.js";
import { drawIcons } from "./icons.js";
import { refusalText } from "./refusals.js";
import { SealStatus } from "./seal-status.js";
import { SyncedPlayback } from "./synced-playback.js";
import { TranscriptView } from "./transcript-view.js";

const FORMATS = ["txt", "docx", "json", "vtt", "srt"];
const INDEX_RETRY_MS = [1_000, 2_000, 3_000, 5_000, 10_000];

const $ = (id) => document.getElementById(id);

const desk = {
  token: null,
  hearing: null, // from GET /session
  names: new Map(), // participant id -> display name, from the transcript download
  named: null, // the first transcript download: it brings the names
  state: null,
  recordings: "none", // none | waiting | loaded
  retries: 0,
};

const nameOf = (id) => {
  if (id === "court-system") {
    return t("desk.courtSystem");
  }
  return desk.names.get(id) ?? id;
};
const refusal = (error, fallback) => refusalText(error, { nameOf, fallback });

const transcript = new TranscriptView(
  {
    list: $("transcript"),
    empty: $("transcript-empty"),
    speaking: $("speaking"),
    status: $("desk-status"),
  },
  {
    nameOf,
    correct: (seq, text) => correct(seq, text),
    refusal: (error) => refusal(error, "desk.correction.failed"),
    seek: (seconds) => {
      player.seek(seconds);
      player.play();
    },
  },
);

const player = new SyncedPlayback(
  {
    tracks: $("tracks"),
    play: $("play-button"),
    position: $("position"),
    positionText: $("position-text"),
  },
  {
    nameOf,
    onTime: (seconds) => transcript.highlight(seconds),
    onError: () => reloadRecordings(),
  },
);

let seal = null; // the sealed record, once the hearing is over
let confirmations = null; // who has confirmed the transcript, once the hearing is adjourned

// -- the transcript ---------------------------------------------------------------

const api = (method, path, options) =>
  apiRequest(desk.token, method, `/api/v1/hearings/${desk.hearing.id}${path}`, options);

async function loadTranscript() {
  const body = await api("GET", "/transcript/json");
  for (const p of body.hearing?.participants ?? []) {
    desk.names.set(p.participant_id, p.name);
  }
  transcript.load(body.segments ?? []);
}

function correct(seq, text) {
  return api("POST", `/transcript/${seq}/corrections`, { json: { text } });
}

async function download(format, button) {
  const status = $("download-status");
  status.textContent = "";
  button.setAttribute("aria-disabled", "true");
  try {
    const blob = await api("GET", `/transcript/${format}`, { blob: true });
    const file = `${desk.hearing.id}-transcript.${format}`;
    save(blob, file);
    status.textContent = t("desk.download.done", { file });
  } catch (error) {
    status.textContent = `${t("desk.download.failed")} ${refusal(error)}`;
  } finally {
    button.removeAttribute("aria-disabled");
  }
}

/** Hand a downloaded file to the browser, to be saved under `file`. */
function save(blob, file) {
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = file;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

function showDownloads() {
  const items = FORMATS.map((format) => {
    const li = document.createElement("li");
    const button = document.createElement("button");
    button.type = "button";
    button.className = "button button-secondary";
    button.setAttribute("data-testid", `download-${format}`);
    button.textContent = t(`desk.download.${format}`);
    button.addEventListener("click", () => {
      if (button.getAttribute("aria-disabled") !== "true") {
        download(format, button);
      }
    });
    li.append(button);
    return li;
  });
  $("downloads").replaceChildren(...items);
}

// -- the recordings ---------------------------------------------------------------

/** After adjournment: wait for the index, then play the recorded files in step. */
async function loadRecordings() {
  const status = $("recordings-status");
  let listing;
  try {
    listing = await api("GET", "/recordings");
  } catch (error) {
    status.textContent = `${t("desk.recordings.failed")} ${refusal(error)}`;
    return;
  }
  if (!listing.indexed) {
    // The playback set and its index are made after adjournment, off the live path.
    desk.recordings = "waiting";
    status.textContent = t("desk.recordings.preparing");
    const delay = INDEX_RETRY_MS[Math.min(desk.retries, INDEX_RETRY_MS.length - 1)];
    desk.retries += 1;
    setTimeout(loadRecordings, delay);
    return;
  }
  const segments = listing.files.filter((f) => f.role === "segment");
  if (!segments.length) {
    desk.recordings = "loaded";
    status.textContent = t("desk.recordings.none");
    return;
  }
  desk.recordings = "loaded";
  status.textContent = "";
  await desk.named; // the files are labelled with names, not participant ids
  player.load(segments);
  showFiles(listing.files);
  $("player").hidden = false;
  $("player-hint").hidden = false;
  transcript.setSeekable(true);
}

let reloading = false;

/** A file stopped loading (its signed address expired): fetch fresh addresses. */
async function reloadRecordings() {
  if (reloading) {
    return;
  }
  reloading = true;
  try {
    const listing = await api("GET", "/recordings");
    player.refresh(listing.files);
    showFiles(listing.files);
  } catch (error) {
    $("recordings-status").textContent = `${t("desk.recordings.failed")} ${refusal(error)}`;
  } finally {
    reloading = false;
  }
}

function showFiles(files) {
  const items = files.map((f) => {
    const li = document.createElement("li");
    const link = document.createElement("a");
    link.href = f.url;
    link.download = f.file.split("/").pop();
    const name = nameOf(f.participant_id);
    const time = formatClock(f.offset ?? 0);
    link.textContent =
      f.role === "mixdown"
        ? t("desk.file.mixdown")
        : f.role === "participant"
          ? t("desk.file.participant", { name })
          : t("desk.file.segment", { name, time });
    li.append(link);
    return li;
  });
  $("files").replaceChildren(...items);
}

// -- the hearing's state and the live connection -----------------------------------

function setState(state) {
  if (!state) {
    return;
  }
  desk.state = state;
  const badge = $("hearing-state");
  badge.dataset.state = state;
  badge.textContent = stateLabel(state);
  const over = state === "adjourned" || state === "cancelled";
  if (over) {
    live(t("desk.live.over"), "over");
    seal?.start();
  }
  if (state === "adjourned") {
    confirmations?.start();
  }
  if (state === "adjourned" && desk.recordings === "none") {
    desk.recordings = "waiting";
    loadRecordings();
  } else if (!over) {
    $("recordings-status").textContent = t("desk.recordings.during");
  }
}

function live(text, status) {
  const el = $("live-status");
  el.textContent = text;
  el.dataset.status = status;
}

function connect() {
  const connection = new HearingConnection(
    desk.token,
    desk.hearing.id,
    {
      onStatus: (status) => {
        if (desk.state === "adjourned" || desk.state === "cancelled") {
          return;
        }
        if (status === "connected") {
          live(t("desk.live.on"), "connected");
        } else if (status === "connecting") {
          live(t("desk.live.connecting"), "connecting");
        } else {
          live(t("desk.live.lost"), "reconnecting");
        }
      },
      onConnected: () => {
        // The transcript so far, once listening: nothing said in between is missed
        // (lines are kept by number, so one that comes twice is shown once).
        loadTranscript().catch((error) => say(refusal(error)));
        confirmations?.refresh(); // answers given while the desk was away
      },
      onRefused: (error, final) => {
        if (final) {
          fatal(refusal(error, "connection.refused"));
        }
      },
      onHearingState: (message) => {
        if (message?.hearing_id === desk.hearing.id) {
          setState(message.state);
        }
      },
      onCaption: (caption) => transcript.caption(caption),
      onTranscriptCorrection: (correction) => {
        transcript.corrected(correction);
        // A correction after adjournment makes earlier confirmations out of date.
        confirmations?.refresh();
      },
      onTranscriptConfirmation: () => confirmations?.refresh(),
    },
    { desk: true },
  );
  connection.connect();
}

// -- start ------------------------------------------------------------------------

function say(text) {
  $("desk-status").textContent = text;
}

function fatal(text) {
  $("loading").hidden = true;
  $("desk").hidden = true;
  const p = document.createElement("p");
  p.className = "notice-title";
  p.textContent = text;
  $("fatal").replaceChildren(p);
}

function showHearing(hearing) {
  document.title = `${t("desk.title")} – ${hearing.title}`;
  $("court").textContent = hearing.court;
  $("hearing-title").textContent = hearing.title;
  $("case-number").textContent = hearing.case_number;
  $("topbar").hidden = false;
  $("loading").hidden = true;
  $("desk").hidden = false;
}

async function main() {
  translatePage();
  drawIcons();
  desk.token = takeToken();
  if (!desk.token) {
    fatal(t("token.missing"));
    return;
  }
  let session;
  try {
    session = await fetchSession(desk.token);
  } catch (error) {
    fatal(error instanceof ApiError && error.code === "network_error"
      ? t("session.unreachable")
      : refusal(error, "session.failed"));
    return;
  }
  desk.hearing = session.hearing;
  seal = new SealStatus(
    {
      section: $("seal"),
      status: $("seal-status"),
      details: $("seal-details"),
      fingerprint: $("seal-fingerprint"),
      check: $("seal-check"),
      download: $("seal-download"),
    },
    { api, refusal: (error) => refusal(error), save, hearingId: desk.hearing.id },
  );
  confirmations = new ConfirmationsCard(
    { section: $("confirmations"), status: $("confirmations-status"), list: $("confirmations-list") },
    { api, refusal: (error) => refusal(error) },
  );
  showHearing(session.hearing);
  showDownloads();
  // The names come with the transcript; the recordings of a hearing already over are
  // listed at once, and labelled with them.
  desk.named = loadTranscript().catch((error) => say(refusal(error)));
  setState(session.hearing.state);
  connect();
}

main();
