// The transcript's confirmations on the clerk's desk, after adjournment: everyone asked
// to confirm it (judge or mediator, parties, counsel, interpreters, witnesses), whether
// they have, objected (with their note), confirmed a version corrected since, or not
// answered yet. Kept up to date as answers and corrections come in.

import { roleLabel, t } from "./i18n.js";
import { timeElement } from "./transcript-line.js";

const RETRY_MS = [1_000, 2_000, 3_000, 5_000, 10_000];

/** What a person's answer amounts to now: pending, confirmed, objected, or one of an earlier version. */
function standing({ status, current }) {
  if (status === "pending") {
    return "pending";
  }
  return current ? status : `${status}Earlier`;
}

const TONES = { confirmed: "ok", objected: "bad", confirmedEarlier: "warn", objectedEarlier: "warn" };

export class ConfirmationsCard {
  /**
   * @param {{section: HTMLElement, status: HTMLElement, list: HTMLUListElement}} el
   * @param {{api: (method: string, path: string, options?: object) => Promise<any>,
   *          refusal: (error: Error) => string}} options
   */
  constructor(el, { api, refusal }) {
    this.el = el;
    this.api = api;
    this.refusal = refusal;
    this.started = false;
    this.loading = null; // the GET under way
    this.again = false; // another change came in while it ran
    this.retries = 0;
    this.timer = null;
  }

  /** The hearing is adjourned: show the card and who has confirmed. Idempotent. */
  start() {
    if (this.started) {
      return;
    }
    this.started = true;
    this.el.section.hidden = false;
    this.el.status.textContent = t("desk.confirmations.loading");
    this.refresh();
  }

  /** Someone confirmed or objected, or the transcript was corrected: fetch the list again. */
  refresh() {
    if (!this.started) {
      return;
    }
    if (this.loading) {
      this.again = true; // answers that come together are fetched once more, after this one
      return;
    }
    this.loading = this.load().finally(() => {
      this.loading = null;
      if (this.again) {
        this.again = false;
        this.refresh();
      }
    });
  }

  async load() {
    clearTimeout(this.timer);
    let body;
    try {
      body = await this.api("GET", "/transcript/confirmations");
    } catch (error) {
      if (error.reason === "hearing_not_adjourned" && this.retries < RETRY_MS.length) {
        // The desk can hear of adjournment before the server has finished it.
        this.timer = setTimeout(() => this.refresh(), RETRY_MS[this.retries]);
        this.retries += 1;
        return;
      }
      this.el.status.textContent = `${t("desk.confirmations.failed")} ${this.refusal(error)}`;
      return;
    }
    this.render(body.participants ?? []);
  }

  render(people) {
    const counts = { confirmed: 0, objected: 0, waiting: 0 };
    const items = people.map((person) => {
      const now = standing(person);
      counts[now in counts ? now : "waiting"] += 1;
      return this.item(person, now);
    });
    this.el.list.replaceChildren(...items);
    this.el.status.textContent = people.length
      ? t("desk.confirmations.summary", { ...counts, total: people.length })
      : t("desk.confirmations.none");
  }

  item(person, now) {
    const li = document.createElement("li");
    li.className = "confirmation";
    li.setAttribute("data-testid", "confirmation");
    li.dataset.participantId = person.participant_id;
    li.dataset.status = now;
    const head = document.createElement("p");
    head.className = "confirmation-head";
    const name = document.createElement("span");
    name.className = "person-name";
    name.textContent = person.speaker;
    const role = document.createElement("span");
    role.className = "person-role";
    role.textContent = ` (${roleLabel(person.role)})`;
    head.append(name, role);
    const state = document.createElement("p");
    state.className = "confirmation-state";
    const chip = document.createElement("span");
    chip.className = "chip";
    chip.setAttribute("data-testid", "confirmation-status");
    if (TONES[now]) {
      chip.dataset.tone = TONES[now];
    }
    chip.textContent = t(`desk.confirmations.status.${now}`);
    state.append(chip);
    if (person.time) {
      const when = timeElement(person.time);
      when.className = "confirmation-time";
      state.append(" ", when);
    }
    li.append(head, state);
    if (person.note) {
      const note = document.createElement("p");
      note.className = "confirmation-note";
      note.setAttribute("data-testid", "confirmation-note");
      const key = person.status === "objected" ? "desk.confirmations.objection" : "desk.confirmations.note";
      const [before, after] = t(key).split("{note}");
      const label = document.createElement("span");
      label.className = "confirmation-note-label";
      label.textContent = before;
      note.append(label, person.note, after ?? "");
      li.append(note);
    }
    return li;
  }
}
