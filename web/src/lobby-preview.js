// The camera pictures of people waiting in the lobby. The media node sends a
// waiting participant's camera to the judge and clerk only, so they can see who is
// asking to come in; those pictures belong in the console's lobby list, not in the
// hearing's video grid. This view sits between the MediaSession and the grid and
// sends each participant's tracks where they belong, moving them when the person
// is admitted or sent back to the lobby.

export class MediaRouter {
  /** @param {import("./grid.js").VideoGrid} grid */
  constructor(grid) {
    this.grid = grid;
    this.tracks = new Map(); // participant id -> Map(kind -> track)
    this.waiting = new Set(); // participant ids in the lobby
    this.previews = new Map(); // participant id -> MediaStream of their camera
    this.elements = new Map(); // participant id -> the <video> showing it
    this.listeners = new Set();
  }

  /** Who is in the lobby comes from the roster. */
  setPeople(participants) {
    const waiting = new Set(
      participants.filter((p) => p.presence === "lobby").map((p) => p.participant_id),
    );
    const moved = [...this.tracks.keys()].filter(
      (id) => waiting.has(id) !== this.waiting.has(id),
    );
    this.waiting = waiting;
    for (const id of moved) {
      for (const [kind, track] of this.tracks.get(id)) {
        this.route(id, kind, track, { moved: true });
      }
    }
    if (moved.length) {
      this.changed();
    }
  }

  /** A remote track arrived (called by the MediaSession). */
  show(participantId, kind, track) {
    if (!this.tracks.has(participantId)) {
      this.tracks.set(participantId, new Map());
    }
    this.tracks.get(participantId).set(kind, track);
    this.route(participantId, kind, track, { moved: false });
    this.changed();
  }

  /** A remote track went away. */
  forget(participantId, kind) {
    const kinds = this.tracks.get(participantId);
    kinds?.delete(kind);
    if (kinds && kinds.size === 0) {
      this.tracks.delete(participantId);
    }
    this.grid.forget(participantId, kind);
    if (kind === "video" && this.previews.delete(participantId)) {
      this.changed();
    }
  }

  route(participantId, kind, track, { moved }) {
    if (this.waiting.has(participantId)) {
      if (moved) {
        this.grid.forget(participantId, kind);
      }
      if (kind === "video") {
        this.previews.set(participantId, new MediaStream([track]));
      }
    } else {
      this.previews.delete(participantId);
      this.grid.show(participantId, kind, track);
    }
  }

  /**
   * A small muted video of a waiting participant's camera, labelled for screen
   * readers, or null when their camera does not reach us. The same element each
   * time, so that re-drawing the console does not restart the picture.
   */
  previewElement(participantId, label) {
    const stream = this.previews.get(participantId);
    if (!stream) {
      this.elements.delete(participantId);
      return null;
    }
    let video = this.elements.get(participantId);
    if (!video) {
      video = document.createElement("video");
      video.className = "person-preview";
      video.muted = true;
      video.autoplay = true;
      video.playsInline = true;
      video.setAttribute("data-testid", "lobby-preview");
      this.elements.set(participantId, video);
    }
    video.setAttribute("aria-label", label);
    if (video.srcObject !== stream) {
      video.srcObject = stream;
      video.play?.().catch(() => {});
    }
    return video;
  }

  /** `callback()` whenever a preview appears or goes. */
  onChange(callback) {
    this.listeners.add(callback);
  }

  changed() {
    for (const callback of this.listeners) {
      callback();
    }
  }

  showSelf(stream) {
    this.grid.showSelf(stream);
  }

  clear() {
    this.tracks.clear();
    if (this.previews.size) {
      this.previews.clear();
      this.changed();
    }
    this.grid.clear();
  }
}
