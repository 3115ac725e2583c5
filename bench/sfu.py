"""Benchmark: the media node forwarding a 10-party hearing, against aiortc relay + re-encoding.

    python -m bench.sfu [--quick] [--participants N] [--seconds S] [--details] [--profile F]

Every participant runs in its own process and publishes a 640x480@30 VP8 + Opus
clip made once with PyAV, sending its frames without encoding; it receives all the
others and counts their frames without decoding, except one verifying participant
that decodes everything (its receiving connection has a process of its own, so
that decoding nine videos does not slow down its publishing).  The node runs in
its own process; its CPU time (all threads) is read around a measuring window,
with the frames it handed to senders.

The baseline, in the same run, is aiortc as its examples use it: the node decodes
each publisher and ``MediaRelay`` feeds one re-encoding sender per subscriber, at
3 participants (what this 2-core machine sustains).  Both are compared per
forwarded frame (audio and video frames together).

Everything runs in a private network namespace with only ``lo``; all traffic is
on 127.0.0.1.  The last line of stdout is one JSON object with the figures.

The clients need about as much CPU as the node: the figures are meaningful on a
machine with two otherwise idle cores.  ``--details`` prints every track's frame
rate, the kernel's UDP drops and each process's CPU, which show when it was not.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import sys
import tempfile
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.context import SpawnProcess
from pathlib import Path
from types import TracebackType
from typing import Any

from tests.harness.netns import isolate_network

__all__ = ["main"]

BASELINE_PARTICIPANTS = 3
_TICKS = os.sysconf("SC_CLK_TCK")
TARGETS = {"ratio": 8.0, "node_cpu_cores": 1.0, "subscriber_fps_min": 25.0}


@dataclass(frozen=True)
class Measurement:
    """What one hearing did during the measuring window."""

    participants: int
    seconds: float
    node_cpu_seconds: float
    forwarded_frames: int
    video_fps: dict[str, float]
    """Per subscriber: the lowest video frame rate among the tracks it received."""
    audio_fps: dict[str, float]
    decode_errors: int

    @property
    def node_cpu_cores(self) -> float:
        return self.node_cpu_seconds / self.seconds

    @property
    def cpu_per_frame_us(self) -> float:
        return 1e6 * self.node_cpu_seconds / max(1, self.forwarded_frames)


def _request(conn: Connection, *message: Any, timeout: float) -> tuple[Any, ...]:
    conn.send(message)
    return _reply(conn, timeout, str(message[0]))


def _reply(conn: Connection, timeout: float, what: str) -> tuple[Any, ...]:
    if not conn.poll(timeout):
        raise TimeoutError(f"no answer to {what!r} within {timeout} s")
    reply: tuple[Any, ...] = conn.recv()
    return reply


@dataclass(frozen=True)
class _Client:
    name: str
    participant_id: str
    publish: bool
    receive: str
    """ "count", "decode" or "none" """


def _udp_counters() -> dict[str, int]:
    """The kernel's UDP counters in this network namespace (datagrams, buffer overflows)."""
    lines = [line.split() for line in Path("/proc/net/snmp").read_text().splitlines()]
    names, values = (line for line in lines if line[0] == "Udp:")
    return {n: int(v) for n, v in zip(names[1:], values[1:], strict=True)}


