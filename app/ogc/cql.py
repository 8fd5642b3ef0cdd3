"""Reading a CQL2 filter (OGC API – Features Part 3) with pygeofilter's parsers."""

from __future__ import annotations

import dataclasses
import functools
import re
from pathlib import Path
from typing import Any

import orjson
import pygeofilter.parsers
from lark import Lark
from lark.exceptions import LarkError
from pygeofilter import ast, values
from pygeofilter.parsers.cql2_json import parse as parse_json
from pygeofilter.parsers.cql2_text.parser import CQLTransformer

from app.core.text_rules import N_, Phrase

__all__ = ["TEXT", "JSON", "DRAFT_TEXT", "LANGUAGES", "CRS84", "ParameterError", "parse"]

TEXT, JSON = "cql2-text", "cql2-json"
#: The draft name of cql2-text, read as cql2-text. Listed in the API definition because GDAL,
#: seeing no "cql-text" there, sends any comparison on a date column as `datetime` (the
#: period's span meets it) and keeps that answer as if it were the column's; seeing it,
#: GDAL evaluates such a `-where` itself, exactly.
DRAFT_TEXT = "cql-text"
LANGUAGES = (TEXT, JSON, DRAFT_TEXT)
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
_CRS84_ALIASES = (
    CRS84,
    "urn:ogc:def:crs:OGC:1.3:CRS84",
    "http://www.opengis.net/def/crs/OGC/0/CRS84h",
)


class ParameterError(ValueError):
    """A filter parameter refused; `parameter` names it, `rule` (a Phrase) says why."""

    def __init__(self, parameter: str, rule: Phrase):
        super().__init__(rule)
        self.parameter, self.rule = parameter, rule


def parse(text: str, lang: str = TEXT, crs: str | None = None) -> Any:
    """The pygeofilter syntax tree of a cql2-text or cql2-json filter."""
    if lang not in LANGUAGES:
        raise ParameterError(
            "filter-lang",
            Phrase(N_("must be cql2-text or cql2-json, not %(value)s"), value=repr(lang)),
        )
    if lang == DRAFT_TEXT:
        lang = TEXT
    if crs is not None and crs not in _CRS84_ALIASES:
        raise ParameterError(
            "filter-crs",
            Phrase(N_("only %(crs)s is supported, not %(value)s"), crs=CRS84, value=repr(crs)),
        )
    if not text.strip():
        raise ParameterError("filter", Phrase(N_("is empty")))
    try:
        if lang == JSON:
            return _standard(_json(text))
        protected, literals = _protect(text)
        protected = _booleans(_functions(_intervals(protected, literals)))
        return _standard(_restore(_shallow(_text_parser().parse(protected)), literals))
    except RecursionError:  # deeper than Python reads, before _shallow could count
        raise ParameterError("filter", _TOO_DEEP) from None
    except ParameterError:
        raise
    except LarkError as exc:
        where = getattr(exc, "column", None)
        if isinstance(where, int) and where > 0:
            rule = Phrase(
                N_("is not valid cql2-text at character %(at)s: %(value)s"),
                at=where,
                value=repr(text),
            )
        else:
            rule = Phrase(N_("is not valid cql2-text: %(value)s"), value=repr(text))
        raise ParameterError("filter", rule) from None
    except (ValueError, TypeError, KeyError) as exc:
        # pygeofilter's own words (English), quoted as they are.
        raise ParameterError(
            "filter", Phrase(N_("is not valid cql2-text: %(value)s"), value=str(exc))
        ) from None


#: How deeply a filter may nest conditions (each link of an AND or OR chain counts one):
#: far past any hand-written filter, and well inside what the readers after it recurse through.
MAX_DEPTH = 100
_TOO_DEEP = Phrase(
    N_(
        "nests conditions more than %(depth)s deep (each AND or OR in a chain counts one): "
        "use IN for a list of values"
    ),
    depth=MAX_DEPTH,
)


