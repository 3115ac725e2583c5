"""The node's life: start installs its hooks, close tears everything down and removes them."""

from __future__ import annotations

import aioice.ice
import aiortc.rtcrtpreceiver
import pytest

from hearing.errors import NotFound
from media import IceConfig, MediaNode
from tests.media.conftest import Hearing
from tests.media.peers import wait_until
from tests.media.test_taps import RecordingTap


async def test_start_installs_the_hooks_and_close_removes_them() -> None:
    worker, addresses = aiortc.rtcrtpreceiver.decoder_worker, aioice.ice.get_host_addresses
    node = MediaNode(IceConfig(advertise_ip=("127.0.0.1",)), node_id="n")
    with pytest.raises(RuntimeError, match="not running"):
        node.join("h", "p")
    await node.start()
    assert aiortc.rtcrtpreceiver.decoder_worker is not worker
    assert aioice.ice.get_host_addresses(True, True) == ["127.0.0.1"]
    await node.close()
    await node.close()  # idempotent
    assert aiortc.rtcrtpreceiver.decoder_worker is worker
    assert aioice.ice.get_host_addresses is addresses
    with pytest.raises(RuntimeError, match="not running"):
        node.join("h", "p")


async def test_closing_the_node_ends_every_connection_and_track(
    node: MediaNode, hearing: Hearing
) -> None:
    tap = RecordingTap()
    node.add_tap(tap)
    a = await hearing.join("a")
    await hearing.join("b")
    await wait_until(lambda: len(tap.sinks) == 4, 10, "a's and b's tracks at the tap")
    await node.close()
    assert all(sink.ended for sink in tap.sinks.values()) and len(tap.sinks) == 4
    await wait_until(
        lambda: a._subscribe_pc.connectionState in ("closed", "failed"), 10, "a's connection ended"
    )


async def test_the_last_one_leaving_ends_the_hearing_on_the_node(
    node: MediaNode, hearing: Hearing
) -> None:
    await hearing.join("a")
    await hearing.join("b")
    await hearing.leave("a")
    assert set(node.state(hearing.id)) == {"b"}
    await hearing.leave("b")
    with pytest.raises(NotFound):
        node.state(hearing.id)
    await hearing.join("a")  # a new start
    assert set(node.state(hearing.id)) == {"a"}
