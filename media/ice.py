"""ICE settings of the media node: advertised addresses, STUN/TURN servers, TURN credentials.

aioice gathers host candidates from every interface except loopback and has no
option to choose them.  :func:`advertised_addresses` therefore replaces
``aioice.ice.get_host_addresses`` for as long as it is active, so that host
candidates are exactly the configured addresses (``127.0.0.1`` for tests, the
addresses of the interfaces to use on a server).  aioice binds its sockets to
these addresses, so they must be local: a public address in front of a 1:1 NAT
needs a TURN server or address rewriting, which this setting does not do.

:func:`receive_buffer` sizes the sockets' receive buffers (aioice uses 256 kB), and
:func:`consent_checks_stop_at_close` works around an aioice race that leaks a task
when a connection is closed while its checks complete.  The node installs all three
for as long as it runs; :func:`check_aioice_compatible` verifies what they rely on.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import inspect
import ipaddress
import time
from collections.abc import Callable, Coroutine, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import aioice.ice
import aioice.turn
from aiortc import RTCConfiguration, RTCIceServer

__all__ = [
    "AioiceIncompatible",
    "IceConfig",
    "IceServer",
    "advertised_addresses",
    "check_aioice_compatible",
    "consent_checks_stop_at_close",
    "receive_buffer",
    "turn_credentials",
]

_URL_SCHEMES = ("stun:", "stuns:", "turn:", "turns:")


class AioiceIncompatible(RuntimeError):
    """The installed aioice does not gather host candidates the way this module expects."""


@dataclass(frozen=True)
class IceServer:
    """One STUN or TURN server, as WebRTC's ``RTCIceServer``."""

    urls: tuple[str, ...]
    username: str | None = None
    credential: str | None = None

    def __post_init__(self) -> None:
        if not self.urls:
            raise ValueError("an ICE server needs at least one URL")
        for url in self.urls:
            if not url.startswith(_URL_SCHEMES):
                raise ValueError(f"ICE server URL {url!r} must start with stun:, stuns:, turn:")

    @property
    def is_turn(self) -> bool:
        return any(url.startswith(("turn:", "turns:")) for url in self.urls)

    def as_json(self) -> dict[str, Any]:
        """The server as a browser's ``RTCConfiguration.iceServers`` entry."""
        entry: dict[str, Any] = {"urls": list(self.urls)}
        if self.username is not None:
            entry["username"] = self.username
        if self.credential is not None:
            entry["credential"] = self.credential
        return entry


def turn_credentials(
    secret: str, user: str, ttl: int, *, now: float | None = None
) -> tuple[str, str]:
    """Short-lived TURN credentials (TURN REST API, coturn ``use-auth-secret``).

    The username is ``"<expiry unix time>:<user>"``; the credential is the base64 of
    HMAC-SHA1 of that username keyed with the shared secret.
    """
    if ttl <= 0:
        raise ValueError("ttl must be positive")
    expiry = int(now if now is not None else time.time()) + ttl
    username = f"{expiry}:{user}"
    digest = hmac.new(secret.encode(), username.encode(), hashlib.sha1).digest()
    return username, base64.b64encode(digest).decode("ascii")


@dataclass(frozen=True)
class IceConfig:
    """How the media node and its clients find each other."""

    advertise_ip: tuple[str, ...] = ()
    """Host candidate addresses; empty: aioice's choice (every non-loopback address)."""
    ice_servers: tuple[IceServer, ...] = ()
    """STUN/TURN servers the node itself uses; empty by default (no outside traffic)."""
    client_ice_servers: tuple[IceServer, ...] = ()
    """STUN/TURN servers handed to browsers."""
    turn_secret: str | None = field(default=None, repr=False)
    """Shared secret of the TURN servers (coturn ``static-auth-secret``)."""
    turn_ttl: int = 3600
    """Lifetime in seconds of the TURN credentials given to a browser."""
    receive_buffer_bytes: int = 2 * 1024 * 1024
    """UDP receive buffer of each media socket (the kernel caps it at net.core.rmem_max).

    Room for what arrives while the event loop is busy elsewhere (a garbage
    collection, a burst): a lost video packet that is not resent in time holds back
    the track for every subscriber."""

    def __post_init__(self) -> None:
        for ip in self.advertise_ip:
            try:
                ipaddress.ip_address(ip)
            except ValueError as e:
                raise ValueError(f"advertise_ip: {ip!r} is not an IP address") from e
        if self.turn_ttl <= 0:
            raise ValueError("turn_ttl must be positive")
        if self.receive_buffer_bytes < 64 * 1024:
            raise ValueError("receive_buffer_bytes must be at least 64 kB")

    def rtc_configuration(self) -> RTCConfiguration:
        """The node's own peer connection configuration."""
        # An explicit list: aiortc replaces a missing one by Google's public STUN server.
        return RTCConfiguration(
            iceServers=[
                RTCIceServer(urls=list(s.urls), username=s.username, credential=s.credential)
                for s in self.ice_servers
            ]
        )

    def browser_ice_servers(self, user: str, *, now: float | None = None) -> tuple[IceServer, ...]:
        """The servers for one browser, TURN entries carrying fresh credentials for ``user``."""
        if self.turn_secret is None:
            return self.client_ice_servers
        servers = []
        for server in self.client_ice_servers:
            if server.is_turn and server.username is None:
                username, credential = turn_credentials(
                    self.turn_secret, user, self.turn_ttl, now=now
                )
                server = IceServer(server.urls, username, credential)
            servers.append(server)
        return tuple(servers)


