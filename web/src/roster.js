// The live list of who is connected to the hearing, as participants see it.

import { presenceLabel, roleLabel, t } from "./i18n.js";

// Who presides first, observers last; within a role, by name.
const ROLE_ORDER = [
  "judge",
  "mediator",
  "clerk",
  "party",
  "counsel",
  "witness",
  "interpreter",
  "observer",
];

/** Where `role` comes in lists: who presides first, observers last. */
export function roleRank(role) {
  const i = ROLE_ORDER.indexOf(role);
  return i === -1 ? ROLE_ORDER.length : i;
}

/** Roster members in display order: by role, then by name. */
export function ordered(participants) {
  return [...(participants ?? [])].sort(
    (a, b) =>
      roleRank(a.role) - roleRank(b.role) ||
      String(a.display_name).localeCompare(String(b.display_name)),
  );
}

function separator() {
  const span = document.createElement("span");
  span.className = "visually-hidden";
  span.textContent = ", ";
  return span;
}

/** Renders roster messages into a list, ignoring any older than the one shown. */
export class RosterView {
  /**
   * @param {HTMLUListElement} list
   * @param {HTMLElement} emptyNote shown when nobody but you is connected
   */
  constructor(list, emptyNote) {
    this.list = list;
    this.emptyNote = emptyNote;
    this.version = -Infinity;
    this.selfId = null;
  }

  /** Accept any version next: a new connection may reach a server that restarted its count. */
  reset() {
    this.version = -Infinity;
  }

  /** Who "you" are in the list. */
  setSelf(participantId) {
    this.selfId = participantId;
  }

  /** Show `roster` unless a newer one is already shown; returns whether it was shown. */
  show(roster) {
    if (!roster || typeof roster.version !== "number" || roster.version < this.version) {
      return false;
    }
    this.version = roster.version;
    const members = ordered(roster.participants);
    this.list.replaceChildren(...members.map((m) => this.entry(m)));
    this.emptyNote.hidden = members.some((m) => m.participant_id !== this.selfId);
    return true;
  }

  entry(member) {
    const li = document.createElement("li");
    li.className = "roster-entry";
    li.dataset.testid = "roster-entry";
    li.dataset.participantId = member.participant_id;
    li.dataset.presence = member.presence;

    const name = document.createElement("span");
    name.className = "roster-name";
    name.textContent = member.display_name;
    if (member.participant_id === this.selfId) {
      const you = document.createElement("span");
      you.className = "roster-you";
      you.textContent = ` ${t("roster.you")}`;
      name.append(you);
    }

    const role = document.createElement("span");
    role.className = "roster-role";
    role.textContent = roleLabel(member.role);

    const presence = document.createElement("span");
    presence.className = "roster-presence";
    const states = [presenceLabel(member.presence)];
    if (!member.online) {
      states.push(t("status.offline"));
    }
    if (member.muted_audio) {
      states.push(t("tile.mutedByCourt"));
    }
    if (member.hand_raised_at) {
      states.push(t("tile.handRaised"));
    }
    presence.textContent = states.join(" · ");

    // Screen readers read the entry as one line: keep its parts apart.
    li.append(name, separator(), role, separator(), presence);
    return li;
  }
}
