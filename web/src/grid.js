// The video grid: one tile per other participant, labelled with name and role.

import { roleLabel } from "./i18n.js";

export class VideoGrid {
  /** @param {HTMLElement} container */
  constructor(container) {
    this.container = container;
    this.tiles = new Map(); // participant id -> {figure, video, stream, caption}
    this.people = new Map(); // participant id -> {display_name, role}
  }

  /** Names and roles come from the roster. */
  setPeople(participants) {
    this.people = new Map(participants.map((p) => [p.participant_id, p]));
    for (const [id, tile] of this.tiles) {
      this.caption(id, tile.caption);
    }
  }

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
    tile.video.play?.().catch(() => {});
  }

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
    if (tile.stream.getTracks().length === 0) {
      tile.figure.remove();
      this.tiles.delete(participantId);
    }
    this.container.hidden = this.tiles.size === 0;
  }

  clear() {
    for (const tile of this.tiles.values()) {
      tile.figure.remove();
    }
    this.tiles.clear();
    this.container.hidden = true;
  }

  tile(participantId) {
    let tile = this.tiles.get(participantId);
    if (tile) {
      return tile;
    }
    const figure = document.createElement("figure");
    figure.className = "tile";
    figure.dataset.testid = "video-tile";
    figure.setAttribute("data-testid", "video-tile");
    figure.dataset.participantId = participantId;
    const video = document.createElement("video");
    video.autoplay = true;
    video.playsInline = true;
    const stream = new MediaStream();
    video.srcObject = stream;
    const caption = document.createElement("figcaption");
    figure.append(video, caption);
    this.container.append(figure);
    this.container.hidden = false;
    tile = { figure, video, stream, caption };
    this.tiles.set(participantId, tile);
    this.caption(participantId, caption);
    return tile;
  }

  caption(participantId, caption) {
    const person = this.people.get(participantId);
    const name = person?.display_name ?? participantId;
    const role = person ? roleLabel(person.role) : "";
    caption.textContent = role ? `${name} (${role})` : name;
    caption.parentElement?.querySelector("video")?.setAttribute("aria-label", caption.textContent);
  }
}
