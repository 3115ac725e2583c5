// The court's console: the judge's (or mediator's) controls of the hearing, and
// the clerk's reduced set. Every control is a request to the server, which
// decides; a refusal is shown with its reason and changes nothing here.

import { markBusy, personEntry } from "./console-people.js";
import { askText, confirmAction } from "./dialog.js";
import { formatClock } from "./hearing-clock.js";
import { roleLabel, stateLabel, t } from "./i18n.js";
import { setIconText } from "./icons.js";
import { isOfficer, may, nextLifecycleActions, presides } from "./permissions.js";
import { refusalText } from "./refusals.js";
import { ordered } from "./roster.js";

/** The console's elements in join.html. */
export function consoleElements() {
  const $ = (id) => document.getElementById(id);
  return {
    section: $("console"),
    heading: $("console-heading"),
    error: $("console-error"),
    status: $("console-status"),
    recordAlerts: $("record-alerts"),
    state: $("console-state"),
    stateHelp: $("console-state-help"),
    clock: $("console-clock"),
    lifecycle: $("lifecycle-actions"),
    lockRow: $("lock-row"),
    lockState: $("lock-state"),
    lock: $("lock-button"),
    publicRow: $("public-row"),
    publicState: $("public-state"),
    publicViewing: $("public-button"),
    caucus: $("caucus"),
    caucusState: $("caucus-state"),
    caucusForm: $("caucus-form"),
    hands: $("hands"),
    handsCount: $("hands-count"),
    handsEmpty: $("hands-empty"),
    lobby: $("console-lobby"),
    lobbyCount: $("lobby-count"),
    lobbyEmpty: $("lobby-empty"),
    admitted: $("console-admitted"),
    admittedCount: $("admitted-count"),
    connected: $("console-connected"),
    connectedCount: $("connected-count"),
    connectedEmpty: $("connected-empty"),
  };
}

export class CourtConsole {
  /**
   * @param {Record<string, HTMLElement>} el the console's elements (consoleElements())
   * @param {{role: string, selfId: string, hearing: {kind: string, public: boolean},
   *          request: (event: string, data: object) => Promise<object>,
   *          previewOf?: (id: string, label: string) => HTMLVideoElement | null}} options
   */
  constructor(el, { role, selfId, hearing, request, previewOf }) {
    this.el = el;
    this.role = role;
    this.selfId = selfId;
    this.hearing = hearing;
    this.request = request;
    this.previewOf = previewOf ?? (() => null);
    this.roster = null;
    this.state = hearing.state ?? null;
    this.busyKeys = new Set();
    this.alerts = new Map(); // problems with the record, until over or dismissed
    this.caucusChoice = new Set();
    this.quality = new Map(); // participant id -> {quality, issue}

    el.heading.textContent = t(`console.heading.${role}`);
    el.section.hidden = false;
    el.lifecycle.hidden = !presides(role);
    el.lockRow.hidden = !may(role, "lock");
    el.publicRow.hidden = !(may(role, "set_public_viewing") && hearing.public);
    el.caucus.hidden = !(may(role, "open_caucus") && hearing.kind === "mediation");
    el.lock.addEventListener("click", () => this.toggleLock());
    el.publicViewing.addEventListener("click", () => this.togglePublicViewing());
  }

  /** A new roster (names, presence, controls). */
  update(roster) {
    this.roster = roster;
    this.setState(roster.state);
    this.render();
  }

  setState(state) {
    if (!state || state === this.state) {
      return;
    }
    this.state = state;
    this.renderLifecycle();
  }

  /** A `media_quality` message: each participant's connection, good, fair or poor. */
  setQuality(message) {
    this.quality = new Map((message?.participants ?? []).map((q) => [q.participant_id, q]));
    if (this.roster) {
      this.render();
    }
  }

