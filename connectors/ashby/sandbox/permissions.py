"""Ashby's per-module API key permissions and the endpoint -> permission table.

Names follow Ashby's spec (API-NOTES section 1.3). `apiKey.info` reports the same grants in a
different spelling (`jobs:read`), so `scope_name` converts between the two.
"""

from __future__ import annotations

ALL_PERMISSIONS: list[str] = [
    "candidatesRead", "candidatesWrite",
    "jobsRead", "jobsWrite",
    "interviewsRead", "interviewsWrite",
    "hiringProcessMetadataRead", "hiringProcessMetadataWrite",
    "organizationRead", "organizationWrite",
    "offersRead", "offersWrite",
    "apiKeysRead", "apiKeysWrite",
    "approvalsRead", "approvalsWrite",
    "reportsRead",
    "notetakerRead",
]
# Alias: some callers think of these as "scopes".
ALL_SCOPES = ALL_PERMISSIONS

READ_PERMISSIONS = [p for p in ALL_PERMISSIONS if p.endswith("Read")]


def scope_name(permission: str) -> str:
    """`jobsRead` -> `jobs:read` (the spelling apiKey.info uses)."""
    for suffix in ("Read", "Write"):
        if permission.endswith(suffix):
            return f"{permission[: -len(suffix)]}:{suffix.lower()}"
    return permission


def permission_from_scope(scope: str) -> str:
    """`jobs:read` -> `jobsRead`; already-camelCase names pass through."""
    if ":" in scope:
        module, access = scope.split(":", 1)
        return module + access.capitalize()
    return scope


def normalise_permissions(perms) -> list[str]:
    out = []
    for p in perms or []:
        p = permission_from_scope(str(p))
        if p not in ALL_PERMISSIONS:
            raise ValueError(f"unknown Ashby permission {p!r}; expected one of {ALL_PERMISSIONS}")
        if p not in out:
            out.append(p)
    return out
