// After the hearing, on the party's page: the transcript as the court keeps it, to be
// confirmed as accurate or objected to with a note (the courts' rules ask everyone who
// took part to sign the record). A confirmation is of the version the person read: if
// the transcript was corrected since, the server refuses it and the page shows the new
// version to read again.

import { apiRequest } from "./api.js";
import { formatClock } from "./hearing-clock.js";
import { t } from "./i18n.js";
import { lineHead, lineWords, withTime } from "./transcript-line.js";

const TRANSCRIPT = "/api/v1/session/transcript";
const CONFIRMATION = "/api/v1/session/transcript/confirmation";
// Right after adjournment the server may still be closing the hearing and completing
// its record (the playback set of a long hearing's recordings takes a while).
const RETRY_MS = [1_000, 2_000, 3_000, 5_000, 10_000];
// Refusals that trying again cannot fix.
const FINAL = new Set([401, 403, 404]);

export class TranscriptConfirmation {
  /**
   * @param {{section: HTMLElement, loading: HTMLElement, error: HTMLElement,
   *          body: HTMLElement, list: HTMLOListElement, empty: HTMLElement,
   *          result: HTMLElement, actions: HTMLElement, confirm: HTMLButtonElement,
   *          object: HTMLButtonElement, form: HTMLFormElement, note: HTMLTextAreaElement,
   *          noteError: HTMLElement, cancel: HTMLButtonElement, retry: HTMLButtonElement}} el
   * @param {{token: string, refusal: (error: Error) => string}} options
   */
  constructor(el, { token, refusal }) {
    this.el = el;
    this.token = token;
    this.refusal = refusal;
    this.transcript = null; // the last GET's answer
    this.started = false;
    this.busy = false;
    this.retries = 0;
    this.timer = null;
    el.confirm.addEventListener("click", () => this.decide("confirmed", ""));
    el.object.addEventListener("click", () => this.openObjection());
    el.cancel.addEventListener("click", () => this.closeObjection());
    el.retry.addEventListener("click", () => this.load());
    el.form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.submitObjection();
    });
    el.note.addEventListener("input", () => this.noteProblem(""));
  }

  /** The hearing is adjourned: show the section and fetch the transcript. Idempotent. */
  start() {
    if (this.started) {
      return;
    }
    this.started = true;
    this.el.section.hidden = false;
    this.load();
  }

  /** Fetch the transcript and this person's confirmation; `changed`: after a refusal for a newer version. */
  async load({ changed = false } = {}) {
    clearTimeout(this.timer);
    const { el } = this;
    el.retry.hidden = true;
    el.loading.textContent = t(changed ? "confirm.reloading" : "confirm.loading");
    let body;
    try {
      body = await apiRequest(this.token, "GET", TRANSCRIPT);
    } catch (error) {
      el.loading.textContent = "";
      if (error.reason === "hearing_not_adjourned" && this.retries < RETRY_MS.length) {
        el.loading.textContent = t("confirm.loading");
        this.timer = setTimeout(() => this.load({ changed }), RETRY_MS[this.retries]);
        this.retries += 1;
        return;
      }
      this.problem(`${t("confirm.loadFailed")} ${this.refusal(error)}`);
      el.retry.hidden = FINAL.has(error.status);
      return;
    }
    const before = this.transcript;
    this.transcript = body;
    el.loading.textContent = "";
    if (!changed) {
      this.problem("");
    }
    this.render(changed ? before : null);
    if (body.complete === false) {
      // Its last lines may still come: to read now, to answer once it is complete.
      el.loading.textContent = t("confirm.completing");
      const delay = RETRY_MS[Math.min(this.retries, RETRY_MS.length - 1)];
      this.retries += 1;
      this.timer = setTimeout(() => this.load(), delay);
    }
  }

  // -- rendering --------------------------------------------------------------------

  /** The transcript's lines and where the person stands; `before`: the version they had read. */
  render(before) {
    const { el } = this;
    const segments = this.transcript.segments ?? [];
    const read = new Map((before?.segments ?? []).map((s) => [s.seq, s.text]));
    el.list.replaceChildren(...segments.map((s) => this.line(s, before && read.get(s.seq) !== s.text)));
    el.empty.hidden = segments.length > 0;
    el.body.hidden = false;
    this.renderDecision();
  }

  line(segment, changed) {
    const li = document.createElement("li");
    li.className = "line";
    li.setAttribute("data-testid", "confirm-line");
    li.dataset.seq = String(segment.seq);
    li.dataset.participantId = segment.participant_id;
    li.dataset.corrected = String(Boolean(segment.corrected));
    const time = document.createElement("span");
    time.className = "line-time";
    time.textContent = formatClock(Number(segment.start) || 0);
    li.append(lineHead(time, segment.speaker, segment.role));
    li.append(lineWords(segment.original_text, segment.text, segment.corrected));
    if (changed) {
      const tag = document.createElement("p");
      tag.className = "chip line-changed";
      tag.dataset.tone = "warn";
      tag.setAttribute("data-testid", "line-changed");
      tag.textContent = t("confirm.lineChanged");
      li.append(tag);
    }
    return li;
  }

  /** What the person has said about the transcript, and what they can do now. */
  renderDecision() {
    const { el } = this;
    const confirmation = this.transcript.confirmation;
    const lines = [];
    if (confirmation) {
      const key = confirmation.decision === "objected" ? "confirm.objected" : "confirm.confirmed";
      const statement = document.createElement("p");
      statement.className = "notice-title";
      statement.append(...withTime(key, {}, confirmation.time));
      lines.push(statement);
      if (confirmation.note) {
        const note = document.createElement("p");
        note.setAttribute("data-testid", "confirm-note");
        note.textContent = t("confirm.yourNote", { note: confirmation.note });
        lines.push(note);
      }
      if (!confirmation.current) {
        const stale = document.createElement("p");
        stale.setAttribute("data-testid", "confirm-stale");
        stale.textContent = t("confirm.stale");
        lines.push(stale);
      }
    }
    el.result.replaceChildren(...lines);
    el.result.dataset.decision = confirmation
      ? `${confirmation.decision}${confirmation.current ? "" : "-earlier"}`
      : "none";
    // Once the person has answered for this very version there is nothing left to do;
    // while the record is being completed there is nothing to answer yet.
    const closed = Boolean(confirmation?.current) || this.transcript.complete === false;
    el.actions.hidden = closed;
    if (closed) {
      el.form.hidden = true;
      el.object.setAttribute("aria-expanded", "false");
    }
  }

  // -- deciding ---------------------------------------------------------------------

  openObjection() {
    const { el } = this;
    el.form.hidden = false;
    el.object.setAttribute("aria-expanded", "true");
    el.note.focus();
  }

  closeObjection() {
    const { el } = this;
    el.form.hidden = true;
    el.object.setAttribute("aria-expanded", "false");
    this.noteProblem("");
    el.object.focus();
  }

  submitObjection() {
    const note = this.el.note.value.trim();
    if (!note) {
      this.noteProblem(t("confirm.noteMissing"));
      this.el.note.focus();
      return;
    }
    this.decide("objected", note);
  }

  noteProblem(text) {
    const { el } = this;
    el.noteError.textContent = text;
    if (text) {
      el.note.setAttribute("aria-invalid", "true");
    } else {
      el.note.removeAttribute("aria-invalid");
    }
  }

  async decide(decision, note) {
    if (this.busy || !this.transcript) {
      return;
    }
    const { el } = this;
    this.busy = true;
    const buttons = [el.confirm, el.object, el.form.querySelector("[type=submit]")];
    for (const button of buttons) {
      button.setAttribute("aria-disabled", "true");
    }
    this.problem("");
    try {
      const answer = await apiRequest(this.token, "POST", CONFIRMATION, {
        json: { decision, note, head: this.transcript.head },
      });
      this.transcript = { ...this.transcript, confirmation: { ...answer, current: true } };
      el.note.value = "";
      this.render(null); // what changed was read: the lines lose their marks
      // The buttons are gone: the statement is where the person is now.
      el.result.focus();
    } catch (error) {
      this.problem(this.refusal(error));
      if (error.reason === "transcript_changed" || error.reason === "record_not_complete") {
        // What they read is no longer the transcript: show the new one to read again
        // (a note being written stays as it is).
        await this.load({ changed: true });
      }
    } finally {
      this.busy = false;
      for (const button of buttons) {
        button.removeAttribute("aria-disabled");
      }
    }
  }

  problem(text) {
    this.el.error.textContent = text;
  }
}