  /**
   * Something is wrong with the record (`recording_alert`, `transcription_alert`): part
   * of the hearing may not be recorded or transcribed. Kept on screen until the
   * problem is over (a disk with space again) or the officer dismisses it.
   */
  recordAlert(source, message) {
    const kind = source === "recording" ? message?.kind : "failed";
    if (source === "recording" && kind === "disk_ok") {
      for (const key of [...this.alerts.keys()]) {
        if (key.startsWith("recording:disk_low:")) {
          this.alerts.delete(key);
        }
      }
    } else {
      const name = message?.participant_id ? this.nameOf(message.participant_id) : "";
      const key = `${source}:${kind}:${message?.participant_id ?? ""}`;
      this.alerts.set(key, {
        text: t(`alert.${source}.${kind}`, { name }),
        detail: message?.message ?? "",
        at: new Date(),
      });
    }
    this.renderAlerts();
  }

  renderAlerts() {
    const box = this.el.recordAlerts;
    const items = [...this.alerts].map(([key, alert]) => {
      const div = document.createElement("div");
      div.className = "record-alert";
      div.setAttribute("data-testid", "record-alert");
      const title = document.createElement("p");
      title.className = "notice-title";
      title.textContent = alert.text;
      const detail = document.createElement("p");
      detail.textContent = `${alert.at.toLocaleTimeString()} · ${alert.detail}`;
      const dismiss = document.createElement("button");
      dismiss.type = "button";
      dismiss.className = "button button-small button-secondary";
      dismiss.textContent = t("alert.dismiss");
      dismiss.addEventListener("click", () => {
        this.alerts.delete(key);
        this.renderAlerts();
      });
      div.append(title, detail, dismiss);
      return div;
    });
    box.replaceChildren(...items);
  }

  /** The hearing clock ticked. */
  tick(seconds) {
    this.el.clock.textContent = formatClock(seconds);
  }

  // -- running a control ------------------------------------------------------------

  /** Send one request; say what happened (`done`) or why the server refused. */
  async run(key, event, data, { done, failed }) {
    if (this.busyKeys.has(key)) {
      return false;
    }
    this.busyKeys.add(key);
    this.render();
    this.el.error.replaceChildren();
    this.el.status.textContent = "";
    try {
      await this.request(event, data);
      this.el.status.textContent = done;
      return true;
    } catch (error) {
      const title = document.createElement("p");
      title.className = "notice-title";
      title.textContent = failed;
      const reason = document.createElement("p");
      reason.textContent = refusalText(error, { nameOf: (id) => this.nameOf(id) });
      this.el.error.replaceChildren(title, reason);
      return false;
    } finally {
      this.busyKeys.delete(key);
      this.render();
    }
  }

  async act(control, member, extra, key) {
    const name = member.display_name;
    const data = { action: control, participant_id: member.participant_id, ...extra };
    if (control === "verify_identity") {
      const method = await askText({
        title: t("verify.title", { name }),
        body: t("verify.body"),
        label: t("verify.label"),
        confirm: t("verify.confirm"),
        suggestions: [t("verify.idCard"), t("verify.known"), t("verify.records")],
      });
      if (!method) {
        return;
      }
      data.method = method;
    }
    if (control === "remove") {
      const sure = await confirmAction({
        title: t("remove.title", { name }),
        body: t("remove.body"),
        confirm: t("remove.confirm"),
        danger: true,
      });
      if (!sure) {
        return;
      }
    }
    const suffix = extra.kind ? `.${extra.kind}` : "";
    await this.run(key, "control", data, {
      done: t(`done.${control}${suffix}`, { name }),
      failed: t(`failed.${control}${suffix}`, { name }),
    });
  }

  async lifecycle(action) {
    if (action === "adjourn") {
      const sure = await confirmAction({
        title: t("adjourn.title"),
        body: t("adjourn.body"),
        confirm: t("adjourn.confirm"),
        danger: true,
      });
      if (!sure) {
        return;
      }
    }
    await this.run(`lifecycle:${action}`, "lifecycle", { action }, {
      done: t(`lifecycle.done.${action}`),
      failed: t(`lifecycle.failed.${action}`),
    });
  }

  toggleLock() {
    const locked = Boolean(this.roster?.locked);
    const action = locked ? "unlock" : "lock";
    return this.run("lock", "control", { action }, {
      done: t(`done.${action}`),
      failed: t(`failed.${action}`),
    });
  }

  togglePublicViewing() {
    const value = !this.roster?.public_viewing;
    const which = value ? "on" : "off";
    return this.run("public", "control", { action: "set_public_viewing", value }, {
      done: t(`done.public.${which}`),
      failed: t(`failed.public.${which}`),
    });
  }

