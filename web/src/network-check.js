// The network check before joining: how fast the court's server answers (a few
// `roster` round trips over the live Socket.IO connection) and whether the
// browser finds ways to send media with the ICE servers the court gave it.

const ROUND_TRIPS = 5;
const GATHER_TIMEOUT_MS = 6_000;
const FAIR_RTT_MS = 250; // above this, talk starts to feel delayed
const POOR_RTT_MS = 800; // above this, conversation suffers

/**
 * Measure the connection. Resolves to
 * `{verdict: "good"|"fair"|"poor", rttMs, candidates: {host, srflx, relay}, reasons: [key]}`,
 * where `reasons` are i18n keys explaining the verdict in plain words.
 */
export async function checkNetwork(connection, iceServers) {
  const [rttMs, candidates] = await Promise.all([
    roundTrip(connection),
    gatherCandidates(iceServers),
  ]);
  return judge(rttMs, candidates, iceServers);
}

/** The median time for the server to answer a `roster` request, in ms (null: no answer). */
async function roundTrip(connection) {
  const times = [];
  for (let i = 0; i < ROUND_TRIPS; i += 1) {
    const start = performance.now();
    try {
      await connection.request("roster");
    } catch {
      continue;
    }
    times.push(performance.now() - start);
  }
  if (times.length === 0) {
    return null;
  }
  times.sort((a, b) => a - b);
  return Math.round(times[Math.floor(times.length / 2)]);
}

/** How many candidates of each type ICE gathering finds with `iceServers`. */
async function gatherCandidates(iceServers) {
  const counts = { host: 0, srflx: 0, relay: 0 };
  if (typeof RTCPeerConnection === "undefined") {
    return counts;
  }
  const pc = new RTCPeerConnection({ iceServers: iceServers ?? [] });
  try {
    pc.createDataChannel("network-check");
    const done = new Promise((resolve) => {
      const timer = setTimeout(resolve, GATHER_TIMEOUT_MS);
      pc.addEventListener("icecandidate", (event) => {
        if (!event.candidate) {
          clearTimeout(timer);
          resolve();
          return;
        }
        const type = event.candidate.type ?? typeFromLine(event.candidate.candidate);
        if (type && type in counts) {
          counts[type] += 1;
        } else if (type === "prflx") {
          counts.srflx += 1;
        }
      });
    });
    await pc.setLocalDescription(await pc.createOffer());
    await done;
  } catch {
    // No candidates counted: the verdict says media may not get through.
  } finally {
    pc.close();
  }
  return counts;
}

function typeFromLine(line) {
  return / typ (\w+)/.exec(line ?? "")?.[1] ?? null;
}

function judge(rttMs, candidates, iceServers) {
  const urls = (iceServers ?? []).flatMap((server) =>
    Array.isArray(server.urls) ? server.urls : [server.urls],
  );
  const hasTurn = urls.some((url) => /^turns?:/.test(String(url)));
  const hasStun = urls.some((url) => /^stuns?:/.test(String(url)));
  const total = candidates.host + candidates.srflx + candidates.relay;
  const reasons = [];
  let verdict = "good";
  const worse = (level) => {
    if (level === "poor" || (level === "fair" && verdict === "good")) {
      verdict = level;
    }
  };

  if (rttMs === null) {
    worse("poor");
    reasons.push("network.noAnswer");
  } else if (rttMs > POOR_RTT_MS) {
    worse("poor");
    reasons.push("network.slow");
  } else if (rttMs > FAIR_RTT_MS) {
    worse("fair");
    reasons.push("network.delayed");
  } else {
    reasons.push("network.fast");
  }

  if (total === 0) {
    worse("poor");
    reasons.push("network.noMedia");
  } else if (hasTurn && candidates.relay === 0) {
    worse("fair");
    reasons.push("network.noRelay");
  } else if (hasStun && !hasTurn && candidates.srflx === 0) {
    worse("fair");
    reasons.push("network.noReflexive");
  } else {
    reasons.push("network.mediaOk");
  }
  return { verdict, rttMs, candidates, reasons };
}
