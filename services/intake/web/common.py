"""What every citizen page shares: the words, rendering with security headers, form reading,
and errors placed next to their fields."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from functools import cache
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from services.intake.assets import TEMPLATES_DIR
from services.intake.context import ctx
from services.intake.field_errors import localized
from services.intake.http import BodyTooLargeError, read_limited_body
from services.intake.settings import PageSettings
from shared.vocabulary import Category, TalkTopic, TimeOfDay, TrafficProblem

LANGUAGES = ("da", "en")
CATEGORIES = tuple(c.value for c in Category)
#: Radio and checkbox groups: the value whose input an error link jumps to.
GROUPS = {
    "details.problem": TrafficProblem.SPEEDING.value,
    "details.topic": TalkTopic.BURGLARY_PREVENTION.value,
    "details.time_of_day": TimeOfDay.MORNING.value,
    "carried_out_seen": "yes",
    "rating": "1",
    "category": CATEGORIES[0],
}
Form = Mapping[str, Sequence[str]]


@cache
def strings(language: str) -> dict[str, Any]:
    """The words of every page in one language."""
    path = TEMPLATES_DIR / "strings" / f"{language}.json"
    return json.loads(path.read_text(encoding="utf-8"))


def field_id(name: str) -> str:
    """An input's id from its name: "requester.email" -> "requester-email"."""
    return name.replace(".", "-")


