"""Install the example custom models (atsDepartment, atsInterviewFeedback) for one or all tenants."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from switchboard.mappings.examples import install_examples
from switchboard.tenants.models import Tenant


class Command(BaseCommand):
    help = "Install the example custom models atsDepartment and atsInterviewFeedback."

    def add_arguments(self, parser):
        parser.add_argument("tenant", nargs="?", help="Tenant slug (or name); omit with --all.")
        parser.add_argument("--all", action="store_true", help="Every active tenant.")
        parser.add_argument("--replace", action="store_true", help="Overwrite existing definitions.")

    def handle(self, *args, **options):
        if options["all"]:
            tenants = list(Tenant.objects.filter(is_active=True))
        elif options["tenant"]:
            tenant = (Tenant.objects.filter(slug=options["tenant"]).first()
                      or Tenant.objects.filter(name=options["tenant"]).first())
            if tenant is None:
                raise CommandError(f"No tenant {options['tenant']!r}.")
            tenants = [tenant]
        else:
            raise CommandError("Name a tenant (slug) or pass --all.")
        for tenant in tenants:
            for name, outcome in install_examples(tenant, replace=options["replace"]):
                self.stdout.write(f"{tenant.slug}: {name} {outcome}")
