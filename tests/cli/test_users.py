"""`flask users`: create, list, set-role, deactivate, with clear errors (exit code 2)."""

import pytest
from sqlalchemy import select

from app.cli import users as users_cli
from app.db.models import User
from app.extensions import db

GOOD = "a long enough password"


def _user(app, name):
    with app.app_context():
        return db.session.scalar(select(User).where(User.username == name))


def test_create_reads_the_password_from_stdin(app, runner):
    result = runner.invoke(args=["users", "create", "ann", "--role", "admin"], input=f"{GOOD}\n")
    assert result.exit_code == 0, result.output
    user = _user(app, "ann")
    assert user.role == "admin" and user.active and user.check_password(GOOD)
    assert GOOD not in user.password_hash


def test_create_accepts_a_confirming_second_line(app, runner):
    result = runner.invoke(args=["users", "create", "bob"], input=f"{GOOD}\n{GOOD}\n")
    assert result.exit_code == 0 and _user(app, "bob").role == "editor"


def test_create_refuses_two_different_lines(app, runner):
    result = runner.invoke(args=["users", "create", "bob"], input=f"{GOOD}\nother one!!\n")
    assert result.exit_code == 2 and "differ" in result.output
    assert _user(app, "bob") is None


def test_create_prompts_twice_on_a_terminal(app, runner, monkeypatch):
    monkeypatch.setattr(users_cli, "_interactive", lambda: True)
    result = runner.invoke(args=["users", "create", "cat"], input=f"{GOOD}\n{GOOD}\n")
    assert result.exit_code == 0, result.output
    assert "Repeat for confirmation" in result.output and GOOD not in result.output
    assert _user(app, "cat").check_password(GOOD)


def test_short_password_is_refused(app, runner):
    result = runner.invoke(args=["users", "create", "dan"], input="short\n")
    assert result.exit_code == 2 and "at least 10 characters" in result.output
    assert _user(app, "dan") is None


@pytest.mark.parametrize(
    "args, message",
    [
        (["users", "create", "ann"], "already exists"),
        (["users", "create", "bad name"], "username 'bad name'"),
        (["users", "create", "x", "--role", "god"], "'god' is not one of"),
        (["users", "set-role", "nobody", "admin"], "no user called 'nobody'"),
        (["users", "set-role", "ann", "god"], "'god' is not one of"),
        (["users", "deactivate", "nobody"], "no user called 'nobody'"),
    ],
)
def test_errors_exit_with_status_2(runner, args, message):
    runner.invoke(args=["users", "create", "ann"], input=f"{GOOD}\n")
    result = runner.invoke(args=args, input=f"{GOOD}\n")
    assert result.exit_code == 2
    assert message in result.output


def test_list_set_role_deactivate_activate(app, runner):
    runner.invoke(args=["users", "create", "ann"], input=f"{GOOD}\n")
    assert "ann" in runner.invoke(args=["users", "list"]).output
    assert runner.invoke(args=["users", "set-role", "ann", "admin"]).exit_code == 0
    assert _user(app, "ann").role == "admin"
    assert runner.invoke(args=["users", "deactivate", "ann"]).exit_code == 0
    assert not _user(app, "ann").active
    assert "deactivated" in runner.invoke(args=["users", "list"]).output
    assert runner.invoke(args=["users", "activate", "ann"]).exit_code == 0
    assert _user(app, "ann").active


def test_set_password(app, runner):
    runner.invoke(args=["users", "create", "ann"], input=f"{GOOD}\n")
    new = "another long password"
    assert runner.invoke(args=["users", "set-password", "ann"], input=f"{new}\n").exit_code == 0
    assert _user(app, "ann").check_password(new)


def test_list_without_accounts_says_how_to_make_one(runner):
    assert "users create NAME --role admin" in runner.invoke(args=["users", "list"]).output


def test_deactivated_user_is_signed_out(app, runner, client):
    runner.invoke(args=["users", "create", "ann"], input=f"{GOOD}\n")
    client.post("/login", data={"username": "ann", "password": GOOD})
    assert client.get("/editor/").status_code == 200
    runner.invoke(args=["users", "deactivate", "ann"])
    assert client.get("/editor/").status_code == 302
