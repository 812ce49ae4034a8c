"""JSON rendering with orjson: a page of 100 resources renders several times faster than with the
stdlib encoder, and the API is mostly pages of resources."""

from __future__ import annotations

import orjson
from rest_framework.renderers import JSONRenderer


class ORJSONRenderer(JSONRenderer):
    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        try:
            # UTC as "Z", like DRF's own encoder, so switching encoders changes no timestamps.
            return orjson.dumps(data, option=orjson.OPT_NON_STR_KEYS | orjson.OPT_UTC_Z)
        except TypeError:
            # Types orjson does not know (lazy strings, Decimals, ...): DRF's encoder handles them.
            return super().render(data, accepted_media_type, renderer_context)
