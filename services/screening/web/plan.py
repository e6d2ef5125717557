"""The week plan: a district's visits by week and day against its weekly capacity, and the
accepted orders still waiting for a date, each schedulable from here.

Scheduling goes through the same use case as the order page (`actions.schedule_order`), so the
event, the outbox, the agencies' stream and the audit line are the same; capacity is set by the
district's coordinator or a national admin (`capacity.set_capacity`, audited).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from services.screening import actions, capacity, forms, labels, planning, reading
from services.screening.capacity import PlanRefusedError, WeekPlan
from services.screening.context import ctx
from services.screening.domain import ActionRefusedError, ScheduleRequest
from services.screening.planning import Week
from services.screening.queries import OrderNotVisibleError
from services.screening.web.common import (
    WebUser,
    deadline_info,
    district_name,
    forbid_unless,
    form_user,
    query_string,
    render,
    web_user,
)
from services.screening.web.order_forms import refusal_text
from shared import districts
from shared.danish_time import SHORT_MONTHS_DA, clock, format_date
from shared.vocabulary import Category, Role

router = APIRouter(include_in_schema=False)

DONE = {
    "scheduled": "Besøget er planlagt, og borgeren får besked.",
    "scheduled_late": "Besøget er planlagt – bemærk: efter fristen for udførelse.",
    "capacity": "Kapaciteten er gemt.",
    "unchanged": "Kapaciteten var allerede sådan. Intet er ændret.",
}


def _district(user: WebUser, wanted: str | None) -> str | None:
    """The plan's district: one's own; a national admin's choice (None until chosen).

    Asking for another district's plan is refused (403), not answered with one's own.
    """
    if user.role == Role.NATIONAL_ADMIN:
        if not wanted:
            return None
        if districts.district(wanted) is None:
            raise HTTPException(404, "unknown district")
        return wanted
    own = user.officer.district_code
    forbid_unless(wanted in (None, "", own))
    return own


def _first_week(text: str | None, now: datetime) -> Week:
    return Week.parse(text) or Week.at(now)


def _day_label(day: date) -> str:
    return f"{labels.WEEKDAY[day.weekday()]} {day.day}. {SHORT_MONTHS_DA[day.month - 1]}"


def _span(week: Week) -> str:
    first, last = week.days[0], week.days[-1]
    start = f"{first.day}. {SHORT_MONTHS_DA[first.month - 1]}"
    if first.year != last.year:
        start += f" {first.year}"
    return f"{start} – {format_date(last, short=True)}"


def _weeks_view(plan: WeekPlan) -> list[dict[str, Any]]:
    shown = []
    for load in plan.loads:
        week = load.week
        shown.append(
            {
                "week": week,
                "load": load,
                "over": load.overbooked,
                "span": _span(week),
                "own": plan.own(week),
                "days": [
                    {
                        "date": day,
                        "label": _day_label(day),
                        "visits": [
                            {"visit": v, "time": clock(v.planned_start)}
                            for v in plan.visits.get(day, [])
                        ],
                    }
                    for day in week.days
                ],
            }
        )
    return shown


async def _page(
    request: Request,
    user: WebUser,
    district: str | None,
    *,
    week: str | None,
    count: str | int | None,
    errors: dict[str, str] | None = None,
    problem: str | None = None,
    late: dict[str, Any] | None = None,
    form: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Response:
    c = ctx(request)
    now = c.clock()
    shown = planning.shown_weeks(count)
    first = _first_week(week, now)
    context: dict[str, Any] = {
        "district": district,
        "scope": district_name(district) if district else "Vælg en politikreds",
        "first": first,
        "count": shown,
        "counts": list(range(1, planning.MAX_WEEKS + 1)),
        "this_week": Week.at(now),
        "errors": errors or {},
        "problem": problem,
        "late": late,
        "form": form or {},
        "done": DONE.get(request.query_params.get("done", "")),
        "done_reference": request.query_params.get("ref", ""),
        "categories": [c.value for c in Category],
        "plan": None,
    }
    if district is not None:
        try:
            plan = await capacity.week_plan(
                c.db, user.officer, district, planning.weeks_from(first, shown)
            )
        except PlanRefusedError:
            raise HTTPException(403, "forbidden") from None
        if late:
            due = {r.order_id: r.execution_due for r in plan.waiting}
            late = {**late, "due": due.get(late["order_id"])}
        context.update(
            late=late,
            error_week=next((k.split(".")[0] for k in errors or {} if "-W" in k), None),
            plan=plan,
            weeks=_weeks_view(plan),
            defaults=plan.defaults(),
            may_change=planning.may_set_capacity(user.role, user.officer.district_code, district),
            waiting=[
                {"row": row, "info": deadline_info(c, row.execution_due)} for row in plan.waiting
            ],
            here=_here(user, district, first, shown),
            earlier=_here(user, district, first.shifted(-shown), shown),
            later=_here(user, district, first.shifted(shown), shown),
            now_link=_here(user, district, None, shown),
        )
    return render(request, "plan.html", context, status_code=status_code)


def _here(user: WebUser, district: str, week: Week | None, count: int) -> str:
    """The plan's address for these weeks (the district only where an admin chose it)."""
    return "/plan" + query_string(
        district=district if user.is_admin else None,
        week=week.key if week else None,
        weeks=count if count != planning.DEFAULT_WEEKS else None,
    )


