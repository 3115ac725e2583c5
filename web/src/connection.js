// The Socket.IO connection to the hearing: authentication, requests with an
// ack, and the events the server pushes.

import { io } from "socket.io-client";

// Refusals that retrying cannot fix: the link is bad or the hearing is over.
const FINAL_CODES = new Set([
  "invalid_token",
  "token_expired",
  "token_revoked",
  "hearing_closed",
  "not_permitted",
  "missing_token",
]);

const ACK_TIMEOUT_MS = 10_000;
const RETRY_MS = [1_000, 2_000, 5_000, 10_000, 30_000];

/** An error the server put in an ack, or a request it never answered. */
export class RequestError extends Error {
  constructor(code, message, { reason = null, details = {}, event = null } = {}) {
    super(message);
    this.name = "RequestError";
    this.code = code;
    this.reason = reason ?? code;
    this.details = details;
    this.event = event;
  }
}

// Events the server pushes, and the handler each goes to.
const PUSHED = {
  roster: "onRoster",
  error: "onError",
  hearing_state: "onHearingState",
  subscribe_offer: "onSubscribeOffer",
  muted: "onMuted",
  unmute_requested: "onUnmuteRequested",
  called: "onCalled",
  released: "onReleased",
  returned_to_lobby: "onReturnedToLobby",
  caption: "onCaption",
  media_quality: "onMediaQuality",
  transcript_correction: "onTranscriptCorrection",
  transcript_confirmation: "onTranscriptConfirmation",
  recording_alert: "onRecordingAlert",
  transcription_alert: "onTranscriptionAlert",
};

/**
 * One participant's connection to the `/hearing` namespace.
 *
 * Callbacks (all optional): onStatus("connecting"|"connected"|"reconnecting"|"disconnected"),
 * onConnected() after every (re)connect, onRefused({code, message}, final),
 * onSessionEnded({code, message}), and one per pushed event (see PUSHED):
 * onRoster(roster), onHearingState({hearing_id, state, clock, clock_running}),
 * onMuted({kind, by}), onCaption({participant_id, speaker_name, role, text, final})...
 */
export class HearingConnection {
  /**
   * @param {{desk?: boolean}} options `desk`: a clerk's desk, which follows the transcript
   *   without taking the officer's place in the hearing (see README, Socket.IO)
   */
  constructor(token, hearingId, handlers, { desk = false } = {}) {
    this.handlers = handlers;
    this.closed = false;
    this.retries = 0;
    this.retryTimer = 0;
    this.socket = io("/hearing", {
      path: "/socket.io",
      transports: ["websocket"],
      auth: desk ? { token, desk: true } : { token },
      // Lets a load balancer send every connection of a hearing to the process that
      // hosts its media (see deploy/Caddyfile).
      query: { hearing: hearingId },
      autoConnect: false,
    });
    this.bind();
  }

  /** Open the connection (reconnects on its own after transient drops). */
  connect() {
    this.emitStatus("connecting");
    this.socket.connect();
  }

  /** Whether the connection is up right now. */
  get connected() {
    return this.socket.connected;
  }

  /** Send `event` (with `data`, if any) and resolve to the ack's fields; rejects with RequestError. */
  async request(event, data) {
    let ack;
    try {
      const socket = this.socket.timeout(ACK_TIMEOUT_MS);
      ack = await (data === undefined ? socket.emitWithAck(event) : socket.emitWithAck(event, data));
    } catch {
      throw new RequestError("timeout", "", { event });
    }
    if (ack?.ok) {
      return ack;
    }
    const error = ack?.error ?? {};
    throw new RequestError(error.code ?? "unknown", error.message ?? "", {
      reason: error.reason ?? null,
      details: error.details ?? {},
      event: error.event ?? event,
    });
  }

  /** Close for good: no reconnection after this. Idempotent. */
  close() {
    this.closed = true;
    clearTimeout(this.retryTimer);
    this.socket.disconnect();
  }

  bind() {
    const socket = this.socket;
    const on = (name, ...args) => this.handlers[name]?.(...args);

    socket.on("connect", () => {
      this.retries = 0;
      this.emitStatus("connected");
      on("onConnected");
    });

    socket.on("connect_error", (err) => {
      if (this.closed) {
        return;
      }
      const data = err?.data;
      if (data?.code) {
        // Refused by the server, not a network failure.
        const final = FINAL_CODES.has(data.code);
        on("onRefused", data, final);
        if (final) {
          this.close();
          this.emitStatus("disconnected");
          return;
        }
      }
      if (socket.active) {
        // socket.io-client is already retrying (a transport failure).
        this.emitStatus("reconnecting");
        return;
      }
      if (!data?.code) {
        on("onRefused", { code: "refused", message: "" }, false);
      }
      this.retryLater();
    });

    socket.on("disconnect", (reason) => {
      if (this.closed || !socket.active) {
        // We closed it, or the server did ("io server disconnect"): no automatic retry.
        this.emitStatus("disconnected");
      } else {
        this.emitStatus("reconnecting");
      }
    });

    for (const [event, handler] of Object.entries(PUSHED)) {
      socket.on(event, (message) => on(handler, message));
    }
    socket.on("session_ended", (message) => {
      // The server closes the connection next; do not come back.
      this.closed = true;
      on("onSessionEnded", message);
    });
  }

  // A refusal that might pass (the server was busy, say): socket.io-client does
  // not retry refusals itself, so back off and try again.
  retryLater() {
    const delay = RETRY_MS[Math.min(this.retries, RETRY_MS.length - 1)];
    this.retries += 1;
    this.emitStatus("reconnecting");
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      if (!this.closed) {
        this.socket.connect();
      }
    }, delay);
  }

  emitStatus(status) {
    this.handlers.onStatus?.(status);
  }
}