def _shallow(tree: Any) -> Any:
    """`tree` (a cql2-json document or a pygeofilter tree), refused if it nests conditions
    deeper than MAX_DEPTH; counted without recursion."""
    stack = [(tree, 0)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict | ast.Node):
            depth += 1
            if depth > MAX_DEPTH:
                raise ParameterError("filter", _TOO_DEEP)
        if isinstance(node, dict):
            stack.extend((child, depth) for child in node.values())
        elif isinstance(node, list | tuple):
            stack.extend((child, depth) for child in node)
        elif isinstance(node, ast.Not):  # not a dataclass, unlike the other nodes
            stack.append((node.sub_node, depth))
        elif dataclasses.is_dataclass(node) and not isinstance(node, type):
            stack.extend((getattr(node, f.name), depth) for f in dataclasses.fields(node))
    return tree


#: CQL2-text's booleanExpression: OR of ANDs of optionally negated primaries, a primary being
#: a predicate or a parenthesised expression. pygeofilter 0.4's grammar negates only a
#: predicate (`NOT (a AND b)` is refused) and gives AND and OR one precedence.
_CONDITION = """
?condition: boolean_term
          | condition "OR"i boolean_term -> or_
?boolean_term: boolean_factor
             | boolean_term "AND"i boolean_factor -> and_
?boolean_factor: boolean_primary
               | "NOT"i boolean_primary -> not_
?boolean_primary: predicate
                | "(" condition ")"

"""


@functools.cache
def _text_parser() -> Lark:
    """pygeofilter's cql2-text parser with CQL2's rules for AND, OR, NOT and parentheses."""
    grammar = Path(pygeofilter.parsers.__file__).parent / "cql2_text" / "grammar.lark"
    text, found = re.subn(
        r"^\?condition:.*?(?=^\?predicate:)", _CONDITION, grammar.read_text(), flags=re.S | re.M
    )
    if found != 1:
        raise RuntimeError(f"pygeofilter's cql2-text grammar changed: {grammar}")
    return Lark(
        text,
        parser="lalr",
        maybe_placeholders=False,
        transformer=CQLTransformer(),
        import_paths=[str(grammar.parent.parent)],
        source_path=str(grammar),
    )


#: CQL2-text escapes (/req/cql2-text/escaping); pygeofilter 0.4 reads none of them.
_ESCAPES = {"a": "\a", "b": "\b", "t": "\t", "n": "\n", "v": "\v", "f": "\f", "r": "\r"}


def _protect(text: str) -> tuple[str, dict[str, str]]:
    """Character literals with escapes ('' or a backslash) swapped for plain placeholders,
    and the decoded values they stand for; literals without escapes stay as they are."""
    out: list[str] = []
    found: dict[str, str] = {}
    i = 0
    while i < len(text):
        if text[i] != "'":
            out.append(text[i])
            i += 1
            continue
        j, value = i + 1, []
        while True:
            if j >= len(text):
                raise ParameterError(
                    "filter", Phrase(N_("has a character literal without its closing '"))
                )
            c = text[j]
            if c == "\\" and j + 1 < len(text):
                # Before LIKE's wildcards the backslash stays: LIKE reads it as their escape.
                after = text[j + 1]
                value.append("\\" + after if after in "%_" else _ESCAPES.get(after, after))
                j += 2
            elif c == "'" and text[j + 1 : j + 2] == "'":
                value.append("'")
                j += 2
            elif c == "'":
                break
            else:
                value.append(c)
                j += 1
        raw = text[i : j + 1]
        if "\\" in raw or "''" in raw[1:-1]:
            key = f"__cql2_literal_{len(found)}__"
            found[key] = "".join(value)
            raw = f"'{key}'"
        out.append(raw)
        i = j + 1
    return "".join(out), found


def _restore(node: Any, found: dict[str, str]) -> Any:
    """Put the decoded literals back into pygeofilter's syntax tree."""
    if not found:
        return node
    if isinstance(node, str):
        return found.get(node, node)
    if isinstance(node, list):
        return [_restore(n, found) for n in node]
    if isinstance(node, ast.Not):  # not a dataclass, unlike the other nodes
        node.sub_node = _restore(node.sub_node, found)
    if dataclasses.is_dataclass(node) and not isinstance(node, type):
        for f in dataclasses.fields(node):
            setattr(node, f.name, _restore(getattr(node, f.name), found))
    return node


