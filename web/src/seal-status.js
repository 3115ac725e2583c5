// The sealed record on the clerk's desk: once the hearing is over, the server seals
// its record (a signed manifest of every recording, the transcript and the audit
// log). The desk says whether the files are still exactly as sealed, lists what the
// check found, and offers the manifest for download.

import { locale, t } from "./i18n.js";

const RETRY_MS = [1_000, 2_000, 3_000, 5_000, 10_000];
const WHEN = new Intl.DateTimeFormat(locale === "zh" ? "zh-CN" : "en-GB", {
  dateStyle: "medium",
  timeStyle: "medium",
});

export class SealStatus {
  /**
   * @param {{section: HTMLElement, status: HTMLElement, details: HTMLElement,
   *          fingerprint: HTMLElement, check: HTMLButtonElement,
   *          download: HTMLButtonElement}} el
   * @param {{api: (method: string, path: string, options?: object) => Promise<any>,
   *          refusal: (error: Error) => string,
   *          save: (blob: Blob, file: string) => void, hearingId: string}} options
   */
  constructor(el, { api, refusal, save, hearingId }) {
    this.el = el;
    this.api = api;
    this.refusal = refusal;
    this.save = save;
    this.hearingId = hearingId;
    this.retries = 0;
    this.timer = null;
    this.started = false;
    el.check.addEventListener("click", () => this.check());
    el.download.addEventListener("click", () => this.downloadManifest());
  }

  /** The hearing is over: its record is being sealed; show it once it is. */
  start() {
    if (this.started) {
      return;
    }
    this.started = true;
    this.el.section.hidden = false;
    this.check();
  }

  async check() {
    clearTimeout(this.timer);
    const { el } = this;
    el.check.setAttribute("aria-disabled", "true");
    let result;
    try {
      result = await this.api("GET", "/record/verification");
    } catch (error) {
      el.status.textContent = `${t("desk.seal.failed")} ${this.refusal(error)}`;
      el.check.removeAttribute("aria-disabled");
      return;
    }
    el.check.removeAttribute("aria-disabled");
    if (!result.sealed && result.seal_failed) {
      el.section.dataset.seal = "broken";
      el.status.textContent = t("desk.seal.sealFailed");
      el.details.replaceChildren(item("problem", result.seal_failed));
      el.details.hidden = false;
      el.download.hidden = true;
      return;
    }
    if (!result.sealed) {
      // Sealed once the recordings and transcript are complete, seconds after adjournment.
      el.section.dataset.seal = "waiting";
      el.status.textContent = t("desk.seal.waiting");
      el.download.hidden = true;
      const delay = RETRY_MS[Math.min(this.retries, RETRY_MS.length - 1)];
      this.retries += 1;
      this.timer = setTimeout(() => this.check(), delay);
      return;
    }
    this.show(result);
  }

  show(result) {
    const { el } = this;
    const when = WHEN.format(new Date(result.sealed_at));
    el.section.dataset.seal = result.verified ? "verified" : "broken";
    el.status.textContent = result.verified
      ? t("desk.seal.verified", { time: when, files: result.files })
      : t("desk.seal.broken", { time: when, count: result.problems.length });
    // The findings name files and logs; they are shown as the server words them.
    const lines = [
      ...result.problems.map((text) => ["problem", text]),
      ...result.notes.map((text) => ["note", text]),
    ];
    el.details.replaceChildren(...lines.map(([kind, text]) => item(kind, text)));
    el.details.hidden = lines.length === 0;
    const print = result.key_fingerprint.slice(0, 32).match(/.{4}/g).join(" ");
    el.fingerprint.textContent = t("desk.seal.fingerprint", { fingerprint: print });
    el.download.hidden = false;
  }

  async downloadManifest() {
    try {
      const blob = await this.api("GET", "/record/manifest", { blob: true });
      this.save(blob, `${this.hearingId}-manifest.json`);
    } catch (error) {
      this.el.status.textContent = `${t("desk.seal.failed")} ${this.refusal(error)}`;
    }
  }
}

/** One finding of the check, as the server words it. */
function item(kind, text) {
  const li = document.createElement("li");
  li.dataset.kind = kind;
  li.textContent = `${t(`desk.seal.${kind}`)} ${text}`;
  return li;
}
