"""Process start-up tuning shared by the web servers and the Celery worker."""

from __future__ import annotations

import gc
import importlib

# Young-generation threshold (CPython's default is 700 container allocations). A list page parses
# and builds ~10,000 short-lived dicts and lists, nearly all freed by reference counting; at 700 the
# collector runs ~5 times a page and each run walks the page still being built, then promotes it
# and so triggers the older generations too. At 20,000 it runs about once every few pages, when
# little of a page is alive. Uncollectable cycles wait a little longer: at most this many objects.
GEN0_THRESHOLD = 20_000


def freeze_startup_objects() -> None:
    """Move everything loaded at start-up out of the garbage collector's sight.

    A unified list page parses and builds thousands of small dicts, which triggers collections;
    each full collection would otherwise walk every object Django, DRF and our apps loaded (tens
    of thousands that never die). Measured on a 100-candidate page: 15.3 ms of Switchboard
    overhead before, 11.5 ms after (benchmarks/resources_bench.py). Views load first (URLconf
    import) so they are frozen too rather than loaded on the first request.
    """
    from django.apps import apps
    from django.conf import settings

    if apps.ready:
        importlib.import_module(settings.ROOT_URLCONF)
    gc.collect()
    gc.freeze()
    _, gen1, gen2 = gc.get_threshold()
    gc.set_threshold(GEN0_THRESHOLD, gen1, gen2)