_INTERVAL = re.compile(r"INTERVAL\s*\(\s*'([^']*)'\s*,\s*'([^']*)'\s*\)", re.IGNORECASE)


def _intervals(text: str, found: dict[str, Any]) -> str:
    """INTERVAL('2015-01-01', '..') swapped for a placeholder standing for the interval:
    pygeofilter 0.4 reads only full timestamps there, never a date or an open end."""

    def swap(match: re.Match) -> str:
        key = f"__cql2_interval_{len(found)}__"
        start, end = (None if v == ".." else found.get(v, v) for v in match.groups())
        found[key] = values.Interval(start, end)
        return f"'{key}'"

    return _INTERVAL.sub(swap, text)


_TOKEN = re.compile(r"'[^']*'|\"[^\"]*\"|\w+|\S")
#: What may come right before a condition, and right after one.
_BEFORE_CONDITION = frozenset({None, "(", "AND", "OR", "NOT"})
_AFTER_CONDITION = frozenset({None, ")", "AND", "OR"})


def _booleans(text: str) -> str:
    """TRUE or FALSE standing as a condition (`NOT TRUE`, `FALSE OR …`) written as
    pygeofilter's INCLUDE or EXCLUDE: CQL2-text allows a boolean literal wherever a
    condition goes, pygeofilter 0.4 only as an operand (_standard reads them back)."""
    tokens = list(_TOKEN.finditer(text))
    words = [t.group() if t.group()[0] in "'\"" else t.group().upper() for t in tokens]
    out, pos, between, bounds_and = [], 0, False, None
    for i, token in enumerate(tokens):
        word = words[i]
        if word == "BETWEEN" or (word == "AND" and between):
            # The AND after BETWEEN joins its bounds: what follows it is a bound.
            between, bounds_and = word == "BETWEEN", i if word == "AND" else bounds_and
        if word not in ("TRUE", "FALSE"):
            continue
        # Parentheses around the literal alone leave it what it is: look past them.
        lo, hi = i - 1, i + 1
        while 0 <= lo and hi < len(words) and (words[lo], words[hi]) == ("(", ")"):
            if _opens_arguments(words, lo):
                break
            lo, hi = lo - 1, hi + 1
        before = words[lo] if lo >= 0 else None
        after = words[hi] if hi < len(words) else None
        call = before == "(" and _opens_arguments(words, lo)
        bound = bounds_and is not None and lo == bounds_and
        if before in _BEFORE_CONDITION and after in _AFTER_CONDITION and not (call or bound):
            out += [text[pos : token.start()], "INCLUDE" if word == "TRUE" else "EXCLUDE"]
            pos = token.end()
    return "".join(out) + text[pos:]


def _opens_arguments(words: list[str], at: int) -> bool:
    """Whether the `(` at `at` holds arguments or an operand (after a name, IN, `=`), no group."""
    return at > 0 and words[at - 1] not in _BEFORE_CONDITION


_T_FUNCTION = re.compile(r"\b(T_[A-Za-z]+)\s*\(", re.IGNORECASE)
_LAST_TOKEN = re.compile(r"(\w+|\S)\s*\Z")
#: What may come right before a predicate (else a T_ word follows its left operand).
_STARTS = frozenset({"(", ",", "AND", "OR", "NOT"})


def _functions(text: str) -> str:
    """T_INTERSECTS(a, b), CQL2's form, written as `(a) T_INTERSECTS (b)`: pygeofilter 0.4
    reads T_ predicates only between their operands."""
    pos = 0
    while match := _T_FUNCTION.search(text, pos):
        before = _LAST_TOKEN.search(text, 0, match.start())
        after_operand = before is not None and before.group(1).upper() not in _STARTS
        # Inside a quoted literal, or the infix form with a parenthesised operand.
        if text.count("'", 0, match.start()) % 2 or after_operand:
            pos = match.end()
            continue
        args, depth, quoted, end = [match.end()], 1, False, None
        for i in range(match.end(), len(text)):
            c = text[i]
            if c == "'":
                quoted = not quoted
            elif quoted:
                continue
            elif c == "(":
                depth += 1
            elif c == ")":
                depth -= 1
                if depth == 0:
                    end = i
                    break
            elif c == "," and depth == 1:
                args.append(i + 1)
        if end is None or len(args) != 2:
            raise ParameterError(
                "filter",
                Phrase(N_("%(function)s takes two arguments"), function=match.group(1).upper()),
            )
        lhs, rhs = text[args[0] : args[1] - 1], text[args[1] : end]
        infix = f"({lhs.strip()}) {match.group(1)} ({rhs.strip()})"
        text = text[: match.start()] + infix + text[end + 1 :]
        pos = match.start() + len(infix)
    return text


