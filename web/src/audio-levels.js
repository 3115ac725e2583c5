// Sound levels of audio tracks (our microphone, everyone else's voice), measured
// with one shared WebAudio context and one timer for all of them.

const INTERVAL_MS = 80;

/** Loudness of `track`s, reported to a callback about twelve times a second. */
export class AudioLevels {
  constructor() {
    this.context = null;
    this.watched = new Map(); // key -> {source, analyser, samples, onLevel}
    this.timer = 0;
    this.unlock = () => this.resume();
    // Browsers start audio suspended until the person interacts with the page.
    for (const type of ["pointerdown", "keydown"]) {
      document.addEventListener(type, this.unlock, { capture: true });
    }
  }

  /** Call `onLevel(0..1)` with the loudness of `track` until `unwatch(key)`. */
  watch(key, track, onLevel) {
    this.unwatch(key);
    const context = this.ensureContext();
    if (!context || track?.kind !== "audio") {
      return;
    }
    const source = context.createMediaStreamSource(new MediaStream([track]));
    const analyser = context.createAnalyser();
    analyser.fftSize = 512;
    source.connect(analyser);
    this.watched.set(key, {
      source,
      analyser,
      samples: new Float32Array(analyser.fftSize),
      onLevel,
    });
    if (!this.timer) {
      this.timer = setInterval(() => this.measure(), INTERVAL_MS);
    }
  }

  unwatch(key) {
    const entry = this.watched.get(key);
    if (!entry) {
      return;
    }
    entry.source.disconnect();
    this.watched.delete(key);
    entry.onLevel(0);
    if (this.watched.size === 0) {
      clearInterval(this.timer);
      this.timer = 0;
    }
  }

  /** Start the audio context (needs a user gesture in most browsers). */
  resume() {
    if (this.context?.state === "suspended") {
      this.context.resume().catch(() => {});
    }
  }

  /** Stop measuring everything. Idempotent. */
  close() {
    for (const key of [...this.watched.keys()]) {
      this.unwatch(key);
    }
    for (const type of ["pointerdown", "keydown"]) {
      document.removeEventListener(type, this.unlock, { capture: true });
    }
    this.context?.close().catch(() => {});
    this.context = null;
  }

  ensureContext() {
    if (!this.context) {
      const AudioContextClass = window.AudioContext ?? window.webkitAudioContext;
      this.context = AudioContextClass ? new AudioContextClass() : null;
    }
    return this.context;
  }

  measure() {
    for (const entry of this.watched.values()) {
      entry.analyser.getFloatTimeDomainData(entry.samples);
      let sum = 0;
      for (const s of entry.samples) {
        sum += s * s;
      }
      entry.onLevel(loudness(Math.sqrt(sum / entry.samples.length)));
    }
  }
}

/**
 * RMS amplitude to 0..1 on a decibel scale (-60 dBFS and below reads as 0), which
 * follows how loud speech sounds far better than the raw amplitude.
 */
export function loudness(rms) {
  if (rms <= 0) {
    return 0;
  }
  const db = 20 * Math.log10(rms);
  return Math.min(1, Math.max(0, (db + 60) / 60));
}

const SPEAKING_LEVEL = 0.35; // about -39 dBFS: a voice, not room noise
const HOLD_MS = 700; // bridges the short pauses between words

/** Turns a stream of levels into "speaking" / "not speaking", calling `onChange(bool)`. */
export class SpeakingDetector {
  constructor(onChange) {
    this.onChange = onChange;
    this.speaking = false;
    this.lastLoud = 0;
  }

  level(value) {
    const now = performance.now();
    if (value >= SPEAKING_LEVEL) {
      this.lastLoud = now;
    }
    const speaking = now - this.lastLoud < HOLD_MS && this.lastLoud > 0;
    if (speaking !== this.speaking) {
      this.speaking = speaking;
      this.onChange(speaking);
    }
  }
}
