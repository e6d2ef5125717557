"""`bestil demo seed`: its options and the summary it prints."""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
from collections import Counter
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from bestil.demo.plan import CATEGORY_LABELS, OFFICER_PASSWORD, STAGE_LABELS, Stage
from bestil.demo.seeder import DemoOfficer, SeedError, SeedResult, demo_officer, seed
from shared import districts
from shared.danish_time import COPENHAGEN

if TYPE_CHECKING:
    pass

# --- the command -------------------------------------------------------------------------


def summary(result: SeedResult, officer: DemoOfficer, screening: str) -> str:
    """What was made, where to look, and how to sign in."""
    made = result.made
    stages = Counter(p.planned.stage for p in made)
    by_district = Counter(p.planned.district_code for p in made)
    categories = Counter(p.planned.category for p in made)
    lines = [
        f"made {len(made)} demo orders, held by intake, routing, screening and notifications",
        "",
    ]
    lines.append("by stage:")
    lines += [f"  {stages[s]:4}  {STAGE_LABELS[s]}" for s in Stage if stages[s]]
    lines.append("by district:")
    lines += [
        f"  {by_district[code]:4}  {code} {d.name}"
        for code, d in districts.DISTRICTS.items()
        if by_district[code]
    ]
    lines.append("by category:")
    lines += [
        f"  {categories[c]:4}  {CATEGORY_LABELS[c]}" for c in CATEGORY_LABELS if categories[c]
    ]
    past = [p for p in made if p.planned.stage == Stage.DEADLINE_PAST]
    if past:
        due = max(p.decision_due for p in past).astimezone(COPENHAGEN)
        lines += [
            "",
            f"deadlines: {stages[Stage.DEADLINE_NEAR]} urgent event(s) with the decision due "
            f"within 3 days (warned at once); {len(past)} event(s) just over 48 h away whose "
            f'decision deadline passes by {due:%H:%M} Danish time (then "Frist overskredet").',
            "  (every order is submitted now: intake stamps the time, so none is older than "
            "this run)",
        ]
    if result.rate_limited_s:
        lines.append(
            f"  (intake's limit of orders per client a minute held the run back "
            f"{result.rate_limited_s:.0f} s: BESTIL_INTAKE_RATE_LIMIT_PER_MINUTE)"
        )
    base = screening.rstrip("/")
    lines += [
        "",
        f"workspace: {base}/",
        f"  sign in as {officer.email} (national admin: every district)"
        + (
            f", password {OFFICER_PASSWORD}"
            if officer.created
            else ", with the password it was given when it was made "
            f"(the demo's default: {OFFICER_PASSWORD})"
        ),
        "  API token (new for this run):",
        f"  curl -H 'Authorization: Bearer {officer.token}' {base}/api/v1/orders",
    ]
    if result.failures:
        lines += ["", f"{len(result.failures)} order(s) did not get to their stage:"]
        lines += [f"  {failure}" for failure in result.failures]
    return "\n".join(lines)


def add_parser(commands: Any) -> None:
    """`bestil demo seed …` on the command line's sub-commands."""
    from bestil.services import settings_for

    actions = commands.add_parser("demo", help="demo data for a local system").add_subparsers(
        dest="action", required=True
    )
    seed_parser = actions.add_parser(
        "seed", help="make realistic demo orders at every stage, through the services' APIs"
    )
    seed_parser.add_argument("--orders", type=int, default=60, help="how many (default 60)")
    seed_parser.add_argument(
        "--intake-url", default=f"http://127.0.0.1:{settings_for('intake').port}"
    )
    seed_parser.add_argument(
        "--screening-url", default=f"http://127.0.0.1:{settings_for('screening').port}"
    )
    seed_parser.add_argument(
        "--past-deadline-after",
        type=float,
        default=120.0,
        metavar="SECONDS",
        help="how soon after its submission the short-notice event's decision falls due",
    )
    seed_parser.add_argument("--wait", type=float, default=60.0, help="seconds to wait per step")
    seed_parser.add_argument(
        "--random-seed", type=int, help="the same names, places and texts again"
    )


def run(args: argparse.Namespace) -> int:
    """`bestil demo seed`: 0 when every order reached its stage, 1 otherwise."""
    from services.screening.accounts import AccountError

    if args.orders < 1:
        print("bestil: --orders must be at least 1", file=sys.stderr)
        return 2
    try:
        officer = asyncio.run(demo_officer())
    except AccountError as exc:
        print(f"bestil: the demo officer: {exc}", file=sys.stderr)
        return 2
    print(f"making {args.orders} demo orders as {officer.email} …", flush=True)
    try:
        result = asyncio.run(
            seed(
                args.orders,
                intake=args.intake_url,
                screening=args.screening_url,
                token=officer.token,
                rng=random.Random(args.random_seed),
                past_after=timedelta(seconds=args.past_deadline_after),
                wait=args.wait,
            )
        )
    except SeedError as exc:
        print(f"bestil: {exc}", file=sys.stderr)
        return 2
    print(summary(result, officer, args.screening_url))
    return 1 if result.failures else 0
