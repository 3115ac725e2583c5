// The page's screens (check, lobby, hearing, ended): exactly one is shown, and
// screen-reader users are taken to its heading when it changes.

export class Screens {
  /** @param {Record<string, [HTMLElement, HTMLElement]>} screens name -> [section, heading] */
  constructor(screens) {
    this.screens = screens;
    this.current = null;
  }

  /** Show `name`; returns whether it changed. */
  show(name) {
    if (this.current === name) {
      return false;
    }
    const first = this.current === null;
    this.current = name;
    document.body.dataset.screen = name;
    for (const [key, [section]] of Object.entries(this.screens)) {
      section.hidden = key !== name;
    }
    if (!first) {
      // The heading has tabindex="-1": focus tells where the person is now.
      this.screens[name][1].focus();
    }
    return true;
  }
}