def _source(obj: Any) -> str:
    try:
        return inspect.getsource(obj)
    except (OSError, TypeError):
        return ""


_original_get_host_addresses: Callable[..., list[str]] | None = None
_overrides: list[tuple[str, ...]] = []


def _get_host_addresses(use_ipv4: bool, use_ipv6: bool) -> list[str]:
    addresses = _overrides[-1]
    return [
        ip for ip in addresses if (use_ipv4 if ipaddress.ip_address(ip).version == 4 else use_ipv6)
    ]


_buffer_sizes: list[tuple[object, int]] = []
_original_buffer_size: int | None = None


@contextlib.contextmanager
def receive_buffer(size: int) -> Iterator[None]:
    """Give the UDP sockets aioice opens from now on a receive buffer of ``size`` bytes.

    Process-wide while active; nested uses stack like :func:`advertised_addresses`.
    """
    global _original_buffer_size
    if not _buffer_sizes:
        _original_buffer_size = aioice.turn.UDP_SOCKET_BUFFER_SIZE
    token = object()
    _buffer_sizes.append((token, size))
    aioice.turn.UDP_SOCKET_BUFFER_SIZE = size
    try:
        yield
    finally:
        _buffer_sizes[:] = [entry for entry in _buffer_sizes if entry[0] is not token]
        if _buffer_sizes:
            aioice.turn.UDP_SOCKET_BUFFER_SIZE = _buffer_sizes[-1][1]
        else:
            assert _original_buffer_size is not None
            aioice.turn.UDP_SOCKET_BUFFER_SIZE = _original_buffer_size
            _original_buffer_size = None


@contextlib.contextmanager
def advertised_addresses(addresses: Sequence[str]) -> Iterator[None]:
    """Make every ICE agent in this process gather host candidates on ``addresses`` only.

    Process-wide while active; nested uses stack (the innermost active one wins) and
    aioice's own function is back once the last one ends.
    """
    global _original_get_host_addresses
    entry = tuple(addresses)
    if not _overrides:
        _original_get_host_addresses = aioice.ice.get_host_addresses
        aioice.ice.get_host_addresses = _get_host_addresses
    _overrides.append(entry)
    try:
        yield
    finally:
        # Remove this very entry (identity), wherever it is in the stack.
        index = next(i for i, e in enumerate(_overrides) if e is entry)
        del _overrides[index]
        if not _overrides:
            assert _original_get_host_addresses is not None
            aioice.ice.get_host_addresses = _original_get_host_addresses
            _original_get_host_addresses = None


_original_connect: Callable[..., Coroutine[Any, Any, None]] | None = None
_connect_patch_depth = 0


async def _connect(self: aioice.ice.Connection) -> None:
    assert _original_connect is not None
    await _original_connect(self)
    if self._closing and self._query_consent_task is not None:
        # close() ran while the checks were completing, before connect() started the
        # consent checks: they would loop forever over no candidate pair.
        self._query_consent_task.cancel()
        self._query_consent_task = None


@contextlib.contextmanager
def consent_checks_stop_at_close() -> Iterator[None]:
    """Work around an aioice 0.13 race that leaks a task when a connection closes early.

    A peer connection closed just as its ICE checks succeed gets a consent-check
    task that outlives it; while this is active, ``Connection.connect`` cancels it.
    """
    global _original_connect, _connect_patch_depth
    if _connect_patch_depth == 0:
        _original_connect = aioice.ice.Connection.connect
        aioice.ice.Connection.connect = _connect  # type: ignore[method-assign]
    _connect_patch_depth += 1
    try:
        yield
    finally:
        _connect_patch_depth -= 1
        if _connect_patch_depth == 0:
            assert _original_connect is not None
            aioice.ice.Connection.connect = _original_connect  # type: ignore[method-assign]
            _original_connect = None


def check_aioice_compatible() -> None:
    """Raise :class:`AioiceIncompatible` unless aioice gathers via ``get_host_addresses``."""
    original = _original_get_host_addresses or aioice.ice.get_host_addresses
    problems = []
    if list(inspect.signature(original).parameters) != ["use_ipv4", "use_ipv6"]:
        problems.append("aioice.ice.get_host_addresses(use_ipv4, use_ipv6)")
    gather = _source(aioice.ice.Connection.gather_candidates)
    if "get_host_addresses(" not in gather:
        problems.append("Connection.gather_candidates() calling get_host_addresses()")
    if "turn.UDP_SOCKET_BUFFER_SIZE" not in _source(aioice.ice.Connection.get_component_candidates):
        problems.append("Connection.get_component_candidates() sizing its sockets' buffers")
    connect = _source(_original_connect or aioice.ice.Connection.connect)
    close = _source(aioice.ice.Connection.close)
    if "self._query_consent_task = asyncio.create_task(" not in connect or (
        "self._closing = True" not in close
    ):
        problems.append("Connection.connect() starting consent checks, close() setting _closing")
    if problems:
        raise AioiceIncompatible(
            "the media node patches aioice internals (host addresses, socket buffers, consent "
            "checks), "
            "and this aioice differs from the tested 0.13; not found: " + "; ".join(problems)
        )
