"""Reading response headers in the web tests."""


def vary_names(resp) -> set[str]:
    """The names of the response's one Vary header, each named once."""
    (header,) = resp.headers.getlist("Vary")
    names = [name.strip() for name in header.split(",")]
    assert len(names) == len(set(names)), header
    return set(names)
