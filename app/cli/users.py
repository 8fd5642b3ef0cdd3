"""`flask users`: create, list, set roles, deactivate, rename; list and end sign-in sessions.

Changing an account's password, role or active flag ends all its sign-in sessions (see
app.db.user_sessions), so a browser signed in before the change must sign in again;
`end-sessions` does that without changing the account (a stolen cookie, a lost laptop).
"""

from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import func, select

from app.cli import Refused
from app.core import clock, passwords
from app.db import user_sessions
from app.db.models import ROLES, User
from app.extensions import db

users_cli = AppGroup("users", help="Manage editor and admin accounts.")


@users_cli.command("create")
@click.argument("name")
@click.option("--role", type=click.Choice(ROLES), default="editor", show_default=True)
def create(name: str, role: str) -> None:
    """Create an account; the password is asked twice (or read from stdin)."""
    _check_new_name(name)
    user = User(username=name, role=role, active=True)
    user.set_password(_read_password(name))
    db.session.add(user)
    db.session.commit()
    click.echo(f"Created {role} {name!r}.")


@users_cli.command("list")
def list_users() -> None:
    """Show every account with its role and whether it is active."""
    users = db.session.scalars(select(User).order_by(User.username)).all()
    if not users:
        click.echo("No accounts yet: flask --app app users create NAME --role admin")
    for user in users:
        state = "active" if user.active else "deactivated"
        click.echo(f"{user.username:<24} {user.role:<7} {state}")


@users_cli.command("set-role")
@click.argument("name")
@click.argument("role", type=click.Choice(ROLES))
def set_role(name: str, role: str) -> None:
    """Give an account the editor or the admin role."""
    user = _get(name)
    # The change itself ends the sessions (a flush hook); count them first to report.
    ended = user_sessions.count(user.id, _lifetimes()) if user.role != role else 0
    user.role = role
    db.session.commit()
    click.echo(f"{user.username!r} is now {role}{_ended(ended)}.")


@users_cli.command("deactivate")
@click.argument("name")
def deactivate(name: str) -> None:
    """Stop an account from signing in (its history stays)."""
    _set_active(name, False)


@users_cli.command("activate")
@click.argument("name")
def activate(name: str) -> None:
    """Let a deactivated account sign in again."""
    _set_active(name, True)


@users_cli.command("set-password")
@click.argument("name")
def set_password(name: str) -> None:
    """Replace an account's password (asked twice, or read from stdin)."""
    user = _get(name)
    password = _read_password(user.username)
    ended = user_sessions.count(user.id, _lifetimes())
    user.set_password(password)
    db.session.commit()
    click.echo(f"Changed the password of {user.username!r}{_ended(ended)}.")


@users_cli.command("rename")
@click.argument("name")
@click.argument("new_name")
def rename(name: str, new_name: str) -> None:
    """Give an account another username (its history and sessions stay)."""
    user = _get(name)
    if passwords.username_key(new_name) != passwords.username_key(user.username):
        _check_new_name(new_name)
    elif problem := passwords.username_problem(new_name):
        raise Refused(problem)
    old, user.username = user.username, new_name
    db.session.commit()
    click.echo(f"Renamed {old!r} to {new_name!r}.")


@users_cli.command("sessions")
@click.argument("name", required=False)
def sessions(name: str | None) -> None:
    """List live sign-in sessions (of one account, or all) and when each ends."""
    user = _get(name) if name is not None else None
    listed = user_sessions.live(_lifetimes(), user.id if user else None)
    if not listed:
        click.echo(f"No live sessions of {user.username}." if user else "No live sessions.")
        return
    click.echo(f"{'user':<24} {'signed in':<20} {'last seen':<20} {'idle ends':<20} ends by")
    for row in listed:
        times = (row.created_at, row.last_seen_at, row.idle_end)
        click.echo(
            f"{row.username:<24} "
            + "".join(f"{clock.label(t):<20} " for t in times)
            + clock.label(row.absolute_end)
        )


