"""Screening's rules: who may see an order, and which action fits which status."""

from __future__ import annotations

from datetime import datetime
from typing import Self

from pydantic import AwareDatetime, BaseModel, Field, field_validator, model_validator

from shared import districts
from shared.events import LongText
from shared.vocabulary import Decision, OrderStatus, ReasonCode, Role


class ActionRefusedError(Exception):
    """The action does not fit the order's status; the message says why, for the officer."""


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
        raise ActionRefusedError(f"cannot {action} an order that is {status.value}")


def schedule_warning(planned_start: datetime, execution_due: datetime | None) -> str | None:
    if execution_due is not None and planned_start > execution_due:
        return "planned after the execution deadline"
    return None
