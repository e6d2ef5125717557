"""The framework's own limit: intake's validation in a bare FastAPI endpoint, no database."""

from __future__ import annotations

import json

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic import ValidationError

from services.intake.domain import OrderRequest, check_order_rules
from services.intake.field_errors import from_field_errors, from_validation_error
from shared.clock import utcnow
from shared.settings import DeadlineSettings

app = FastAPI()
SETTINGS = DeadlineSettings()


@app.post("/api/v1/orders")
async def create_order(request: Request) -> JSONResponse:
    data = json.loads(await request.body())
    try:
        order = OrderRequest.model_validate(data)
    except ValidationError as exc:
        return JSONResponse({"detail": from_validation_error(exc, "da")}, status_code=422)
    errors = check_order_rules(order, utcnow(), SETTINGS)
    if errors:
        return JSONResponse({"detail": from_field_errors(errors, "da")}, status_code=422)
    return JSONResponse({"status": "received"}, status_code=201)
