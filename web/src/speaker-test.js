// The speaker test: three short, gentle beeps through the default output, so a
// participant can hear whether their speakers or headphones work.

const BEEPS = [0, 0.45, 0.9]; // seconds from the start
const BEEP_SECONDS = 0.3;
const FREQUENCY_HZ = 660;
const VOLUME = 0.25;

/** Play the test sound; resolves when it has finished (false if audio is unavailable). */
export async function playTestTone() {
  const AudioContextClass = window.AudioContext ?? window.webkitAudioContext;
  if (!AudioContextClass) {
    return false;
  }
  const context = new AudioContextClass();
  try {
    await context.resume();
    const start = context.currentTime + 0.05;
    for (const offset of BEEPS) {
      const oscillator = context.createOscillator();
      const gain = context.createGain();
      oscillator.frequency.value = FREQUENCY_HZ;
      const t0 = start + offset;
      // Ramps in and out: a hard start or stop clicks.
      gain.gain.setValueAtTime(0, t0);
      gain.gain.linearRampToValueAtTime(VOLUME, t0 + 0.03);
      gain.gain.setValueAtTime(VOLUME, t0 + BEEP_SECONDS - 0.05);
      gain.gain.linearRampToValueAtTime(0, t0 + BEEP_SECONDS);
      oscillator.connect(gain).connect(context.destination);
      oscillator.start(t0);
      oscillator.stop(t0 + BEEP_SECONDS);
    }
    const total = BEEPS[BEEPS.length - 1] + BEEP_SECONDS + 0.1;
    await new Promise((resolve) => setTimeout(resolve, total * 1000));
    return true;
  } finally {
    context.close().catch(() => {});
  }
}
