"""The database side of `make load` (run by scripts/load/run.py against the load database).

    dbtool.py prepare OUT.json    the load test's own staff logins; what the locustfile needs
    dbtool.py markers ACK…        acknowledged journal entries against the database

Demo accounts cannot log in with DEBUG off, and everyone who sees a person must give a TOTP
code, so the load run does not use them: `prepare` creates staff of its own, as an
administrator would in production: coaches and koordinatorer with a realistic caseload (taken
over from the demo staff, who carry thousands each at 100 000 participants), samordnare, leads
and steering-group members, each with a password and, where the role needs it, a confirmed
TOTP device whose secret the locustfile uses to compute codes like an authenticator app.
One login per simulated user: a TOTP code is accepted once, so two users sharing an account
would lock each other out for a while.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sikta.settings")

# Every journal entry the load run writes starts with this, followed by a unique marker.
MARKER_PREFIX = "LOADTEST-"
USERNAME_PREFIX = "load."


def prepare(out: Path, *, per_lansdel: int, leads: int, steering: int, caseload: int) -> None:
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.db.models import Count
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from sikta.accounts.models import User
    from sikta.organisation.models import (
        IncomeSource,
        Insats,
        Kommun,
        ReferrerOrganisation,
        Role,
        StaffMember,
        Track,
    )
    from sikta.participants.models import Participant

    # The organisation's own insats, which the seeded participants are in (seed_demo adds a
    # small second one, which started later).
    insats = Insats.objects.annotate(n=Count("participants")).order_by("-n", "-start_date").first()
    if insats is None:
        raise SystemExit("no organisation loaded")
    password = os.environ.get("LOAD_PASSWORD") or secrets.token_urlsafe(18)
    hashed = make_password(password)  # one hash for all: hashing ~100 passwords takes a minute
    roles = {role.code: role for role in Role.objects.all()}
    accounts: dict[str, list[dict[str, object]]] = {
        "caseworker": [],
        "samordnare": [],
        "lead": [],
        "styrgrupp": [],
    }

    def staff(username: str, role: str, lansdel: object, *, totp: bool) -> dict[str, object]:
        user, _created = User.objects.update_or_create(
            username=username,
            defaults={"password": hashed, "is_demo": False, "is_active": True},
        )
        member = StaffMember.objects.filter(user=user).first()
        if member is None:
            first, _, last = username.removeprefix(USERNAME_PREFIX).partition(".")
            member = StaffMember.objects.create(
                user=user,
                insats=insats,  # a record without one would be a role of the förbund
                first_name="Last",
                last_name=f"{first.capitalize()} {last}",
                role=roles[role],
                lansdel=lansdel,
                position_percent=100,
                email=f"{username}@example.com",
            )
        account: dict[str, object] = {"username": username, "staff": member.pk}
        if totp:
            TOTPDevice.objects.filter(user=user).delete()
            device = TOTPDevice.objects.create(user=user, name="load", confirmed=True)
            account["totp_key"] = device.key  # hex; the locustfile computes the codes
        return account

    caseworker_roles = ["coach", "koordinator"]
    with transaction.atomic():
        for lansdel in insats.lansdelar.order_by("ordering"):
            taken: set[int] = set()
            for n in range(1, per_lansdel + 1):
                role = caseworker_roles[n % 2]
                account = staff(
                    f"{USERNAME_PREFIX}{role}.{lansdel.slug}.{n}", role, lansdel, totp=True
                )
                # A caseload of active participants of the länsdel on this role's track.
                pool = (
                    Participant.objects.filter(
                        kommun__lansdel=lansdel,
                        track__caseworker_role=role,
                        status=Participant.Status.ACTIVE,
                    )
                    .exclude(pk__in=taken)
                    .order_by("pk")
                    .values_list("pk", flat=True)[:caseload]
                )
                pks = list(pool)
                taken.update(pks)
                Participant.objects.filter(pk__in=pks).update(assigned_to_id=account["staff"])
                account["participants"] = pks
                accounts["caseworker"].append(account)
            for n in range(1, max(1, per_lansdel // 3) + 1):
                accounts["samordnare"].append(
                    staff(
                        f"{USERNAME_PREFIX}samordnare.{lansdel.slug}.{n}",
                        "samordnare",
                        lansdel,
                        totp=True,
                    )
                )
        for n in range(1, leads + 1):
            accounts["lead"].append(
                staff(f"{USERNAME_PREFIX}insatsledare.{n}", "insatsledare", None, totp=True)
            )
        for n in range(1, steering + 1):
            # The steering group sees no person and is not held at a second step.
            accounts["styrgrupp"].append(
                staff(f"{USERNAME_PREFIX}styrgrupp.{n}", "styrgrupp", None, totp=False)
            )

    # What a relative fills in on the public form to koordinering (anyone may refer there).
    track = Track.objects.get(insats=insats, slug="koordinering")
    referral = {
        "track": track.slug,
        "min_age": track.min_age,
        "max_age": track.max_age,
        "organisation": ReferrerOrganisation.objects.get(code="anhorig").pk,
        "income_sources": [IncomeSource.objects.get(code="anhoriga").pk],
        "kommuner": list(
            Kommun.objects.filter(lansdel__insats=insats)
            .order_by("pk")
            .values_list("pk", flat=True)
        ),
    }
    out.write_text(
        json.dumps(
            {
                "password": password,
                "marker_prefix": MARKER_PREFIX,
                "accounts": accounts,
                "referral": referral,
            },
            indent=1,
        )
    )
    counts = ", ".join(f"{len(v)} {k}" for k, v in accounts.items())
    print(f"load accounts: {counts}; caseload {caseload} each")


def markers(ack_files: list[Path]) -> None:
    """Print, as JSON, how many acknowledged entries are in the database, and which are not."""
    from sikta.casework.models import JournalEntry

    acknowledged: set[str] = set()
    for path in ack_files:
        if path.exists():
            acknowledged.update(
                line.strip() for line in path.read_text().splitlines() if line.strip()
            )
    found: set[str] = set()
    # Read through the ORM (not SQL): a note is whatever the model makes of the stored value.
    notes = JournalEntry.objects.filter(author__username__startswith=USERNAME_PREFIX).values_list(
        "note", flat=True
    )
    for note in notes.iterator(chunk_size=2000):
        for word in note.split():
            if word.startswith(MARKER_PREFIX):
                found.add(word)
    lost = sorted(acknowledged - found)
    print(
        json.dumps(
            {
                "acknowledged": len(acknowledged),
                "found": len(acknowledged & found),
                "lost": len(lost),
                "lost_markers": lost[:20],
                # Saved although the client never saw the answer (it failed on the way back).
                "unacknowledged_in_database": len(found - acknowledged),
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    p = commands.add_parser("prepare")
    p.add_argument("out", type=Path)
    p.add_argument("--per-lansdel", type=int, default=12, help="caseworker logins per länsdel")
    p.add_argument("--leads", type=int, default=8)
    p.add_argument("--steering", type=int, default=12)
    p.add_argument("--caseload", type=int, default=15)
    m = commands.add_parser("markers")
    m.add_argument("ack", type=Path, nargs="*")
    args = parser.parse_args()
    # Logins with known passwords and TOTP secrets written to a file: only ever in the scratch
    # cluster that run.py made, never against a database someone set DATABASE_URL to.
    scratch = os.environ.get("SIKTA_LOAD_SCRATCH_DATABASE")
    if not scratch or scratch != os.environ.get("DATABASE_URL"):
        parser.error("only for the scratch database of scripts/load/run.py (make load)")

    import django

    django.setup()
    if args.command == "prepare":
        prepare(
            args.out,
            per_lansdel=args.per_lansdel,
            leads=args.leads,
            steering=args.steering,
            caseload=args.caseload,
        )
    else:
        markers(args.ack)


if __name__ == "__main__":
    main()
