// The hearing's recordings played together on the hearing clock. Each recorded
// file (one participant, one uninterrupted stretch) gets its own media element,
// placed by its hearing-clock offset; one playhead drives them all. At any moment
// the files that cover it play, in step; the others are paused and hidden, and a
// participant with nothing recorded then says so.

import { formatClock } from "./hearing-clock.js";
import { t } from "./i18n.js";
import { setIconText } from "./icons.js";

const DRIFT_SECONDS = 0.3; // a file further than this from the playhead is moved to it
const TICK_MS = 200;
const EDGE = 0.05; // seconds of slack at a file's ends, for rounding in the index

/** One recorded file: its element and where it sits on the hearing clock. */
class Track {
  constructor(file, element) {
    this.file = file;
    this.element = element;
    this.offset = Number(file.offset) || 0;
    this.duration = Number(file.duration) || 0;
  }

  covers(seconds) {
    return seconds >= this.offset - EDGE && seconds < this.offset + this.duration - EDGE;
  }
}

export class SyncedPlayback {
  /**
   * @param {{tracks: HTMLElement, play: HTMLButtonElement, position: HTMLInputElement,
   *          positionText: HTMLElement}} el
   * @param {{nameOf: (id: string) => string, onTime?: (seconds: number) => void,
   *          onError?: (track: Track) => void}} options
   */
  constructor(el, { nameOf, onTime = () => {}, onError = () => {} }) {
    this.el = el;
    this.nameOf = nameOf;
    this.onTime = onTime;
    this.onError = onError;
    this.tracks = [];
    this.tiles = new Map(); // participant id -> {tile, placeholder}
    this.playing = false;
    this.base = 0; // playhead (hearing-clock seconds) at `stamp`
    this.stamp = 0;
    this.end = 0;
    this.timer = 0;
    el.play.addEventListener("click", () => (this.playing ? this.pause() : this.play()));
    el.position.addEventListener("input", () => this.seek(Number(el.position.value)));
  }

  /** The recorded files (`RecordingFile`s with `url`, `offset`, `duration`, `participant_id`). */
  load(files) {
    this.pause();
    this.el.tracks.replaceChildren();
    this.tiles.clear();
    this.tracks = files
      .filter((f) => f.url && Number(f.duration) > 0)
      .sort((a, b) => a.offset - b.offset)
      .map((file) => new Track(file, this.element(file)));
    this.end = Math.max(0, ...this.tracks.map((tr) => tr.offset + tr.duration));
    this.el.position.max = String(this.end);
    this.el.position.step = "0.1";
    this.seek(0);
  }

  /** Swap in fresh addresses (the signed ones expire) without moving the playhead. */
  refresh(files) {
    const urls = new Map(files.map((f) => [f.file, f.url]));
    for (const track of this.tracks) {
      const url = urls.get(track.file.file);
      if (url && url !== track.file.url) {
        track.file = { ...track.file, url };
        track.element.src = url;
      }
    }
    this.align(true);
  }

  /** The playhead, in hearing-clock seconds. */
  time() {
    const elapsed = this.playing ? (performance.now() - this.stamp) / 1000 : 0;
    return Math.min(this.end, this.base + elapsed);
  }

  /** Move every file to `seconds` on the hearing clock (playing on if it was playing). */
  seek(seconds) {
    this.base = Math.max(0, Math.min(this.end, Number(seconds) || 0));
    this.stamp = performance.now();
    this.align(true);
  }

  play() {
    if (!this.tracks.length) {
      return;
    }
    if (this.time() >= this.end - EDGE) {
      this.base = 0; // from the start again, as a player does at the end
    }
    this.playing = true;
    this.stamp = performance.now();
    clearInterval(this.timer);
    this.timer = setInterval(() => this.tick(), TICK_MS);
    this.align(true);
  }

  pause() {
    this.base = this.time();
    this.playing = false;
    clearInterval(this.timer);
    this.align(false);
  }

