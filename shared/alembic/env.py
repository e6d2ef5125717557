"""Alembic's environment for every service: the connection and metadata come from the caller.

`shared.migrations` opens the service's own database and hands Alembic a connection, so
there is no alembic.ini and no URL in this file; each service keeps its history in
`services/<service>/migrations/` and its own version table.
"""

from __future__ import annotations

from alembic import context

from shared.migrations import configure_context

configure_context(context)
