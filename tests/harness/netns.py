"""Move the current process into a private network namespace that has only ``lo``.

The test suite calls :func:`isolate_network` once, early in ``pytest_configure``
and before any thread exists.  From then on the pytest process and everything it
starts (aiohttp servers, ``redis-server`` subprocesses, Chromium) share a fresh
network namespace whose only interface is the loopback device, so no test can
reach anything beyond ``127.0.0.0/8`` and ``::1``.

Linux only; needs ``CAP_SYS_ADMIN`` (in practice: run as root).

Pitfall: ``/sys/class/net`` shows the namespace sysfs was *mounted* in, not the
caller's, so :func:`interfaces` asks the kernel via ``socket.if_nameindex()``.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import fcntl
import os
import socket
import struct
import sys

__all__ = ["CLONE_NEWNET", "interfaces", "isolate_network", "loopback_is_up"]

CLONE_NEWNET = 0x40000000
"""Flag for ``unshare(2)``: new network namespace (from ``<sched.h>``)."""

_SIOCGIFFLAGS = 0x8913
_SIOCSIFFLAGS = 0x8914
_IFF_UP = 0x1
# struct ifreq: char ifr_name[IFNAMSIZ=16]; union { short ifr_flags; ... } (24 bytes).
_IFREQ = struct.Struct("16sh22x")
_LO_IPV6_SYSCTL = "/proc/sys/net/ipv6/conf/lo/disable_ipv6"


def interfaces() -> list[str]:
    """Return the names of the network interfaces in the caller's namespace."""
    return sorted(name for _index, name in socket.if_nameindex())


def _get_flags(sock: socket.socket, name: str) -> int:
    req = _IFREQ.pack(name.encode(), 0)
    res = fcntl.ioctl(sock.fileno(), _SIOCGIFFLAGS, req)
    flags: int = _IFREQ.unpack(res)[1]
    return flags & 0xFFFF


def loopback_is_up() -> bool:
    """Return True if ``lo`` in the caller's namespace has IFF_UP set."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        return bool(_get_flags(sock, "lo") & _IFF_UP)


def _unshare_net() -> None:
    libc_name = ctypes.util.find_library("c") or "libc.so.6"
    libc = ctypes.CDLL(libc_name, use_errno=True)
    unshare = libc.unshare
    unshare.argtypes = [ctypes.c_int]
    unshare.restype = ctypes.c_int
    if unshare(CLONE_NEWNET) != 0:
        err = ctypes.get_errno()
        hint = " (needs CAP_SYS_ADMIN: run as root)" if err == errno.EPERM else ""
        raise RuntimeError(f"unshare(CLONE_NEWNET) failed: {os.strerror(err)} [errno {err}]{hint}")


def _enable_ipv6_on_lo() -> None:
    # A new namespace may start with IPv6 disabled (e.g. when the host boots with
    # disable_ipv6=1 and net.core.devconf_inherit_init_net copies it); ::1 must work.
    try:
        with open(_LO_IPV6_SYSCTL, "w", encoding="ascii") as fh:
            fh.write("0\n")
    except FileNotFoundError:
        pass  # kernel without IPv6: nothing to enable


def isolate_network() -> None:
    """Move this process into a new network namespace and bring its ``lo`` up.

    Must run while the process has a single thread: ``unshare(2)`` moves only the
    calling thread, so other threads would keep the host network.  Afterwards
    :func:`interfaces` returns ``["lo"]`` and child processes inherit the namespace.

    Raises:
        RuntimeError: not Linux, more than one thread, not permitted, or ``lo``
            could not be brought up.
    """
    if sys.platform != "linux":
        raise RuntimeError("network namespaces need Linux")
    threads = os.listdir("/proc/self/task")
    if len(threads) != 1:
        raise RuntimeError(
            f"isolate_network() must run before any thread starts; {len(threads)} exist"
        )
    _unshare_net()
    _enable_ipv6_on_lo()
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            flags = _get_flags(sock, "lo")
            if not flags & _IFF_UP:
                req = _IFREQ.pack(b"lo", flags | _IFF_UP)
                fcntl.ioctl(sock.fileno(), _SIOCSIFFLAGS, req)
            up = bool(_get_flags(sock, "lo") & _IFF_UP)
    except OSError as exc:
        raise RuntimeError(f"could not bring up lo in the new namespace: {exc}") from exc
    if not up:
        raise RuntimeError("lo is still down in the new network namespace")
    names = interfaces()
    if names != ["lo"]:
        raise RuntimeError(f"new network namespace has unexpected interfaces: {names}")
