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


@pytest.mark.parametrize(
    "password, message",
    [
        (" " * 12, "must not be only spaces"),
        ("x7#Lq!2mZ@pR" * 90, "at most 1000 characters"),
        ("password1234", "too easy to guess"),
    ],
)
def test_weak_blank_and_overlong_passwords_are_refused(app, runner, password, message):
    result = runner.invoke(args=["users", "create", "dan"], input=f"{password}\n")
    assert result.exit_code == 2 and message in result.output
    assert _user(app, "dan") is None


def test_a_password_of_the_longest_length_can_sign_in(app, runner, client):
    longest = ("correct horse battery staple " * 40)[:1000]
    assert runner.invoke(args=["users", "create", "lia"], input=f"{longest}\n").exit_code == 0
    resp = client.post("/login", data={"username": "lia", "password": longest})
    assert resp.status_code == 302


def test_usernames_are_unique_regardless_of_case(app, runner):
    runner.invoke(args=["users", "create", "Admin1"], input=f"{GOOD}\n")
    result = runner.invoke(args=["users", "create", "admin1"], input=f"{GOOD}\n")
    assert result.exit_code == 2 and "already exists (as 'Admin1')" in result.output


def test_the_database_itself_refuses_names_that_differ_in_case(app, make_user):
    from sqlalchemy.exc import IntegrityError

    make_user(app, "Admin1")
    with pytest.raises(IntegrityError):
        make_user(app, "admin1")


def test_commands_find_an_account_in_any_case(app, runner):
    runner.invoke(args=["users", "create", "Ann"], input=f"{GOOD}\n")
    assert runner.invoke(args=["users", "set-role", "ANN", "admin"]).exit_code == 0
    assert _user(app, "Ann").role == "admin"


def test_rename(app, runner):
    runner.invoke(args=["users", "create", "ann"], input=f"{GOOD}\n")
    runner.invoke(args=["users", "create", "bob"], input=f"{GOOD}\n")
    assert runner.invoke(args=["users", "rename", "ann", "Anna"]).exit_code == 0
    assert _user(app, "Anna") is not None and _user(app, "ann") is None
    assert runner.invoke(args=["users", "rename", "Anna", "ANNA"]).exit_code == 0  # case only
    result = runner.invoke(args=["users", "rename", "ANNA", "BOB"])
    assert result.exit_code == 2 and "already exists" in result.output
    assert runner.invoke(args=["users", "rename", "ANNA", "bad name"]).exit_code == 2
