"""genericContact (candidate), genericUser (user), genericWorkspace (brand)."""

from __future__ import annotations

from typing import Any

from connectors import errors
from connectors.ashby.models.base import PAGE, Handler, as_list, lower_first
from connectors.mapping import FieldMap, Mapping, get_path
from connectors.pagination import CursorPagination


def split_name(name: Any) -> tuple[str | None, str | None]:
    """Ashby keeps one `name`; the first word is the first name, the rest the last name."""
    if not isinstance(name, str) or not name.strip():
        return None, None
    parts = name.strip().split(None, 1)
    return parts[0], (parts[1] if len(parts) > 1 else None)


def join_name(first: str | None, last: str | None) -> str:
    return " ".join(p.strip() for p in (first, last) if isinstance(p, str) and p.strip())


def contact_infos(value: Any) -> list[dict]:
    """Ashby's `{value, type: "Personal", isPrimary}` as `{value, type: "personal"}`."""
    if not isinstance(value, list):
        return []
    out = []
    for item in value:
        if isinstance(item, dict) and item.get("value"):
            kind = item.get("type")
            # Unknown types pass through (lower-cased first letter, like the known ones).
            out.append({"value": item["value"], "type": lower_first(kind) if isinstance(kind, str) else None})
    return out


SOCIAL_CREATE_KEYS = {"linkedin": "linkedInUrl", "github": "githubUrl", "website": "website"}


class ContactHandler(Handler):
    model = "genericContact"
    list_endpoint = "candidate.list"
    info_endpoint = "candidate.info"
    info_key = "id"
    supports_sync = True
    custom_field_object = "Candidate"
    mapping = Mapping("genericContact", [
        FieldMap("firstName", "name", read=lambda v: split_name(v)[0]),
        FieldMap("lastName", "name", read=lambda v: split_name(v)[1]),
        FieldMap("email", "primaryEmailAddress.value", write_key="email"),
        FieldMap("phone", "primaryPhoneNumber.value", write_key="phoneNumber"),
        FieldMap("emails", "emailAddresses", read=contact_infos, default=[]),
        FieldMap("phones", "phoneNumbers", read=contact_infos, default=[]),
        FieldMap("company", "company"),
        FieldMap("title", "position"),
        FieldMap("school", "school"),
        FieldMap("location", "location.locationSummary"),
        FieldMap("socialLinks", "socialLinks", default=[], write_key="socialLinks",
                 read=lambda v: [{"type": i.get("type"), "url": i.get("url")} for i in as_list(v)
                                 if isinstance(i, dict) and i.get("url")]),
        FieldMap("tags", "tags", default=[],
                 read=lambda v: [t.get("title") for t in as_list(v) if isinstance(t, dict) and t.get("title")]),
        FieldMap("source", "source.title"),
        FieldMap("sourceId", "source.id", write_key="sourceId"),
        FieldMap("owner", "creditedToUser.id", ref="genericUser", write_key="creditedToUserId"),
        FieldMap("applications", "applicationIds", ref="atsApplication", default=[]),
        FieldMap("profileUrl", "profileUrl"),
        FieldMap("timezone", "timezone"),
    ])

    def search(self, q: str) -> list[dict]:
        q = q.strip()
        if not q:
            raise errors.BadRequest("q must not be empty.", field="q")
        body = {"email": q} if "@" in q else {"name": q}
        return as_list(self.api.results("candidate.search", body))

    def create(self, fields: dict) -> dict:
        body = self.mapping.write(fields, keys={"email", "phone", "sourceId", "owner"})
        body["name"] = join_name(fields.get("firstName"), fields.get("lastName"))
        leftover = []
        for link in fields.get("socialLinks") or []:
            key = SOCIAL_CREATE_KEYS.get(str(link.get("type", "")).lower())
            if key and key not in body:
                body[key] = link["url"]
            else:
                leftover.append(link)
        record = self.api.results("candidate.create", body, write=True)
        if leftover and isinstance(record, dict) and record.get("id"):
            # candidate.create only knows LinkedIn/GitHub/website; the rest needs an update.
            record = self.api.results("candidate.update", {"candidateId": record["id"],
                                                          "socialLinks": fields["socialLinks"]}, write=True)
        return record

    def update(self, id: str, fields: dict) -> dict:
        body: dict[str, Any] = {"candidateId": id}
        body.update(self.mapping.write(fields, keys={"email", "phone", "sourceId", "owner", "socialLinks"}))
        if "firstName" in fields or "lastName" in fields:
            first, last = fields.get("firstName"), fields.get("lastName")
            if "firstName" not in fields or "lastName" not in fields:
                cur_first, cur_last = split_name(get_path(self.retrieve_record(id), "name"))
                first = first if "firstName" in fields else cur_first
                last = last if "lastName" in fields else cur_last
            name = join_name(first, last)
            if not name:
                raise errors.ValidationFailed("Field 'firstName': a contact needs a name.", field="firstName")
            body["name"] = name
        return self.api.results("candidate.update", body, write=True)

    def delete(self, id: str) -> None:
        # Only reached when the connection opted in (the client checks allow_anonymize).
        self.api.results("candidate.anonymize", {"candidateId": id}, write=True)


ROLES = {"Organization Admin": "organizationAdmin", "Elevated Access": "elevatedAccess",
         "Limited Access": "limitedAccess", "External Recruiter": "externalRecruiter"}


class UserHandler(Handler):
    model = "genericUser"
    list_endpoint = "user.list"
    # Deactivated users are listed too, so `isActive: false` is visible and deactivation is a change.
    list_params = {"includeDeactivated": True}
    info_endpoint = "user.info"
    info_key = "userId"
    supports_sync = True
    mapping = Mapping("genericUser", [
        FieldMap("firstName", "firstName"),
        FieldMap("lastName", "lastName"),
        FieldMap("email", "email"),
        FieldMap("role", "globalRole", enum=ROLES),
        FieldMap("isActive", "isEnabled"),
        FieldMap("manager", "managerId", ref="genericUser"),
    ])

    def search(self, q: str) -> list[dict]:
        q = q.strip()
        if not q:
            raise errors.BadRequest("q must not be empty.", field="q")
        return as_list(self.api.results("user.search", {"email": q}))


class WorkspaceHandler(Handler):
    model = "genericWorkspace"
    list_endpoint = "brand.list"
    mapping = Mapping("genericWorkspace", [
        FieldMap("name", "name"),
        FieldMap("slug", "hostedJobsPageSlug"),
    ])

    def retrieve_record(self, id: str) -> dict:
        # Ashby has no brand.info; brands are few, so scan the list.
        paginator = CursorPagination(max_pages=100)
        for item in paginator.items(lambda c: self.api.page("brand.list", {"limit": PAGE}, c)):
            if isinstance(item, dict) and item.get("id") == id:
                return item
        raise errors.NotFound(f"No genericWorkspace with id {id} in Ashby.")
