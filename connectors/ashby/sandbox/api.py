"""The Ashby endpoints: `POST /<category>.<method>` handlers over `State`.

Handlers run with the state lock held, take the parsed JSON body and return the success payload
(without `success`). Application errors raise `ApiError`, which the server turns into Ashby's
HTTP-200 `success:false` envelope.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import string

from .ids import iso_ms, new_uuid, now_iso, now_ms, parse_iso_ms
from .permissions import scope_name
from .render import Renderer, public
from .seed import ARCHIVED_ORDER, OFFER_FORM_DEFINITION

MAX_LIMIT = 100
# How far past a full page we look for one more match before answering moreDataAvailable.
PEEK_BUDGET = 300

ENDPOINTS: dict[str, tuple[str, str]] = {}  # name -> (permission, handler method name)
LEGACY_ALIASES = {
    "application.change_stage": "application.changeStage",
    "application.change_source": "application.changeSource",
    "canidate.anonymize": "candidate.anonymize",  # the old spec's typo, still routed by Ashby
}
WEBHOOK_TYPES = [
    "applicationSubmit", "applicationUpdate", "candidateHire", "candidateStageChange", "candidateDelete",
    "candidateMerge", "interviewPlanTransition", "interviewScheduleCreate", "interviewScheduleUpdate",
    "jobPostingUpdate", "jobPostingPublish", "jobPostingUnpublish", "offerCreate", "offerUpdate",
    "offerDelete", "pushToHRIS", "surveySubmit",
]
# Documented payloads that the API's enum does not list (UI-only in Ashby). Accepted here so the
# connector can subscribe to job changes against the sandbox; see README "Deviations".
EXTRA_WEBHOOK_TYPES = ["jobCreate", "jobUpdate", "openingCreate", "signatureRequestUpdate"]
JOB_TRANSITIONS = {"Draft": {"Open", "Archived"}, "Open": {"Closed"}, "Closed": {"Draft", "Archived"},
                   "Archived": {"Draft"}}
SOCIAL_TYPES = {"LinkedIn", "GitHub", "Twitter", "Medium", "StackOverflow", "YouTube", "CodePen", "Website"}
COMP_INTERVALS = {"NONE", "1 TIME", "1 HOUR", "1 DAY", "1 WEEK", "2 WEEK", "1 MONTH", "2 MONTH", "1 YEAR",
                  "6 MONTH", "0.5 MONTH", "3 MONTH"}


class ApiError(Exception):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


def endpoint(name: str, permission: str):
    def deco(fn):
        ENDPOINTS[name] = (permission, fn.__name__)
        return fn
    return deco


def _req(body, key, types=(str,)):
    value = body.get(key)
    if value is None or (isinstance(value, str) and not value.strip()) or not isinstance(value, types):
        raise ApiError("invalid_input", f"Invalid or missing required parameter: {key}")
    return value


def _opt(body, key, types):
    value = body.get(key)
    if value is not None and not isinstance(value, types):
        raise ApiError("invalid_input", f"Invalid parameter: {key}")
    return value


def _bool(body, key, default=False):
    value = body.get(key, default)
    if value is None:
        return default
    if not isinstance(value, bool):
        raise ApiError("invalid_input", f"Invalid parameter: {key} must be a boolean")
    return value


def _int_ms(body, key):
    value = body.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ApiError("invalid_input", f"Invalid parameter: {key} must be an integer (epoch milliseconds)")
    return int(value)


def _iso(value, key):
    if value is None:
        return None
    if parse_iso_ms(value) is None:
        raise ApiError("invalid_input", f"Invalid parameter: {key} must be an ISO-8601 date-time")
    return iso_ms(parse_iso_ms(value))


def _list_param(body, key):
    value = body.get(key)
    if value is None:
        return None
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list):
        raise ApiError("invalid_input", f"Invalid parameter: {key} must be an array")
    return value


class Api:
    def __init__(self, state, emit=None):
        self.state = state
        self.r = Renderer(state)
        self.emit = emit or (lambda *args, **kwargs: None)
        self._secret = os.urandom(16)
        self.faults = {}  # set by the server: sync/paging faults live with the other fault flags

    # ================================================================== paging machinery
    def _encode_cursor(self, payload: dict) -> str:
        raw = json.dumps(payload, separators=(",", ":")).encode()
        sig = hmac.new(self._secret, raw, hashlib.sha256).digest()[:12]
        return base64.urlsafe_b64encode(raw + sig).decode().rstrip("=")

    def _decode_cursor(self, value) -> dict:
        try:
            blob = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
            raw, sig = blob[:-12], blob[-12:]
            if not hmac.compare_digest(sig, hmac.new(self._secret, raw, hashlib.sha256).digest()[:12]):
                raise ValueError
            return json.loads(raw)
        except Exception:  # noqa: BLE001 - anything undecodable is simply an invalid cursor
            raise ApiError("invalid_next_cursor", "The provided cursor is invalid.") from None

    def _new_sync_token(self, name: str, seq: int) -> str:
        alphabet = string.ascii_letters + string.digits
        while True:
            # Random, not seeded: a token must not be accepted by a restarted sandbox.
            token = "".join(secrets.choice(alphabet) for _ in range(9))
            if token not in self.state.sync_tokens:
                break
        self.state.sync_tokens[token] = {"endpoint": name, "seq": seq, "generation": self.state.token_generation,
                                         "issuedAt": now_ms()}
        return token

    def paginate(self, name, body, kind, render, *, sync=True, predicate=None, explicit=None,
                 created_field="createdAt"):
        """Ashby cursor pagination with incremental sync.

        Full pass: positions in the collection (seeded indices, then API-created records), with the
        sequence number at the start of the pass as the watermark handed out as `syncToken` on the
        last page, so anything changed during the pass is picked up by the next incremental run.
        Incremental pass: the collection's change log between the token's watermark and now.
        """
        st = self.state
        limit = body.get("limit", MAX_LIMIT)
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
            raise ApiError("invalid_input", "Invalid parameter: limit must be a positive integer")
        limit = min(limit, MAX_LIMIT)
        created_after = _int_ms(body, "createdAfter")

        def matches(rec):
            if created_after is not None and (parse_iso_ms(rec.get(created_field)) or 0) <= created_after:
                return False
            return predicate is None or predicate(rec)

        cursor = body.get("cursor")
        token = body.get("syncToken") if sync else None
        if cursor:
            if not isinstance(cursor, str):
                raise ApiError("invalid_next_cursor", "The provided cursor is invalid.")
            c = self._decode_cursor(cursor)
            if c.get("e") != name:
                raise ApiError("invalid_next_cursor", "The provided cursor does not belong to this endpoint.")
            if c.get("g") != st.cursor_generation:
                raise ApiError("next_cursor_expired", "The provided cursor has expired. Restart the pagination.")
            mode, pos, upper, lower = c["m"], c["p"], c["u"], c.get("w", 0)
        elif token:
            info = st.sync_tokens.get(token) if isinstance(token, str) else None
            if info is None or info["endpoint"] != name:
                raise ApiError("sync_token_invalid", "The provided sync token is invalid.")
            if info["generation"] != st.token_generation:
                raise ApiError("sync_token_expired",
                               "The provided sync token has expired. Perform a full sync without a syncToken.")
            mode, pos, upper, lower = "i", 0, st.seq, info["seq"]
        else:
            mode, pos, upper, lower = "f", 0, st.seq, 0
        if mode == "i" and self.faults.get("syncTooLargeNext", 0) > 0:
            self.faults["syncTooLargeNext"] -= 1
            raise ApiError("incremental_sync_too_large",
                           "Too many changes since the sync token was issued. Perform a full sync.")

        results, next_pos, more = [], None, False
        if mode == "i":
            coll = st.coll(kind)
            log = coll.log
            i = pos
            while i < len(log):
                seq, rid = log[i]
                if seq > upper:
                    break
                i += 1
                if seq <= lower or coll.latest_seq.get(rid) != seq:
                    continue  # superseded by a later change in the log
                rec = coll.get(rid)
                if rec is None or not matches(rec):
                    continue
                if len(results) == limit:
                    more, next_pos = True, i - 1
                    break
                results.append(rec)
        elif explicit is not None:
            items = [r for r in explicit if r is not None and matches(r)]
            results = items[pos:pos + limit]
            if pos + limit < len(items):
                more, next_pos = True, pos + limit
        else:
            table = st.coll(kind).skip_table(created_after)
            scanned_after_full = 0
            for p, rec in st.scan(kind, pos, table):
                if len(results) == limit:
                    scanned_after_full += 1
                    if matches(rec):
                        more, next_pos = True, p
                        break
                    if scanned_after_full > PEEK_BUDGET:
                        more, next_pos = True, p
                        break
                    continue
                if matches(rec):
                    results.append(rec)

        out = {"results": [render(r) for r in results], "moreDataAvailable": more}
        if more:
            out["nextCursor"] = self._encode_cursor({"e": name, "m": mode, "p": next_pos, "u": upper, "w": lower,
                                                     "g": st.cursor_generation, "t": now_ms()})
        elif sync:
            out["syncToken"] = self._new_sync_token(name, upper)
        return out

    # ================================================================== lookups
    def _must(self, kind, rid, code=None, label=None):
        rec = self.state.get(kind, rid) if isinstance(rid, str) else None
        if rec is None:
            code = code or f"{_snake(kind)}_not_found"
            raise ApiError(code, f"{label or kind[0].upper() + kind[1:]} not found: {rid}")
        return rec

    def _user_by_email(self, email):
        email = (email or "").lower()
        for u in self._all("user"):
            if u["email"].lower() == email:
                return u
        return None

    def _all(self, kind):
        st = self.state
        return [rec for _, rec in st.scan(kind, 0, st.coll(kind).skip_table(None))]

    # ================================================================== API key & webhooks
    @endpoint("apiKey.info", "apiKeysRead")
    def api_key_info(self, body, ctx):
        key = ctx["key"]
        return {"results": {"title": key["title"], "createdAt": key["createdAt"],
                            "scopes": [scope_name(p) for p in key["permissions"]]}}

    def _webhook_public(self, w, secret=True):
        out = {"id": w["id"], "enabled": w["enabled"], "requestUrl": w["requestUrl"]}
        if secret:
            out["secretToken"] = w["secretToken"]
        out["webhookType"] = w["webhookType"]
        return out

    @endpoint("webhook.create", "apiKeysWrite")
    def webhook_create(self, body, ctx):
        wtype = _req(body, "webhookType")
        url = _req(body, "requestUrl")
        secret = _req(body, "secretToken")
        if wtype not in WEBHOOK_TYPES + EXTRA_WEBHOOK_TYPES:
            raise ApiError("invalid_input", f"Invalid webhookType: {wtype}")
        if not url.startswith(("http://", "https://")):
            raise ApiError("invalid_input", "requestUrl must be an http(s) URL")
        for w in self.state.webhooks.values():
            if w["webhookType"] == wtype and w["requestUrl"] == url:
                raise ApiError("invalid_input", "Duplicate webhook")
        w = {"id": new_uuid(), "enabled": True, "requestUrl": url, "secretToken": secret, "webhookType": wtype,
             "createdAt": now_iso(), "_apiKey": ctx["key"]["apiKey"]}
        self.state.webhooks[w["id"]] = w
        self.emit("ping", {"webhookActionType": "ping"}, only_webhook=w["id"])
        return {"results": self._webhook_public(w)}

    @endpoint("webhook.update", "apiKeysWrite")
    def webhook_update(self, body, ctx):
        w = self.state.webhooks.get(body.get("webhookId"))
        if w is None:
            raise ApiError("webhook_not_found", f"Webhook not found: {body.get('webhookId')}")
        if not any(k in body for k in ("enabled", "requestUrl", "secretToken")):
            raise ApiError("invalid_input", "One of enabled, requestUrl or secretToken must be provided")
        enabled = _opt(body, "enabled", bool)
        url = _opt(body, "requestUrl", str)
        secret = _opt(body, "secretToken", str)
        if url is not None:
            for other in self.state.webhooks.values():
                if other is not w and other["webhookType"] == w["webhookType"] and other["requestUrl"] == url:
                    raise ApiError("invalid_input", "Duplicate webhook")
            w["requestUrl"] = url
        if secret is not None:
            w["secretToken"] = secret
        if enabled is not None:
            w["enabled"] = enabled
        if w["enabled"]:
            self.emit("ping", {"webhookActionType": "ping"}, only_webhook=w["id"])
        return {"results": self._webhook_public(w)}

    @endpoint("webhook.delete", "apiKeysWrite")
    def webhook_delete(self, body, ctx):
        wid = body.get("webhookId")
        if self.state.webhooks.pop(wid, None) is None:
            raise ApiError("webhook_not_found", f"Webhook not found: {wid}")
        return {"results": {"webhookId": wid}}

    @endpoint("webhook.info", "apiKeysRead")
    def webhook_info(self, body, ctx):
        w = self.state.webhooks.get(body.get("webhookId"))
        if w is None:
            raise ApiError("webhook_not_found", f"Webhook not found: {body.get('webhookId')}")
        return {"results": self._webhook_public(w, secret=False)}

    # ================================================================== organisation
    @endpoint("user.list", "organizationRead")
    def user_list(self, body, ctx):
        include = _bool(body, "includeDeactivated")
        return self.paginate("user.list", body, "user", self.r.user, created_field="updatedAt",
                             predicate=None if include else (lambda u: u["isEnabled"]))

    @endpoint("user.info", "organizationRead")
    def user_info(self, body, ctx):
        return {"results": self.r.user(self._must("user", body.get("userId")))}

    @endpoint("user.search", "organizationRead")
    def user_search(self, body, ctx):
        email = _req(body, "email")
        u = self._user_by_email(email)
        return {"results": [self.r.user(u)] if u else []}

    @endpoint("user.interviewerSettings", "organizationRead")
    def user_interviewer_settings(self, body, ctx):
        u = self._must("user", body.get("userId"))
        return {"results": {"id": u["id"], **u["_interviewer"]}}

    @endpoint("user.updateInterviewerSettings", "organizationWrite")
    def user_update_interviewer_settings(self, body, ctx):
        self._must("user", body.get("userId"))
        u = self.state.coll("user").for_update(body["userId"])
        for key in ("dailyLimit", "weeklyLimit"):
            if key in body:
                value = body[key]
                if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
                    raise ApiError("invalid_input", f"Invalid parameter: {key}")
                u["_interviewer"][key] = value
        self.state.touch("user", u)
        return {"results": {"id": u["id"], **u["_interviewer"]}}

    @endpoint("brand.list", "organizationRead")
    def brand_list(self, body, ctx):
        return self.paginate("brand.list", body, "brand", public, sync=False)

    @endpoint("department.list", "organizationRead")
    def department_list(self, body, ctx):
        include = _bool(body, "includeArchived")
        return self.paginate("department.list", body, "department", public,
                             predicate=None if include else (lambda d: not d["isArchived"]))

    @endpoint("location.list", "organizationRead")
    def location_list(self, body, ctx):
        include = _bool(body, "includeArchived")
        return self.paginate("location.list", body, "location", public, created_field="_updatedAt",
                             predicate=None if include else (lambda d: not d["isArchived"]))

    # ================================================================== hiring process metadata
    @endpoint("source.list", "hiringProcessMetadataRead")
    def source_list(self, body, ctx):
        include = _bool(body, "includeArchived")
        items = [self.r.source(s) for s in self._all("source") if include or not s["isArchived"]]
        return {"results": items, "moreDataAvailable": False}

    @endpoint("archiveReason.list", "hiringProcessMetadataRead")
    def archive_reason_list(self, body, ctx):
        include = _bool(body, "includeArchived")
        return {"results": [public(r) for r in self._all("archiveReason") if include or not r["isArchived"]]}

    @endpoint("candidateTag.list", "hiringProcessMetadataRead")
    def candidate_tag_list(self, body, ctx):
        include = _bool(body, "includeArchived")
        return self.paginate("candidateTag.list", body, "tag", public, created_field="_none",
                             predicate=None if include else (lambda t: not t["isArchived"]))

    @endpoint("candidateTag.create", "hiringProcessMetadataWrite")
    def candidate_tag_create(self, body, ctx):
        title = _req(body, "title").strip()
        for t in self._all("tag"):
            if t["title"].lower() == title.lower():
                return {"results": public(t)}
        t = self.state.coll("tag").add({"id": new_uuid(), "title": title, "isArchived": False})
        self.state.touch("tag", t)
        return {"results": public(t)}

    @endpoint("customField.list", "hiringProcessMetadataRead")
    def custom_field_list(self, body, ctx):
        include = _bool(body, "includeArchived")
        return self.paginate("customField.list", body, "customField", public, created_field="_none",
                             predicate=None if include else (lambda f: not f["isArchived"]))

    def _validate_field_value(self, field, value):
        t = field["fieldType"]
        bad = ApiError("invalid_input", f"Invalid value for custom field '{field['title']}' of type {t}")
        if value is None:
            return None  # clears the value
        if t in ("String", "LongText", "Url", "Email", "Phone", "UUID"):
            if not isinstance(value, str):
                raise bad
            if t == "Email" and "@" not in value:
                raise bad
            if t == "Url" and not value.startswith(("http://", "https://")):
                raise bad
        elif t == "Number":
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise bad
        elif t == "Boolean":
            if not isinstance(value, bool):
                raise bad
        elif t == "Date":
            if parse_iso_ms(value) is None:
                raise bad
            value = iso_ms(parse_iso_ms(value))
        elif t == "ValueSelect":
            allowed = {v["value"] for v in field.get("selectableValues", []) if not v["isArchived"]}
            if value not in allowed:
                raise bad
        elif t == "MultiValueSelect":
            allowed = {v["value"] for v in field.get("selectableValues", []) if not v["isArchived"]}
            if not isinstance(value, list) or any(v not in allowed for v in value):
                raise bad
        elif t == "Currency":
            if not (isinstance(value, dict) and isinstance(value.get("value"), int | float)
                    and isinstance(value.get("currencyCode"), str)):
                raise bad
            value = {"value": value["value"], "currencyCode": value["currencyCode"]}
        elif t == "NumberRange":
            if not (isinstance(value, dict) and isinstance(value.get("minValue"), int | float)
                    and isinstance(value.get("maxValue"), int | float)):
                raise bad
            value = {"type": "number-range", "minValue": value["minValue"], "maxValue": value["maxValue"]}
        elif t == "CompensationRange":
            if not (isinstance(value, dict) and isinstance(value.get("minValue"), int | float)
                    and isinstance(value.get("maxValue"), int | float)
                    and isinstance(value.get("currencyCode"), str) and value.get("interval") in COMP_INTERVALS):
                raise bad
            value = {"type": "compensation-range", "minValue": value["minValue"], "maxValue": value["maxValue"],
                     "currencyCode": value["currencyCode"], "interval": value["interval"]}
        return value

    def _set_custom_values(self, object_id, object_type, pairs):
        kinds = {"Candidate": "candidate", "Application": "application", "Job": "job"}
        if object_type not in kinds and object_type != "Opening":
            raise ApiError("invalid_input", f"Invalid objectType: {object_type}")
        if object_type == "Opening":
            raise ApiError("opening_not_found", f"Opening not found: {object_id}")
        kind = kinds[object_type]
        self._must(kind, object_id)
        checked = []
        for field_id, value in pairs:
            field = self.state.get("customField", field_id)
            if field is None:
                raise ApiError("custom_field_not_found", f"Custom field not found: {field_id}")
            if field["objectType"] != object_type:
                raise ApiError("invalid_input", f"Custom field '{field['title']}' applies to {field['objectType']}")
            checked.append((field, self._validate_field_value(field, value)))
        rec = self.state.coll(kind).for_update(object_id)
        out = []
        for field, value in checked:
            if value is None:
                rec["customFieldValues"].pop(field["id"], None)
            else:
                rec["customFieldValues"][field["id"]] = value
            out.append(self.r.custom_field_value(field, value))
        self.state.touch(kind, rec)
        if kind == "application":
            self.emit("applicationUpdate", {"application": self.r.application(rec)})
        elif kind == "job":
            self.emit("jobUpdate", {"job": self.r.job(rec)})
        return out

    @endpoint("customField.setValue", "candidatesWrite")
    def custom_field_set_value(self, body, ctx):
        object_id = _req(body, "objectId")
        object_type = _req(body, "objectType")
        field_id = _req(body, "fieldId")
        if "fieldValue" not in body:
            raise ApiError("invalid_input", "Invalid or missing required parameter: fieldValue")
        return {"results": self._set_custom_values(object_id, object_type, [(field_id, body["fieldValue"])])[0]}

    @endpoint("customField.setValues", "candidatesWrite")
    def custom_field_set_values(self, body, ctx):
        object_id = _req(body, "objectId")
        object_type = _req(body, "objectType")
        values = _req(body, "values", (list,))
        pairs = []
        for v in values:
            if not isinstance(v, dict) or "fieldId" not in v or "fieldValue" not in v:
                raise ApiError("invalid_input", "Each entry of values needs fieldId and fieldValue")
            pairs.append((v["fieldId"], v["fieldValue"]))
        return {"results": self._set_custom_values(object_id, object_type, pairs)}

    # ================================================================== candidates
    @endpoint("candidate.list", "candidatesRead")
    def candidate_list(self, body, ctx):
        return self.paginate("candidate.list", body, "candidate", self.r.candidate)

    @endpoint("candidate.info", "candidatesRead")
    def candidate_info(self, body, ctx):
        cid = body.get("id")
        if cid is None and body.get("externalMappingId") is not None:
            ext = body["externalMappingId"]
            coll = self.state.coll("candidate")
            rec = next((r for r in list(coll.created.values()) + list(coll.overrides.values())
                        if r.get("_externalMappingId") == ext), None)
            if rec is None:
                raise ApiError("candidate_not_found", f"Candidate not found for externalMappingId {ext}")
            return {"results": self.r.candidate(rec)}
        if cid is None:
            raise ApiError("invalid_input", "Invalid or missing required parameter: id")
        return {"results": self.r.candidate(self._must("candidate", cid))}

    @endpoint("candidate.search", "candidatesRead")
    def candidate_search(self, body, ctx):
        email = _opt(body, "email", str)
        name = _opt(body, "name", str)
        if not email and not name:
            raise ApiError("invalid_input", "candidate.search needs email or name")
        st = self.state
        coll = st.coll("candidate")

        def ok(c):
            if email and not any(e["value"].lower() == email.lower() for e in c["emailAddresses"]):
                return False
            return not (name and name.lower() not in c["name"].lower())

        found, seen = [], set()
        # Mutated and created records first, then seeded ones: an email names its seeded index.
        for rec in list(coll.overrides.values()) + [coll.created[i] for i in coll.created_order]:
            if rec["id"] not in coll.deleted and ok(rec):
                found.append(rec)
                seen.add(rec["id"])
        if email:
            i = st.data.candidate_index_for_email(email)
            if i is not None and i < coll.count:
                rec = coll.at(i)
                if rec is not None and rec["id"] not in seen and ok(rec):
                    found.append(rec)
        else:
            for _, rec in st.scan("candidate", 0, coll.skip_table(None)):
                if len(found) >= MAX_LIMIT:
                    break
                if rec["id"] not in seen and ok(rec):
                    found.append(rec)
        return {"results": [self.r.candidate(c) for c in found[:MAX_LIMIT]]}

    def _apply_candidate_fields(self, c, body, creating):
        email = _opt(body, "email", str)
        if email:
            others = [e for e in c["emailAddresses"] if e["value"].lower() != email.lower()]
            for e in others:
                e["isPrimary"] = False
            c["emailAddresses"] = [{"value": email, "type": "Personal", "isPrimary": True}] + others
        alternates = list(_opt(body, "alternateEmailAddresses", list) or [])
        if body.get("alternateEmail"):
            alternates.append(_opt(body, "alternateEmail", str))
        for alt in alternates:
            if not isinstance(alt, str):
                raise ApiError("invalid_input", "Invalid alternate email address")
            if all(e["value"].lower() != alt.lower() for e in c["emailAddresses"]):
                c["emailAddresses"].append({"value": alt, "type": "Other", "isPrimary": not c["emailAddresses"]})
        phone = _opt(body, "phoneNumber", str)
        if phone:
            others = [p for p in c["phoneNumbers"] if p["value"] != phone]
            for p in others:
                p["isPrimary"] = False
            c["phoneNumbers"] = [{"value": phone, "type": "Personal", "isPrimary": True}] + others
        links = {s["type"]: s["url"] for s in c["socialLinks"]}
        for key, ltype in (("linkedInUrl", "LinkedIn"), ("githubUrl", "GitHub"), ("website", "Website"),
                           ("websiteUrl", "Website")):
            url = _opt(body, key, str)
            if url:
                links[ltype] = url
        if "socialLinks" in body and not creating:
            new = _opt(body, "socialLinks", list) or []
            links = {}
            for s in new:
                if not isinstance(s, dict) or s.get("type") not in SOCIAL_TYPES or not isinstance(s.get("url"), str):
                    raise ApiError("invalid_input", "Invalid socialLinks entry")
                links[s["type"]] = s["url"]
        c["socialLinks"] = [{"type": t, "url": u} for t, u in links.items()]
        if "sourceId" in body:
            sid = body["sourceId"]
            if sid is not None:
                self._must("source", sid)
            c["sourceId"] = sid
        if "creditedToUserId" in body:
            uid = body["creditedToUserId"]
            if uid is not None:
                self._must("user", uid)
            c["creditedToUserId"] = uid
        loc = _opt(body, "location", dict)
        if loc:
            parts = [("City", loc.get("city")), ("Region", loc.get("region")), ("Country", loc.get("country"))]
            parts = [(t, n) for t, n in parts if n]
            c["location"] = {"id": new_uuid(), "locationSummary": ", ".join(n for _, n in parts),
                             "locationComponents": [{"type": t, "name": n} for t, n in reversed(parts)]}
        if body.get("createdAt") is not None:
            c["createdAt"] = _iso(body["createdAt"], "createdAt")
        if body.get("name") is not None:
            c["name"] = _req(body, "name").strip()

    @endpoint("candidate.create", "candidatesWrite")
    def candidate_create(self, body, ctx):
        _req(body, "name")
        now = now_iso()
        c = {"id": new_uuid(), "createdAt": now, "updatedAt": now, "name": "", "emailAddresses": [],
             "phoneNumbers": [], "socialLinks": [], "tagIds": [], "position": None, "company": None,
             "school": None, "sourceId": None, "creditedToUserId": None, "timezone": None, "fraudStatus": None,
             "customFieldValues": {}, "resumeFileHandle": None, "fileHandles": []}
        self._apply_candidate_fields(c, body, creating=True)
        self.state.coll("candidate").add(c)
        self.state.touch("candidate", c, stamp=False)
        return {"results": self.r.candidate(c)}

    @endpoint("candidate.update", "candidatesWrite")
    def candidate_update(self, body, ctx):
        cid = _req(body, "candidateId")
        self._must("candidate", cid)
        c = self.state.coll("candidate").for_update(cid)
        self._apply_candidate_fields(c, body, creating=False)
        self.state.touch("candidate", c)
        return {"results": self.r.candidate(c)}

    @endpoint("candidate.addTag", "candidatesWrite")
    def candidate_add_tag(self, body, ctx):
        cid = _req(body, "candidateId")
        tid = _req(body, "tagId")
        self._must("candidate", cid)
        self._must("tag", tid, label="Candidate tag")
        c = self.state.coll("candidate").for_update(cid)
        if tid not in c["tagIds"]:
            c["tagIds"].append(tid)
        self.state.touch("candidate", c)
        return {"results": self.r.candidate(c)}

    @endpoint("candidate.removeTag", "candidatesWrite")
    def candidate_remove_tag(self, body, ctx):
        cid = _req(body, "candidateId")
        tid = _req(body, "tagId")
        self._must("candidate", cid)
        c = self.state.coll("candidate").for_update(cid)
        if tid in c["tagIds"]:
            c["tagIds"].remove(tid)
        self.state.touch("candidate", c)
        return {"results": self.r.candidate(c)}

    @endpoint("candidate.anonymize", "candidatesWrite")
    def candidate_anonymize(self, body, ctx):
        cid = _req(body, "candidateId")
        cand = self._must("candidate", cid)
        for aid in self.state.application_ids_for_candidate(cand):
            app = self.state.get("application", aid)
            if app and app["status"] not in ("Archived", "Hired"):
                raise ApiError("invalid_input",
                               "All of the candidate's applications must be archived or hired before anonymizing")
        c = self.state.coll("candidate").for_update(cid)
        c.update({"name": "Anonymized Candidate", "emailAddresses": [], "phoneNumbers": [], "socialLinks": [],
                  "position": None, "company": None, "school": None, "resumeFileHandle": None, "fileHandles": [],
                  "customFieldValues": {}, "timezone": None})
        c.pop("location", None)
        self.state.touch("candidate", c)
        return {"results": self.r.candidate(c)}

    # ================================================================== jobs
    def _job_visible(self, ctx):
        allow = ctx["key"].get("allowConfidential", True)
        return None if allow else (lambda j: not j["confidential"])

    @endpoint("job.list", "jobsRead")
    def job_list(self, body, ctx):
        statuses = _list_param(body, "status") or ["Open", "Closed", "Archived"]
        bounds = {k: _int_ms(body, k) for k in ("openedAfter", "openedBefore", "closedAfter", "closedBefore")}
        expand = _list_param(body, "expand") or []
        visible = self._job_visible(ctx)

        def pred(j):
            if j["status"] not in statuses or (visible and not visible(j)):
                return False
            opened, closed = parse_iso_ms(j["openedAt"]), parse_iso_ms(j["closedAt"])
            if bounds["openedAfter"] is not None and (opened is None or opened <= bounds["openedAfter"]):
                return False
            if bounds["openedBefore"] is not None and (opened is None or opened >= bounds["openedBefore"]):
                return False
            if bounds["closedAfter"] is not None and (closed is None or closed <= bounds["closedAfter"]):
                return False
            return not (bounds["closedBefore"] is not None and (closed is None or closed >= bounds["closedBefore"]))

        return self.paginate("job.list", body, "job", lambda j: self.r.job(j, expand), predicate=pred)

    @endpoint("job.info", "jobsRead")
    def job_info(self, body, ctx):
        j = self._must("job", body.get("id"))
        visible = self._job_visible(ctx)
        if visible and not visible(j):
            raise ApiError("job_not_found", f"Job not found: {body.get('id')}")
        return {"results": self.r.job(j, _list_param(body, "expand") or [])}

    @endpoint("jobPosting.info", "jobsRead")
    def job_posting_info(self, body, ctx):
        pid = body.get("jobPostingId")
        if not isinstance(pid, str) or not pid:
            raise ApiError("invalid_input", "jobPostingId is required")
        visible = self._job_visible(ctx)
        job = next((j for j in self._all("job") if pid in j["jobPostingIds"]), None)
        if job is None or (visible and not visible(job)):
            raise ApiError("job_posting_not_found", f"Job posting not found: {pid}")
        return {"results": self.r.job_posting(pid, job)}

    @endpoint("job.search", "jobsRead")
    def job_search(self, body, ctx):
        title = _opt(body, "title", str)
        req_id = _opt(body, "requisitionId", str)
        if not title and not req_id:
            raise ApiError("invalid_input", "job.search needs title or requisitionId")
        visible = self._job_visible(ctx)
        out = [j for j in self._all("job")
               if (not title or title.lower() in j["title"].lower())
               and (not req_id or j["customRequisitionId"] == req_id) and (not visible or visible(j))]
        return {"results": [self.r.job(j) for j in out]}

    @endpoint("job.create", "jobsWrite")
    def job_create(self, body, ctx):
        title = _req(body, "title")
        self._must("department", _req(body, "teamId"))
        self._must("location", _req(body, "locationId"))
        plan = body.get("defaultInterviewPlanId")
        if plan is not None:
            self._must("interviewPlan", plan)
        brand = body.get("brandId")
        if brand is not None:
            self._must("brand", brand)
        now = now_iso()
        j = {"id": new_uuid(), "title": title.strip(), "confidential": False, "status": "Draft",
             "employmentType": "FullTime", "locationId": body["locationId"], "departmentId": body["teamId"],
             "defaultInterviewPlanId": plan, "interviewPlanIds": [plan] if plan else [], "customFieldValues": {},
             "jobPostingIds": [], "customRequisitionId": None,
             "brandId": brand or self.state.data.brands[0]["id"], "hiringTeam": [],
             "authorId": self.state.data.users[0]["id"], "createdAt": now, "updatedAt": now, "openedAt": None,
             "closedAt": None}
        self.state.coll("job").add(j)
        self.state.touch("job", j, stamp=False)
        self.emit("jobCreate", {"job": self.r.job(j)})
        return {"results": self.r.job(j)}

    @endpoint("job.update", "jobsWrite")
    def job_update(self, body, ctx):
        jid = _req(body, "jobId")
        self._must("job", jid)
        j = self.state.coll("job").for_update(jid)
        if body.get("title") is not None:
            j["title"] = _req(body, "title").strip()
        if body.get("teamId") is not None:
            j["departmentId"] = self._must("department", body["teamId"])["id"]
        if body.get("locationId") is not None:
            j["locationId"] = self._must("location", body["locationId"])["id"]
        if body.get("defaultInterviewPlanId") is not None:
            pid = self._must("interviewPlan", body["defaultInterviewPlanId"])["id"]
            j["defaultInterviewPlanId"] = pid
            if pid not in j["interviewPlanIds"]:
                j["interviewPlanIds"].append(pid)
        if "customRequisitionId" in body:
            j["customRequisitionId"] = _opt(body, "customRequisitionId", str)
        self.state.touch("job", j)
        self.emit("jobUpdate", {"job": self.r.job(j)})
        return {"results": self.r.job(j)}

    @endpoint("job.setStatus", "jobsWrite")
    def job_set_status(self, body, ctx):
        jid = _req(body, "jobId")
        status = _req(body, "status")
        current = self._must("job", jid)
        if status not in JOB_TRANSITIONS:
            raise ApiError("invalid_input", f"Invalid status: {status}")
        if status != current["status"] and status not in JOB_TRANSITIONS[current["status"]]:
            raise ApiError("invalid_input", f"Cannot change job status from {current['status']} to {status}")
        if status == "Open" and not current["defaultInterviewPlanId"]:
            raise ApiError("invalid_input", "A job cannot be opened without a default interview plan")
        j = self.state.coll("job").for_update(jid)
        now = now_iso()
        if status == "Open":
            j["openedAt"], j["closedAt"] = now, None
        elif status in ("Closed", "Archived") and j["status"] == "Open":
            j["closedAt"] = now
        j["status"] = status
        self.state.touch("job", j)
        self.emit("jobUpdate", {"job": self.r.job(j)})
        return {"results": self.r.job(j)}

    # ================================================================== interview plans & stages
    @endpoint("interviewPlan.list", "interviewsRead")
    def interview_plan_list(self, body, ctx):
        include = _bool(body, "includeArchived")
        return self.paginate("interviewPlan.list", body, "interviewPlan", public,
                             predicate=None if include else (lambda p: not p["isArchived"]))

    @endpoint("interviewStage.list", "interviewsRead")
    def interview_stage_list(self, body, ctx):
        plan = self._must("interviewPlan", _req(body, "interviewPlanId"))
        return {"results": [self.r.stage(s) for s in self.state.stages_of_plan(plan["id"])],
                "moreDataAvailable": False}

    @endpoint("interviewStage.info", "interviewsRead")
    def interview_stage_info(self, body, ctx):
        return {"results": self.r.stage(self._must("interviewStage", body.get("interviewStageId")))}

    @endpoint("interview.list", "interviewsRead")
    def interview_list(self, body, ctx):
        include_archived = _bool(body, "includeArchived")
        non_shared = _bool(body, "includeNonSharedInterviews")

        def pred(i):
            return (include_archived or not i["isArchived"]) and (non_shared or i["jobId"] is None)

        return self.paginate("interview.list", body, "interview", public, predicate=pred, created_field="_none")

    @endpoint("interview.info", "interviewsRead")
    def interview_info(self, body, ctx):
        return {"results": public(self._must("interview", body.get("id")))}

    # ================================================================== applications
    def _app_filter_ids(self, app_id, kind):
        """Records of a derived kind (schedule/offer/feedback) that belong to one application."""
        st = self.state
        coll = st.coll(kind)
        out = []
        j = st.coll("application").seeded_index(app_id)
        if j is not None:
            out.append(coll.at(j))
        out += [coll.created[i] for i in coll.created_order if coll.created[i]["applicationId"] == app_id]
        return [r for r in out if r is not None and r["id"] not in coll.deleted]

    @endpoint("application.list", "candidatesRead")
    def application_list(self, body, ctx):
        status = body.get("status")
        job_id = body.get("jobId")
        statuses = _list_param(body, "status")
        if status is not None and any(s not in ("Hired", "Archived", "Active", "Lead") for s in statuses):
            raise ApiError("invalid_input", f"Invalid status: {status}")

        def pred(a):
            return (not statuses or a["status"] in statuses) and (not job_id or a["jobId"] == job_id)

        return self.paginate("application.list", body, "application", self.r.application, predicate=pred)

    @endpoint("application.info", "candidatesRead")
    def application_info(self, body, ctx):
        aid = body.get("applicationId")
        if aid is None:
            raise ApiError("invalid_input", "Invalid or missing required parameter: applicationId")
        return {"results": self.r.application(self._must("application", aid), info=True)}

    def _history_entry(self, stage, at, archive_reason_id=None):
        return {"id": new_uuid(), "stageId": stage["id"], "title": stage["title"],
                "stageNumber": stage["orderInInterviewPlan"], "enteredStageAt": at, "leftStageAt": None,
                "allowedActions": ["set_entered_at", "delete"], "actorId": None}

    @endpoint("application.create", "candidatesWrite")
    def application_create(self, body, ctx):
        cand = self._must("candidate", _req(body, "candidateId"))
        job = self._must("job", _req(body, "jobId"))
        plan_id = body.get("interviewPlanId") or job["defaultInterviewPlanId"]
        if not plan_id:
            raise ApiError("interview_plan_not_found", "The job has no interview plan")
        self._must("interviewPlan", plan_id)
        if plan_id not in job["interviewPlanIds"]:
            raise ApiError("interview_plan_not_found", f"Interview plan {plan_id} is not used by job {job['id']}")
        stages = self.state.stages_of_plan(plan_id)
        stage_ref = body.get("interviewStageId")
        if stage_ref == "FirstPreInterviewScreen":
            stage = next((s for s in stages if s["type"] == "PreInterviewScreen"), None)
        elif stage_ref:
            stage = next((s for s in stages if s["id"] == stage_ref), None)
        else:
            stage = next((s for s in stages if s["type"] == "Lead"), stages[0] if stages else None)
        if stage is None:
            raise ApiError("interview_stage_not_found", f"Interview stage not found: {stage_ref}")
        if stage["type"] == "Archived":
            raise ApiError("invalid_input", "Cannot create an application in an archived stage")
        for aid in self.state.application_ids_for_candidate(cand):
            other = self.state.get("application", aid)
            if other and other["jobId"] == job["id"]:
                raise ApiError("invalid_input", "The candidate already has an application for this job")
        for key, kind in (("sourceId", "source"), ("creditedToUserId", "user")):
            if body.get(key) is not None:
                self._must(kind, body[key])
        now = now_iso()
        created = _iso(body.get("createdAt"), "createdAt") or now
        status = {"Lead": "Lead", "Hired": "Hired"}.get(stage["type"], "Active")
        a = {"id": new_uuid(), "createdAt": created, "updatedAt": now, "candidateId": cand["id"],
             "jobId": job["id"], "stageId": stage["id"], "status": status, "sourceId": body.get("sourceId"),
             "creditedToUserId": body.get("creditedToUserId"), "archiveReasonId": None, "archivedAt": None,
             "customFieldValues": {}, "appliedViaJobPostingId": None,
             "history": [self._history_entry(stage, created)]}
        self.state.coll("application").add(a)
        self.state.created_app_ids[cand["id"]].append(a["id"])
        self.state.touch("application", a, stamp=False)
        rendered = self.r.application(a)
        self.emit("applicationSubmit", {"application": rendered})
        return {"results": rendered}

    @endpoint("application.changeStage", "candidatesWrite")
    def application_change_stage(self, body, ctx):
        aid = _req(body, "applicationId")
        app = self._must("application", aid)
        stage_id = _req(body, "interviewStageId")
        stage = self.state.get("interviewStage", stage_id)
        if stage is None:
            raise ApiError("interview_stage_not_found", f"Interview stage not found: {stage_id}")
        job = self.state.get("job", app["jobId"])
        current = self.state.get("interviewStage", app["stageId"])
        plan_id = current["interviewPlanId"] if current else (job or {}).get("defaultInterviewPlanId")
        if stage["interviewPlanId"] != plan_id:
            raise ApiError("interview_stage_not_found",
                           f"Interview stage {stage_id} is not part of the application's interview plan")
        reason_id = body.get("archiveReasonId")
        if stage["type"] == "Archived":
            if not reason_id:
                raise ApiError("invalid_input", "archiveReasonId is required when moving to an archived stage")
            reason = self.state.get("archiveReason", reason_id)
            if reason is None:
                raise ApiError("archive_reason_not_found", f"Archive reason not found: {reason_id}")
        elif reason_id:
            raise ApiError("invalid_input", "archiveReasonId is only allowed when moving to an archived stage")
        email = body.get("archiveEmail")
        if email is not None:
            if not isinstance(email, dict) or not email.get("communicationTemplateId"):
                raise ApiError("invalid_input", "archiveEmail needs communicationTemplateId")
            raise ApiError("communication_template_not_found",
                           f"Communication template not found: {email['communicationTemplateId']}")
        a = self.state.coll("application").for_update(aid)
        now = now_iso()
        if a["history"]:
            a["history"][-1]["leftStageAt"] = now
        a["history"].append(self._history_entry(stage, now))
        a["stageId"] = stage["id"]
        a["status"] = {"Lead": "Lead", "Hired": "Hired", "Archived": "Archived"}.get(stage["type"], "Active")
        if stage["type"] == "Archived":
            a["archiveReasonId"], a["archivedAt"] = reason_id, now
        else:
            a["archiveReasonId"], a["archivedAt"] = None, None
        self.state.touch("application", a)
        rendered = self.r.application(a)
        if stage["type"] == "Hired":
            offers = [o for o in self._app_filter_ids(aid, "offer") if o["acceptanceStatus"] == "Accepted"]
            self.emit("candidateHire", {"application": rendered,
                                        "offer": self.r.offer(offers[-1], full=True) if offers else None})
        self.emit("candidateStageChange", {"application": rendered})
        self.emit("applicationUpdate", {"application": rendered})
        return {"results": rendered}

    @endpoint("application.changeSource", "candidatesWrite")
    def application_change_source(self, body, ctx):
        aid = _req(body, "applicationId")
        self._must("application", aid)
        if "sourceId" not in body:
            raise ApiError("invalid_input", "Invalid or missing required parameter: sourceId")
        sid = body["sourceId"]
        if sid is not None:
            self._must("source", sid)
        a = self.state.coll("application").for_update(aid)
        a["sourceId"] = sid
        self.state.touch("application", a)
        rendered = self.r.application(a)
        self.emit("applicationUpdate", {"application": rendered})
        return {"results": rendered}

    @endpoint("application.update", "candidatesWrite")
    def application_update(self, body, ctx):
        aid = _req(body, "applicationId")
        self._must("application", aid)
        if body.get("sourceId") is not None:
            self._must("source", body["sourceId"])
        if body.get("creditedToUserId") is not None:
            self._must("user", body["creditedToUserId"])
        created = _iso(body.get("createdAt"), "createdAt")
        a = self.state.coll("application").for_update(aid)
        if "sourceId" in body:
            a["sourceId"] = body["sourceId"]
        if "creditedToUserId" in body:
            a["creditedToUserId"] = body["creditedToUserId"]
        if created:
            a["createdAt"] = created
        self.state.touch("application", a)
        rendered = self.r.application(a)
        self.emit("applicationUpdate", {"application": rendered})
        return {"results": rendered}

    @endpoint("applicationFeedback.list", "candidatesRead")
    def application_feedback_list(self, body, ctx):
        app_id = body.get("applicationId")
        explicit = self._app_filter_ids(app_id, "feedback") if app_id else None
        return self.paginate("applicationFeedback.list", body, "feedback", self.r.feedback, explicit=explicit,
                             predicate=(lambda f: f["applicationId"] == app_id) if app_id else None,
                             created_field="submittedAt")

    # ================================================================== schedules
    @endpoint("interviewSchedule.list", "interviewsRead")
    def interview_schedule_list(self, body, ctx):
        app_id = body.get("applicationId")
        stage_id = body.get("interviewStageId")

        def pred(s):
            return (not app_id or s["applicationId"] == app_id) and (not stage_id or s["interviewStageId"] == stage_id)

        explicit = self._app_filter_ids(app_id, "interviewSchedule") if app_id else None
        return self.paginate("interviewSchedule.list", body, "interviewSchedule", self.r.interview_schedule,
                             predicate=pred, explicit=explicit)

    @endpoint("interviewEvent.list", "interviewsRead")
    def interview_event_list(self, body, ctx):
        sched = self._must("interviewSchedule", _req(body, "interviewScheduleId"), label="Interview schedule")
        expand = "interview" in (_list_param(body, "expand") or [])
        created_after = _int_ms(body, "createdAfter")
        events = [e for e in sched["events"]
                  if created_after is None or (parse_iso_ms(e["createdAt"]) or 0) > created_after]
        # Events live inside their schedule; paging is over that (short) list, sync tokens are
        # watermarks on the schedule's change sequence.
        token = body.get("syncToken")
        if token:
            info = self.state.sync_tokens.get(token) if isinstance(token, str) else None
            if info is None or info["endpoint"] != "interviewEvent.list":
                raise ApiError("sync_token_invalid", "The provided sync token is invalid.")
            if info["generation"] != self.state.token_generation:
                raise ApiError("sync_token_expired", "The provided sync token has expired.")
            if self.state.coll("interviewSchedule").latest_seq.get(sched["id"], 0) <= info["seq"]:
                events = []
        body = dict(body, syncToken=None, createdAfter=None)
        return self.paginate("interviewEvent.list", body, "interviewSchedule",
                             lambda e: self.r.interview_event(e, sched["id"], expand), explicit=events,
                             created_field="createdAt")

    def _event_from_input(self, ev, existing=None):
        if not isinstance(ev, dict):
            raise ApiError("invalid_input", "Each interview event must be an object")
        now = now_iso()
        e = existing or {"id": new_uuid(), "interviewId": None, "interviewers": [], "createdAt": now,
                         "updatedAt": now, "startTime": None, "endTime": None, "location": None,
                         "meetingLink": None, "interviewerCalendarEventId": None, "hasSubmittedFeedback": False,
                         "notetakerTranscriptId": None, "extraData": None}
        for key in ("startTime", "endTime"):
            if key in ev or existing is None:
                e[key] = _iso(_req(ev, key), key)
        if parse_iso_ms(e["endTime"]) <= parse_iso_ms(e["startTime"]):
            raise ApiError("invalid_input", "endTime must be after startTime")
        if "interviewers" in ev or existing is None:
            ivs = _req(ev, "interviewers", (list,))
            out = []
            for iv in ivs:
                if not isinstance(iv, dict) or not isinstance(iv.get("email"), str):
                    raise ApiError("invalid_input", "Each interviewer needs an email")
                u = self._user_by_email(iv["email"])
                if u is None:
                    raise ApiError("user_not_found", f"No user with email {iv['email']}")
                out.append({"userId": u["id"], "isFeedbackRequired": bool(iv.get("feedbackRequired", True))})
            e["interviewers"] = out
        if ev.get("interviewId") is not None:
            e["interviewId"] = self._must("interview", ev["interviewId"])["id"]
        elif e["interviewId"] is None:
            e["interviewId"] = self.state.data.interviews[0]["id"]  # the org's default interview
        if "extraData" in ev:
            extra = ev["extraData"]
            if extra is not None and (not isinstance(extra, dict) or len(json.dumps(extra)) >= 1024):
                raise ApiError("invalid_input", "extraData must be an object smaller than 1 KB")
            e["extraData"] = extra
        for key in ("location", "meetingLink"):
            if key in ev:
                e[key] = ev[key]
        e["updatedAt"] = now
        return e

    @endpoint("interviewSchedule.create", "interviewsWrite")
    def interview_schedule_create(self, body, ctx):
        app = self._must("application", _req(body, "applicationId"))
        events = _req(body, "interviewEvents", (list,))
        if not events:
            raise ApiError("invalid_input", "interviewEvents must not be empty")
        built = [self._event_from_input(ev) for ev in events]
        now = now_iso()
        s = {"id": new_uuid(), "status": "Scheduled", "applicationId": app["id"], "interviewStageId": app["stageId"],
             "scheduledById": None, "createdAt": now, "updatedAt": now, "events": built,
             "_candidateId": app["candidateId"], "_createdByKey": ctx["key"]["apiKey"]}
        self.state.coll("interviewSchedule").add(s)
        self.state.touch("interviewSchedule", s, stamp=False)
        self.emit("interviewScheduleCreate", {"interviewSchedule": self.r.interview_schedule(s)})
        self.emit("interviewScheduleUpdate", {"interviewSchedule": self.r.interview_schedule(s, with_candidate=True)})
        return {"results": self.r.interview_schedule(s)}

    @endpoint("interviewSchedule.update", "interviewsWrite")
    def interview_schedule_update(self, body, ctx):
        sid = _req(body, "interviewScheduleId")
        current = self._must("interviewSchedule", sid, label="Interview schedule")
        if current.get("_createdByKey") != ctx["key"]["apiKey"]:
            raise ApiError("invalid_input", "Only interview schedules created by this API key can be updated")
        if current["status"] == "Cancelled":
            raise ApiError("invalid_input", "The interview schedule is cancelled")
        updates = body.get("interviewEvent")
        cancels = body.get("interviewEventIdToCancel")
        if updates is None and cancels is None:
            raise ApiError("invalid_input", "Provide interviewEvent or interviewEventIdToCancel")
        s = self.state.coll("interviewSchedule").for_update(sid)
        if updates is not None:
            for ev in updates if isinstance(updates, list) else [updates]:
                if isinstance(ev, dict) and ev.get("interviewEventId"):
                    existing = next((e for e in s["events"] if e["id"] == ev["interviewEventId"]), None)
                    if existing is None:
                        raise ApiError("interview_event_not_found", f"Interview event not found: {ev['interviewEventId']}")
                    self._event_from_input(ev, existing)
                else:
                    s["events"].append(self._event_from_input(ev))
        if cancels is not None:
            for eid in cancels if isinstance(cancels, list) else [cancels]:
                if not any(e["id"] == eid for e in s["events"]):
                    raise ApiError("interview_event_not_found", f"Interview event not found: {eid}")
                s["events"] = [e for e in s["events"] if e["id"] != eid]
        self.state.touch("interviewSchedule", s)
        self.emit("interviewScheduleUpdate", {"interviewSchedule": self.r.interview_schedule(s, with_candidate=True)})
        return {"results": self.r.interview_schedule(s)}

    @endpoint("interviewSchedule.cancel", "interviewsWrite")
    def interview_schedule_cancel(self, body, ctx):
        sid = _req(body, "id")
        self._must("interviewSchedule", sid, label="Interview schedule")
        s = self.state.coll("interviewSchedule").for_update(sid)
        s["status"] = "Cancelled"
        self.state.touch("interviewSchedule", s)
        self.emit("interviewScheduleUpdate", {"interviewSchedule": self.r.interview_schedule(s, with_candidate=True)})
        return {"results": self.r.interview_schedule(s)}

    # ================================================================== offers
    @endpoint("offer.list", "offersRead")
    def offer_list(self, body, ctx):
        app_id = body.get("applicationId")
        filters = {k: _list_param(body, k) for k in ("offerStatus", "acceptanceStatus", "approvalStatus")}

        def pred(o):
            if app_id and o["applicationId"] != app_id:
                return False
            if filters["offerStatus"] and o["offerStatus"] not in filters["offerStatus"]:
                return False
            if filters["acceptanceStatus"] and o["acceptanceStatus"] not in filters["acceptanceStatus"]:
                return False
            return not (filters["approvalStatus"]
                        and o["versions"][-1]["approvalStatus"] not in filters["approvalStatus"])

        explicit = self._app_filter_ids(app_id, "offer") if app_id else None
        return self.paginate("offer.list", body, "offer", self.r.offer, predicate=pred, explicit=explicit)

    @endpoint("offer.info", "offersRead")
    def offer_info(self, body, ctx):
        return {"results": self.r.offer(self._must("offer", _req(body, "offerId")), full=True)}

    @endpoint("offerProcess.start", "offersWrite")
    def offer_process_start(self, body, ctx):
        app = self._must("application", _req(body, "applicationId"))
        if app["status"] in ("Archived", "Hired"):
            raise ApiError("invalid_input", f"Cannot start an offer process for a {app['status'].lower()} application")
        for p in self.state.offer_processes.values():
            if p["applicationId"] == app["id"] and p["status"] == "WaitingOnOfferCreation":
                return {"results": dict(p)}
        p = {"id": new_uuid(), "applicationId": app["id"], "status": "WaitingOnOfferCreation"}
        self.state.offer_processes[p["id"]] = p
        return {"results": dict(p)}

    @endpoint("offer.start", "offersWrite")
    def offer_start(self, body, ctx):
        pid = _req(body, "offerProcessId")
        if pid not in self.state.offer_processes:
            raise ApiError("offer_process_not_found", f"Offer process not found: {pid}")
        form = {"id": new_uuid(), "offerProcessId": pid}
        self.state.offer_forms[form["id"]] = form
        return {"results": {"id": form["id"], "formDefinition": OFFER_FORM_DEFINITION}}

    def _version_from_form(self, form, author_id):
        subs = form.get("fieldSubmissions") if isinstance(form, dict) else None
        if not isinstance(subs, list):
            raise ApiError("invalid_input", "offerForm.fieldSubmissions must be an array")
        values = {}
        for s in subs:
            if not isinstance(s, dict) or not isinstance(s.get("path"), str):
                raise ApiError("invalid_input", "Each field submission needs a path")
            values[s["path"]] = s.get("value")
        fields = {f["field"]["path"]: f for sec in OFFER_FORM_DEFINITION["sections"] for f in sec["fields"]}
        for path, f in fields.items():
            if f["isRequired"] and values.get(path) in (None, ""):
                raise ApiError("invalid_input", f"Missing required offer field: {f['field']['title']}")
        for path in values:
            if path not in fields:
                raise ApiError("invalid_input", f"Unknown offer field: {path}")
        start = values["startDate"]
        if parse_iso_ms(start) is None:
            raise ApiError("invalid_input", "startDate must be an ISO-8601 date")
        salary = values["salary"]
        if not (isinstance(salary, dict) and isinstance(salary.get("value"), int | float)
                and isinstance(salary.get("currencyCode"), str)):
            raise ApiError("invalid_input", "salary must be {currencyCode, value}")
        custom = [{"id": k, "title": fields[k]["field"]["title"], "value": v}
                  for k, v in values.items() if k not in ("startDate", "salary", "openingId") and v is not None]
        return {"id": new_uuid(), "startDate": iso_ms(parse_iso_ms(start)),
                "salary": {"currencyCode": salary["currencyCode"], "value": salary["value"]},
                "createdAt": now_iso(), "openingId": values.get("openingId"), "customFields": custom,
                "fileHandles": [], "authorId": author_id, "approvalStatus": "Approved"}

    @endpoint("offer.create", "offersWrite")
    def offer_create(self, body, ctx):
        pid = _req(body, "offerProcessId")
        form_id = _req(body, "offerFormId")
        proc = self.state.offer_processes.get(pid)
        if proc is None:
            raise ApiError("offer_process_not_found", f"Offer process not found: {pid}")
        form = self.state.offer_forms.get(form_id)
        if form is None or form["offerProcessId"] != pid:
            raise ApiError("invalid_input", f"Offer form {form_id} does not belong to offer process {pid}")
        if body.get("offerForm") is None:
            raise ApiError("invalid_input", "Invalid or missing required parameter: offerForm")
        version = self._version_from_form(body["offerForm"], self.state.data.users[0]["id"])
        if version["openingId"]:
            raise ApiError("opening_state_invalid", f"Opening {version['openingId']} cannot be used for this offer")
        now = now_iso()
        o = {"id": pid, "applicationId": proc["applicationId"], "decidedAt": None,
             "acceptanceStatus": "WaitingOnResponse", "offerStatus": "WaitingOnCandidateResponse",
             "versions": [version], "createdAt": now, "updatedAt": now}
        proc["status"] = "WaitingOnCandidateResponse"
        coll = self.state.coll("offer")
        if pid in coll.created:
            raise ApiError("invalid_input", "An offer already exists for this offer process; use offer.update")
        coll.add(o)
        self.state.touch("offer", o, stamp=False)
        rendered = self.r.offer(o, full=True)
        self.emit("offerCreate", {"offer": rendered})
        return {"results": rendered}

    @endpoint("offer.update", "offersWrite")
    def offer_update(self, body, ctx):
        oid = _req(body, "offerId")
        self._must("offer", oid)
        if body.get("offerForm") is None:
            raise ApiError("invalid_input", "Invalid or missing required parameter: offerForm")
        version = self._version_from_form(body["offerForm"], self.state.data.users[0]["id"])
        o = self.state.coll("offer").for_update(oid)
        o["versions"].append(version)
        o["acceptanceStatus"], o["offerStatus"], o["decidedAt"] = (
            "WaitingOnResponse", "WaitingOnCandidateResponse", None)
        self.state.touch("offer", o)
        rendered = self.r.offer(o, full=True)
        self.emit("offerUpdate", {"offer": rendered})
        return {"results": rendered}


def _snake(kind: str) -> str:
    out = []
    for ch in kind:
        if ch.isupper():
            out.append("_")
        out.append(ch.lower())
    return "".join(out)


__all__ = ["Api", "ApiError", "ENDPOINTS", "LEGACY_ALIASES", "WEBHOOK_TYPES", "EXTRA_WEBHOOK_TYPES",
           "ARCHIVED_ORDER"]
