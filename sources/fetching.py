"""Fetching the pages editors cite, without letting an address typed into a form reach inside
the network (server-side request forgery).

Only http and https, without credentials in the address. The host name is resolved here and
every address it resolves to must be a public one: loopback, private, link-local (the cloud
metadata service at 169.254.169.254 among them), shared, reserved and multicast addresses are
refused before any connection is made, and the connection goes to the address that was checked,
so a second lookup cannot answer differently. Each redirect is checked the same way, at most
``MAX_REDIRECTS`` of them. The body is read as a stream and cut at ``MAX_BYTES`` after
decompression (a compressed bomb stops there), the whole exchange at ``TIMEOUT`` seconds. No
cookies are kept or sent.

Loopback is allowed only when ``FETCH_ALLOW_LOOPBACK`` is set together with ``DEBUG``, for tests
and local trials against servers on 127.0.0.1.
"""

from __future__ import annotations

import datetime
import ipaddress
import socket
import time
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import certifi
import urllib3
from django.conf import settings
from django.utils import timezone

MAX_BYTES = 20 * 1024 * 1024
MAX_REDIRECTS = 5
TIMEOUT = 20.0  # seconds for the whole exchange, redirects included
CHUNK = 16 * 1024
REDIRECTS = {301, 302, 303, 307, 308}
ACCEPT = "text/html,application/xhtml+xml,application/pdf;q=0.9,*/*;q=0.8"

# The resolver: patched by tests to map names to any address without a packet being sent.
resolver = socket.getaddrinfo


class FetchRefused(Exception):
    """An address this site will not fetch; the message is one line naming why."""


class FetchFailed(Exception):
    """An address that could not be fetched: ``kind`` is dns, tls, timeout, connection,
    too-large or redirects (the link health rules read it)."""

    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind


@dataclass
class Exchange:
    """One request and its answer, as the archive records them."""

    url: str
    status: int
    reason: str
    headers: list[tuple[str, str]]
    request_headers: list[tuple[str, str]]
    address: str  # the IP address connected to
    body: bytes = b""


@dataclass
class Fetched:
    url: str  # as asked
    exchanges: list[Exchange] = field(default_factory=list)  # each redirect, then the answer
    started_at: datetime.datetime = field(default_factory=timezone.now)
    elapsed: float = 0.0

    @property
    def last(self) -> Exchange:
        return self.exchanges[-1]

    @property
    def final_url(self) -> str:
        return self.last.url

    @property
    def status(self) -> int:
        return self.last.status

    @property
    def body(self) -> bytes:
        return self.last.body

    @property
    def content_type(self) -> str:
        return self.header("content-type").split(";")[0].strip().lower()

    def header(self, name: str) -> str:
        return next((v for k, v in self.last.headers if k.lower() == name), "")

    @property
    def redirected(self) -> bool:
        return len(self.exchanges) > 1


def user_agent() -> str:
    return f"CrisisTracker/1.0 (+{settings.SITE_URL}; citations and link checks)"


def loopback_allowed() -> bool:
    return bool(settings.DEBUG and getattr(settings, "FETCH_ALLOW_LOOPBACK", False))


