"""Short-lived signed addresses of recording files, for the browser's `<video src>`.

A media element cannot send an Authorization header, and no token may be put in an
address (addresses end up in logs and browser history; a join token would let its
reader join the hearing). So the list of recordings, which does need a proper token,
gives each file an address signed for that one file, that officer and a short time;
the download accepts the signature instead of the header. Seeking works as with any
file: the download answers HTTP Range requests.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping
from urllib.parse import quote, urlencode

from hearing.errors import Reason

from .errors import ApiError

__all__ = ["RecordingLinks"]

LINK_TTL_SECONDS = 3600


class RecordingLinks:
    """Signs and checks recording addresses with a key derived from the server's secret."""

    def __init__(self, secret: str, *, ttl_seconds: int = LINK_TTL_SECONDS) -> None:
        # A key of its own: a recording signature can never pass for a join token.
        self._key = hmac.new(secret.encode(), b"recording-links", hashlib.sha256).digest()
        self.ttl_seconds = ttl_seconds

    def url(
        self, prefix: str, hearing_id: str, file: str, actor: str, *, generation: int, now: float
    ) -> str:
        """`prefix/hearings/<id>/recordings/<file>?expires=..&by=..&gen=..&signature=..`.

        `generation`: the actor's link generation, so that revoking their links revokes
        the addresses signed for them too.
        """
        expires = int(now) + self.ttl_seconds
        query = {
            "expires": str(expires),
            "by": actor,
            "gen": str(generation),
            "signature": self._sign(hearing_id, file, expires, actor, generation),
        }
        path = f"{prefix}/hearings/{hearing_id}/recordings/{quote(file, safe='/')}"
        return f"{path}?{urlencode(query)}"

    def check(
        self, hearing_id: str, file: str, query: Mapping[str, str], *, now: float
    ) -> tuple[str, int]:
        """The officer the address was signed for and their link generation then; an
        error unless genuine and unexpired."""
        try:
            expires, generation = int(query.get("expires", "")), int(query.get("gen", ""))
        except ValueError:
            expires, generation = -1, -1
        actor = query.get("by", "")
        expected = self._sign(hearing_id, file, expires, actor, generation)
        if expires < 0 or not hmac.compare_digest(expected, query.get("signature", "")):
            raise ApiError(
                401,
                "invalid_token",
                "this recording address is not valid; take it from the list of recordings",
                reason=Reason.RECORDING_LINK_INVALID,
            )
        if now > expires:
            raise ApiError(
                401,
                "token_expired",
                "this recording address has expired; load the list of recordings again",
                details={"expired_at": expires},
                reason=Reason.RECORDING_LINK_EXPIRED,
            )
        return actor, generation

    def _sign(self, hearing_id: str, file: str, expires: int, actor: str, generation: int) -> str:
        message = "\n".join((hearing_id, file, str(expires), actor, str(generation))).encode()
        digest = hmac.new(self._key, message, hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