@users_cli.command("end-sessions")
@click.argument("name", required=False)
@click.option("--all", "everyone", is_flag=True, help="End the sessions of every account.")
@click.option("--yes", is_flag=True, help="Do not ask before ending every session (--all).")
def end_sessions(name: str | None, everyone: bool, yes: bool) -> None:
    """Sign an account (or, with --all, everyone) out everywhere; the account stays as is."""
    if everyone == (name is not None):
        raise Refused("name one account, or give --all for every account")
    lifetimes = _lifetimes()
    if name is not None:
        user_id, username = _account(name)
        ended = user_sessions.end_user(user_id, lifetimes)
        click.echo(f"Ended {_sessions(ended)} of {username}.")
        return
    if not yes:
        open_now = len(user_sessions.live(lifetimes))
        # No transaction held open while a person reads the prompt (and, on SQLite, none
        # whose stale snapshot would make the delete after it fail).
        db.session.rollback()
        click.confirm(
            f"End all sessions of every account ({_sessions(open_now)} live now)? "
            "Everyone signed in will have to sign in again",
            abort=True,
        )
    ended = user_sessions.end_everyone(lifetimes)
    click.echo(f"Ended {_sessions(ended)} of all accounts.")


def _set_active(name: str, active: bool) -> None:
    """Allow or stop an account's sign-in; deactivating also signs it out everywhere."""
    user = _get(name)
    ended = user_sessions.count(user.id, _lifetimes()) if user.active != active else 0
    user.active = active
    db.session.commit()
    click.echo(
        f"{'Activated' if active else 'Deactivated'} {user.username!r}"
        f"{'' if active else '; it can no longer sign in'}{_ended(ended)}."
    )


def _ended(count: int) -> str:
    """The tail of a message saying how many sessions a change ended."""
    return f"; signed out of {_sessions(count)}" if count else ""


def _sessions(count: int) -> str:
    """A count of sessions in words: "1 session", "3 sessions"."""
    return f"{count} session{'s' if count != 1 else ''}"


def _lifetimes() -> user_sessions.Lifetimes:
    """The session lifetimes this app is configured with."""
    return user_sessions.Lifetimes.from_config(current_app.config)


def _account(name: str) -> tuple[int, str]:
    """The id and username of the account called `name`, its read transaction closed."""
    user = _get(name)
    user_id, username = user.id, user.username
    # On SQLite a transaction that has read cannot write once another connection has
    # written since (a request noting a session's use): the write that follows begins anew.
    db.session.rollback()
    return user_id, username


def _check_new_name(name: str) -> None:
    """Refuse a malformed username, or one taken already in any case."""
    if problem := passwords.username_problem(name):
        raise Refused(problem)
    if existing := _find(name):
        same = "" if existing.username == name else f" (as {existing.username!r})"
        raise Refused(f"username {name!r} already exists{same}; usernames ignore case")


def _find(name: str) -> User | None:
    """The account called `name`, whatever its case, or None."""
    return db.session.scalar(
        select(User).where(func.lower(User.username) == passwords.username_key(name))
    )


def _get(name: str) -> User:
    """The account called `name`, or a clear error."""
    user = _find(name)
    if user is None:
        raise Refused(f"no user called {name!r} (see `flask --app app users list`)")
    return user


def _read_password(username: str) -> str:
    """Prompt twice on a terminal; otherwise read one line (an optional second must match)."""
    if _interactive():
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    else:
        lines = sys.stdin.read().splitlines()
        password = lines[0] if lines else ""
        if len(lines) > 1 and lines[1] != password:
            raise Refused("the two passwords on standard input differ")
    cfg = current_app.config
    problem = passwords.problem(
        password, cfg["PASSWORD_MIN_LENGTH"], cfg["PASSWORD_MIN_SCORE"], (username,)
    )
    if problem:
        raise Refused(problem)
    return password


def _interactive() -> bool:
    """Tell whether a person is typing at a terminal (tests replace this)."""
    return sys.stdin.isatty()
