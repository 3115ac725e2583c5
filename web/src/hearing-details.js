// The hearing as the court defined it, on screen: court, case number, title and
// scheduled start, and who the participant is, in the top bar and the details card.

import { kindLabel, roleLabel, t } from "./i18n.js";

const $ = (id) => document.getElementById(id);

function formatStart(iso) {
  const date = iso ? new Date(iso) : null;
  if (!date || Number.isNaN(date.getTime())) {
    return null;
  }
  const time = document.createElement("time");
  time.dateTime = iso;
  time.textContent = new Intl.DateTimeFormat(document.documentElement.lang, {
    weekday: "long",
    year: "numeric",
    month: "long",
    day: "numeric",
    hour: "numeric",
    minute: "2-digit",
    timeZoneName: "short",
  }).format(date);
  return time;
}

/** Fill the top bar and the details card from `GET /api/v1/session`. */
export function showDetails({ hearing, participant }) {
  $("hearing-kind").textContent = kindLabel(hearing.kind);
  $("hearing-title").textContent = hearing.title;
  $("court-top").textContent = hearing.court;
  $("case-number-top").textContent = hearing.case_number;
  $("court").textContent = hearing.court;
  $("case-number").textContent = hearing.case_number;
  $("scheduled-start").replaceChildren(
    formatStart(hearing.scheduled_start) ?? t("details.notScheduled"),
  );
  $("participant-name").textContent = participant.display_name;
  $("participant-role").textContent = roleLabel(participant.role);
  $("topbar").hidden = false;
}
