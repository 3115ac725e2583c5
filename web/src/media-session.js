// WebRTC with the media node: one connection that publishes our camera and
// microphone, one that receives everyone else's. The node offers on the receiving
// connection whenever tracks come or go ("subscribe_offer"); we answer.

const GATHER_TIMEOUT_MS = 5_000;

/** Resolve once ICE gathering is complete (aiortc takes no trickled candidates). */
function gathered(pc) {
  if (pc.iceGatheringState === "complete") {
    return Promise.resolve();
  }
  return new Promise((resolve) => {
    const timer = setTimeout(done, GATHER_TIMEOUT_MS);
    function done() {
      clearTimeout(timer);
      pc.removeEventListener("icegatheringstatechange", check);
      resolve();
    }
    function check() {
      if (pc.iceGatheringState === "complete") {
        done();
      }
    }
    pc.addEventListener("icegatheringstatechange", check);
  });
}

/**
 * The participant's media with the node.
 *
 * `connection` is the HearingConnection; `view` gets `show(participantId, kind, track)`
 * and `forget(participantId, kind)` calls as tracks arrive and leave.
 */
export class MediaSession {
  constructor(connection, iceServers, view) {
    this.connection = connection;
    this.iceServers = iceServers ?? [];
    this.view = view;
    this.publisher = null;
    this.subscriber = null;
    this.tracks = new Map(); // mid -> {participant_id, kind}
    this.closed = false;
    this.queue = Promise.resolve(); // offers are answered one at a time, in order
  }

  /** Publish the local stream's tracks (send only). */
  async publish(stream) {
    if (this.publisher || !stream) {
      return;
    }
    const pc = new RTCPeerConnection({ iceServers: this.iceServers });
    this.publisher = pc;
    for (const track of stream.getTracks()) {
      pc.addTransceiver(track, { direction: "sendonly", streams: [stream] });
    }
    await pc.setLocalDescription(await pc.createOffer());
    await gathered(pc);
    const ack = await this.connection.request("publish", {
      type: "offer",
      sdp: pc.localDescription.sdp,
    });
    await pc.setRemoteDescription(ack.answer);
  }

  /** Handle the node's offer for the receiving connection. */
  onOffer(offer) {
    this.queue = this.queue.then(() => this.answer(offer)).catch((error) => {
      console.warn("subscribe offer failed", error);
    });
    return this.queue;
  }

  async answer(offer) {
    if (this.closed) {
      return;
    }
    if (!this.subscriber) {
      const pc = new RTCPeerConnection({ iceServers: this.iceServers });
      pc.addEventListener("track", (event) => this.onTrack(event));
      this.subscriber = pc;
    }
    const pc = this.subscriber;
    await pc.setRemoteDescription({ type: "offer", sdp: offer.sdp });
    await pc.setLocalDescription(await pc.createAnswer());
    await gathered(pc);
    const previous = this.tracks;
    this.tracks = new Map(Object.entries(offer.tracks ?? {}));
    // Transceivers are reused for newcomers: re-label every live one.
    for (const [mid, was] of previous) {
      const now = this.tracks.get(mid);
      if (!now || now.participant_id !== was.participant_id) {
        this.view.forget(was.participant_id, was.kind);
      }
    }
    for (const transceiver of pc.getTransceivers()) {
      this.label(transceiver);
    }
    await this.connection.request("subscribe_answer", {
      type: "answer",
      sdp: pc.localDescription.sdp,
    });
  }

  onTrack(event) {
    this.label(event.transceiver);
  }

  label(transceiver) {
    const info = this.tracks.get(transceiver.mid);
    const track = transceiver.receiver?.track;
    if (info && track) {
      this.view.show(info.participant_id, info.kind, track);
    }
  }

  /** Close both connections. Idempotent. */
  close() {
    this.closed = true;
    this.publisher?.close();
    this.subscriber?.close();
    this.publisher = null;
    this.subscriber = null;
    for (const info of this.tracks.values()) {
      this.view.forget(info.participant_id, info.kind);
    }
    this.tracks.clear();
  }
}
