"""Screening's rules: who may see and do what, which action fits which status, what is urgent."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Self

from pydantic import AwareDatetime, BaseModel, Field, field_validator, model_validator

from shared import districts
from shared.events import LongText
from shared.vocabulary import FINAL_STATUSES, Decision, OrderStatus, ReasonCode, Role


class ActionRefusedError(Exception):
    """The action does not fit the order's status; the message says why, for the officer."""

    def __init__(
        self, message: str, *, action: str | None = None, status: OrderStatus | None = None
    ) -> None:
        super().__init__(message)
        self.action, self.status = action, status
        self.reference: str | None = None


DECIDABLE = {OrderStatus.ROUTED, OrderStatus.INFO_REQUESTED, OrderStatus.NEEDS_ROUTING}
SCHEDULABLE = {OrderStatus.ACCEPTED, OrderStatus.SCHEDULED}
COMPLETABLE = {OrderStatus.ACCEPTED, OrderStatus.SCHEDULED}
REROUTABLE = {
    OrderStatus.ROUTED,
    OrderStatus.INFO_REQUESTED,
    OrderStatus.NEEDS_ROUTING,
    OrderStatus.RECEIVED,
}


class DecisionRequest(BaseModel):
    decision: Decision
    reason_code: ReasonCode
    message: LongText

    @model_validator(mode="after")
    def _reason_fits_decision(self) -> Self:
        if (self.decision == Decision.ACCEPTED) != (self.reason_code == ReasonCode.ACCEPTED):
            raise ValueError("reason_code 'accepted' goes with an acceptance, and only with one")
        return self


class ScheduleRequest(BaseModel):
    planned_start: AwareDatetime
    planned_end: AwareDatetime | None = None
    note: str = Field(default="", max_length=2000)

    @model_validator(mode="after")
    def _end_after_start(self) -> Self:
        if self.planned_end is not None and self.planned_end <= self.planned_start:
            raise ValueError("planned_end must be after planned_start")
        return self


class CompleteRequest(BaseModel):
    summary: LongText
    completed_at: AwareDatetime | None = None
    vehicles_checked: int | None = Field(default=None, ge=0)
    violations: int | None = Field(default=None, ge=0)


class RerouteRequest(BaseModel):
    to_district: str
    reason: LongText

    @field_validator("to_district")
    @classmethod
    def _known_district(cls, value: str) -> str:
        found = districts.district(value)
        if found is None:
            raise ValueError("unknown district code")
        return found.code


class QuestionRequest(BaseModel):
    question: LongText


def may_see(role: Role, officer_district: str | None, order_district: str | None) -> bool:
    """National admins see every order; everyone else only their own district's."""
    if role == Role.NATIONAL_ADMIN:
        return True
    return order_district is not None and order_district == officer_district


def require(status: OrderStatus, allowed: set[OrderStatus], action: str) -> None:
    if status not in allowed:
        raise ActionRefusedError(
            f"cannot {action} an order that is {status.value}", action=action, status=status
        )


def schedule_warning(planned_start: datetime, execution_due: datetime | None) -> str | None:
    if execution_due is not None and planned_start > execution_due:
        return "planned after the execution deadline"
    return None


# --- roles beyond seeing orders ------------------------------------------------------------


def may_read_audit(role: Role) -> bool:
    """Coordinators read their district's audit trail, national admins every district's."""
    return role in (Role.COORDINATOR, Role.NATIONAL_ADMIN)


def may_edit_templates(role: Role, officer_district: str | None, district: str | None) -> bool:
    """A coordinator words their own district's replies; a national admin any district's."""
    if role == Role.NATIONAL_ADMIN:
        return district is not None
    return role == Role.COORDINATOR and district is not None and district == officer_district


def may_route_manually(role: Role) -> bool:
    """Only national admins work the manual-routing queue (DESIGN §4)."""
    return role == Role.NATIONAL_ADMIN


# --- the queue ---------------------------------------------------------------------------

#: Orders that still need something from the police.
OPEN_STATUSES = frozenset(OrderStatus) - FINAL_STATUSES
#: Days left at or below which a deadline counts as near.
SOON_DAYS = 3


@dataclass(frozen=True)
class NextDeadline:
    kind: str  # "decision" or "execution"
    due: datetime


def next_deadline(
    status: OrderStatus, decision_due: datetime | None, execution_due: datetime | None
) -> NextDeadline | None:
    """The deadline the order is worked against now: the decision until decided, then execution."""
    if status in FINAL_STATUSES:
        return None
    if status in (OrderStatus.ACCEPTED, OrderStatus.SCHEDULED):
        return NextDeadline("execution", execution_due) if execution_due else None
    return NextDeadline("decision", decision_due) if decision_due else None


def urgency(days_left: int | None) -> str:
    """ "past" once the deadline has passed, "soon" within SOON_DAYS, else "ok"."""
    if days_left is None:
        return "ok"
    if days_left < 0:
        return "past"
    return "soon" if days_left <= SOON_DAYS else "ok"


def decision_for(reason: ReasonCode) -> Decision:
    """The reason code says the decision: "accepted" accepts, every other code declines."""
    return Decision.ACCEPTED if reason == ReasonCode.ACCEPTED else Decision.DECLINED


def share(part: int, whole: int) -> float | None:
    """part / whole, or None when there is nothing to share (not 0 %, not 100 %)."""
    return round(part / whole, 4) if whole else None


def group_of(main_id: str, selected: list[str], limit: int = 50) -> list[str]:
    """The orders one form acts on: the order itself first, then the selection, each once."""
    seen: dict[str, None] = {main_id: None}
    for order_id in selected:
        seen.setdefault(order_id, None)
    if len(seen) > limit:
        raise ActionRefusedError(f"at most {limit} orders can be handled together")
    return list(seen)
