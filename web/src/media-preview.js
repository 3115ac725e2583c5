// The local camera and microphone: acquiring them, showing the preview and the
// microphone level, and releasing them. The stream stays here so that the
// WebRTC publisher can take it later.

import { t } from "./i18n.js";

// Raw audio: the court record and the transcription want the voice as spoken,
// not the browser's idea of it.
const AUDIO = { echoCancellation: false, noiseSuppression: false, autoGainControl: false };

/** @type {MediaStream | null} */
let localStream = null;
let meter = null;

/** The camera/microphone stream being previewed, or null. */
export function getLocalStream() {
  return localStream;
}

/**
 * Ask for camera and microphone and show them in `video` and `levelMeter`.
 * Resolves to `{ok: true, audioOnly}` or `{ok: false, message}`; never throws.
 */
export async function startPreview(video, levelMeter) {
  stopPreview(video);
  if (!navigator.mediaDevices?.getUserMedia) {
    return { ok: false, message: t("preview.insecure") };
  }
  let stream;
  let audioOnly = false;
  try {
    stream = await navigator.mediaDevices.getUserMedia({ video: true, audio: AUDIO });
  } catch (error) {
    if (isPermissionError(error)) {
      return { ok: false, message: explain(error) };
    }
    // A missing or busy camera should not keep a participant off the microphone.
    try {
      stream = await navigator.mediaDevices.getUserMedia({ audio: AUDIO });
      audioOnly = true;
    } catch {
      return { ok: false, message: explain(error) };
    }
  }
  localStream = stream;
  video.srcObject = stream;
  video.hidden = audioOnly;
  video.play?.().catch(() => {
    // Autoplay of a muted element is allowed; a refusal only delays the picture.
  });
  meter = startLevelMeter(stream, levelMeter);
  return { ok: true, audioOnly };
}

/** Stop every local track and the level meter. Safe to call more than once. */
export function stopPreview(video) {
  meter?.stop();
  meter = null;
  for (const track of localStream?.getTracks() ?? []) {
    track.stop();
  }
  localStream = null;
  if (video) {
    video.srcObject = null;
  }
}

/** Browsers start audio contexts suspended until a user gesture; call from one. */
export function resumeAudio() {
  meter?.resume();
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

function startLevelMeter(stream, levelMeter) {
  const AudioContextClass = window.AudioContext ?? window.webkitAudioContext;
  if (!AudioContextClass || stream.getAudioTracks().length === 0) {
    return null;
  }
  const context = new AudioContextClass();
  const source = context.createMediaStreamSource(stream);
  const analyser = context.createAnalyser();
  analyser.fftSize = 1024;
  source.connect(analyser);
  const samples = new Float32Array(analyser.fftSize);
  let frame = 0;

  const update = () => {
    analyser.getFloatTimeDomainData(samples);
    let sum = 0;
    for (const s of samples) {
      sum += s * s;
    }
    levelMeter.value = level(Math.sqrt(sum / samples.length));
    frame = requestAnimationFrame(update);
  };
  frame = requestAnimationFrame(update);

  return {
    resume() {
      if (context.state === "suspended") {
        context.resume().catch(() => {});
      }
    },
    stop() {
      cancelAnimationFrame(frame);
      source.disconnect();
      context.close().catch(() => {});
      levelMeter.value = 0;
    },
  };
}

// RMS amplitude to 0..1 on a decibel scale (-60 dBFS and below reads as 0),
// which tracks how loud speech sounds far better than the raw amplitude.
function level(rms) {
  if (rms <= 0) {
    return 0;
  }
  const db = 20 * Math.log10(rms);
  return Math.min(1, Math.max(0, (db + 60) / 60));
}
