"""Signaling: the REST API, the Socket.IO namespace and the Redis room store."""

from .api import ENDPOINTS, add_routes
from .hearings import HearingService
from .namespace import NAMESPACE, HearingNamespace
from .redis_rooms import RedisRoomStore
from .tokens import JoinTokens

__all__ = [
    "ENDPOINTS",
    "NAMESPACE",
    "HearingNamespace",
    "HearingService",
    "JoinTokens",
    "RedisRoomStore",
    "add_routes",
]
