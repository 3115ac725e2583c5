// The participant's own controls in the hearing: microphone, camera, raised hand.
// Microphone and camera switch the local tracks on and off. When the court mutes
// someone, the media node stops forwarding them and the page says so plainly;
// when the court asks them to speak again, they choose to switch back on.

import { t } from "./i18n.js";
import { setIconText } from "./icons.js";

const KINDS = ["audio", "video"];

export class ControlBar {
  /**
   * @param {{mic: HTMLButtonElement, camera: HTMLButtonElement, hand: HTMLButtonElement,
   *          notices: HTMLElement}} el
   * @param {{media: import("./local-media.js").LocalMedia, request: Function,
   *          onCamera: (on: boolean) => void, onError: (error: Error) => void}} options
   */
  constructor(el, { media, request, onCamera, onError }) {
    this.el = el;
    this.media = media;
    this.request = request;
    this.onCamera = onCamera;
    this.onError = onError;
    this.canPublish = false;
    this.canRaiseHand = false;
    this.courtMuted = { audio: false, video: false };
    this.askedToUnmute = { audio: false, video: false };
    this.handRaised = false;
    this.handBusy = false;

    el.mic.addEventListener("click", () => this.toggle("audio"));
    el.camera.addEventListener("click", () => this.toggle("video"));
    el.hand.addEventListener("click", () => this.toggleHand());
  }

  /** Which controls this participant has right now. */
  configure({ canPublish, canRaiseHand }) {
    this.canPublish = canPublish;
    this.canRaiseHand = canRaiseHand;
    this.render();
  }

  /** Our own roster entry changed (court mutes, raised hand). */
  update(self) {
    if (!self) {
      return;
    }
    for (const kind of KINDS) {
      const muted = Boolean(self[`muted_${kind}`]);
      if (muted && !this.courtMuted[kind]) {
        this.media.setOn(kind, false);
        this.askedToUnmute[kind] = false;
      }
      this.courtMuted[kind] = muted;
    }
    this.handRaised = Boolean(self.hand_raised_at);
    this.render();
  }

  /** The `muted` event: the court muted our microphone or camera. */
  mutedByCourt(kind) {
    if (!KINDS.includes(kind)) {
      return;
    }
    this.courtMuted[kind] = true;
    this.askedToUnmute[kind] = false;
    this.media.setOn(kind, false);
    if (kind === "video") {
      this.onCamera(false);
    }
    this.render();
  }

  /** The `unmute_requested` event: the court asks us to switch back on. */
  unmuteRequested(kind) {
    if (!KINDS.includes(kind)) {
      return;
    }
    this.courtMuted[kind] = false;
    this.askedToUnmute[kind] = !this.media.isOn(kind);
    this.render();
  }

  toggle(kind) {
    if (this.courtMuted[kind] || !this.media.has(kind)) {
      return;
    }
    this.setOn(kind, !this.media.isOn(kind));
  }

  setOn(kind, on) {
    this.media.setOn(kind, on);
    if (on) {
      this.askedToUnmute[kind] = false;
    }
    if (kind === "video") {
      this.onCamera(on);
    }
    this.render();
  }

  async toggleHand() {
    if (this.handBusy) {
      return;
    }
    this.handBusy = true;
    this.render();
    const raise = !this.handRaised;
    try {
      await this.request("control", { action: raise ? "raise_hand" : "lower_hand" });
      this.handRaised = raise;
    } catch (error) {
      this.onError(error);
    } finally {
      this.handBusy = false;
      this.render();
    }
  }

  render() {
    const { mic, camera, hand } = this.el;
    this.renderDevice(mic, "audio", "mic");
    this.renderDevice(camera, "video", "camera");
    hand.hidden = !this.canRaiseHand;
    hand.disabled = this.handBusy;
    hand.dataset.state = this.handRaised ? "raised" : "down";
    hand.setAttribute("aria-pressed", String(this.handRaised));
    setIconText(hand, "hand", t(this.handRaised ? "controls.lowerHand" : "controls.raiseHand"));
    this.renderNotices();
  }

  renderDevice(button, kind, iconName) {
    button.hidden = !this.canPublish;
    const court = this.courtMuted[kind];
    const available = this.media.has(kind);
    const on = available && this.media.isOn(kind);
    button.disabled = court || !available;
    button.dataset.state = court ? "court" : on ? "on" : "off";
    let key;
    if (court) {
      key = `controls.${kind}.court`;
    } else if (!available) {
      key = `controls.${kind}.missing`;
    } else {
      key = on ? `controls.${kind}.turnOff` : `controls.${kind}.turnOn`;
    }
    setIconText(button, on ? iconName : `${iconName}-off`, t(key));
  }

  renderNotices() {
    const notices = [];
    for (const kind of KINDS) {
      if (this.canPublish && this.courtMuted[kind]) {
        notices.push(notice(`notice.${kind}.muted`, `court-muted-${kind}`));
      } else if (this.canPublish && this.askedToUnmute[kind]) {
        const item = notice(`notice.${kind}.unmuteRequested`, `unmute-requested-${kind}`);
        const button = document.createElement("button");
        button.type = "button";
        button.className = "button";
        button.setAttribute("data-testid", `unmute-${kind}`);
        button.textContent = t(`controls.${kind}.turnOn`);
        button.addEventListener("click", () => this.setOn(kind, true));
        item.append(button);
        notices.push(item);
      }
    }
    // Rebuild only on change: a live region re-announces whatever is replaced.
    const signature = notices.map((n) => n.dataset.testid).join(",");
    if (this.el.notices.dataset.signature !== signature) {
      this.el.notices.dataset.signature = signature;
      this.el.notices.replaceChildren(...notices);
    }
  }
}

function notice(key, testid) {
  const div = document.createElement("div");
  div.className = "notice notice-court";
  div.setAttribute("data-testid", testid);
  div.dataset.testid = testid;
  const p = document.createElement("p");
  p.className = "notice-title";
  p.textContent = t(key);
  div.append(p);
  return div;
}
