"""Signed links: an HMAC-SHA256 of the application's secret over what the link stands for, so that
nothing is stored, a forged link is refused, and deleting (or changing) what the parts name kills
the link. Pure: the standard library only.

A link's last segment is "{id}-{token}": the row it names and the token that proves it was sent."""

import base64
import hashlib
import hmac

TOKEN_LENGTH = 43  # 32 bytes, url-safe base64 without padding
MAX_ID = 2**31 - 1


def sign(secret: str, *parts) -> str:
    message = "|".join(str(part) for part in parts).encode()
    digest = hmac.new(secret.encode(), message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def genuine(expected: str, candidate: str) -> bool:
    return hmac.compare_digest(expected.encode(), candidate.encode("utf-8", "surrogateescape"))


def parse_link(value: str) -> tuple[int, str] | None:
    """(id, token) from "{id}-{token}", or None for anything else."""
    number, _, candidate = value.partition("-")
    if not number.isascii() or not number.isdigit() or len(number) > 10 or len(candidate) != TOKEN_LENGTH:
        return None
    row_id = int(number)
    return (row_id, candidate) if 0 < row_id <= MAX_ID else None
