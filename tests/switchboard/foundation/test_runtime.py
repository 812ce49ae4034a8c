"""Start-up tuning that every server process applies (switchboard.core.runtime)."""

import gc

import pytest

from switchboard.core import runtime


@pytest.fixture
def restore_gc():
    before = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*before)


def test_startup_objects_are_frozen_and_young_collections_spaced_out(restore_gc):
    gc.unfreeze()
    gc.set_threshold(700, 10, 10)
    runtime.freeze_startup_objects()
    assert gc.get_freeze_count() > 10_000  # Django, DRF and our apps, out of the collector's way
    threshold = gc.get_threshold()
    assert threshold == (runtime.GEN0_THRESHOLD, 10, 10)  # older generations keep their settings
    assert threshold[0] > 700


def test_the_views_are_loaded_before_freezing(restore_gc):
    import sys

    from django.conf import settings

    runtime.freeze_startup_objects()
    assert settings.ROOT_URLCONF in sys.modules
