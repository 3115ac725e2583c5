// Live captions: what is being said, with who said it. Final lines go into a log
// that screen readers announce; the words still being recognised are shown below
// it, outside the live region, so that they are not read out word by word.

import { roleLabel } from "./i18n.js";

const KEEP_LINES = 6;

export class CaptionsView {
  /**
   * @param {HTMLElement} section shown from the first caption on
   * @param {HTMLElement} log final lines (role="log")
   * @param {HTMLElement} pending lines still being recognised
   */
  constructor(section, log, pending) {
    this.section = section;
    this.log = log;
    this.pending = pending;
    this.partials = new Map(); // participant id -> line element
  }

  /** Take one `caption` event: `{participant_id, speaker_name, role, text, final}`. */
  add(caption) {
    const text = typeof caption?.text === "string" ? caption.text.trim() : "";
    if (!text) {
      return;
    }
    this.section.hidden = false;
    const id = String(caption.participant_id ?? "");
    const line = captionLine(caption, text);
    const partial = this.partials.get(id);
    if (caption.final) {
      partial?.remove();
      this.partials.delete(id);
      this.log.append(line);
      while (this.log.children.length > KEEP_LINES) {
        this.log.firstElementChild.remove();
      }
    } else if (partial) {
      partial.replaceWith(line);
      this.partials.set(id, line);
    } else {
      this.pending.append(line);
      this.partials.set(id, line);
    }
  }

  /** Forget everything shown (a new session). */
  clear() {
    this.log.replaceChildren();
    this.pending.replaceChildren();
    this.partials.clear();
    this.section.hidden = true;
  }
}

function captionLine(caption, text) {
  const p = document.createElement("p");
  p.className = caption.final ? "caption" : "caption caption-partial";
  p.dataset.participantId = String(caption.participant_id ?? "");
  p.setAttribute("data-testid", "caption");
  const speaker = document.createElement("span");
  speaker.className = "caption-speaker";
  const role = caption.role ? ` (${roleLabel(caption.role)})` : "";
  speaker.textContent = `${caption.speaker_name ?? caption.participant_id ?? ""}${role}: `;
  const words = document.createElement("span");
  words.className = "caption-text";
  words.textContent = text;
  p.append(speaker, words);
  return p;
}
