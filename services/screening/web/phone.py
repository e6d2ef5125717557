"""Registering an order taken by phone: the form posts to intake's API, server-side."""

from __future__ import annotations

import logging
import uuid
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from services.screening import phone
from services.screening.context import ctx
from services.screening.web.common import WebUser, form_user, render, web_user
from shared import districts
from shared.vocabulary import Category, Language, TalkTopic, TimeOfDay, TrafficProblem

router = APIRouter(include_in_schema=False)
log = logging.getLogger(__name__)

FIELD_LABELS = {
    "category": "Hvad bestiller borgeren",
    "language": "Borgerens sprog",
    "requester.name": "Navn",
    "requester.email": "E-mail",
    "requester.phone": "Telefon",
    "requester.organisation": "Forening, skole eller arrangør",
    "location.address": "Adresse eller vejstrækning",
    "location.postal_code": "Postnummer",
    "location.city": "By",
    "location.municipality_code": "Kommune",
    "location.lat": "Breddegrad",
    "location.lon": "Længdegrad",
    "description": "Borgerens beskrivelse",
    "consent": "Samtykke",
    "traffic.road": "Vej eller strækning",
    "traffic.problem": "Problem",
    "traffic.speed_limit_kmh": "Hastighedsgrænse",
    "traffic.time_of_day": "Hvornår på dagen",
    "talk.topic": "Emne",
    "talk.audience": "Publikum",
    "talk.expected_attendees": "Forventet antal tilhørere",
    "talk.preferred_dates": "Ønskede datoer",
    "event.event_name": "Arrangementets navn",
    "event.event_start": "Starter",
    "event.event_end": "Slutter",
    "event.expected_attendees": "Forventet antal deltagere",
    "event.venue": "Sted",
}
FIELDS = set(FIELD_LABELS)


def _page(
    request: Request,
    form: dict[str, Any],
    *,
    errors: dict[str, str] | None = None,
    general: list[str] | None = None,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "phone.html",
        {
            "form": form,
            "errors": errors or {},
            "general": general or [],
            "categories": list(Category),
            "languages": list(Language),
            "problems": list(TrafficProblem),
            "times": list(TimeOfDay),
            "topics": list(TalkTopic),
            "municipalities": districts.municipalities_sorted(),
            "field_labels": FIELD_LABELS,
        },
        status_code=status_code,
    )


@router.get("/phone")
async def phone_form(request: Request, user: WebUser = Depends(web_user)) -> Response:
    return _page(request, {"idempotency_key": str(uuid.uuid4()), "language": "da"})


async def _posted_form(request: Request) -> dict[str, Any]:
    """The form as posted (the lists as lists), with an idempotency key if it had none."""
    raw = await request.form()
    form: dict[str, Any] = {}
    for key in raw:
        if key == "csrf_token":
            continue
        values = [v for v in raw.getlist(key) if isinstance(v, str)]
        form[key] = values if key in ("traffic.time_of_day", "talk.preferred_dates") else values[0]
    form.setdefault("idempotency_key", str(uuid.uuid4()))
    return form


def _refused(request: Request, form: dict[str, Any], answer: phone.IntakeAnswer) -> Response:
    """Intake's refusal on the form: its field errors next to the fields, or why it refused."""
    if answer.status_code == 422:
        errors, general = phone.field_errors(
            answer.body.get("detail"), str(form.get("category") or ""), FIELDS
        )
        if not errors and not general:
            general = [str(answer.body.get("message") or "Bestillingen indeholder fejl.")]
        return _page(request, form, errors=errors, general=general, status_code=422)
    log.warning("phone order refused by intake: HTTP %s", answer.status_code)
    message = str(answer.body.get("message") or "")
    return _page(
        request,
        form,
        general=[
            message or f"Bestillingssystemet afviste bestillingen (HTTP {answer.status_code})."
        ],
        status_code=502,
    )


@router.post("/phone")
async def register_phone_order(request: Request, user: WebUser = Depends(form_user)) -> Response:
    c = ctx(request)
    form = await _posted_form(request)
    payload, problems = phone.order_payload(form)
    if problems:
        return _page(request, form, errors=problems, status_code=422)
    try:
        answer = await phone.submit(
            c.outbound(),
            c.settings.intake_url,
            c.settings.phone_channel_key,
            payload,
            idempotency_key=str(form["idempotency_key"])[:200],
            correlation_id=f"phone-{uuid.uuid4()}",
        )
    except phone.IntakeUnavailableError as exc:
        log.warning("phone order not submitted: intake unreachable (%s)", exc)
        return _page(
            request,
            form,
            general=[
                "Bestillingen blev ikke sendt, fordi bestillingssystemet ikke svarer. "
                "Formularen er bevaret: prøv igen om lidt."
            ],
            status_code=503,
        )
    if answer.status_code not in (200, 201) or "reference" not in answer.body:
        return _refused(request, form, answer)
    reference = str(answer.body["reference"])
    await phone.record_registered(
        c.db,
        user.officer,
        now=c.clock(),
        order_id=str(answer.body.get("order_id") or "") or None,
        reference=reference,
    )
    return RedirectResponse(f"/phone/registered?reference={reference}", status_code=303)


@router.get("/phone/registered")
async def phone_registered(
    request: Request, reference: str = "", user: WebUser = Depends(web_user)
) -> Response:
    shown = reference if len(reference) == 12 and reference.startswith("BEB-") else ""
    return render(request, "phone_done.html", {"reference": shown})
