// The transcript on the clerk's desk: one line per final segment, in hearing-clock
// order, with the speaker's name and time; a corrected line shows the recognised
// words struck through, the correction inserted, and who corrected it when (the
// original stays in the record). Lines can be corrected in place, and once the
// recordings are loaded their times play the hearing from that moment.

import { formatClock } from "./hearing-clock.js";
import { t } from "./i18n.js";
import { lineHead, lineWords, withTime } from "./transcript-line.js";

/**
 * One line as the desk keeps it: from the transcript download (`segments[]`) or a
 * final caption; `corrections` are `{seq, text, by, time}`, oldest first.
 */
function lineOf(segment) {
  return {
    seq: segment.seq,
    participantId: segment.participant_id,
    speaker: segment.speaker ?? segment.speaker_name ?? segment.participant_id,
    role: segment.role,
    start: Number(segment.start) || 0,
    original: segment.original_text ?? segment.text ?? "",
    corrections: (segment.corrections ?? []).map((c) => ({
      seq: c.seq,
      text: c.text,
      by: c.by,
      time: c.time,
    })),
  };
}

const currentText = (line) => line.corrections.at(-1)?.text ?? line.original;

export class TranscriptView {
  /**
   * @param {{list: HTMLOListElement, empty: HTMLElement, speaking: HTMLElement,
   *          status: HTMLElement}} el
   * @param {{nameOf: (id: string) => string,
   *          correct: (seq: number, text: string) => Promise<object>,
   *          refusal: (error: Error) => string,
   *          seek: (seconds: number) => void}} options
   */
  constructor(el, { nameOf, correct, refusal, seek }) {
    this.el = el;
    this.nameOf = nameOf;
    this.correct = correct;
    this.refusal = refusal;
    this.seek = seek;
    this.lines = new Map(); // seq -> line
    this.items = new Map(); // seq -> <li>
    this.partials = new Map(); // participant id -> caption
    this.editing = null; // seq of the line being corrected
    this.seekable = false;
    this.current = null; // seq of the line playing now
  }

  /** The transcript so far, from the JSON download (corrections included). */
  load(segments) {
    for (const segment of segments) {
      this.put(lineOf(segment));
    }
    this.renderEmpty();
  }

  /** A `caption` event: finals become lines; partials show who is speaking now. */
  caption(caption) {
    const id = String(caption?.participant_id ?? "");
    if (!caption?.final) {
      if (caption?.text?.trim()) {
        this.partials.set(id, caption);
      }
      this.renderSpeaking();
      return;
    }
    this.partials.delete(id);
    this.renderSpeaking();
    if (typeof caption.seq === "number" && !this.lines.has(caption.seq)) {
      this.put(lineOf(caption));
      this.renderEmpty();
    }
  }

  /** A correction: the answer to ours, or a `transcript_correction` (from any desk). */
  corrected({ seq, correction_seq: correctionSeq, text, by, time }) {
    const line = this.lines.get(seq);
    if (!line || line.corrections.some((c) => c.seq === correctionSeq)) {
      return;
    }
    line.corrections.push({ seq: correctionSeq, text, by, time });
    if (this.editing !== seq) {
      this.render(line);
    }
  }

  /** Once recordings are loaded, every line's time plays the hearing from there. */
  setSeekable(seekable) {
    this.seekable = seekable;
    for (const line of this.lines.values()) {
      if (this.editing !== line.seq) {
        this.render(line);
      }
    }
  }

  /** Mark the line being played at `seconds` on the hearing clock. */
  highlight(seconds) {
    let playing = null;
    for (const line of this.lines.values()) {
      if (line.start <= seconds + 0.05) {
        playing = line.seq; // lines are kept in start order
      }
    }
    if (playing === this.current) {
      return;
    }
    this.items.get(this.current)?.removeAttribute("aria-current");
    this.current = playing;
    this.items.get(playing)?.setAttribute("aria-current", "true");
  }

  // -- rendering --------------------------------------------------------------------

  put(line) {
    const existing = this.lines.get(line.seq);
    if (existing && existing.corrections.length >= line.corrections.length) {
      return;
    }
    this.lines.set(line.seq, line);
    // Keep the Map, and so the list, in hearing-clock order.
    const ordered = [...this.lines.values()].sort((a, b) => a.start - b.start || a.seq - b.seq);
    this.lines = new Map(ordered.map((l) => [l.seq, l]));
    const li = this.items.get(line.seq) ?? document.createElement("li");
    this.items.set(line.seq, li);
    this.render(line);
    const next = ordered[ordered.indexOf(line) + 1];
    const before = next ? this.items.get(next.seq) : null;
    if (li.nextElementSibling !== before || li.parentElement !== this.el.list) {
      this.el.list.insertBefore(li, before ?? null);
    }
  }