def _standard(node: Any) -> Any:
    """pygeofilter's tree read as CQL2 writes it: a condition (or true or false) at the root,
    LIKE's single character `_`, IN with a list, TRUE and FALSE as Python's."""
    if not isinstance(node, ast.Predicate | ast.Condition | bool):
        raise ParameterError(
            "filter",
            Phrase(N_("must be a condition (a comparison, LIKE, IN, IS NULL, BETWEEN, T_…)")),
        )
    return _standard_node(node)


def _standard_node(node: Any) -> Any:
    if isinstance(node, list):
        return [_standard_node(n) for n in node]
    if isinstance(node, ast.Include):  # INCLUDE, EXCLUDE: how pygeofilter reads TRUE, FALSE
        return not node.not_
    if isinstance(node, ast.Not):  # not a dataclass, unlike the other nodes
        node.sub_node = _standard_node(node.sub_node)
        return node
    if isinstance(node, ast.In) and not isinstance(node.sub_nodes, list | tuple):
        raise ParameterError(
            "filter", Phrase(N_("IN takes a list of values: actor IN ('isis', 'sdf')"))
        )
    if _lowered_text(node) is not None:
        return _lowered_text(node)  # CASEI('Text') is the text lower-cased
    if isinstance(node, ast.Like):
        node.wildcard, node.singlechar, node.escapechar = "%", "_", "\\"
    if isinstance(node, ast.In) and isinstance(node.lhs, ast.Function):
        # CASEI(name) IN (a, b) is CASEI(name) = a OR CASEI(name) = b, which both readers know.
        tests = [ast.Equal(node.lhs, value) for value in node.sub_nodes]
        either = functools.reduce(ast.Or, tests) if tests else node
        node = ast.Not(either) if node.not_ and tests else either
    if dataclasses.is_dataclass(node) and not isinstance(node, type):
        for f in dataclasses.fields(node):
            setattr(node, f.name, _standard_node(getattr(node, f.name)))
    return node


def _lowered_text(node: Any) -> str | None:
    if isinstance(node, ast.Function) and node.name == "lower" and len(node.arguments) == 1:
        (arg,) = node.arguments
        return arg.lower() if isinstance(arg, str) else None
    return None


def _json(text: str) -> Any:
    try:
        doc = orjson.loads(text)
    except orjson.JSONDecodeError:
        raise ParameterError(
            "filter", Phrase(N_("is not JSON (filter-lang is cql2-json)"))
        ) from None
    if isinstance(doc, bool):
        return doc  # a boolean expression too
    if not isinstance(doc, dict):
        raise ParameterError(
            "filter",
            Phrase(N_('must be a cql2-json object such as {"op": ...}, or true or false')),
        )
    _shallow(doc)
    try:
        return parse_json(_between(doc))
    except (ValueError, TypeError, KeyError, AttributeError, IndexError):
        raise ParameterError(
            "filter",
            Phrase(
                N_('is not valid cql2-json: check each "op" and the number and kind of its "args"')
            ),
        ) from None


def _between(node: Any) -> Any:
    """CQL2's {"op": "between", "args": [a, low, high]} in the form pygeofilter 0.4 reads
    ([a, [low, high]])."""
    if isinstance(node, list):
        return [_between(n) for n in node]
    if not isinstance(node, dict):
        return node
    out = {k: _between(v) for k, v in node.items()}
    args = out.get("args")
    if out.get("op") == "between" and isinstance(args, list) and len(args) == 3:
        out["args"] = [args[0], args[1:]]
    return out
