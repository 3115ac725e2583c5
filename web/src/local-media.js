// The participant's own camera and microphone: acquiring them, switching them
// on and off, and releasing them. The WebRTC publisher sends this stream.

import { t } from "./i18n.js";

// Raw audio: the court record and the transcription want the voice as spoken,
// not the browser's idea of it.
const AUDIO = { echoCancellation: false, noiseSuppression: false, autoGainControl: false };
const VIDEO = { width: { ideal: 640 }, height: { ideal: 480 } };

/** The local camera and microphone. */
export class LocalMedia {
  constructor() {
    /** @type {MediaStream | null} */
    this.stream = null;
  }

  /**
   * Ask the browser for camera and microphone. Resolves to `{ok: true, audioOnly}`
   * or `{ok: false, message}` (what went wrong and what to do); never throws.
   */
  async start() {
    this.stop();
    if (!navigator.mediaDevices?.getUserMedia) {
      return { ok: false, message: t("preview.insecure") };
    }
    let audioOnly = false;
    try {
      this.stream = await navigator.mediaDevices.getUserMedia({ video: VIDEO, audio: AUDIO });
    } catch (error) {
      if (isPermissionError(error)) {
        return { ok: false, message: explain(error) };
      }
      // A missing or busy camera should not keep a participant off the microphone.
      try {
        this.stream = await navigator.mediaDevices.getUserMedia({ audio: AUDIO });
        audioOnly = true;
      } catch {
        return { ok: false, message: explain(error) };
      }
    }
    return { ok: true, audioOnly };
  }

  /** The live track of `kind` ("audio" or "video"), or null. */
  track(kind) {
    return this.stream?.getTracks().find((track) => track.kind === kind) ?? null;
  }

  has(kind) {
    return this.track(kind) !== null;
  }

  /** Whether the track of `kind` is sending (false when off or missing). */
  isOn(kind) {
    return this.track(kind)?.enabled ?? false;
  }

  /** Switch the track of `kind` on or off; an "off" track sends silence or black. */
  setOn(kind, on) {
    const track = this.track(kind);
    if (track) {
      track.enabled = on;
    }
  }

  /** Stop every track. Idempotent. */
  stop() {
    for (const track of this.stream?.getTracks() ?? []) {
      track.stop();
    }
    this.stream = null;
  }
}

/** Show `stream` in `video` (muted: it is the participant's own picture). */
export function attach(video, stream) {
  video.muted = true;
  video.srcObject = stream;
  video.play?.().catch(() => {
    // Autoplay of a muted element is allowed; a refusal only delays the picture.
  });
}

function isPermissionError(error) {
  return error?.name === "NotAllowedError" || error?.name === "SecurityError";
}

function explain(error) {
  switch (error?.name) {
    case "NotAllowedError":
    case "SecurityError":
      return t("preview.denied");
    case "NotFoundError":
    case "OverconstrainedError":
      return t("preview.notFound");
    case "NotReadableError":
    case "AbortError":
      return t("preview.inUse");
    default:
      return t("preview.failed");
  }
}
