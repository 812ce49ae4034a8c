"""Re-encrypt every stored secret under the first key of ENCRYPTION_KEYS, so old keys can then be
removed. Safe to run repeatedly."""

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from switchboard.core.fields import EncryptedJSONField, EncryptedTextField


class Command(BaseCommand):
    help = "Re-encrypt stored secrets with the newest encryption key."

    def handle(self, *args, **options):
        total = 0
        for model in apps.get_models():
            fields = [f.name for f in model._meta.concrete_fields
                      if isinstance(f, EncryptedJSONField | EncryptedTextField)]
            if not fields:
                continue
            with transaction.atomic():
                for obj in model._default_manager.select_for_update().all().iterator():
                    # Loading decrypts with any key; saving encrypts with the first.
                    obj.save(update_fields=fields)
                    total += 1
            self.stdout.write(f"{model._meta.label}: re-encrypted {', '.join(fields)}")
        self.stdout.write(self.style.SUCCESS(f"Done: {total} row(s) re-encrypted with the newest key."))
