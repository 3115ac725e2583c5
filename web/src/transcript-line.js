// Pieces of a transcript line as every page shows it (the clerk's desk, the party's
// confirmation): the speaker's name and role after the hearing-clock time, the words
// as a redline when corrected, and wall-clock times in the page language.

import { locale, roleLabel, t } from "./i18n.js";

const WHEN = new Intl.DateTimeFormat(locale === "zh" ? "zh-CN" : "en-GB", {
  dateStyle: "medium",
  timeStyle: "short",
});

/** A wall-clock moment (ISO 8601) as a `<time>` element, in the page language. */
export function timeElement(iso) {
  const when = document.createElement("time");
  when.dateTime = iso;
  when.textContent = WHEN.format(new Date(iso));
  return when;
}

/** The string for `key` with its `{time}` blank filled by `iso` as a `<time>`: nodes to append. */
export function withTime(key, vars, iso) {
  const [before, after] = t(key, vars).split("{time}");
  return [before, timeElement(iso), after ?? ""];
}

/** The line's head: `time` (an element showing the hearing-clock time), the name, the role. */
export function lineHead(time, speaker, role) {
  const head = document.createElement("p");
  head.className = "line-head";
  head.append(time, " ");
  const name = document.createElement("span");
  name.className = "line-speaker";
  name.setAttribute("data-testid", "line-speaker");
  name.textContent = speaker;
  head.append(name);
  if (role) {
    const label = document.createElement("span");
    label.className = "line-role";
    label.textContent = ` (${roleLabel(role)})`;
    head.append(label);
  }
  return head;
}

/**
 * The words; a corrected line (`current` differs from `original`) as a redline: the
 * recognised words struck, the correction inserted, each also said in words.
 */
export function lineWords(original, current, corrected) {
  const p = document.createElement("p");
  p.className = "line-text";
  p.setAttribute("data-testid", "line-text");
  if (!corrected) {
    p.textContent = current;
    return p;
  }
  const label = (key) => {
    const span = document.createElement("span");
    span.className = "visually-hidden";
    span.textContent = `${t(key)} `;
    return span;
  };
  const del = document.createElement("del");
  del.setAttribute("data-testid", "line-original");
  del.textContent = original;
  const ins = document.createElement("ins");
  ins.setAttribute("data-testid", "line-correction");
  ins.textContent = current;
  p.append(label("desk.correction.original"), del, " ", label("desk.correction.new"), ins);
  return p;
}
