"""Account rules: passwords and usernames, the same for the command line and every form."""

import pytest

from app.core import passwords


@pytest.mark.parametrize(
    "password, rule",
    [
        ("", "is empty"),
        (" " * 10, "only spaces"),
        ("\t \n" * 5, "only spaces"),
        ("short", "at least 10 characters"),
        ("x" * (passwords.MAX_LENGTH + 1), "at most 1000 characters"),
        ("password1234", "too easy to guess"),
        ("aaaaaaaaaaaa", "too easy to guess"),
        ("qwertyuiop12", "too easy to guess"),
    ],
)
def test_refused_passwords_name_their_rule(password, rule):
    assert rule in passwords.problem(password, min_length=10)


@pytest.mark.parametrize(
    "password",
    ["correct horse battery", "a long enough password", "x7#Lq!2mZ@pR", "é" * 3 + "ß9Qz!kw"],
)
def test_strong_passwords_pass(password):
    assert passwords.problem(password, min_length=10) is None


def test_the_longest_password_is_accepted_when_strong():
    long = ("correct horse battery staple " * 40)[: passwords.MAX_LENGTH]
    assert passwords.problem(long, min_length=10) is None


def test_the_username_counts_against_the_password():
    assert passwords.problem("ann-horse-2", 10, user_inputs=("ann-horse-2",)) is not None


def test_score_zero_turns_the_estimate_off():
    assert passwords.problem("password1234", 10, min_score=0) is None


@pytest.mark.parametrize("name", ["ann", "Ann.B", "a_1-x", "A" * 80])
def test_good_usernames(name):
    assert passwords.username_problem(name) is None


@pytest.mark.parametrize("name", ["", "bad name", "-x", "a" * 81, "ann\n", "än"])
def test_bad_usernames(name):
    assert "username" in passwords.username_problem(name)


def test_usernames_compare_without_case():
    assert passwords.username_key("Admin1") == passwords.username_key("admin1 ")
