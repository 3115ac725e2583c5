"""Join links: short-lived signed tokens naming a hearing, a participant and a role."""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass

import jwt

from hearing.errors import HearingError
from hearing.model import Hearing
from hearing.roles import Role

__all__ = ["InvalidToken", "JoinClaims", "JoinTokens", "TokenExpired", "TokenRevoked"]

_ISSUER = "hearing-server"
_AUDIENCE = "join"
_ALGORITHM = "HS256"


class InvalidToken(HearingError):
    """Not a usable join token. `claims` is set when the token is genuine (signed by us)."""

    code = "invalid_token"

    def __init__(self, message: str, *, claims: JoinClaims | None = None) -> None:
        super().__init__(message)
        self.claims = claims


class TokenExpired(InvalidToken):
    code = "token_expired"


class TokenRevoked(InvalidToken):
    code = "token_revoked"


@dataclass(frozen=True, slots=True)
class JoinClaims:
    """What a verified join token says."""

    hearing_id: str
    participant_id: str
    role: Role
    generation: int
    token_id: str
    expires_at: int


class JoinTokens:
    """Issues and verifies join tokens signed with the deployment's secret key."""

    def __init__(self, secret: str, *, ttl_seconds: int) -> None:
        self._secret = secret
        self.ttl_seconds = ttl_seconds

    def issue(
        self, hearing: Hearing, participant_id: str, *, ttl_seconds: int | None = None
    ) -> str:
        participant = hearing.participant(participant_id)
        now = int(time.time())
        claims = {
            "iss": _ISSUER,
            "aud": _AUDIENCE,
            "iat": now,
            "exp": now + (ttl_seconds or self.ttl_seconds),
            "jti": secrets.token_urlsafe(12),
            "hrg": hearing.id,
            "sub": participant.id,
            "role": participant.role.value,
            "gen": hearing.generation(participant.id),
        }
        return jwt.encode(claims, self._secret, algorithm=_ALGORITHM)

    def read(self, token: str) -> JoinClaims:
        """Check signature, audience and expiry; the caller checks it against the hearing."""
        try:
            return self._decode(token, verify_exp=True)
        except jwt.ExpiredSignatureError:
            raise TokenExpired(
                "this join link has expired; ask the court for a new one",
                claims=self._decode(token, verify_exp=False),
            ) from None
        except jwt.PyJWTError:
            raise InvalidToken("this is not a valid join link for this server") from None

    def _decode(self, token: str, *, verify_exp: bool) -> JoinClaims:
        claims = jwt.decode(
            token,
            self._secret,
            algorithms=[_ALGORITHM],
            audience=_AUDIENCE,
            issuer=_ISSUER,
            options={
                "require": ["exp", "iat", "jti", "sub", "aud", "iss"],
                "verify_exp": verify_exp,
            },
        )
        try:
            return JoinClaims(
                hearing_id=str(claims["hrg"]),
                participant_id=str(claims["sub"]),
                role=Role(claims["role"]),
                generation=int(claims["gen"]),
                token_id=str(claims["jti"]),
                expires_at=int(claims["exp"]),
            )
        except (KeyError, ValueError, TypeError):
            raise InvalidToken("this join link is missing required fields") from None

    def check(self, claims: JoinClaims, hearing: Hearing) -> None:
        """Raise unless the token still names a current participant in their current role."""
        participant = hearing.participant(claims.participant_id)
        if participant.role is not claims.role:
            raise TokenRevoked(
                "this join link was issued for another role; ask for a new one", claims=claims
            )
        if claims.generation != hearing.generation(participant.id):
            raise TokenRevoked(
                "this join link has been revoked; ask the court for a new one", claims=claims
            )