def address_problem(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    """Why an address may not be fetched, or None."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    if address.is_loopback:
        return None if loopback_allowed() else "a loopback address"
    if address.is_multicast:
        return "a multicast address"
    if address.is_link_local:
        return "a link-local address (such as a cloud metadata service)"
    if address.is_private:
        return "a private address"
    if not address.is_global:
        return "a reserved address"
    return None


def checked_target(url: str) -> tuple[str, str, int, str]:
    """(scheme, host, port, path) of a URL this site may fetch, or FetchRefused."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as error:
        raise FetchRefused(f"not a valid address: {error}") from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise FetchRefused("only http:// and https:// addresses are fetched")
    if not parts.hostname:
        raise FetchRefused("the address names no host")
    if parts.username or parts.password:
        raise FetchRefused("addresses with a user name or password are not fetched")
    path = parts.path or "/"
    if parts.query:
        path += f"?{parts.query}"
    return scheme, parts.hostname, port or (443 if scheme == "https" else 80), path


def public_address(host: str, port: int) -> str:
    """The address to connect to: every address the name resolves to must be allowed."""
    try:
        found = [(0, 0, 0, "", (str(ipaddress.ip_address(host)), port))]  # a literal address
    except ValueError:
        found = None
    try:
        found = found or resolver(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise FetchFailed("dns", f"{host} could not be resolved ({error})") from None
    addresses = []
    for _family, _type, _proto, _name, sockaddr in found:
        address = ipaddress.ip_address(sockaddr[0].split("%")[0])
        problem = address_problem(address)
        if problem:
            raise FetchRefused(f"{host} resolves to {address}, {problem}; it is not fetched")
        addresses.append(str(address))
    if not addresses:
        raise FetchFailed("dns", f"{host} has no address")
    return addresses[0]


def pool_for(scheme: str, host: str, address: str, port: int, timeout: float):
    limits = urllib3.Timeout(connect=min(timeout, 10.0), read=min(timeout, 10.0))
    if scheme == "https":
        return urllib3.HTTPSConnectionPool(
            address,
            port,
            timeout=limits,
            retries=False,
            server_hostname=host,
            assert_hostname=host,
            cert_reqs="CERT_REQUIRED",
            ca_certs=certifi.where(),
        )
    return urllib3.HTTPConnectionPool(address, port, timeout=limits, retries=False)


def fetch(url: str, *, max_bytes: int = MAX_BYTES, timeout: float = TIMEOUT) -> Fetched:
    """GET ``url`` following at most MAX_REDIRECTS checked redirects. FetchRefused for an
    address this site will not fetch, FetchFailed for one it could not."""
    fetched = Fetched(url=url)
    deadline = time.monotonic() + timeout
    current, seen = url, set()
    while True:
        if current in seen:
            raise FetchFailed("redirects", f"a redirect loop at {current}")
        seen.add(current)
        exchange = exchange_with(current, max_bytes, deadline)
        fetched.exchanges.append(exchange)
        location = next((v for k, v in exchange.headers if k.lower() == "location"), "")
        if exchange.status not in REDIRECTS or not location:
            break
        if len(fetched.exchanges) > MAX_REDIRECTS:
            raise FetchFailed("redirects", f"more than {MAX_REDIRECTS} redirects")
        current = urljoin(current, location)
    fetched.elapsed = timeout - (deadline - time.monotonic())
    return fetched


def exchange_with(url: str, max_bytes: int, deadline: float) -> Exchange:
    scheme, host, port, path = checked_target(url)
    address = public_address(host, port)
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise FetchFailed("timeout", f"no answer within {TIMEOUT:.0f} s")
    default_port = port == (443 if scheme == "https" else 80)
    headers = {
        "Host": host if default_port else f"{host}:{port}",
        "User-Agent": user_agent(),
        "Accept": ACCEPT,
        "Accept-Encoding": "gzip, deflate",
    }
    pool = pool_for(scheme, host, address, port, remaining)
    try:
        response = pool.urlopen(
            "GET",
            path,
            headers=headers,
            redirect=False,
            retries=False,
            preload_content=False,
            decode_content=True,
            assert_same_host=False,
        )
        body = read_capped(response, max_bytes, deadline)
    except urllib3.exceptions.SSLError as error:
        raise FetchFailed("tls", f"TLS failed for {host}: {error}") from None
    except (urllib3.exceptions.TimeoutError, TimeoutError):
        raise FetchFailed("timeout", f"{host} did not answer in time") from None
    except urllib3.exceptions.DecodeError as error:
        raise FetchFailed(
            "connection", f"{host} sent a body that does not decode: {error}"
        ) from None
    except (urllib3.exceptions.HTTPError, OSError) as error:
        raise FetchFailed("connection", f"could not connect to {host}: {error}") from None
    finally:
        pool.close()
    return Exchange(
        url=url,
        status=response.status,
        reason=response.reason or "",
        headers=[(k, v) for k, v in response.headers.items() if k.lower() != "set-cookie"],
        request_headers=list(headers.items()),
        address=address,
        body=body,
    )


def read_capped(response, max_bytes: int, deadline: float) -> bytes:
    """The decoded body, read a chunk at a time: past ``max_bytes`` or the deadline it stops."""
    chunks, size = [], 0
    try:
        for chunk in response.stream(CHUNK, decode_content=True):
            size += len(chunk)
            if size > max_bytes:
                raise FetchFailed("too-large", f"larger than {max_bytes // (1024 * 1024)} MB")
            if time.monotonic() > deadline:
                raise FetchFailed("timeout", f"the body took longer than {TIMEOUT:.0f} s")
            chunks.append(chunk)
    finally:
        response.release_conn()
    return b"".join(chunks)
