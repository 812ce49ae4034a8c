"""Where we are willing to send webhooks (SSRF defence).

A subscription URL must be http(s) (https only in production), carry no credentials, and resolve
only to public addresses unless the operator allows private ones (WEBHOOKS_ALLOW_PRIVATE_URLS,
for demos and tests). The check runs when a subscription is saved *and* before every delivery,
and the delivery connects to the exact address that was checked: a DNS answer that changes between
check and connect (DNS rebinding) cannot steer us to an internal service.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from switchboard.webhooks import conf


class UnsafeURL(ValueError):
    """The URL may not receive webhooks; the message says why in one sentence."""


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str          # as written in the URL (Host header, TLS server name)
    port: int
    path: str          # path + query
    ip: str            # the checked address we connect to


def resolve(host: str, port: int) -> list[str]:
    """All addresses of `host` (a seam: tests replace it so they never touch real DNS)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(info[4][0] for info in infos))


def is_public(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    # `is_global` already excludes private, loopback, link-local, shared (CGNAT), reserved,
    # documentation and unspecified ranges; multicast is global in some ranges, so name it.
    if isinstance(ip, ipaddress.IPv6Address):
        mapped = ip.ipv4_mapped or ip.sixtofour or (ip.teredo[1] if ip.teredo else None)
        if mapped is not None and not is_public(mapped):
            return False
    return ip.is_global and not ip.is_multicast


def _refuse_address(ip) -> bool:
    if ip.is_multicast or ip.is_unspecified:
        return True  # never a sensible destination, even for a demo
    return not conf.get("WEBHOOKS_ALLOW_PRIVATE_URLS") and not is_public(ip)


def parse(url: str) -> tuple[str, str, int, str]:
    if not isinstance(url, str) or not url.strip():
        raise UnsafeURL("url is required.")
    if len(url) > 2000:
        raise UnsafeURL("url is longer than 2000 characters.")
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    allowed = ("https",) if conf.production() else ("https", "http")
    if scheme not in allowed:
        raise UnsafeURL("url must use https." if conf.production() else "url must use http or https.")
    if parts.username or parts.password:
        raise UnsafeURL("url must not contain credentials; authenticate with the signing secret instead.")
    host = parts.hostname
    if not host:
        raise UnsafeURL("url has no host name.")
    try:
        port = parts.port or (443 if scheme == "https" else 80)
    except ValueError:
        raise UnsafeURL("url has an invalid port.") from None
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return scheme, host, port, path


def check(url: str) -> Target:
    """Validate `url` and return where to connect. Raises UnsafeURL."""
    scheme, host, port, path = parse(url)
    try:
        literal = ipaddress.ip_address(host)
        addresses = [str(literal)]
    except ValueError:
        try:
            addresses = resolve(host, port)
        except (OSError, UnicodeError):
            raise UnsafeURL(f"the host name {host!r} does not resolve.") from None
    if not addresses:
        raise UnsafeURL(f"the host name {host!r} does not resolve.")
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
        if _refuse_address(ip):
            # Every address must pass: an attacker controlling DNS could otherwise mix one public
            # and one internal answer and hope the connect picks the second.
            raise UnsafeURL(f"{host} resolves to {ip}, a private, loopback, link-local or reserved address; "
                            f"webhooks are only sent to public addresses.")
    return Target(scheme=scheme, host=host, port=port, path=path, ip=addresses[0])
