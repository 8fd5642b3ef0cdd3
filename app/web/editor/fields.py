"""Form fields and validators whose messages name the rule (the page names the field)."""

from __future__ import annotations

import math
import re

from flask import url_for
from flask_babel import lazy_gettext as _l
from wtforms import (
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Length, ValidationError
from wtforms.widgets import ColorInput, DateInput, NumberInput

from app.core import bounds, geo, timeline
from app.core.clock import today
from app.core.text_rules import Refusal, control_problem, is_slug, url_problem
from app.web.i18n import gettext as _
from app.web.i18n import said
from app.web.js_strings import bound_reading

COLOUR = re.compile(r"#[0-9a-fA-F]{6}")


def strip(value):
    """Filter of every text field: trim surrounding spaces of text input. A field the form
    did not send at all (None) reads as empty, as a field sent empty does: a new record and
    an edit save it alike, never None into a NOT NULL column."""
    return "" if value is None else value.strip() if isinstance(value, str) else value


def bounded(maximum: int) -> Length:
    """A length limit stated as a rule."""
    return Length(max=maximum, message=_l("must be at most %(num)s characters long", num=maximum))


class _ParsedField(StringField):
    """Text turned into data by `parse`; empty means None, a ValueError is the error."""

    @staticmethod
    def parse(raw: str):
        return raw

    def process_formdata(self, valuelist):
        self.data = None
        raw = (valuelist[0] if valuelist else "").strip()
        if raw:
            try:
                self.data = self.parse(raw)
            except Refusal as exc:  # WTForms shows a ValueError's text as the error
                raise ValueError(said(exc)) from None


class DayField(_ParsedField):
    """A calendar date typed or picked as YYYY-MM-DD."""

    widget = DateInput()
    parse = staticmethod(timeline.parse_date)

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return self.data.isoformat() if self.data else ""


class BoundField(_ParsedField):
    """When something began or ended, as EDTF: 2024-12-06, 2024-12, 2014, a window
    2024-12-07/2024-12-31, ../2013-12-31, 2014? — ``data`` is a Bound or None.

    The page shows the expression in plain words beside the field as the editor types.
    """

    parse = staticmethod(bounds.parse)

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("render_kw", {})
        kwargs["render_kw"].update(
            {
                "data-edtf": url_for("editor.date_reading"),
                "autocomplete": "off",
                "maxlength": bounds.MAX_TEXT,
                "spellcheck": "false",
            }
        )
        kwargs.setdefault(
            "description",
            _l(
                "A day 2024-12-06, a month 2024-12, a year 2014, "
                "or a window 2024-12-07/2024-12-31; ../2013 means no later than "
                "2013; add ? if uncertain, ~ if approximate."
            ),
        )
        super().__init__(label, validators, **kwargs)

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return self.data.text if self.data else ""

    def reading(self) -> str:
        """The current value in plain words ("sometime in December 2024"), or ""."""
        return bound_reading(self.data) if isinstance(self.data, bounds.Bound) else ""


class PartialDateField(_ParsedField):
    """A date known to the day, month or year: YYYY-MM-DD, YYYY-MM or YYYY.

    ``data`` is ``(first day, precision)`` or None.
    """

    parse = staticmethod(timeline.parse_partial_date)

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        if not self.data:
            return ""
        day, precision = self.data
        return {"year": day.strftime("%Y"), "month": day.strftime("%Y-%m")}.get(
            precision, day.isoformat()
        )


class LinesField(TextAreaField):
    """One entry per line, kept as a list of non-empty stripped strings."""

    def process_formdata(self, valuelist):
        raw = valuelist[0] if valuelist else ""
        self.data = [line.strip() for line in raw.splitlines() if line.strip()]

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return "\n".join(self.data or [])


class ColourField(StringField):
    """A #rrggbb colour with the browser's colour picker."""

    widget = ColorInput()


def optional_id(value):
    """Coerce a select's value to an id, or None for the empty choice."""
    if value in (None, "", "None"):
        return None
    return int(value)


class IdSelectField(SelectField):
    """A select of rows by id, optionally with an empty first choice."""

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, coerce=optional_id, **kwargs)


class IdMultiSelectField(SelectMultipleField):
    """A multi-select of rows by id."""

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, coerce=int, **kwargs)

    def pre_validate(self, form):
        known = {choice.value for choice in self.choices or []}
        unknown = [v for v in self.data or [] if v not in known]
        if unknown:
            raise ValidationError(_("no such entry: %(ids)s", ids=", ".join(map(str, unknown))))


def http_url(_form, field) -> None:
    """Validator: empty, or a well-formed http:// or https:// address."""
    problem = url_problem(field.data) if field.data else None
    if problem:
        raise ValidationError(said(problem))


def plain_text(_form, field) -> None:
    """Validator: text (or each line of it) free of control characters."""
    values = field.data if isinstance(field.data, list) else [field.data or ""]
    problem = next(filter(None, map(control_problem, values)), None)
    if problem:
        raise ValidationError(said(problem))


def radius(_form, field) -> None:
    """Validator: a site's radius within the rule imports apply too (geo.radius_problem)."""
    problem = geo.radius_problem(field.data) if field.data is not None else None
    if problem:
        raise ValidationError(said(problem))


def not_future(_form, field) -> None:
    """Validator: a date (or a window's first day) no later than today, as imports apply it."""
    when = field.data[0] if isinstance(field.data, tuple) else field.data
    problem = bounds.future_problem(when, today())
    if problem:
        raise ValidationError(said(problem))


def colour(_form, field) -> None:
    """Validator: #rrggbb."""
    if not COLOUR.fullmatch(field.data or ""):
        raise ValidationError(_("must be a colour written #rrggbb, such as #1f5fa8"))


def slug_format(_form, field) -> None:
    """Validator: lower-case letters and digits joined by single hyphens."""
    if not is_slug(field.data or ""):
        raise ValidationError(
            _("must be lower-case letters and digits joined by single hyphens, such as al-qaim")
        )


class NumberField(_ParsedField):
    """A finite decimal number; empty means None."""

    widget = NumberInput(step="any")

    @staticmethod
    def parse(raw: str) -> float:
        try:
            value = float(raw)
        except ValueError:
            raise ValueError(
                _("%(raw)s is not a number (use a dot for decimals, e.g. 34.3975)", raw=repr(raw))
            ) from None
        if not math.isfinite(value):
            raise ValueError(_("must be a finite number"))
        return value

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data is None else repr(self.data)