@router.get("/plan")
async def plan_page(
    request: Request,
    district: str = "",
    week: str = "",
    weeks: str = "",
    user: WebUser = Depends(web_user),
) -> Response:
    code = _district(user, district or None)
    return await _page(request, user, code, week=week, count=weeks)


async def _return_to(request: Request, user: WebUser) -> tuple[str | None, str, str]:
    form = await request.form()
    code = _district(user, str(form.get("district") or "") or None)
    return code, str(form.get("week") or ""), str(form.get("weeks") or "")


@router.post("/plan/capacity")
async def save_capacity(request: Request, user: WebUser = Depends(form_user)) -> Response:
    """A coordinator's (or national admin's) capacity per category, the default or one week's."""
    code, week_text, count = await _return_to(request, user)
    forbid_unless(
        code is not None and planning.may_set_capacity(user.role, user.officer.district_code, code)
    )
    assert code is not None
    form = await request.form()
    target_text = str(form.get("for_week") or "")
    target = Week.parse(target_text) if target_text else None
    if target_text and target is None:
        raise HTTPException(400, "unknown week")
    prefix = f"{target.key}." if target else "default."
    values: dict[str, int | None] = {}
    errors: dict[str, str] = {}
    for category in Category:
        name = prefix + category.value
        try:
            values[category.value] = planning.capacity_value(str(form.get(name) or ""))
        except ValueError as exc:
            errors[name] = str(exc)
    if errors:
        return await _page(
            request,
            user,
            code,
            week=week_text,
            count=count,
            errors=errors,
            form={k: v for k, v in form.items() if isinstance(v, str)},
            problem="Ret de markerede felter. Intet er gemt.",
            status_code=422,
        )
    c = ctx(request)
    try:
        changed = await capacity.set_capacity(
            c.db, user.officer, code, target, values, now=c.clock()
        )
    except PlanRefusedError:
        raise HTTPException(403, "forbidden") from None
    done = "capacity" if changed else "unchanged"
    return _back(user, code, week_text, count, done)


def _back(user: WebUser, code: str, week: str, count: str, done: str, ref: str = "") -> Response:
    target = "/plan" + query_string(
        district=code if user.is_admin else None,
        week=week if Week.parse(week) else None,
        weeks=count if count else None,
        done=done,
        ref=ref or None,
    )
    return RedirectResponse(target + "#besked", status_code=303)


@router.post("/plan/schedule")
async def schedule_from_plan(request: Request, user: WebUser = Depends(form_user)) -> Response:
    """Plan a visit for an accepted order: the order page's scheduling, from the plan."""
    code, week_text, count = await _return_to(request, user)
    form = await request.form()
    order_id = str(form.get("order_id") or "")
    field = f"start-{order_id}"
    kept = {k: v for k, v in form.items() if isinstance(v, str)}

    async def again(status_code: int, **extra: Any) -> Response:
        return await _page(
            request, user, code, week=week_text, count=count, form=kept,
            status_code=status_code, **extra,
        )  # fmt: skip

    try:
        start = forms.local_datetime(str(form.get("planned_start") or ""))
    except forms.FieldProblem as exc:
        return await again(
            422, errors={field: str(exc)}, problem="Ret tidspunktet. Intet er sendt."
        )
    assert start is not None
    c = ctx(request)
    if not form.get("confirm_late"):
        late = await reading.late_orders(c.db, user.officer, [order_id], start)
        if late:  # warn first, as the order page does; the officer confirms to plan anyway
            return await again(200, late={"order_id": order_id, "reference": late[0]})
    try:
        done = await actions.schedule_order(
            c.db,
            user.officer,
            [order_id],
            ScheduleRequest(planned_start=start),
            now=c.clock(),
            via="web",
        )
    except OrderNotVisibleError:
        raise HTTPException(404, "order not found") from None
    except ActionRefusedError as exc:
        return await again(409, problem=refusal_text(exc))
    except ValidationError:
        return await again(422, problem="Formularen indeholder fejl. Intet er sendt.")
    c.runtime.relay.wake()
    outcome = "scheduled_late" if any(d.warning for d in done) else "scheduled"
    # After scheduling, show the week the visit landed in, so the new load is in view.
    landed = Week.at(start)
    first = _first_week(week_text, c.clock())
    shown = planning.shown_weeks(count)
    if not first <= landed < first.shifted(shown):
        week_text = landed.key
    reference = done[0].event.reference if done else ""
    return _back(user, code or "", week_text, count, outcome, reference)