_env = Environment(
    loader=FileSystemLoader(TEMPLATES_DIR),
    autoescape=select_autoescape(["html"]),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
_env.filters["fid"] = field_id
templates = Jinja2Templates(env=_env)


# --- rendering --------------------------------------------------------------------------


def _tile_origin(url: str) -> str:
    netloc = urlsplit(url).netloc
    if not netloc:
        return ""
    return f"{urlsplit(url).scheme}://{netloc.replace('{s}', '*')}"


def _security_headers(pages: PageSettings, cache: str) -> dict[str, str]:
    images = " ".join(filter(None, ["'self'", "data:", _tile_origin(pages.map_tile_url)]))
    return {
        # Status links carry their token: no page may leak its address to a tile server.
        "Referrer-Policy": "no-referrer",
        "Content-Security-Policy": (
            f"default-src 'self'; img-src {images}; script-src 'self'; "
            "style-src 'self'; font-src 'self'; connect-src 'self'; "
            "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
        ),
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Cache-Control": cache,
    }


def query_language(request: Request, fallback: str = "da") -> str:
    """The page's language from `?lang=`, else `fallback`."""
    lang = request.query_params.get("lang")
    return lang if lang in LANGUAGES else fallback


def other_language(language: str) -> str:
    return "en" if language == "da" else "da"


def url(path: str, **params: str | None) -> str:
    """A link with its non-empty query parameters."""
    query = urlencode({k: v for k, v in params.items() if v})
    return f"{path}?{query}" if query else path


def page(
    request: Request,
    template: str,
    language: str,
    context: dict[str, Any],
    *,
    status_code: int = 200,
    switch_url: str | None = None,
    headers: Mapping[str, str] | None = None,
    cache: str = "no-store",
) -> HTMLResponse:
    """A page in `language`. Pages showing what a citizen typed or ordered are never stored
    (`no-store`); an empty form may be, so that the back button brings back the same form."""
    other = other_language(language)
    if switch_url is None:
        params = dict(request.query_params)
        params["lang"] = other
        switch_url = url(request.url.path, **params)
    full = {
        "t": strings(language),
        "lang": language,
        "other_lang": other,
        "other_lang_name": strings(other)["lang_name"],
        "switch_url": switch_url,
        "vendor": request.app.state.vendor_versions,
        "accessibility_statement_url": request.app.state.pages.accessibility_statement_url,
        "summary": [],
        "scripts": [],
        **context,
    }
    response = templates.TemplateResponse(request, template, full, status_code=status_code)
    response.headers.update(_security_headers(request.app.state.pages, cache))
    if headers:
        response.headers.update(headers)
    return response


def message_page(
    request: Request, language: str, title: str, text: str, status_code: int
) -> HTMLResponse:
    return page(
        request, "message.html", language, {"title": title, "text": text}, status_code=status_code
    )


def not_found(request: Request, language: str) -> HTMLResponse:
    t = strings(language)
    return message_page(
        request, language, t["errors"]["not_found_title"], t["errors"]["not_found"], 404
    )


def too_large(request: Request) -> HTMLResponse:
    language = query_language(request)
    t = strings(language)
    return message_page(
        request, language, t["errors"]["too_large_title"], t["errors"]["too_large"], 413
    )


# --- reading forms ----------------------------------------------------------------------


async def read_form(request: Request) -> dict[str, list[str]]:
    """The posted form (application/x-www-form-urlencoded), within intake's size limit."""
    raw = await read_limited_body(request, ctx(request).settings.max_body_bytes)
    try:
        return parse_qs(
            raw.decode("utf-8", errors="replace"), keep_blank_values=True, max_num_fields=200
        )
    except ValueError as exc:  # more fields than any form of ours has
        raise BodyTooLargeError from exc


def first(form: Form, name: str) -> str:
    values = form.get(name) or [""]
    return values[0]


def form_values(form: Form) -> dict[str, str]:
    """Each field's (first) value, to show the citizen's input again."""
    return {name: values[0] if values else "" for name, values in form.items()}


# --- fields and their errors ------------------------------------------------------------


def field_texts(language: str, category: str | None = None) -> dict[str, dict[str, str]]:
    """Each field's label and hint, with the category's own wording where it has one."""
    t = strings(language)
    texts = {name: dict(text) for name, text in t["fields"].items()}
    for name, text in t["fields_by_category"].get(category or "", {}).items():
        texts[name] = {**texts.get(name, {}), **text}
    return texts


def anchor(name: str) -> str:
    """The id an error-summary link jumps to: the field's input, or a group's first one."""
    if name in GROUPS:
        return f"{field_id(name)}-{GROUPS[name]}"
    if name == "details.preferred_dates":
        return field_id(f"{name}.0")
    return field_id(name)


def place_errors(
    errors: Sequence[Mapping[str, Any]],
    language: str,
    texts: Mapping[str, Mapping[str, str]],
    input_for: Callable[[str], str] | None = None,
    order: Sequence[str] = (),
) -> tuple[dict[str, str], list[dict[str, str]]]:
    """Each error next to its field, and the summary's links to them in the page's order."""
    by_field: dict[str, str] = {}
    summary: list[dict[str, str]] = []
    position = {name: i for i, name in enumerate(order)}
    for error in sorted(
        errors,
        key=lambda e: position.get(input_for(e["field"]) if input_for else e["field"], len(order)),
    ):
        name = input_for(error["field"]) if input_for else error["field"]
        message = error["msg"]
        if error["type"] == "missing" and name in GROUPS:
            message = localized("choose_one", language)
        if name in by_field:
            continue
        by_field[name] = message
        text = texts.get(name, {}) if name else {}
        label = text.get("summary") or text.get("label")
        if label:
            message = f"{label}{' ' if label.endswith('?') else ': '}{message}"
        summary.append({"href": f"#{anchor(name)}" if name else "#main-form", "text": message})
    return by_field, summary


def options(language: str) -> dict[str, list[tuple[str, str]]]:
    """The choices of the radio and checkbox groups, in `language`."""
    words = strings(language)["options"]
    return {
        "problem": [(p.value, words["problem"][p.value]) for p in TrafficProblem],
        "topic": [(p.value, words["topic"][p.value]) for p in TalkTopic],
        "time_of_day": [(p.value, words["time_of_day"][p.value]) for p in TimeOfDay],
        "rating": [(str(n), words["rating"][str(n)]) for n in range(1, 6)],
        "yes_no": [("yes", words["yes"]), ("no", words["no"])],
    }
