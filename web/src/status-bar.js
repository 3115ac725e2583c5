// The hearing's status, always on screen: its state, whether it is being
// recorded, the hearing clock, and the connection (with a clear message while
// the page reconnects).

import { HearingClock, formatClock } from "./hearing-clock.js";
import { stateLabel, t } from "./i18n.js";
import { setIconText } from "./icons.js";

const RECONNECTED_NOTE_MS = 6_000;

export class StatusBar {
  /**
   * @param {{state: HTMLElement, recording: HTMLElement, clock: HTMLElement,
   *          clockValue: HTMLElement, connection: HTMLElement, banner: HTMLElement}} el
   */
  constructor(el) {
    this.el = el;
    this.clock = new HearingClock();
    this.state = null;
    this.status = null;
    this.dropped = false; // lost a working connection, not yet back
    this.offline = false;
    this.noteTimer = 0;
    this.listeners = new Set();
    setIconText(el.recording, "record", t("status.recording"));
    setInterval(() => this.tick(), 1000);
    window.addEventListener("offline", () => this.setOffline(true));
    window.addEventListener("online", () => this.setOffline(false));
  }

  /** Call `listener(seconds)` every second with the hearing clock. */
  onTick(listener) {
    this.listeners.add(listener);
  }

  setState(state) {
    if (!state) {
      return;
    }
    this.state = state;
    if (this.clock.seconds() === null && (state === "scheduled" || state === "open")) {
      // Never in session yet: the clock stands at zero.
      this.clock.set({ clock: 0, clock_running: false });
    }
    this.el.state.dataset.state = state;
    this.el.state.textContent = stateLabel(state);
    // Recording runs exactly while the hearing is in session.
    this.el.recording.hidden = state !== "in_session";
    this.tick();
  }

  /** A `hearing_state` message: the state and the clock. */
  setHearingState(message) {
    this.clock.set(message);
    this.setState(message?.state);
  }

  /** The connection's status: connecting, connected, reconnecting, disconnected. */
  setConnection(status) {
    const previous = this.status;
    this.status = status;
    this.el.connection.dataset.status = status;
    this.el.connection.textContent = t(`connection.${status}`);
    if (status === "reconnecting" && previous === "connected") {
      this.dropped = true;
    }
    if (status === "connected" && this.dropped) {
      this.dropped = false;
      this.showBanner("status.reconnected", "ok");
      clearTimeout(this.noteTimer);
      this.noteTimer = setTimeout(() => this.renderBanner(), RECONNECTED_NOTE_MS);
      return;
    }
    if (status === "disconnected") {
      this.dropped = false;
    }
    this.renderBanner();
  }

  setOffline(offline) {
    if (offline === this.offline) {
      return;
    }
    this.offline = offline;
    this.renderBanner();
  }

  renderBanner() {
    clearTimeout(this.noteTimer);
    if (this.offline) {
      this.showBanner("status.offlineDevice", "error");
    } else if (this.dropped) {
      this.showBanner("status.reconnecting", "error");
    } else {
      this.el.banner.replaceChildren();
      this.el.banner.hidden = true;
    }
  }

  showBanner(key, tone) {
    const banner = this.el.banner;
    banner.hidden = false;
    banner.dataset.tone = tone;
    const title = document.createElement("p");
    title.className = "notice-title";
    setIconText(title, tone === "ok" ? "check" : "wifi", t(`${key}.title`));
    const body = document.createElement("p");
    body.textContent = t(`${key}.body`);
    banner.replaceChildren(title, body);
  }

  tick() {
    const seconds = this.clock.seconds();
    this.el.clockValue.textContent = formatClock(seconds);
    this.el.clock.hidden = seconds === null;
    for (const listener of this.listeners) {
      listener(seconds);
    }
  }
}
