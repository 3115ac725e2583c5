// What to tell a person when the server refuses: our own words for the refusal's
// `reason` (a stable code, see hearing/errors.py), filled with the names, roles and
// states from its `details`; the server's English wording when we have none.

import { hasText, roleLabel, stateLabel, t } from "./i18n.js";

/**
 * The text for a refusal `{code, reason, message, details}` (a RequestError, an
 * ApiError, or a `connect_error`'s data).
 * @param {{nameOf?: (id: string) => string, fallback?: string}} options `nameOf` turns a
 *   participant id into a name; `fallback` is the key used when the server said nothing
 */
export function refusalText(error, { nameOf = (id) => id, fallback = "error.unknown" } = {}) {
  for (const code of [error?.reason, error?.code]) {
    const key = `refusal.${code}`;
    if (code && hasText(key)) {
      const text = t(key, wordsFor(error.details ?? {}, nameOf));
      if (!/\{\w+\}/.test(text)) {
        return text; // every blank filled: the details had what the wording needs
      }
    }
  }
  const said = typeof error?.message === "string" ? error.message.trim() : "";
  if (said) {
    return said[0].toUpperCase() + said.slice(1) + (/[.!?]$/.test(said) ? "" : ".");
  }
  return t(error?.code === "timeout" ? "join.timeout" : fallback);
}

function wordsFor(details, nameOf) {
  const words = {};
  if (typeof details.participant_id === "string") {
    words.name = nameOf(details.participant_id);
  }
  if (typeof details.role === "string") {
    words.role = roleLabel(details.role);
  }
  if (typeof details.state === "string") {
    words.state = stateLabel(details.state);
  }
  if (details.kind === "audio" || details.kind === "video") {
    words.device = t(`device.${details.kind}`);
  }
  return words;
}