  render(line) {
    const li = this.items.get(line.seq);
    li.className = "line";
    li.setAttribute("data-testid", "transcript-line");
    li.dataset.seq = String(line.seq);
    li.dataset.start = String(line.start);
    li.dataset.participantId = line.participantId;
    li.dataset.corrected = String(line.corrections.length > 0);

    li.replaceChildren(lineHead(this.timeOf(line), line.speaker, line.role));
    if (this.editing === line.seq) {
      li.append(this.editor(line));
      return;
    }
    li.append(this.words(line));
    const last = line.corrections.at(-1);
    if (last) {
      const note = document.createElement("p");
      note.className = "line-note";
      note.setAttribute("data-testid", "correction-note");
      note.append(...withTime("desk.correction.by", { by: this.nameOf(last.by) }, last.time));
      li.append(note);
    }
    li.append(this.correctButton(line));
  }

  timeOf(line) {
    const clock = formatClock(line.start);
    if (!this.seekable) {
      const time = document.createElement("span");
      time.className = "line-time";
      time.textContent = clock;
      return time;
    }
    const button = document.createElement("button");
    button.type = "button";
    button.className = "line-time line-seek";
    button.setAttribute("data-testid", "line-seek");
    button.setAttribute("aria-label", t("desk.line.play", { time: clock }));
    button.textContent = clock;
    button.addEventListener("click", () => this.seek(line.start));
    return button;
  }

  /** The words; a corrected line as a redline: recognised words struck, the correction inserted. */
  words(line) {
    return lineWords(line.original, currentText(line), line.corrections.length > 0);
  }

  correctButton(line) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "button button-small button-secondary line-correct";
    button.setAttribute("data-testid", "line-correct");
    const verb = document.createElement("span");
    verb.textContent = t("desk.line.correct");
    const which = document.createElement("span");
    which.className = "visually-hidden";
    const where = { name: line.speaker, time: formatClock(line.start) };
    which.textContent = ` ${t("desk.line.correctWho", where)}`;
    button.append(verb, which);
    button.addEventListener("click", () => this.edit(line.seq));
    return button;
  }

  editor(line) {
    const form = document.createElement("form");
    form.className = "line-editor";
    form.setAttribute("data-testid", "line-editor");
    const id = `correction-${line.seq}`;
    const label = document.createElement("label");
    label.htmlFor = id;
    label.textContent = t("desk.correction.label");
    const area = document.createElement("textarea");
    area.id = id;
    area.rows = 3;
    area.value = currentText(line);
    const error = document.createElement("div");
    error.className = "notice notice-error";
    error.setAttribute("role", "alert");
    error.setAttribute("data-testid", "correction-error");
    const save = document.createElement("button");
    save.type = "submit";
    save.className = "button button-small";
    save.textContent = t("desk.correction.save");
    const cancel = document.createElement("button");
    cancel.type = "button";
    cancel.className = "button button-small button-secondary";
    cancel.textContent = t("dialog.cancel");
    const actions = document.createElement("div");
    actions.className = "actions";
    actions.append(save, cancel);
    form.append(label, area, error, actions);
    cancel.addEventListener("click", () => this.close(line.seq));
    form.addEventListener("keydown", (event) => {
      if (event.key === "Escape") {
        this.close(line.seq);
      }
    });
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const text = area.value.trim().replace(/\s+/g, " ");
      if (!text || text === currentText(line)) {
        this.say(t("desk.correction.unchanged"));
        this.close(line.seq);
        return;
      }
      save.setAttribute("aria-disabled", "true");
      try {
        this.corrected(await this.correct(line.seq, text));
        this.say(t("desk.correction.saved"));
        this.close(line.seq);
      } catch (failure) {
        const title = document.createElement("p");
        title.className = "notice-title";
        title.textContent = t("desk.correction.failed");
        const why = document.createElement("p");
        why.textContent = this.refusal(failure);
        error.replaceChildren(title, why);
        save.removeAttribute("aria-disabled");
      }
    });
    queueMicrotask(() => area.focus());
    return form;
  }

  edit(seq) {
    if (this.editing !== null && this.editing !== seq) {
      this.close(this.editing, { focus: false });
    }
    this.editing = seq;
    this.say("");
    this.render(this.lines.get(seq));
  }

  close(seq, { focus = true } = {}) {
    this.editing = null;
    const line = this.lines.get(seq);
    this.render(line);
    if (focus) {
      this.items.get(seq)?.querySelector(".line-correct")?.focus();
    }
  }

  say(text) {
    this.el.status.textContent = text;
  }

  renderEmpty() {
    this.el.empty.hidden = this.lines.size > 0;
  }

  renderSpeaking() {
    const lines = [...this.partials.values()].map((caption) => {
      const p = document.createElement("p");
      p.className = "speaking-line";
      const who = document.createElement("span");
      who.className = "line-speaker";
      const name = caption.speaker_name ?? caption.participant_id;
      who.textContent = t("desk.speaking", { name });
      const words = document.createElement("span");
      words.className = "speaking-words";
      words.textContent = ` ${caption.text.trim()}`;
      p.append(who, words);
      return p;
    });
    this.el.speaking.replaceChildren(...lines);
  }
}
