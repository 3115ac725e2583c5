// The hearing clock: seconds in session, as the server last reported them,
// running on between reports while the hearing sits.

/** Time in session, from `hearing_state` messages. */
export class HearingClock {
  constructor() {
    this.base = null; // seconds at `stamp`, or null before the server has said
    this.running = false;
    this.stamp = 0;
  }

  /** Take the server's reading: `{clock, clock_running}`. */
  set(message) {
    if (typeof message?.clock !== "number") {
      return;
    }
    this.base = message.clock;
    this.running = Boolean(message.clock_running);
    this.stamp = performance.now();
  }

  /** Seconds in session now, or null when unknown. */
  seconds() {
    if (this.base === null) {
      return null;
    }
    return this.base + (this.running ? (performance.now() - this.stamp) / 1000 : 0);
  }
}

/** `seconds` as H:MM:SS, or "–:––:––" when unknown. */
export function formatClock(seconds) {
  if (seconds === null || !Number.isFinite(seconds)) {
    return "–:––:––";
  }
  const whole = Math.max(0, Math.floor(seconds));
  const h = Math.floor(whole / 3600);
  const m = Math.floor((whole % 3600) / 60);
  const s = whole % 60;
  return `${h}:${String(m).padStart(2, "0")}:${String(s).padStart(2, "0")}`;
}