class Hearing:
    """A node process and one process per participant; always stopped on exit."""

    def __init__(
        self,
        mode: str,
        participants: int,
        clip: Path,
        workdir: Path,
        *,
        verify: bool,
        profile: Path | None = None,
    ) -> None:
        self.mode = mode
        self.participants = [f"p{i}" for i in range(participants)]
        self.clients = [_Client(pid, pid, True, "count") for pid in self.participants]
        self.verifier: str | None = None
        if verify:
            self.verifier = "p0-viewer"
            self.clients[0] = _Client("p0", "p0", True, "none")
            self.clients.append(_Client(self.verifier, "p0", False, "decode"))
        self._clip = clip
        self._profile = str(profile) if profile else None
        self._socket = str(workdir / f"{mode}.sock")
        self._context = multiprocessing.get_context("spawn")
        self._node: tuple[SpawnProcess, Connection] | None = None
        self._clients: dict[str, tuple[SpawnProcess, Connection]] = {}

    def __enter__(self) -> Hearing:
        from bench import _sfu_client, _sfu_node

        try:
            ours, theirs = self._context.Pipe()
            process = self._context.Process(
                target=_sfu_node.run,
                args=(theirs, self._socket, self.mode, len(self.participants), self._profile),
                name=f"node-{self.mode}",
            )
            process.start()
            self._node = (process, ours)
            _reply(ours, 30, "node start")
            for client in self.clients:
                ours, theirs = self._context.Pipe()
                process = self._context.Process(
                    target=_sfu_client.run,
                    args=(
                        theirs,
                        self._socket,
                        client.participant_id,
                        str(self._clip),
                        client.publish,
                        client.receive,
                    ),
                    name=f"client-{client.name}",
                )
                process.start()
                self._clients[client.name] = (process, ours)
            for name, (_, conn) in self._clients.items():
                _reply(conn, 60, f"{name} join")
        except BaseException:
            self._stop()
            raise
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._stop()

    def reports(self) -> dict[str, dict[str, Any]]:
        """What each receiving process counted so far."""
        return {
            client.name: _request(self._clients[client.name][1], "report", timeout=10)[1]
            for client in self.clients
            if client.receive != "none"
        }

    def wait_until_everyone_receives(self, timeout: float) -> None:
        expected = 2 * (len(self.participants) - 1)
        deadline = time.monotonic() + timeout
        while True:
            reports = self.reports()
            missing = {
                pid: expected - sum(1 for n in r["frames"].values() if n > 0)
                for pid, r in reports.items()
            }
            if not any(missing.values()):
                return
            if time.monotonic() > deadline:
                raise TimeoutError(f"tracks still missing after {timeout} s: {missing}")
            time.sleep(0.5)

    def measure(self, seconds: float, *, details: bool = False) -> Measurement:
        assert self._node is not None
        node = self._node[1]
        udp_before, cpu_before = _udp_counters(), self._cpu_ticks()
        before, start = self.reports(), _request(node, "stats", timeout=10)[1]
        began = time.monotonic()
        time.sleep(seconds)
        end = _request(node, "stats", timeout=10)[1]
        after = self.reports()
        elapsed = time.monotonic() - began
        video_fps, audio_fps = {}, {}
        if details:
            udp = {k: v - udp_before.get(k, 0) for k, v in _udp_counters().items()}
            print(f"  UDP (this network namespace): {udp}", flush=True)
            cpu = {
                k: round((v - cpu_before.get(k, 0)) / _TICKS / elapsed, 2)
                for k, v in self._cpu_ticks().items()
            }
            print(f"  CPU cores by process: {cpu}", flush=True)
            received = {
                t: round((n - start["received"].get(t, 0)) / seconds, 1)
                for t, n in sorted(end.get("received", {}).items())
            }
            print(f"  node received: {received}", flush=True)
            lost = {
                t: n[1] - start["packets"].get(t, (0, 0))[1]
                for t, n in sorted(end.get("packets", {}).items())
            }
            print(f"  node packets lost from publishers: {lost}", flush=True)
            dropped = end.get("dropped", 0) - start.get("dropped", 0)
            print(f"  node frames dropped towards subscribers: {dropped}", flush=True)
            for pid, report in after.items():
                track_fps = {
                    t: round((n - before[pid]["frames"].get(t, 0)) / seconds, 1)
                    for t, n in sorted(report["frames"].items())
                }
                print(f"  {pid}: {track_fps}", flush=True)
        for pid, report in after.items():
            rates: dict[str, list[float]] = {"video": [], "audio": []}
            for track, frames in report["frames"].items():
                kind = track.rsplit("/", 1)[1]
                rates[kind].append((frames - before[pid]["frames"].get(track, 0)) / elapsed)
            video_fps[pid], audio_fps[pid] = min(rates["video"]), min(rates["audio"])
        return Measurement(
            participants=len(self.participants),
            seconds=elapsed,
            node_cpu_seconds=end["cpu"] - start["cpu"],
            forwarded_frames=end["forwarded"] - start["forwarded"],
            video_fps=video_fps,
            audio_fps=audio_fps,
            decode_errors=after[self.verifier]["decode_errors"] if self.verifier else 0,
        )

    def _cpu_ticks(self) -> dict[str, int]:
        """CPU time so far of every process of the bench, and of the whole machine."""
        processes = {name: process for name, (process, _) in self._clients.items()}
        if self._node is not None:
            processes["node"] = self._node[0]
        ticks = {}
        for name, process in processes.items():
            fields = Path(f"/proc/{process.pid}/stat").read_text().rsplit(")", 1)[1].split()
            ticks[name] = int(fields[11]) + int(fields[12])  # utime + stime
        cpu = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
        ticks["machine (all processes)"] = sum(int(v) for v in cpu) - int(cpu[3]) - int(cpu[4])
        return ticks

    def _stop(self) -> None:
        processes = list(self._clients.values()) + ([self._node] if self._node else [])
        for process, conn in processes:
            if process.is_alive():
                try:
                    conn.send(("stop",))
                except OSError:
                    pass
        for process, _ in processes:
            process.join(15)
            if process.is_alive():
                print(f"  {process.name} did not stop: terminated", file=sys.stderr)
                process.terminate()
                process.join(5)
            if process.is_alive():
                process.kill()
                process.join()
        self._clients.clear()
        self._node = None


