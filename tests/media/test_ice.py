"""ICE settings: TURN REST credentials, the node's servers, the advertised host addresses."""

from __future__ import annotations

import aioice.ice
import aioice.turn
import pytest
from aiortc import RTCPeerConnection

from media import IceConfig, IceServer, advertised_addresses, turn_credentials
from media.ice import receive_buffer


def test_turn_credentials_follow_the_turn_rest_scheme() -> None:
    # Expected value computed outside Python:
    #   printf '%s' 1700003600:alice | openssl dgst -sha1 -hmac north-court-secret -binary | base64
    username, credential = turn_credentials("north-court-secret", "alice", 3600, now=1700000000)
    assert username == "1700003600:alice"
    assert credential == "C//idsSuWrRsgXXAsyHxklpJVIw="


def test_turn_credentials_refuse_a_non_positive_ttl() -> None:
    with pytest.raises(ValueError, match="ttl"):
        turn_credentials("secret", "alice", 0)


def test_browsers_get_fresh_turn_credentials_and_stun_as_configured() -> None:
    config = IceConfig(
        client_ice_servers=(
            IceServer(("stun:stun.example.org:3478",)),
            IceServer(("turn:turn.example.org:3478?transport=udp",)),
        ),
        turn_secret="north-court-secret",
        turn_ttl=3600,
    )
    stun, turn = config.browser_ice_servers("alice", now=1700000000)
    assert stun.as_json() == {"urls": ["stun:stun.example.org:3478"]}
    assert turn.as_json() == {
        "urls": ["turn:turn.example.org:3478?transport=udp"],
        "username": "1700003600:alice",
        "credential": "C//idsSuWrRsgXXAsyHxklpJVIw=",
    }


def test_the_node_uses_no_ice_server_unless_told() -> None:
    # aiortc would otherwise use Google's public STUN server: traffic leaving the machine.
    assert IceConfig().rtc_configuration().iceServers == []


def test_bad_settings_are_refused() -> None:
    with pytest.raises(ValueError, match="not an IP address"):
        IceConfig(advertise_ip=("media.example.org",))
    with pytest.raises(ValueError, match="must start with"):
        IceServer(("http://turn.example.org",))


async def test_host_candidates_are_exactly_the_advertised_addresses() -> None:
    original = aioice.ice.get_host_addresses
    with advertised_addresses(["127.0.0.1"]):
        pc = RTCPeerConnection(IceConfig().rtc_configuration())
        pc.addTransceiver("audio")
        await pc.setLocalDescription(await pc.createOffer())
        candidates = [
            line for line in pc.localDescription.sdp.splitlines() if line.startswith("a=candidate")
        ]
        await pc.close()
    assert candidates and all(" 127.0.0.1 " in c and " typ host" in c for c in candidates)
    assert aioice.ice.get_host_addresses is original  # restored


def test_advertised_addresses_nest_and_restore() -> None:
    original = aioice.ice.get_host_addresses
    with advertised_addresses(["127.0.0.1", "::1"]):
        assert aioice.ice.get_host_addresses(True, True) == ["127.0.0.1", "::1"]
        with advertised_addresses(["127.0.0.2"]):
            assert aioice.ice.get_host_addresses(True, False) == ["127.0.0.2"]
        assert aioice.ice.get_host_addresses(False, True) == ["::1"]
    assert aioice.ice.get_host_addresses is original


def test_receive_buffers_nest_and_restore() -> None:
    original = aioice.turn.UDP_SOCKET_BUFFER_SIZE
    with receive_buffer(1 << 20):
        assert aioice.turn.UDP_SOCKET_BUFFER_SIZE == 1 << 20
        with receive_buffer(1 << 21):
            assert aioice.turn.UDP_SOCKET_BUFFER_SIZE == 1 << 21
        assert aioice.turn.UDP_SOCKET_BUFFER_SIZE == 1 << 20
    assert aioice.turn.UDP_SOCKET_BUFFER_SIZE == original
