"""Passwords (Argon2id through argon2-cffi), expiring login sessions and CSRF tokens.

A session cookie holds a random token; the database keeps only its SHA-256, so a copy of the database
does not let anyone sign in. Forms carry a CSRF token that must equal the ``taza_csrf`` cookie (the
double-submit pattern); the session cookie is ``SameSite=Lax`` and ``HttpOnly`` as well.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from routing.service.store import LoginSession, User, utcnow

SESSION_COOKIE = "taza_session"
CSRF_COOKIE = "taza_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
MIN_PASSWORD_LENGTH = 8

_HASHER = PasswordHasher()


def hash_password(password: str) -> str:
    """The Argon2id hash of a password (with its own salt and parameters)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        msg = f"a password needs at least {MIN_PASSWORD_LENGTH} characters"
        raise ValueError(msg)
    return _HASHER.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """Whether ``password`` matches the stored hash (False for an empty or broken hash)."""
    if not password_hash:
        return False
    try:
        return _HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def new_token() -> str:
    """A random URL-safe token (256 bits)."""
    return secrets.token_urlsafe(32)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(db: Session, user: User, *, hours: float) -> str:
    """Open a login session for ``user`` lasting ``hours``; returns the cookie token."""
    token = new_token()
    expires = utcnow() + dt.timedelta(hours=hours)
    db.add(LoginSession(token_sha256=_digest(token), user_id=user.id, expires_at=expires))
    db.execute(delete(LoginSession).where(LoginSession.expires_at < utcnow()))
    db.commit()
    return token


def session_user(db: Session, token: str | None) -> User | None:
    """The user of a live session token, or None (unknown or expired)."""
    if not token:
        return None
    query = (
        select(User)
        .join(LoginSession, LoginSession.user_id == User.id)
        .where(LoginSession.token_sha256 == _digest(token), LoginSession.expires_at >= utcnow())
    )
    return db.scalars(query).first()


def end_session(db: Session, token: str | None) -> None:
    """Forget a session token (sign out)."""
    if token:
        db.execute(delete(LoginSession).where(LoginSession.token_sha256 == _digest(token)))
        db.commit()


def csrf_ok(cookie: str | None, sent: str | None) -> bool:
    """Whether the token sent with a form or header equals the CSRF cookie."""
    return bool(cookie) and bool(sent) and hmac.compare_digest(str(cookie), str(sent))
