"""The id an order has outside the police: on the agencies' stream and in Open311 answers.

A name-based UUID (version 5) of the internal order id: stable for the order's lifetime, so an
agency can follow it, and unrelated to the citizen's reference (which, with its token, opens
the status page). It cannot be turned back into the order id without knowing that id, and the
order id travels only on internal topics that agencies are not granted.
"""

from __future__ import annotations

import uuid
from functools import lru_cache

NAMESPACE = uuid.UUID("4b1d1f0e-2c7a-5b8e-9f3d-6a0c1e2b3d4f")


def public_id(order_id: uuid.UUID | str) -> uuid.UUID:
    return _public_id(str(order_id))


@lru_cache(maxsize=65_536)  # asked for at every step of an order, before and after it
def _public_id(order_id: str) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, order_id)
