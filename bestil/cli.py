"""`bestil`: the command line of DESIGN §4."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Callable
from typing import Any

from bestil.services import SERVICES, app_for, settings_for


def serve(name: str) -> None:
    """Run one service in this process (what `bestil dev` and the containers start)."""
    import uvicorn

    from shared.heap import settle_heap
    from shared.logs import configure_logging
    from shared.production import unsafe_settings

    settings = settings_for(name)
    configure_logging(name, settings.log_level, settings.log_format)
    problems = unsafe_settings(name, settings)
    for problem in problems:
        print(f"bestil serve {name}: refusing to start: {problem}", file=sys.stderr)
    if problems:
        raise SystemExit(2)
    app = app_for(name, settings)
    settle_heap()
    uvicorn.run(
        app,
        host=settings.host,
        port=settings.port,
        log_config=None,
        access_log=False,
        timeout_graceful_shutdown=10,
    )


async def _migrate(services: list[str], new: str | None) -> int:
    from bestil.services import database_for
    from shared import migrations

    if new and len(services) != 1:
        print("bestil: name the service the new migration is for", file=sys.stderr)
        return 2
    for name in services:
        db = database_for(name, settings_for(name))
        try:
            if new:
                await migrations.new_revision(db, name, new)
            else:
                await migrations.upgrade(db, name)
                print(f"{name}: at {await migrations.current(db, name)}")
        finally:
            await db.engine.dispose()
    return 0


def _officer(args: argparse.Namespace) -> int:
    """`bestil officer …`; every change is written to screening's audit trail."""
    from bestil import officers
    from services.screening.accounts import AccountError

    try:
        if args.action == "add":
            password = sys.stdin.readline().rstrip("\n")
            officer_id = asyncio.run(
                officers.add(args.email, args.name, args.district, args.role, password)
            )
            print(f"added officer {officer_id}")
        elif args.action == "token":
            print(asyncio.run(officers.token(args.email, args.days)))
        elif args.action == "list":
            print(asyncio.run(officers.listing()))
        elif args.action == "revoke-token":
            revoked = asyncio.run(officers.revoke_token(args.email, args.token_id))
            print(f"revoked {len(revoked)} token(s): {' '.join(revoked) or '-'}")
        elif args.action == "deactivate":
            ended = asyncio.run(officers.deactivate(args.email))
            print(
                f"deactivated {args.email}: {ended['sessions']} session(s) and "
                f"{ended['tokens']} token(s) ended"
            )
    except AccountError as exc:
        print(f"bestil: {exc}", file=sys.stderr)
        return 2
    return 0


def _system_commands(sub: Any) -> None:
    dev = sub.add_parser("dev", help="run the whole system locally on its embedded defaults")
    dev.add_argument(
        "--reference-data",
        help="a directory of boundary and postal-code files replacing the shipped ones",
    )
    dev.add_argument(
        "--kafka",
        metavar="HOST:PORT|local",
        help="use this Apache Kafka instead of the embedded broker; `local` starts one from "
        "the jars deploy/kafka fetches (needs Java and Maven)",
    )
    kafka = sub.add_parser("kafka", help="run Apache Kafka from Maven Central's jars (Java)")
    kafka.add_argument("--brokers", type=int, choices=[1, 3], default=1)
    kafka.add_argument("--port", type=int, default=9092, help="the first broker's client port")
    kafka.add_argument("--dir", default="var/kafka", help="where the brokers keep their logs")
    kafka.add_argument(
        "--secure", action="store_true", help="SASL/SCRAM and ACLs, as in production"
    )
    run = sub.add_parser("serve", help="run one service")
    run.add_argument("service", choices=SERVICES)
    sub.add_parser("asyncapi", help="print the AsyncAPI catalogue of the order events (JSON)")


def _officer_commands(sub: Any) -> None:
    officer = sub.add_parser("officer", help="manage officers' accounts").add_subparsers(
        dest="action", required=True
    )
    add = officer.add_parser("add", help="add an officer (password read from stdin)")
    add.add_argument("--email", required=True)
    add.add_argument("--name", required=True)
    add.add_argument("--district", help="district code, e.g. 1461 (not for national_admin)")
    add.add_argument(
        "--role", default="officer", choices=["officer", "coordinator", "national_admin"]
    )
    token = officer.add_parser("token", help="print a new API token for an officer")
    token.add_argument("--email", required=True)
    token.add_argument(
        "--days", type=int, help="how long it works (default BESTIL_SCREENING_TOKEN_DAYS, 90)"
    )
    officer.add_parser("list", help="list the accounts and their API tokens (never the tokens)")
    revoke = officer.add_parser("revoke-token", help="revoke one or all of an officer's tokens")
    revoke.add_argument("--email", required=True)
    which = revoke.add_mutually_exclusive_group(required=True)
    which.add_argument("--token-id", help="the id `bestil officer list` shows")
    which.add_argument("--all", action="store_true", help="every token of the officer")
    deactivate = officer.add_parser(
        "deactivate", help="close an account: no sign-in; its sessions and tokens end at once"
    )
    deactivate.add_argument("--email", required=True)


