"""Password hashing: argon2id at OWASP's recommended parameters (m=19456 KiB, t=2, p=1)."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from argon2.low_level import Type

_HASHER = PasswordHasher(
    time_cost=2, memory_cost=19456, parallelism=1, hash_len=32, salt_len=16, type=Type.ID
)

# Verified against when the login is unknown, so both failures cost the same time.
_DUMMY_HASH = _HASHER.hash("ejournal-dummy-password")


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _HASHER.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    # A corrupted stored hash (even a non-ASCII one) fails closed instead of crashing the login.
    except (VerifyMismatchError, VerificationError, InvalidHashError, UnicodeEncodeError):
        return False
