"""python manage.py seed_demo [--staff] [--reset-passwords]: load the "Harmonia Choir" demo."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from demo import seed
from teams.models import Membership


class Command(BaseCommand):
    help = (
        'Load the demo team "Harmonia Choir" (idempotent: a second run changes nothing) and '
        "print its log-ins. With DEBUG on every account gets the fixed demo password; "
        "otherwise a random password is generated and printed once."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--staff",
            action="store_true",
            help=f"also create the staff superuser {seed.STAFF_EMAIL} for /admin/",
        )
        parser.add_argument(
            "--reset-passwords",
            action="store_true",
            help="set a new password on the demo accounts that already exist",
        )

    def handle(self, *args: Any, staff: bool, reset_passwords: bool, **options: Any) -> None:
        # A fixed, published password is acceptable only on a development machine.
        password = seed.DEMO_PASSWORD if settings.DEBUG else seed.generate_password()
        # Hundreds of service log lines would bury the log-ins; -v 2 shows them.
        if options["verbosity"] < 2:
            logging.disable(logging.INFO)
        try:
            result = seed.demo_seed(password=password, staff=staff, reset_passwords=reset_passwords)
        except seed.DemoConflict as exc:
            raise CommandError(str(exc)) from exc
        finally:
            logging.disable(logging.NOTSET)

        team = result.team
        state = "loaded" if result.created else "already loaded, nothing changed"
        self.stdout.write(f"{team.name}: demo data {state}.")
        self.stdout.write(f"  team_id {team.pk} (timezone {team.timezone})")
        self.stdout.write("")
        self.stdout.write("Log-ins (POST /auth/login with e-mail and password):")
        memberships = {
            row.user.email: row
            for row in Membership.objects.filter(team=team).select_related("user")
        }
        for email in seed.DEMO_EMAILS:
            membership = memberships.get(email)
            if membership is None:
                continue
            what = membership.role + (f" ({membership.section})" if membership.section else "")
            self.stdout.write(f"  {email:<34} {membership.user.display_name:<15} {what}")
        if result.staff:
            console = f"/{settings.ADMIN_URL}"
            self.stdout.write(f"  {seed.STAFF_EMAIL:<34} {'Demo Staff':<15} staff, for {console}")
        self.stdout.write("")
        if result.staff and settings.ADMIN_REQUIRE_2FA:
            self.stdout.write(
                f"Staff console {console}: after the password it asks for a second factor. At "
                "the first sign-in it shows a QR code: scan it with an authenticator app, enter "
                "its 6-digit code and keep the recovery codes it shows. (ADMIN_REQUIRE_2FA=false "
                "turns this off for a local demo.)"
            )
        elif result.staff:
            self.stdout.write(
                f"Staff console {console}: the password alone signs in (ADMIN_REQUIRE_2FA is off, "
                "the default while DEBUG is on; production asks for an authenticator code too)."
            )
        if settings.DEBUG:
            self.stdout.write(f"Password (the fixed demo password; DEBUG is on): {password}")
        elif not result.password_set_for:
            self.stdout.write(
                "Passwords unchanged: they were printed when the accounts were created. "
                "Run seed_demo --reset-passwords to set and print a new one."
            )
        elif len(result.password_set_for) == len(seed.DEMO_EMAILS) + result.staff:
            self.stdout.write(f"Password (generated now, shown only once): {password}")
        else:
            self.stdout.write(
                f"Password of {', '.join(result.password_set_for)} (generated now, shown only "
                f"once): {password}. The other passwords are unchanged."
            )
