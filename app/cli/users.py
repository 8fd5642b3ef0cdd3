"""`flask users`: create accounts, list them, change roles, deactivate."""

from __future__ import annotations

import re
import sys

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from app.cli import Refused
from app.db.models import ROLES, User
from app.extensions import db

USERNAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,79}")

users_cli = AppGroup("users", help="Manage editor and admin accounts.")


@users_cli.command("create")
@click.argument("name")
@click.option("--role", type=click.Choice(ROLES), default="editor", show_default=True)
def create(name: str, role: str) -> None:
    """Create an account; the password is asked twice (or read from stdin)."""
    if not USERNAME.fullmatch(name):
        raise Refused(
            f"username {name!r}: use 1–80 letters, digits, '.', '_' or '-', "
            "starting with a letter or digit"
        )
    if _find(name):
        raise Refused(f"username {name!r} already exists")
    user = User(username=name, role=role, active=True)
    user.set_password(_read_password())
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
    user.role = role
    db.session.commit()
    click.echo(f"{name!r} is now {role}.")


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
    user.set_password(_read_password())
    db.session.commit()
    click.echo(f"Changed the password of {name!r}.")


def _set_active(name: str, active: bool) -> None:
    """Allow or stop an account's sign-in."""
    _get(name).active = active
    db.session.commit()
    click.echo(
        f"{'Activated' if active else 'Deactivated'} {name!r}"
        f"{'' if active else '; it can no longer sign in'}."
    )


def _find(name: str) -> User | None:
    """The account called `name`, or None."""
    return db.session.scalar(select(User).where(User.username == name))


def _get(name: str) -> User:
    """The account called `name`, or a clear error."""
    user = _find(name)
    if user is None:
        raise Refused(f"no user called {name!r} (see `flask --app app users list`)")
    return user


def _read_password() -> str:
    """Prompt twice on a terminal; otherwise read one line (an optional second must match)."""
    if _interactive():
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    else:
        lines = sys.stdin.read().splitlines()
        password = lines[0] if lines else ""
        if len(lines) > 1 and lines[1] != password:
            raise Refused("the two passwords on standard input differ")
    minimum = current_app.config["PASSWORD_MIN_LENGTH"]
    if len(password) < minimum:
        raise Refused(f"password: needs at least {minimum} characters")
    return password


def _interactive() -> bool:
    """Tell whether a person is typing at a terminal (tests replace this)."""
    return sys.stdin.isatty()