  openCaucus() {
    const members = [...this.caucusChoice];
    return this.run("caucus", "control", { action: "open_caucus", members }, {
      done: t("done.open_caucus"),
      failed: t("failed.open_caucus"),
    }).then((ok) => {
      if (ok) {
        this.caucusChoice.clear();
      }
    });
  }

  closeCaucus() {
    return this.run("caucus", "control", { action: "close_caucus" }, {
      done: t("done.close_caucus"),
      failed: t("failed.close_caucus"),
    });
  }

  // -- rendering --------------------------------------------------------------------

  busy(key) {
    return this.busyKeys.has(key);
  }

  nameOf(id) {
    return this.roster?.participants.find((p) => p.participant_id === id)?.display_name ?? id;
  }

  render() {
    // Keyboard users keep their place when the lists are rebuilt.
    const focused = document.activeElement?.dataset?.focusKey ?? null;
    this.renderLifecycle();
    this.renderSettings();
    if (this.roster) {
      this.renderPeople();
      this.renderHands();
      this.renderCaucus();
    }
    if (focused) {
      this.refocus(focused);
    }
  }

  /** Focus the control with `key` again, or the nearest one for the same person. */
  refocus(key) {
    const section = this.el.section;
    if (document.activeElement?.dataset?.focusKey === key) {
      return;
    }
    const person = key.split(":")[0];
    const target =
      section.querySelector(`[data-focus-key="${CSS.escape(key)}"]`) ??
      section.querySelector(`[data-focus-key^="${CSS.escape(person)}:"]`) ??
      this.el.heading;
    target.focus();
  }

  renderLifecycle() {
    const { el } = this;
    el.state.textContent = this.state ? stateLabel(this.state) : "";
    el.stateHelp.textContent = this.state ? t(`console.stateHelp.${this.state}`) : "";
    if (!presides(this.role)) {
      return;
    }
    const buttons = nextLifecycleActions(this.state).map((action) => {
      const key = `lifecycle:${action}`;
      const button = document.createElement("button");
      button.type = "button";
      button.className = action === "adjourn" ? "button button-danger" : "button";
      button.dataset.focusKey = key;
      markBusy(button, this.busy(key));
      button.textContent = t(`lifecycle.${action}`);
      button.addEventListener("click", () => this.lifecycle(action));
      return button;
    });
    el.lifecycle.replaceChildren(...buttons);
  }

  renderSettings() {
    const { el } = this;
    const locked = Boolean(this.roster?.locked);
    el.lockState.dataset.locked = String(locked);
    setIconText(el.lockState, locked ? "lock" : "check", t(locked ? "lock.on" : "lock.off"));
    el.lock.textContent = t(locked ? "lock.unlock" : "lock.lock");
    markBusy(el.lock, this.busy("lock"));
    const watching = Boolean(this.roster?.public_viewing);
    setIconText(el.publicState, "eye", t(watching ? "public.on" : "public.off"));
    el.publicViewing.textContent = t(watching ? "public.turnOff" : "public.turnOn");
    markBusy(el.publicViewing, this.busy("public"));
  }

  renderPeople() {
    const { el } = this;
    const members = ordered(this.roster.participants);
    const ctx = {
      role: this.role,
      selfId: this.selfId,
      caucus: this.roster.caucus ?? [],
      nameOf: (id) => this.nameOf(id),
      busy: (key) => this.busy(key),
      act: (...args) => this.act(...args),
      previewOf: this.previewOf,
      quality: this.quality,
    };
    const groups = { lobby: [], admitted: [], connected: [] };
    for (const member of members) {
      groups[member.presence]?.push(personEntry(member, ctx));
    }
    for (const [presence, list, count, empty] of [
      ["lobby", el.lobby, el.lobbyCount, el.lobbyEmpty],
      ["admitted", el.admitted, el.admittedCount, null],
      ["connected", el.connected, el.connectedCount, el.connectedEmpty],
    ]) {
      list.replaceChildren(...groups[presence]);
      count.textContent = String(groups[presence].length);
      if (empty) {
        empty.hidden = groups[presence].length > 0;
      }
    }
  }

