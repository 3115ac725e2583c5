// One participant as the judge's console shows them: who they are, their states
// in words and icons (never colour alone), and the controls that apply to them.

import { roleLabel, t } from "./i18n.js";
import { setIconText } from "./icons.js";
import { isOfficer, may } from "./permissions.js";

// A connection's quality as the court sees it: bars, words and tone (never colour alone).
const QUALITY = {
  good: ["signal-3", "ok"],
  fair: ["signal-2", "warn"],
  poor: ["signal-1", "bad"],
};

/**
 * The states of `member` worth the court's attention: `[icon, text, tone, quality?]`.
 * @param {(id: string) => string} nameOf a participant's display name
 * @param {Map<string, {quality: string, issue: string|null}>} [quality] from `media_quality`
 */
export function statesOf(member, { caucus, nameOf, quality }) {
  const states = [];
  if (!member.online) {
    states.push(["wifi", t("person.offline"), "warn"]);
  }
  const connection = member.online ? quality?.get(member.participant_id) : null;
  if (connection && connection.quality in QUALITY) {
    const [iconName, tone] = QUALITY[connection.quality];
    const words = t(`quality.${connection.quality}`);
    const text = connection.issue
      ? t("quality.withIssue", { quality: words, issue: t(`quality.issue.${connection.issue}`) })
      : words;
    states.push([iconName, text, tone, connection.quality]);
  }
  if (!isOfficer(member.role)) {
    if (member.verified_at) {
      const by = nameOf(member.verified_by);
      states.push(["check", t("person.verified", { method: member.verified_method, by }), "ok"]);
    } else {
      states.push(["alert", t("person.notVerified"), "warn"]);
    }
  }
  if (member.muted_audio) {
    states.push(["mic-off", t("person.mutedAudio"), "warn"]);
  }
  if (member.muted_video) {
    states.push(["camera-off", t("person.mutedVideo"), "warn"]);
  }
  if (member.hand_raised_at) {
    states.push(["hand", t("tile.handRaised"), "info"]);
  }
  if (member.role === "witness" && member.presence === "admitted") {
    states.push(
      member.called
        ? ["mic", t("person.called"), "info"]
        : ["eye-off", t("person.sequestered"), "info"],
    );
  }
  if (caucus.includes(member.participant_id)) {
    states.push(["lock", t("person.inCaucus"), "info"]);
  }
  return states;
}

/**
 * The controls the viewer (`role`) can use on `member` now: `[control, label key, extra]`.
 * Ordered as a judge would reach for them.
 */
export function actionsFor(member, { role, selfId }) {
  if (member.participant_id === selfId) {
    return [];
  }
  const list = [];
  const add = (control, key, extra = {}) => {
    if (may(role, control)) {
      list.push([control, key, extra]);
    }
  };
  if (member.hand_raised_at && may(role, "lower_others_hand")) {
    list.push(["lower_hand", "action.lowerHand", {}]);
  }
  if (isOfficer(member.role)) {
    return list; // officers are never muted, sent out or removed by others
  }
  if (!member.verified_at) {
    add("verify_identity", "action.verify");
  }
  if (member.presence === "lobby") {
    add("admit", "action.admit");
    add("deny", "action.deny");
    return list;
  }
  if (member.presence !== "admitted") {
    return list;
  }
  if (member.role === "witness") {
    add(member.called ? "release_witness" : "call_witness", member.called ? "action.release" : "action.call");
  }
  // Observers and sequestered witnesses send no media: nothing to mute.
  if (member.role !== "observer" && (member.role !== "witness" || member.called)) {
    const audio = member.muted_audio ? "request_unmute" : "mute";
    add(audio, member.muted_audio ? "action.askUnmuteAudio" : "action.muteAudio", { kind: "audio" });
    const video = member.muted_video ? "request_unmute" : "mute";
    add(video, member.muted_video ? "action.askUnmuteVideo" : "action.muteVideo", { kind: "video" });
  }
  add("return_to_lobby", "action.returnToLobby");
  add("remove", "action.remove");
  return list;
}

/**
 * A list item for `member`.
 * @param {{role: string, selfId: string, caucus: string[], nameOf: Function,
 *          busy: (key: string) => boolean, previewOf?: Function, quality?: Map,
 *          act: (control: string, member: object, extra: object, key: string) => void}} ctx
 */
export function personEntry(member, ctx) {
  const li = document.createElement("li");
  li.className = "person";
  li.setAttribute("data-testid", "console-person");
  li.dataset.participantId = member.participant_id;
  li.dataset.presence = member.presence;

  const head = document.createElement("p");
  head.className = "person-head";
  const name = document.createElement("span");
  name.className = "person-name";
  name.textContent = member.display_name;
  const role = document.createElement("span");
  role.className = "person-role";
  role.textContent = ` · ${roleLabel(member.role)}`;
  head.append(name, role);
  if (member.participant_id === ctx.selfId) {
    const you = document.createElement("span");
    you.className = "person-you";
    you.textContent = ` ${t("roster.you")}`;
    head.append(you);
  }
  li.append(head);

  if (member.presence === "lobby") {
    // Their camera, so the court can see who is asking to come in.
    const label = t("console.previewOf", { name: member.display_name });
    const video = ctx.previewOf?.(member.participant_id, label);
    if (video) {
      li.append(video);
    } else if (member.role !== "observer") {
      const none = document.createElement("p");
      none.className = "muted person-no-preview";
      none.setAttribute("data-testid", "lobby-no-preview");
      setIconText(none, "camera-off", t("console.noPreview"));
      li.append(none);
    }
  }

  const states = statesOf(member, ctx);
  if (states.length) {
    const ul = document.createElement("ul");
    ul.className = "chips";
    ul.setAttribute("aria-label", t("person.states", { name: member.display_name }));
    for (const [iconName, text, tone, quality] of states) {
      const chip = document.createElement("li");
      chip.className = "chip";
      chip.dataset.tone = tone;
      if (quality) {
        chip.dataset.quality = quality;
        chip.setAttribute("data-testid", "connection-quality");
      }
      setIconText(chip, iconName, text);
      ul.append(chip);
    }
    li.append(ul);
  }

  const actions = actionsFor(member, ctx);
  if (actions.length) {
    const div = document.createElement("div");
    div.className = "person-actions";
    for (const [control, key, extra] of actions) {
      const focusKey = `${member.participant_id}:${control}:${extra.kind ?? ""}`;
      const button = document.createElement("button");
      button.type = "button";
      button.className = actionClass(control);
      button.dataset.focusKey = focusKey;
      button.dataset.action = control;
      markBusy(button, ctx.busy(focusKey));
      // The visible verb, and the person's name for screen readers (many rows
      // have an "Admit" button).
      const verb = document.createElement("span");
      verb.textContent = t(key);
      const who = document.createElement("span");
      who.className = "visually-hidden";
      who.textContent = ` ${member.display_name}`;
      button.append(verb, who);
      button.addEventListener("click", () => ctx.act(control, member, extra, focusKey));
      div.append(button);
    }
    li.append(div);
  }
  return li;
}

function actionClass(control) {
  if (control === "remove" || control === "deny") {
    return "button button-small button-danger";
  }
  if (control === "admit" || control === "call_witness") {
    return "button button-small";
  }
  return "button button-small button-secondary";
}

/**
 * Show a control as waiting for the server. aria-disabled, not disabled: a
 * disabled button drops keyboard focus. `run` ignores repeated presses.
 */
export function markBusy(button, busy) {
  if (busy) {
    button.setAttribute("aria-disabled", "true");
  } else {
    button.removeAttribute("aria-disabled");
  }
}