  tick() {
    // Follow a file that is really playing: if it stalls to load, the playhead waits.
    const leader = this.tracks.find(
      (tr) => tr.covers(this.time()) && !tr.element.paused && tr.element.readyState >= 3,
    );
    if (leader) {
      this.base = leader.offset + leader.element.currentTime;
      this.stamp = performance.now();
    }
    if (this.time() >= this.end - EDGE) {
      this.pause();
      return;
    }
    this.align(false);
  }

  /** Bring every element in line with the playhead; `exact`: move them even if close. */
  align(exact) {
    const now = this.time();
    const covered = new Set();
    for (const track of this.tracks) {
      const media = track.element;
      if (track.covers(now)) {
        covered.add(track.file.participant_id);
        media.hidden = false;
        const at = Math.max(0, now - track.offset);
        if (exact || Math.abs(media.currentTime - at) > DRIFT_SECONDS) {
          media.currentTime = at;
        }
        if (this.playing && media.paused) {
          media.play().catch(() => {
            // Refused (no gesture yet) or interrupted by a seek: the next tick retries.
          });
        } else if (!this.playing && !media.paused) {
          media.pause();
        }
      } else {
        if (!media.paused) {
          media.pause();
        }
        media.hidden = true;
      }
    }
    for (const [pid, { tile, placeholder }] of this.tiles) {
      const on = covered.has(pid);
      tile.dataset.recorded = String(on);
      placeholder.hidden = on;
    }
    this.render(now);
  }

  render(now) {
    const { el } = this;
    const [iconName, key] = this.playing
      ? ["pause", "desk.player.pause"]
      : ["play", "desk.player.play"];
    setIconText(el.play, iconName, t(key));
    el.play.dataset.state = this.playing ? "playing" : "paused";
    el.position.value = String(now);
    const text = `${formatClock(now)} / ${formatClock(this.end)}`;
    el.position.setAttribute("aria-valuetext", text);
    el.positionText.textContent = text;
    this.onTime(now);
  }

  /** The file's element, in its participant's tile. */
  element(file) {
    const media = document.createElement("video");
    media.src = file.url;
    media.preload = "auto";
    media.playsInline = true;
    media.hidden = true;
    media.className = "track-media";
    media.setAttribute("data-testid", "recording-media");
    media.dataset.file = file.file;
    media.dataset.offset = String(file.offset);
    media.dataset.duration = String(file.duration);
    media.dataset.participantId = file.participant_id ?? "";
    media.setAttribute("aria-label", this.nameOf(file.participant_id));
    media.addEventListener("loadedmetadata", () => {
      // A file with sound only: the tile says so instead of showing a black picture.
      media.dataset.soundOnly = String(media.videoWidth === 0);
    });
    media.addEventListener("error", () => this.onError(file));
    this.tile(file.participant_id).frame.append(media);
    return media;
  }

  tile(participantId) {
    const known = this.tiles.get(participantId);
    if (known) {
      return known;
    }
    const tile = document.createElement("figure");
    tile.className = "track";
    tile.setAttribute("data-testid", "recording-tile");
    tile.dataset.participantId = participantId ?? "";
    const frame = document.createElement("div");
    frame.className = "track-frame";
    const placeholder = document.createElement("p");
    placeholder.className = "track-placeholder";
    placeholder.textContent = t("desk.player.notRecorded");
    const soundOnly = document.createElement("p");
    soundOnly.className = "track-sound-only";
    setIconText(soundOnly, "speaker", t("desk.player.soundOnly"));
    frame.append(placeholder, soundOnly);
    const caption = document.createElement("figcaption");
    caption.textContent = this.nameOf(participantId);
    tile.append(frame, caption);
    this.el.tracks.append(tile);
    const entry = { tile, frame, placeholder };
    this.tiles.set(participantId, entry);
    return entry;
  }
}
