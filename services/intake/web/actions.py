"""The citizen's follow-ups on the status page: withdraw, answer the officer, give feedback.

Each form goes through `http.follow_up`, the same call and refusal mapping as the JSON API.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import partial
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from services.intake import follow_ups
from services.intake.context import ctx
from services.intake.domain import CancelRequest, Feedback, InfoAnswer
from services.intake.field_errors import from_validation_error
from services.intake.http import NOT_FOUND, BodyTooLargeError, FollowUp, follow_up
from services.intake.web.common import (
    LANGUAGES,
    Form,
    field_texts,
    first,
    form_values,
    not_found,
    page,
    place_errors,
    query_language,
    read_form,
    strings,
    too_large,
    url,
)
from services.intake.web.status import find_order, status_page

router = APIRouter(include_in_schema=False)


def _back_to_status(reference: str, token: str, language: str, done: str) -> RedirectResponse:
    return RedirectResponse(
        url(f"/status/{reference}", token=token, lang=language, done=done), status_code=303
    )


async def _posted(request: Request) -> tuple[dict[str, list[str]], str, str]:
    """A status-page form: its fields, the status token and the page's language."""
    form = await read_form(request)
    lang = first(form, "lang")
    return form, first(form, "token"), lang if lang in LANGUAGES else "da"


async def _done_or_refused(
    request: Request, reference: str, token: str, language: str, action: FollowUp, done: str
) -> Response:
    """Back to the status page with `done`'s notice, or the status page saying why not."""
    refusal = await follow_up(ctx(request), reference, token, action)
    if refusal == NOT_FOUND:
        return not_found(request, language)
    if refusal:
        order = await find_order(ctx(request), reference, token)
        if order is None:
            return not_found(request, language)
        notice = ("error", strings(language)["status"][refusal])
        return status_page(request, order, token, language, notice=notice, status_code=409)
    return _back_to_status(reference, token, language, done)


async def _invalid(
    request: Request,
    reference: str,
    token: str,
    language: str,
    exc: ValidationError,
    form: Form,
) -> HTMLResponse:
    order = await find_order(ctx(request), reference, token)
    if order is None:
        return not_found(request, language)
    return status_page(
        request,
        order,
        token,
        language,
        errors=from_validation_error(exc, language),
        values=form_values(form),
        status_code=422,
    )


# --- withdrawing ------------------------------------------------------------------------


@router.get("/status/{reference}/withdraw", response_class=HTMLResponse)
async def withdraw_page(request: Request, reference: str, token: str = "") -> Response:
    """Asks the citizen to confirm the withdrawal: a page, so no script is needed."""
    order = await find_order(ctx(request), reference, token)
    if order is None:
        return not_found(request, query_language(request))
    language = query_language(request, order["language"])
    if not order["can_cancel"]:
        return _back_to_status(reference, token, language, "")
    return _withdraw_page(request, order, token, language)


def _withdraw_page(
    request: Request,
    order: Mapping[str, Any],
    token: str,
    language: str,
    errors: Sequence[Mapping[str, Any]] = (),
    values: Mapping[str, str] | None = None,
) -> HTMLResponse:
    texts = field_texts(language, order["category"])
    by_field, summary = place_errors(errors, language, texts)
    return page(
        request,
        "withdraw.html",
        language,
        {
            "title": strings(language)["withdraw"]["title"],
            "order": order,
            "token": token,
            "errors": by_field,
            "summary": summary,
            "fields": texts,
            "values": values or {},
            "status_path": url(f"/status/{order['reference']}", token=token, lang=language),
        },
        status_code=422 if errors else 200,
    )


@router.post("/status/{reference}/withdraw", response_class=HTMLResponse)
async def withdraw(request: Request, reference: str) -> Response:
    try:
        form, token, language = await _posted(request)
    except BodyTooLargeError:
        return too_large(request)
    reason = first(form, "reason").strip() or None
    try:
        CancelRequest(reason=reason)
    except ValidationError as exc:
        order = await find_order(ctx(request), reference, token)
        if order is None:
            return not_found(request, language)
        errors = from_validation_error(exc, language)
        return _withdraw_page(request, order, token, language, errors, form_values(form))
    action = partial(follow_ups.cancel_order, reason=reason)
    return await _done_or_refused(request, reference, token, language, action, "withdrawn")


# --- answering and feedback -------------------------------------------------------------


@router.post("/status/{reference}/answer", response_class=HTMLResponse)
async def answer(request: Request, reference: str) -> Response:
    """The citizen's answer to the officer's question becomes `InfoProvided`."""
    try:
        form, token, language = await _posted(request)
    except BodyTooLargeError:
        return too_large(request)
    try:
        body = InfoAnswer(answer=first(form, "answer"))
    except ValidationError as exc:
        return await _invalid(request, reference, token, language, exc, form)
    action = partial(follow_ups.provide_info, answer=body.answer)
    return await _done_or_refused(request, reference, token, language, action, "answered")


def _feedback_data(form: Form) -> dict[str, Any]:
    """The feedback form as `Feedback`'s fields; what was not chosen is left out."""
    seen = {"yes": True, "no": False}.get(first(form, "carried_out_seen"))
    data: dict[str, Any] = {"comment": first(form, "comment").strip() or None}
    if seen is not None:
        data["carried_out_seen"] = seen
    if first(form, "rating"):
        data["rating"] = first(form, "rating")
    return data


@router.post("/status/{reference}/feedback", response_class=HTMLResponse)
async def feedback(request: Request, reference: str) -> Response:
    """After completion: did the citizen see the police, did it help; becomes `FeedbackReceived`."""
    try:
        form, token, language = await _posted(request)
    except BodyTooLargeError:
        return too_large(request)
    try:
        body = Feedback.model_validate(_feedback_data(form))
    except ValidationError as exc:
        return await _invalid(request, reference, token, language, exc, form)
    action = partial(follow_ups.record_feedback, feedback=body)
    return await _done_or_refused(request, reference, token, language, action, "feedback")
