"""Sign-in support: how a session's user id becomes a User."""

from __future__ import annotations

from .extensions import db, login_manager
from .models import User


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """The active user with this id, or None (signs out deactivated users)."""
    if not user_id.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    return user if user and user.active else None
