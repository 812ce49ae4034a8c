from django.db import models


class Counter(models.Model):
    """One fixed-window counter (see `switchboard.core.counters`). Rows are short-lived: the name
    carries the window, and expired rows are swept as new windows start."""

    name = models.CharField(max_length=200, primary_key=True)
    value = models.BigIntegerField(default=0)
    expires = models.FloatField(db_index=True)  # epoch seconds: compared in raw SQL, no tz maths

    class Meta:
        db_table = "core_counter"

    def __str__(self):
        return f"{self.name} = {self.value}"
