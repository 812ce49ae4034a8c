from __future__ import annotations

import base64
import json
import time

import pytest

from connectors import errors
from connectors.cursors import decode_cursor, encode_cursor
from connectors.pagination import CursorPagination, Page

P = {"filters": {"job": "j1"}, "q": None}


def test_roundtrip():
    token = encode_cursor({"c": "ashby-cursor"}, model="atsJob", params=P, secret="k")
    assert "ashby-cursor" not in token
    assert decode_cursor(token, model="atsJob", params=P, secret="k") == {"c": "ashby-cursor"}


@pytest.mark.parametrize("mutate", [
    lambda t: t[:-2] + ("AA" if not t.endswith("AA") else "BB"),       # signature bits
    lambda t: "x" + t,                                                  # payload bits
    lambda t: t.replace(".", ""),                                       # shape
    lambda t: "not-a-cursor",
    lambda t: "a.b.c",
    lambda t: "!!!.???",
    lambda t: "",
])
def test_tampered_cursor_is_400(mutate):
    token = encode_cursor({"c": "x"}, model="atsJob", params=P, secret="k")
    with pytest.raises(errors.InvalidCursor) as exc:
        decode_cursor(mutate(token), model="atsJob", params=P, secret="k")
    assert exc.value.status == 400 and exc.value.field == "cursor"


def test_forged_payload_without_key_is_refused():
    payload = json.dumps({"m": "atsJob", "h": "0", "t": int(time.time()), "s": {"c": "evil"}}).encode()
    forged = base64.urlsafe_b64encode(payload).decode().rstrip("=") + ".AAAA"
    with pytest.raises(errors.InvalidCursor):
        decode_cursor(forged, model="atsJob", params=P, secret="k")


def test_cursor_bound_to_model_params_and_secret():
    token = encode_cursor({"c": "x"}, model="atsJob", params=P, secret="k")
    with pytest.raises(errors.InvalidCursor):
        decode_cursor(token, model="genericContact", params=P, secret="k")
    with pytest.raises(errors.InvalidCursor):
        decode_cursor(token, model="atsJob", params={"filters": {"job": "j2"}, "q": None}, secret="k")
    with pytest.raises(errors.InvalidCursor):
        decode_cursor(token, model="atsJob", params=P, secret="other")


def test_stale_cursor_is_400(monkeypatch):
    token = encode_cursor({"c": "x"}, model="atsJob", params=P, secret=None)
    monkeypatch.setattr(time, "time", lambda: 10**11)
    with pytest.raises(errors.InvalidCursor) as exc:
        decode_cursor(token, model="atsJob", params=P, secret=None)
    assert "expired" in exc.value.message


def test_pagination_follows_cursors():
    pages = {None: Page([1, 2], "a", True), "a": Page([3], "b", True), "b": Page([4], None, False, "tok")}
    p = CursorPagination()
    assert list(p.items(lambda c: pages[c])) == [1, 2, 3, 4]
    assert p.last_page.sync_token == "tok"


def test_pagination_loop_guard():
    pages = {None: Page([1], "a", True), "a": Page([2], "b", True), "b": Page([3], "a", True)}
    with pytest.raises(errors.UpstreamError) as exc:
        list(CursorPagination().items(lambda c: pages[c]))
    assert exc.value.remote_code == "cursor_loop"


def test_pagination_page_cap():
    with pytest.raises(errors.UpstreamError) as exc:
        list(CursorPagination(max_pages=5).items(lambda c: Page([1], f"{c}x", True)))
    assert exc.value.remote_code == "page_cap"
