"""Account rules in one place: which usernames and passwords are accepted, for the command
line and every form alike.

>>> problem("          ", min_length=10)
'password: must not be only spaces'
>>> problem("a long enough password 7Q", min_length=10) is None
True
>>> username_key(" Admin1 ")
'admin1'
"""

from __future__ import annotations

import re

from zxcvbn import zxcvbn

#: The longest password accepted anywhere; the sign-in form allows exactly this many too, so
#: a password that could be set can always be typed.
MAX_LENGTH = 1000
#: zxcvbn scores 0 (guessable at once) to 4; 3 resists an offline attack on a slow hash.
MIN_SCORE = 3
#: zxcvbn refuses longer inputs (it is quadratic); the first 72 characters decide.
_ESTIMATE_LENGTH = 72
USERNAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,79}")
USERNAME_RULE = "use 1–80 letters, digits, '.', '_' or '-', starting with a letter or digit"


def username_key(name: str) -> str:
    """The form of a username that uniqueness and sign-in compare (case does not count)."""
    return name.strip().lower()


def username_problem(name: str) -> str | None:
    """Why `name` cannot be a username, or None when it can."""
    if not USERNAME.fullmatch(name):
        return f"username {name!r}: {USERNAME_RULE}"
    return None


def problem(
    password: str,
    min_length: int,
    min_score: int = MIN_SCORE,
    user_inputs: tuple[str, ...] = (),
) -> str | None:
    """Why `password` is refused (one sentence naming the rule), or None when it is fine."""
    if not password.strip():
        return "password: must not be only spaces" if password else "password: is empty"
    if len(password) < min_length:
        return f"password: needs at least {min_length} characters"
    if len(password) > MAX_LENGTH:
        return f"password: at most {MAX_LENGTH} characters"
    if min_score > 0:
        estimate = zxcvbn(password[:_ESTIMATE_LENGTH], user_inputs=list(user_inputs))
        if estimate["score"] < min_score:
            feedback = estimate["feedback"]
            hint = " ".join(filter(None, [feedback["warning"], *feedback["suggestions"]]))
            return (
                "password: too easy to guess"
                + (f" ({hint.rstrip('.')})" if hint else "")
                + "; use a longer phrase of several uncommon words"
            )
    return None
