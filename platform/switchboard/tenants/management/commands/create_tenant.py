"""`python manage.py create_tenant NAME [--json]`: operators script this; keep the output stable."""

import json

from django.core.management.base import BaseCommand

from switchboard.tenants.services import create_tenant


class Command(BaseCommand):
    help = "Create a tenant and its first API key pair; the secret key is printed once."

    def add_arguments(self, parser):
        parser.add_argument("name")
        parser.add_argument("--json", action="store_true", help="Print machine-readable JSON.")

    def handle(self, *args, **opts):
        tenant, key, secret = create_tenant(opts["name"])
        if opts["json"]:
            self.stdout.write(json.dumps({"tenant": {"id": tenant.pk, "name": tenant.name, "slug": tenant.slug},
                                          "publicKey": key.public_key, "secretKey": secret}))
        else:
            self.stdout.write(f"Tenant {tenant.name} ({tenant.slug}) created.\n"
                              f"  public key: {key.public_key}\n  secret key: {secret}\n"
                              "Store the secret key now: it is not shown again.")
