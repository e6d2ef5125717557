"""A database that went away is "try later", never a bad message for the DLQ."""

from __future__ import annotations

from sqlalchemy.exc import DBAPIError, IntegrityError

from shared.messaging.consumer import is_infrastructure


class _DriverError(Exception):
    def __init__(self, sqlstate: str) -> None:
        super().__init__(sqlstate)
        self.sqlstate = sqlstate


def test_a_server_shutting_down_or_a_lost_connection_is_infrastructure() -> None:
    for sqlstate in ("57P01", "57P03", "08003", "08006", "53300"):
        assert is_infrastructure(DBAPIError("SELECT 1", {}, _DriverError(sqlstate))), sqlstate
    assert is_infrastructure(ConnectionResetError())


def test_a_bad_statement_or_a_duplicate_is_the_messages_problem() -> None:
    assert not is_infrastructure(DBAPIError("SELECT 1", {}, _DriverError("22P02")))
    assert not is_infrastructure(IntegrityError("INSERT", {}, _DriverError("23505")))
    assert not is_infrastructure(ValueError("bad"))
