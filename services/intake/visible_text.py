"""Text a citizen sends: every character visible.

Control characters, bidi overrides and other invisible format characters let a text read
differently on an officer's screen than what was stored (a name that reverses, a hidden
line). One validator, the base of every model a citizen's text arrives in, refuses them in
any text field and reports them with the model's other field errors.
"""

from __future__ import annotations

import typing
import unicodedata
from collections import deque
from collections.abc import Iterator
from functools import cache
from itertools import islice
from typing import Any

from pydantic import BaseModel, ValidationError, ValidatorFunctionWrapHandler, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError

#: Free texts in which a citizen may break lines and indent (an order's description, the
#: answer to an officer, a withdrawal's reason, a feedback comment); every other text is one line.
MULTILINE_FIELDS = frozenset({"description", "answer", "reason", "comment"})
#: Zero-width non-joiner and joiner: part of normal spelling in Persian, Kurdish and Urdu
#: (ZWNJ), of Indic conjuncts and of emoji sequences (ZWJ). They reorder nothing, so they are
#: kept after a character of such a script, a mark or a symbol; after Latin letters, spaces,
#: digits or at the start they would only hide a difference, and are refused.
_JOINERS = frozenset("\u200c\u200d")
_JOINED = frozenset({"Lo", "Lm", "Mn", "Mc", "Me", "So", "Sk"})
#: Control characters (Cc), format characters (Cf: bidi overrides and isolates, marks, zero
#: widths, the BOM), lone surrogates (Cs) and the line/paragraph separators (Zl, Zp).
_REFUSED = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
#: Deeper than any of intake's models nest; input below it is not searched.
_MAX_TEXT_DEPTH = 8
_MAX_TEXT_ERRORS = 20


def visible_text(text: str, *, multiline: bool = False) -> bool:
    """Whether `text` shows what it says: no control or invisible format characters.

    Officers read orders on screen and in exports: a bidi override could make "1 bil" read
    differently from what is stored, a control character could corrupt a log line or a CSV.
    Long free texts keep newline (also as CRLF, which browsers send) and tab.
    """
    # Python's "printable" excludes every refused category (and more: spaces other than
    # ASCII's, unassigned code points), so printable text is visible without a look at each
    # character; only the rest is read one character at a time.
    if text.isprintable() or (
        multiline and text.replace("\r\n", "").replace("\n", "").replace("\t", "").isprintable()
    ):
        return True
    previous = ""
    for i, char in enumerate(text):
        category = unicodedata.category(char)
        if category in _REFUSED and not _allowed(text, i, char, previous, multiline):
            return False
        previous = char
    return True


def _allowed(text: str, i: int, char: str, previous: str, multiline: bool) -> bool:
    if char in _JOINERS:
        return bool(previous) and unicodedata.category(previous) in _JOINED
    if not multiline:
        return False
    return char in "\n\t" or (char == "\r" and text[i + 1 : i + 2] == "\n")


@cache
def _field_names(model: type[BaseModel]) -> frozenset[str]:
    """The names of `model`'s fields and of every model nested in it."""
    names: set[str] = set()
    todo, seen = [model], set()
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        for name, info in current.model_fields.items():
            names.add(name)
            todo.extend(_models_in(info.annotation))
    return frozenset(names)


def _models_in(annotation: Any) -> Iterator[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
    for arg in typing.get_args(annotation):
        yield from _models_in(arg)


def _hidden_text(data: Any, names: frozenset[str]) -> Iterator[tuple[tuple[str | int, ...], str]]:
    """Every string in `data` (under the model's own field names) that is not visible text."""
    todo: deque[tuple[tuple[str | int, ...], Any]] = deque([((), data)])
    while todo:
        loc, value = todo.popleft()
        if isinstance(value, str):
            multiline = any(p in MULTILINE_FIELDS for p in loc if isinstance(p, str))
            if not visible_text(value, multiline=multiline):
                yield loc, value
        elif len(loc) >= _MAX_TEXT_DEPTH:
            continue
        elif isinstance(value, dict):
            todo.extend(((*loc, k), v) for k, v in value.items() if k in names)
        elif isinstance(value, list):
            todo.extend(((*loc, i), v) for i, v in enumerate(value))


class VisibleText(BaseModel):
    """Base of every model a citizen's text arrives in: refuses control and invisible
    characters in any of its text fields, reported with the model's other field errors."""

    @model_validator(mode="wrap")
    @classmethod
    def _refuse_hidden_characters(cls, data: Any, handler: ValidatorFunctionWrapHandler) -> Any:
        hidden = [
            InitErrorDetails(
                type=PydanticCustomError(
                    "hidden_characters", "text contains control or invisible characters"
                ),
                loc=loc,
                input=value,
            )
            for loc, value in islice(_hidden_text(data, _field_names(cls)), _MAX_TEXT_ERRORS)
        ]
        try:
            model = handler(data)
        except ValidationError as exc:
            if not hidden:
                raise
            # Re-raised with ours, so the citizen sees every error at once; each keeps its type.
            others = [
                InitErrorDetails(
                    type=PydanticCustomError(e["type"], e["msg"], e.get("ctx")),
                    loc=e["loc"],
                    input=e["input"],
                )
                for e in exc.errors(include_url=False)
            ]
            raise ValidationError.from_exception_data(exc.title, [*others, *hidden]) from None
        if hidden:
            raise ValidationError.from_exception_data(cls.__name__, hidden)
        return model
