// The check before joining: the participant's camera picture, microphone level,
// a speaker test, and a network check with a verdict in plain words.

import { t } from "./i18n.js";
import { setIconText } from "./icons.js";
import { attach } from "./local-media.js";
import { checkNetwork } from "./network-check.js";
import { playTestTone } from "./speaker-test.js";

export class DeviceCheck {
  /**
   * @param {Record<string, HTMLElement>} el video, micLevel, micHint, previewMessage, previewRetry,
   *   speakerButton, speakerMessage, networkButton, networkResult
   * @param {{media: import("./local-media.js").LocalMedia,
   *          levels: import("./audio-levels.js").AudioLevels,
   *          onMedia: () => void}} options  onMedia: the camera or microphone changed
   */
  constructor(el, { media, levels, onMedia }) {
    this.el = el;
    this.media = media;
    this.levels = levels;
    this.onMedia = onMedia;
    this.stopped = false;
    this.networkBusy = false;
    this.network = null; // {connection, iceServers} once connected

    el.previewRetry.addEventListener("click", () => this.startDevices());
    el.speakerButton.addEventListener("click", () => this.testSpeakers());
    el.networkButton.addEventListener("click", () => this.testNetwork());
    setIconText(el.speakerButton, "speaker", t("speaker.button"));
    setIconText(el.networkButton, "wifi", t("network.button"));
  }

  /** Ask for camera and microphone and show them. */
  async startDevices() {
    const { el } = this;
    el.previewRetry.hidden = true;
    el.previewMessage.textContent = t("preview.requesting");
    const result = await this.media.start();
    if (this.stopped) {
      // Left or ended while the browser was still asking.
      this.media.stop();
      return;
    }
    if (result.ok) {
      attach(el.video, this.media.stream);
      el.video.hidden = result.audioOnly;
      this.watchMic();
      el.previewMessage.textContent = t(result.audioOnly ? "preview.audioOnly" : "preview.ready");
    } else {
      el.previewMessage.textContent = `${result.message} ${t("preview.canStillJoin")}`;
      el.previewRetry.hidden = false;
    }
    this.onMedia();
  }

  async testSpeakers() {
    const { speakerButton, speakerMessage } = this.el;
    speakerButton.disabled = true;
    speakerMessage.textContent = t("speaker.playing");
    const played = await playTestTone().catch(() => false);
    speakerButton.disabled = false;
    speakerMessage.textContent = t(played ? "speaker.heard" : "speaker.unavailable");
  }

  /** The connection is up: the network can be checked (now, and again on request). */
  setConnection(connection, iceServers) {
    this.network = { connection, iceServers };
    this.el.networkButton.disabled = false;
    if (!this.el.networkResult.dataset.verdict) {
      this.testNetwork();
    }
  }

  async testNetwork() {
    if (this.networkBusy || !this.network) {
      return;
    }
    const { networkButton, networkResult } = this.el;
    this.networkBusy = true;
    networkButton.disabled = true;
    networkResult.dataset.verdict = "checking";
    const checking = document.createElement("p");
    checking.textContent = t("network.checking");
    networkResult.replaceChildren(checking);
    try {
      const result = await checkNetwork(this.network.connection, this.network.iceServers);
      if (!this.stopped) {
        this.showNetwork(result);
      }
    } finally {
      this.networkBusy = false;
      networkButton.disabled = false;
    }
  }

  showNetwork(result) {
    const { networkResult } = this.el;
    networkResult.dataset.verdict = result.verdict;
    const title = document.createElement("p");
    title.className = "verdict";
    title.setAttribute("data-testid", "network-verdict");
    setIconText(
      title,
      result.verdict === "good" ? "check" : "alert",
      t(`network.verdict.${result.verdict}`),
    );
    const reasons = document.createElement("ul");
    for (const key of result.reasons) {
      const li = document.createElement("li");
      li.textContent = t(key, { ms: result.rttMs ?? "–" });
      reasons.append(li);
    }
    const children = [title, reasons];
    if (result.verdict !== "good") {
      const advice = document.createElement("p");
      advice.textContent = t("network.advice");
      children.push(advice);
    }
    networkResult.replaceChildren(...children);
  }

  /** The check is off screen: stop measuring (the stream stays: it is published next). */
  pause() {
    this.levels.unwatch("local:preview");
  }

  /** The check is on screen again (to join again): measure the microphone again. */
  resume() {
    this.stopped = false;
    this.watchMic();
  }

  /** The page is done: a camera the browser grants later is released at once. */
  end() {
    this.stopped = true;
    this.pause();
  }

  watchMic() {
    const audio = this.media.track("audio");
    if (!audio) {
      return;
    }
    let shown = 0;
    this.levels.watch("local:preview", audio, (level) => {
      // Rise at once, fall gently: a meter that flickers is hard to read.
      shown = Math.max(level, shown * 0.85);
      this.el.micLevel.value = shown;
    });
    const context = this.levels.context;
    if (context?.state === "suspended") {
      // Browsers hold audio until the person interacts with the page.
      this.el.micHint.textContent = t("preview.micHintStart");
      context.addEventListener(
        "statechange",
        () => {
          this.el.micHint.textContent = t("preview.micHint");
        },
        { once: true },
      );
    }
  }
}