def _run(
    mode: str,
    participants: int,
    clip: Path,
    workdir: Path,
    seconds: float,
    profile: Path | None = None,
    details: bool = False,
) -> Measurement:
    print(f"{mode}: {participants} participants, each in its own process", flush=True)
    started = time.monotonic()
    hearing = Hearing(mode, participants, clip, workdir, verify=mode == "sfu", profile=profile)
    with hearing:
        hearing.wait_until_everyone_receives(timeout=60)
        print(f"  everyone receives everyone after {time.monotonic() - started:.1f} s", flush=True)
        time.sleep(2.0)  # let renegotiations and keyframe waits settle
        result = hearing.measure(seconds, details=details)
    print(
        f"  node: {result.node_cpu_cores:.2f} cores, {result.forwarded_frames / result.seconds:.0f}"
        f" frames/s forwarded, {result.cpu_per_frame_us:.0f} us of CPU per forwarded frame",
        flush=True,
    )
    print(
        f"  subscribers: video >= {min(result.video_fps.values()):.1f} fps, "
        f"audio >= {min(result.audio_fps.values()):.1f} fps (lowest track)",
        flush=True,
    )
    lowest = ", ".join(f"{pid} {fps:.1f}" for pid, fps in result.video_fps.items())
    print(f"  lowest video fps by subscriber: {lowest}", flush=True)
    return result


def main(argv: list[str] | None = None) -> int:
    isolate_network()  # first, while this process has one thread
    parser = argparse.ArgumentParser(prog="python -m bench.sfu", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="short windows (under a minute)")
    parser.add_argument("--participants", type=int, default=10)
    parser.add_argument("--seconds", type=float, help="measuring window (default 20, quick 8)")
    parser.add_argument("--profile", type=Path, help="write a cProfile of our node here")
    parser.add_argument("--details", action="store_true", help="print every track's frame rate")
    args = parser.parse_args(argv)
    seconds = args.seconds or (8.0 if args.quick else 20.0)

    with tempfile.TemporaryDirectory(prefix="bench-sfu-") as tmp:
        from bench._sfu_media import make_clip

        workdir = Path(tmp)
        clip = workdir / "clip.webm"
        began = time.monotonic()
        make_clip(clip, seconds=4.0)  # looped
        print(f"clip: {clip.stat().st_size} bytes in {time.monotonic() - began:.1f} s", flush=True)
        ours = _run("sfu", args.participants, clip, workdir, seconds, args.profile, args.details)
        baseline = _run("relay", BASELINE_PARTICIPANTS, clip, workdir, max(4.0, seconds / 2))

    result = {
        "participants": ours.participants,
        "node_cpu_cores": round(ours.node_cpu_cores, 3),
        "cpu_per_forwarded_frame_us": round(ours.cpu_per_frame_us, 1),
        "baseline_cpu_per_forwarded_frame_us": round(baseline.cpu_per_frame_us, 1),
        "ratio": round(baseline.cpu_per_frame_us / ours.cpu_per_frame_us, 2),
        "subscriber_fps_min": round(min(ours.video_fps.values()), 2),
        "verifying_subscriber_decode_errors": ours.decode_errors,
        "baseline_participants": baseline.participants,
        "baseline_node_cpu_cores": round(baseline.node_cpu_cores, 3),
        "window_seconds": round(ours.seconds, 2),
    }
    met = (
        result["ratio"] >= TARGETS["ratio"]
        and result["node_cpu_cores"] <= TARGETS["node_cpu_cores"]
        and result["subscriber_fps_min"] >= TARGETS["subscriber_fps_min"]
        and result["verifying_subscriber_decode_errors"] == 0
    )
    print(f"targets {'met' if met else 'NOT met'}: {TARGETS}, no decode errors", flush=True)
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
