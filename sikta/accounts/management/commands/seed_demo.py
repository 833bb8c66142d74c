from __future__ import annotations

import dataclasses
import datetime as dt
import random
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from sikta.accounts.demo import (
    DEMO_PASSWORD,
    extra_staff,
    logins_allowed,
    seed_casework,
    seed_forbund_role,
    seed_identity_providers,
    seed_participants,
    seed_referrals,
    seed_staff,
    seed_worst_case,
)
from sikta.organisation.loader import load_organisation
from sikta.organisation.models import Insats
from sikta.participants.models import Participant
from sikta.referrals.models import Referral

# The demo's second, fictional insats: its data file, loaded by seed_demo (not by
# load_organisation, which loads the organisation's real data).
SECOND_FILE = settings.BASE_DIR / "sikta" / "organisation" / "data" / "steg_for_steg.toml"
SECOND_SLUG = "steg-for-steg"
WORST_CASE_ACCOUNT = "coach.sodra.2"


class Command(BaseCommand):
    help = (
        "Create fictional demo staff and participants (deterministic from --seed). "
        "Demo logins are only created while DEBUG is on."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--participants",
            type=int,
            default=None,
            help=(
                "how many participants to add (default: 90, if none exist); caseworkers without "
                "logins (handlaggare.<länsdel>.<n>) are added as the demo coaches and "
                "koordinatorer fill up, so each carries about the insats's caseload capacity "
                "(default_caseload_capacity, 15) of enrolled participants"
            ),
        )
        parser.add_argument(
            "--referrals",
            type=int,
            default=None,
            help="how many referrals to add to the queues (default: 24, if none exist)",
        )
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument(
            "--today",
            type=dt.date.fromisoformat,
            default=None,
            help="reference date for ages and start dates (YYYY-MM-DD)",
        )
        parser.add_argument("--no-progress", action="store_true")
        parser.add_argument(
            "--worst-case-caseload",
            type=int,
            default=None,
            metavar="N",
            help=(
                f"give one demo caseworker (--worst-case-account, default {WORST_CASE_ACCOUNT}) "
                "N enrolled participants of its länsdel and track role, with case work: taken "
                "over from the caseworkers without logins of its pool, else added. For "
                "measuring the per-caseworker pages at a worst case; nothing if it has N already"
            ),
        )
        parser.add_argument(
            "--worst-case-account",
            default=WORST_CASE_ACCOUNT,
            metavar="USERNAME",
            help=f"the demo coach or koordinator of --worst-case-caseload ({WORST_CASE_ACCOUNT})",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        # The organisation's own insats (the demo's second one is added below).
        insats = Insats.objects.exclude(slug=SECOND_SLUG).order_by("-start_date").first()
        if insats is None:
            raise CommandError("No organisation loaded: run `manage.py load_organisation` first.")
        rng = random.Random(options["seed"])
        today = options["today"] or dt.date.today()
        with_logins = logins_allowed()
        accounts = seed_staff(rng=rng, insats=insats, with_logins=with_logins)

        count = options["participants"]
        if count is None:
            count = 0 if Participant.objects.exists() else 90
        hired_before = extra_staff(insats).count()
        if count:
            participant_rng = random.Random(f"{options['seed']}-participants")
            with tqdm(
                total=count,
                unit=" deltagare",
                disable=options["no_progress"],
                file=self.stderr._out,
            ) as bar:
                seed_participants(
                    rng=participant_rng,
                    insats=insats,
                    count=count,
                    today=today,
                    progress=bar.update,
                    hire=random.Random(f"{options['seed']}-staff"),
                )
        self.stdout.write(f"participants in the database: {Participant.objects.count()}")
        hired = extra_staff(insats).count()
        if hired > hired_before:
            self.stdout.write(
                f"caseworkers without login added: {hired - hired_before} (now {hired}; each "
                f"carries up to {insats.default_caseload_capacity} enrolled participants)"
            )
        seed_casework(rng=random.Random(f"{options['seed']}-casework"), today=today)
        if options["worst_case_caseload"] is not None:
            self._worst_case(options, insats=insats, today=today)
        from sikta.bookings.demo import seed_bookings

        seed_bookings(rng=random.Random(f"{options['seed']}-bookings"), today=today)
        referrals = options["referrals"]
        if referrals is None:
            referrals = 0 if Referral.objects.exists() else 24
        if referrals:
            referral_rng = random.Random(f"{options['seed']}-referrals")
            seed_referrals(rng=referral_rng, insats=insats, count=referrals, today=today)
        self.stdout.write(f"referrals in the database: {Referral.objects.count()}")
        from sikta.activities.demo import seed_activities

        seed_activities(insats=insats, today=today)

        accounts += self._second_insats(options, today=today, with_logins=with_logins)
        forbund = seed_forbund_role(with_logins=with_logins)

        if not with_logins:
            self.stdout.write(
                self.style.WARNING(
                    "DEBUG is off: no demo logins were created (demo accounts exist only in DEBUG)."
                )
            )
            return
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Demo accounts (password for all: {DEMO_PASSWORD})"))
        self.stdout.write(
            "  (while DEBUG is on they need no authenticator app; a real account does)"
        )
        width = max(len(a.username) for a in accounts)
        for account in accounts:
            where = f", {account.lansdel}" if account.lansdel else ""
            self.stdout.write(
                f"  {account.username:<{width}}  {account.role}{where} – {account.name}"
            )
        if forbund is not None:
            self.stdout.write(
                f"  ({forbund.username} leads both insatser and also holds the förbund's role: "
                "the header switches between them)"
            )
        providers = seed_identity_providers()
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS("Sign-in with e-identity (the local test IdPs)"))
        for provider in providers:
            self.stdout.write(f"  {provider.name}: {provider.issuer}")
        self.stdout.write(
            "  On the login page choose 'Logga in med e-legitimation': samordnare.norra through "
            "SAML, coach.norra.1 through OpenID Connect, password test-idp (devidp/identities.json)"
        )

    def _worst_case(self, options: Any, *, insats: Insats, today: dt.date) -> None:
        username, count = options["worst_case_account"], options["worst_case_caseload"]
        try:
            result = seed_worst_case(
                rng=random.Random(f"{options['seed']}-worst-case"),
                insats=insats,
                username=username,
                count=count,
                today=today,
            )
        except ValueError as error:
            raise CommandError(str(error)) from error
        enrolled = Participant.objects.filter(
            assigned_to=result.staff, status__in=Participant.ENROLLED
        ).count()
        self.stdout.write(
            f"worst case: {username} ({result.staff.full_name}, {result.staff.role.name}, "
            f"{result.staff.lansdel.name if result.staff.lansdel else insats.name}) carries "
            f"{enrolled} enrolled participants (had {result.before}; {result.moved} taken over "
            f"from caseworkers without login, {result.added} added; case work for "
            f"{result.casework})"
        )

    def _second_insats(self, options: Any, *, today: dt.date, with_logins: bool) -> list[Any]:
        """A second, small insats in two of the kommuner, with its own staff, participants and
        referrals: the separation between insatser is there to see."""
        load_organisation(SECOND_FILE)
        second = Insats.objects.get(slug=SECOND_SLUG)
        seed = options["seed"]
        accounts = seed_staff(
            rng=random.Random(f"{seed}-second-staff"), insats=second, with_logins=with_logins
        )
        if not Participant.objects.filter(insats=second).exists():
            seed_participants(
                rng=random.Random(f"{seed}-second-participants"),
                insats=second,
                count=18,
                today=today,
            )
            seed_referrals(
                rng=random.Random(f"{seed}-second-referrals"), insats=second, count=5, today=today
            )
            seed_casework(rng=random.Random(f"{seed}-second-casework"), today=today)
        self.stdout.write(
            f"{second.name}: {Participant.objects.filter(insats=second).count()} participants"
        )
        # The insatsledare and admin are listed once, above; the others by their insats.
        return [
            dataclasses.replace(a, lansdel=second.name)
            for a in accounts
            if a.username not in ("insatsledare", "admin")
        ]