def _operator_commands(sub: Any) -> None:
    parked = sub.add_parser(
        "dlq", help="list what a service parked in its dead-letter topic, or replay it"
    )
    parked.add_argument("service", choices=SERVICES)
    parked.add_argument("--replay", nargs="+", default=[], metavar="EVENT_ID")
    parked.add_argument("--replay-all", action="store_true", help="every one not applied since")
    acls = sub.add_parser(
        "kafka-acls",
        help="as the broker's admin (BESTIL_KAFKA_…), create every topic and the ACLs of "
        "shared/access.py",
    )
    acls.add_argument(
        "--agency", action="append", metavar="NAME", help="an agency's principal (repeatable)"
    )
    acls.add_argument("--print", action="store_true", help="only print the rules")
    migrate = sub.add_parser(
        "migrate", help="upgrade the services' databases to the head of their migrations"
    )
    migrate.add_argument("service", nargs="?", choices=SERVICES, help="default: all four")
    migrate.add_argument(
        "--new", metavar="MESSAGE", help="write a migration for what the models changed"
    )


def _erase_commands(sub: Any) -> None:
    erase = sub.add_parser(
        "erase",
        help="erase one order's personal data in every service, on the citizen's request",
    )
    erase.add_argument("order", metavar="BEB-XXXXXXXX", help="the order's reference (or its id)")
    erase.add_argument(
        "--by",
        metavar="EMAIL",
        help="the national admin who decided the erasure (default: the event names `cli`)",
    )


def parser() -> argparse.ArgumentParser:
    from bestil.demo import command as demo

    found = argparse.ArgumentParser(prog="bestil", description="Bestil en betjent")
    sub = found.add_subparsers(dest="command", required=True)
    _system_commands(sub)
    _officer_commands(sub)
    _operator_commands(sub)
    _erase_commands(sub)
    demo.add_parser(sub)
    return found


def _dev(args: argparse.Namespace) -> int:
    from bestil.broker import EmbeddedBrokerMissingError
    from bestil.dev import run_dev

    try:
        return run_dev(args.reference_data, kafka=args.kafka)
    except EmbeddedBrokerMissingError as exc:
        print(f"bestil: {exc}", file=sys.stderr)
        return 2


def _kafka(args: argparse.Namespace) -> int:
    from pathlib import Path

    from bestil.kafka import run_kafka

    return run_kafka(Path(args.dir), args.brokers, args.port, secure=args.secure)


def _kafka_acls(args: argparse.Namespace) -> int:
    from bestil.kafka import create_topics_and_acls
    from shared.access import DEFAULT_AGENCIES, describe, every_acl
    from shared.settings import KafkaSettings

    agencies = args.agency or list(DEFAULT_AGENCIES)
    if args.print:
        print(describe(every_acl(agencies)))
        return 0
    try:
        return asyncio.run(create_topics_and_acls(KafkaSettings(), agencies))
    except (PermissionError, RuntimeError, ValueError) as exc:
        print(f"bestil kafka-acls: {exc}", file=sys.stderr)
        return 2


def _asyncapi(_args: argparse.Namespace) -> int:
    import json

    from shared.catalogue import catalogue

    print(json.dumps(catalogue(), indent=2, ensure_ascii=False))
    return 0


def _serve(args: argparse.Namespace) -> int:
    serve(args.service)
    return 0


def _dlq(args: argparse.Namespace) -> int:
    from bestil.dlq import run_dlq

    return asyncio.run(run_dlq(args.service, args.replay, args.replay_all))


def _migrate_command(args: argparse.Namespace) -> int:
    return asyncio.run(_migrate([args.service] if args.service else list(SERVICES), args.new))


def _erase(args: argparse.Namespace) -> int:
    """`bestil erase`: screening anonymises its copy now; its outbox tells the other services."""
    from bestil.erase import erase
    from services.screening.accounts import AccountError
    from services.screening.queries import OrderNotVisibleError

    try:
        event_id, fields = asyncio.run(erase(args.order, args.by))
    except AccountError as exc:
        print(f"bestil: {exc}", file=sys.stderr)
        return 2
    except OrderNotVisibleError:
        print(f"bestil: screening knows no order {args.order}", file=sys.stderr)
        return 2
    print(
        f"erased {args.order}: {fields} field(s) in screening; ErasureRequested {event_id} "
        "is published by screening to the other services"
    )
    return 0


def _demo(args: argparse.Namespace) -> int:
    from bestil.demo import command as demo

    return demo.run(args)


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "dev": _dev,
    "kafka": _kafka,
    "serve": _serve,
    "asyncapi": _asyncapi,
    "officer": _officer,
    "dlq": _dlq,
    "kafka-acls": _kafka_acls,
    "migrate": _migrate_command,
    "demo": _demo,
    "erase": _erase,
}


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    return COMMANDS[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
