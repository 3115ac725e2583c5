// The video grid: one tile per participant whose media arrives, plus our own
// picture. Every tile says who it is (name and role) and, in words and icons, who
// is speaking, who the court has muted and whose hand is raised.

import { SpeakingDetector } from "./audio-levels.js";
import { roleLabel, t } from "./i18n.js";
import { icon, setIconText } from "./icons.js";
import { roleRank } from "./roster.js";

const SELF = Symbol("self");

export class VideoGrid {
  /**
   * @param {HTMLElement} container
   * @param {import("./audio-levels.js").AudioLevels} levels measures who is speaking
   */
  constructor(container, levels) {
    this.container = container;
    this.levels = levels;
    this.tiles = new Map(); // participant id (or SELF) -> tile
    this.people = new Map(); // participant id -> roster member
    this.selfId = null;
  }

  /** Names, roles and court mutes come from the roster. */
  setPeople(participants, selfId) {
    this.people = new Map(participants.map((p) => [p.participant_id, p]));
    this.selfId = selfId;
    for (const [id, tile] of this.tiles) {
      this.describe(id, tile);
    }
  }

  /** A remote track arrived (called by the MediaSession). */
  show(participantId, kind, track) {
    const tile = this.tile(participantId);
    for (const old of tile.stream.getTracks()) {
      if (old.kind === track.kind && old !== track) {
        tile.stream.removeTrack(old);
      }
    }
    if (!tile.stream.getTracks().includes(track)) {
      tile.stream.addTrack(track);
    }
    tile.figure.dataset[kind] = "on";
    if (kind === "audio") {
      this.levels.watch(levelKey(participantId), track, (level) => tile.detector.level(level));
    }
    tile.video.play?.().catch(() => {});
  }

  /** A remote track went away. */
  forget(participantId, kind) {
    const tile = this.tiles.get(participantId);
    if (!tile) {
      return;
    }
    for (const track of tile.stream.getTracks()) {
      if (track.kind === kind) {
        tile.stream.removeTrack(track);
      }
    }
    delete tile.figure.dataset[kind];
    if (kind === "audio") {
      this.levels.unwatch(levelKey(participantId));
    }
    if (tile.stream.getTracks().length === 0) {
      this.drop(participantId);
    }
  }

  /** Show our own camera (muted, mirrored) as the last tile. */
  showSelf(stream) {
    const tile = this.tile(SELF);
    tile.video.muted = true;
    if (tile.video.srcObject !== stream) {
      tile.video.srcObject = stream;
      tile.video.play?.().catch(() => {});
      const audio = stream?.getAudioTracks()[0];
      if (audio) {
        this.levels.watch(levelKey(SELF), audio, (level) => tile.detector.level(level));
      }
    }
    this.setSelfCamera(Boolean(stream?.getVideoTracks()[0]?.enabled));
  }

  /** Our camera switched on or off: show a picture or a placeholder. */
  setSelfCamera(on) {
    const tile = this.tiles.get(SELF);
    if (tile) {
      tile.placeholder.hidden = on;
      tile.video.hidden = !on;
    }
  }

  /** Remove every tile, ours included. */
  clear() {
    for (const id of [...this.tiles.keys()]) {
      this.drop(id);
    }
  }

  /** Remove the tiles of other participants, keeping ours. */
  clearRemote() {
    for (const id of [...this.tiles.keys()]) {
      if (id !== SELF) {
        this.drop(id);
      }
    }
  }

  drop(id) {
    const tile = this.tiles.get(id);
    if (!tile) {
      return;
    }
    this.levels.unwatch(levelKey(id));
    tile.figure.remove();
    this.tiles.delete(id);
    this.container.hidden = this.tiles.size === 0;
  }

  tile(id) {
    let tile = this.tiles.get(id);
    if (tile) {
      return tile;
    }
    const figure = document.createElement("figure");
    figure.className = id === SELF ? "tile tile-self" : "tile";
    figure.setAttribute("data-testid", id === SELF ? "self-tile" : "video-tile");
    if (id !== SELF) {
      figure.dataset.participantId = id;
    }
    const media = document.createElement("div");
    media.className = "tile-media";
    const video = document.createElement("video");
    video.autoplay = true;
    video.playsInline = true;
    const stream = new MediaStream();
    if (id !== SELF) {
      video.srcObject = stream;
    }
    const placeholder = document.createElement("div");
    placeholder.className = "tile-placeholder";
    placeholder.hidden = true;
    placeholder.append(icon("camera-off"));
    const speaking = document.createElement("p");
    speaking.className = "tile-speaking";
    setIconText(speaking, "speaker", t("tile.speaking"));
    media.append(video, placeholder, speaking);

    const caption = document.createElement("figcaption");
    const label = document.createElement("span");
    label.className = "tile-label";
    const badges = document.createElement("span");
    badges.className = "tile-badges";
    caption.append(label, badges);
    figure.append(media, caption);

    tile = { figure, video, stream, label, badges, placeholder, detector: null };
    tile.detector = new SpeakingDetector((on) => {
      figure.dataset.speaking = on ? "true" : "false";
    });
    figure.dataset.speaking = "false";
    this.tiles.set(id, tile);
    this.describe(id, tile);
    this.container.append(figure);
    this.container.hidden = false;
    return tile;
  }

  describe(id, tile) {
    const personId = id === SELF ? this.selfId : id;
    const person = this.people.get(personId);
    const name = person?.display_name ?? (id === SELF ? t("tile.you") : String(id));
    const role = person ? roleLabel(person.role) : "";
    let text = role ? `${name} (${role})` : name;
    if (id === SELF) {
      text += ` – ${t("tile.you")}`;
    }
    tile.label.textContent = text;
    tile.video.setAttribute("aria-label", text);
    tile.figure.style.order = String(id === SELF ? 100 : roleRank(person?.role));

    const badges = [];
    if (person?.muted_audio) {
      badges.push(badge("mic-off", t("tile.mutedByCourt")));
    }
    if (person?.muted_video) {
      badges.push(badge("camera-off", t("tile.cameraStopped")));
    }
    if (person?.hand_raised_at) {
      badges.push(badge("hand", t("tile.handRaised")));
    }
    tile.badges.replaceChildren(...badges);
    if (id !== SELF) {
      // The node stops forwarding a muted camera: the last frame would freeze.
      tile.placeholder.hidden = !person?.muted_video;
      tile.video.hidden = Boolean(person?.muted_video);
    }
  }
}

/** The AudioLevels key of a tile (participant ids are free text: keep them apart from ours). */
function levelKey(id) {
  return id === SELF ? "local:self" : `remote:${id}`;
}

function badge(iconName, text) {
  const span = document.createElement("span");
  span.className = "badge";
  setIconText(span, iconName, text);
  return span;
}
