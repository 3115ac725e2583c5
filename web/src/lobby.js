// The waiting screen: what is happening, whether the court has checked who you
// are, and your own picture while you wait.

import { t } from "./i18n.js";
import { attach } from "./local-media.js";

export class LobbyView {
  /** @param {{state: HTMLElement, verified: HTMLElement, returned: HTMLElement,
   *           video: HTMLVideoElement}} el */
  constructor(el) {
    this.el = el;
  }

  /** The screen is shown: show our camera in it. */
  enter(stream) {
    attach(this.el.video, stream);
  }

  /** The screen is gone: let go of the camera picture. */
  leave() {
    this.el.video.srcObject = null;
  }

  /**
   * @param {string | null} state the hearing's state
   * @param {object | null} self our roster entry
   * @param {boolean} returned the court sent us back from the hearing
   * @param {(id: string) => string} nameOf a participant's name
   */
  render(state, self, returned, nameOf) {
    const { el } = this;
    el.state.textContent = state ? t(`lobby.state.${state}`) : "";
    el.verified.hidden = !self?.verified_at;
    if (self?.verified_at) {
      el.verified.textContent = t("lobby.verified", { by: nameOf(self.verified_by) });
    }
    el.returned.hidden = !returned;
  }
}