  renderHands() {
    const { el } = this;
    const raised = this.roster.participants
      .filter((p) => p.hand_raised_at)
      .sort((a, b) => a.hand_raised_at - b.hand_raised_at);
    const items = raised.map((member) => {
      const li = document.createElement("li");
      li.className = "hand";
      li.setAttribute("data-testid", "hand-entry");
      li.dataset.participantId = member.participant_id;
      const who = document.createElement("span");
      who.className = "hand-who";
      who.textContent = `${member.display_name} (${roleLabel(member.role)})`;
      const when = document.createElement("span");
      when.className = "hand-when";
      const time = document.createElement("time");
      const at = new Date(member.hand_raised_at * 1000);
      time.dateTime = at.toISOString();
      time.textContent = at.toLocaleTimeString();
      when.append(`${t("hands.since")} `, time);
      li.append(who, when);
      if (may(this.role, "lower_others_hand")) {
        const key = `${member.participant_id}:hand`;
        const button = document.createElement("button");
        button.type = "button";
        button.className = "button button-small button-secondary";
        button.dataset.focusKey = key;
        markBusy(button, this.busy(key));
        const verb = document.createElement("span");
        verb.textContent = t("action.lowerHand");
        const name = document.createElement("span");
        name.className = "visually-hidden";
        name.textContent = ` ${member.display_name}`;
        button.append(verb, name);
        button.addEventListener("click", () =>
          this.run(key, "control", { action: "lower_hand", participant_id: member.participant_id }, {
            done: t("done.lower_hand", { name: member.display_name }),
            failed: t("failed.lower_hand", { name: member.display_name }),
          }),
        );
        li.append(button);
      }
      return li;
    });
    el.hands.replaceChildren(...items);
    el.handsCount.textContent = String(items.length);
    el.handsEmpty.hidden = items.length > 0;
  }

  renderCaucus() {
    const { el } = this;
    if (el.caucus.hidden) {
      return;
    }
    const members = this.roster.caucus ?? [];
    if (members.length) {
      const names = members.map((id) => this.nameOf(id)).join(", ");
      el.caucusState.textContent = t("caucus.open", { names });
      const button = document.createElement("button");
      button.type = "button";
      button.className = "button";
      button.dataset.focusKey = "caucus:close";
      markBusy(button, this.busy("caucus"));
      button.textContent = t("caucus.close");
      button.addEventListener("click", () => this.closeCaucus());
      el.caucusForm.replaceChildren(button);
      return;
    }
    el.caucusState.textContent = t("caucus.none");
    const candidates = ordered(this.roster.participants).filter(
      (p) => !isOfficer(p.role) && p.presence === "admitted" && p.role !== "observer",
    );
    const fieldset = document.createElement("fieldset");
    const legend = document.createElement("legend");
    legend.textContent = t("caucus.choose");
    fieldset.append(legend);
    for (const member of candidates) {
      const id = `caucus-${member.participant_id}`;
      const label = document.createElement("label");
      label.className = "choice";
      const box = document.createElement("input");
      box.type = "checkbox";
      box.id = id;
      box.dataset.focusKey = id;
      box.checked = this.caucusChoice.has(member.participant_id);
      box.addEventListener("change", () => {
        if (box.checked) {
          this.caucusChoice.add(member.participant_id);
        } else {
          this.caucusChoice.delete(member.participant_id);
        }
        open.disabled = this.caucusChoice.size === 0 || this.busy("caucus");
      });
      label.append(box, ` ${member.display_name} (${roleLabel(member.role)})`);
      fieldset.append(label);
    }
    const open = document.createElement("button");
    open.type = "button";
    open.className = "button";
    open.dataset.focusKey = "caucus:open";
    open.textContent = t("caucus.openButton");
    open.disabled = this.caucusChoice.size === 0 || this.busy("caucus");
    open.addEventListener("click", () => this.openCaucus());
    if (!candidates.length) {
      const none = document.createElement("p");
      none.className = "muted";
      none.textContent = t("caucus.nobody");
      fieldset.append(none);
    }
    el.caucusForm.replaceChildren(fieldset, open);
  }
}
