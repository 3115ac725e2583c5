// The participant's media in the hearing: a MediaSession with the media node
// while (and only while) the server lets media flow, our own picture in the
// grid, and the node's offers kept until a session can answer them. Waiting in
// the lobby, our camera already goes to the judge and clerk (the node forwards
// nothing else of it), and the same connection carries on once we are admitted.

import { MediaSession } from "./media-session.js";
import { publishes } from "./permissions.js";

export class HearingMedia {
  /**
   * @param {{connection: () => import("./connection.js").HearingConnection,
   *          iceServers: () => object[], local: import("./local-media.js").LocalMedia,
   *          grid: import("./lobby-preview.js").MediaRouter, role: string,
   *          onError: (error: Error) => void}} options
   */
  constructor({ connection, iceServers, local, grid, role, onError }) {
    this.connection = connection;
    this.iceServers = iceServers;
    this.local = local;
    this.grid = grid;
    this.role = role;
    this.onError = onError;
    this.session = null;
    this.pendingOffer = null; // an offer that arrived before the session
    this.called = false;
    this.waiting = false; // in the lobby
  }

  /**
   * Start or stop media for where we stand: it flows while we are admitted and
   * connected, and, for a witness, called in; in the lobby, our camera alone goes
   * to the court (observers send nothing).
   */
  sync({ active, self }) {
    this.called = Boolean(self?.called);
    this.waiting = self?.presence === "lobby" && this.role !== "observer";
    const wanted =
      active &&
      self?.online !== false &&
      (this.waiting ||
        (self?.presence === "admitted" && (this.role !== "witness" || this.called)));
    if (wanted && !this.session) {
      this.start();
    } else if (!wanted && this.session) {
      this.stop();
    }
  }

  /** The node's offer for our receiving connection (`subscribe_offer`). */
  offer(offer) {
    if (this.session) {
      this.session.onOffer(offer);
    } else {
      this.pendingOffer = offer;
    }
  }

  /** The connection dropped: offers made on it are dead, and so is the media. */
  disconnected() {
    this.pendingOffer = null;
    this.stop();
  }

  /** Our camera or microphone became available after joining: send it. */
  publishOwn() {
    if (!this.session || !this.local.stream) {
      return;
    }
    if (!this.waiting && !publishes(this.role, this.called)) {
      return;
    }
    this.grid.showSelf(this.local.stream);
    this.session.publish(this.local.stream).catch((error) => this.onError(error));
  }

  start() {
    this.session = new MediaSession(this.connection(), this.iceServers(), this.grid);
    if (this.pendingOffer) {
      this.session.onOffer(this.pendingOffer);
      this.pendingOffer = null;
    }
    this.publishOwn();
  }

  /** Close the media connections and empty the grid. Idempotent. */
  stop() {
    this.session?.close();
    this.session = null;
    this.grid.clear();
  }
}
