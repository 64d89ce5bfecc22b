"""Fetching cited pages: real exchanges with servers on 127.0.0.1 only; every refusal of an
address inside the network is tested through a patched resolver, and no connection is made."""

import gzip
import socket
import time

import pytest
import urllib3

from sources import fetching
from sources.fetching import FetchFailed, FetchRefused, fetch
from tests.support.local_web import Answer

PAGE = b"<html lang='en'><title>Statement</title><p>Text.</p></html>"


@pytest.fixture
def no_connection(monkeypatch):
    """Fails the test if anything opens a connection; the attempts are listed."""
    attempts = []

    def refuse(address, *args, **kwargs):
        attempts.append(address)
        raise AssertionError(f"a connection to {address} was attempted")

    monkeypatch.setattr(urllib3.util.connection, "create_connection", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    return attempts


def resolving(monkeypatch, names: dict[str, str]):
    """The resolver answers these names with these addresses (no DNS query is sent)."""

    def resolve(host, port, *args, **kwargs):
        if host in names:
            address = names[host]
            family = socket.AF_INET6 if ":" in address else socket.AF_INET
            return [(family, socket.SOCK_STREAM, 6, "", (address, port))]
        raise socket.gaierror(socket.EAI_NONAME, host)

    monkeypatch.setattr(fetching, "resolver", resolve)


def test_a_page_is_fetched_with_its_exchange(local_web):
    local_web.routes["/news"] = Answer(200, PAGE, {"Content-Type": "text/html; charset=utf-8",
                                                   "Set-Cookie": "session=1"})  # fmt: skip
    fetched = fetch(local_web.url("/news?id=7"))
    assert (fetched.status, fetched.content_type, fetched.body) == (200, "text/html", PAGE)
    assert fetched.final_url == local_web.url("/news?id=7") and not fetched.redirected
    assert fetched.last.address == "127.0.0.1"
    assert "set-cookie" not in {name.lower() for name, _value in fetched.last.headers}
    sent = local_web.requests[0].headers
    assert sent["User-Agent"].startswith("CrisisTracker/") and "Cookie" not in sent


def test_redirects_are_followed_and_recorded(local_web):
    local_web.routes["/old"] = Answer(301, b"", {"Location": "/new"})
    local_web.routes["/new"] = Answer(200, PAGE)
    fetched = fetch(local_web.url("/old"))
    assert [e.status for e in fetched.exchanges] == [301, 200]
    assert fetched.final_url == local_web.url("/new")


def test_loopback_is_refused_unless_debug_and_the_setting_allow_it(local_web, settings):
    local_web.routes["/"] = Answer(200, PAGE)
    settings.DEBUG = False  # the setting alone is not enough
    with pytest.raises(FetchRefused, match="loopback"):
        fetch(local_web.url("/"))
    settings.DEBUG, settings.FETCH_ALLOW_LOOPBACK = True, False
    with pytest.raises(FetchRefused, match="loopback"):
        fetch(local_web.url("/"))
    assert local_web.requests == []


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("10.0.0.5", "private"),
        ("192.168.1.1", "private"),
        ("172.16.0.1", "private"),
        ("169.254.169.254", "link-local"),
        ("fd00:ec2::254", "private"),
        ("fe80::1", "link-local"),
        ("::ffff:10.0.0.1", "private"),
        ("100.64.0.1", "reserved"),
        ("0.0.0.0", "private"),  # "this network"
        ("224.0.0.1", "multicast"),
        ("127.0.0.1", "loopback"),
    ],
)
def test_a_name_resolving_inside_the_network_is_refused_without_a_connection(
    monkeypatch, no_connection, address, kind
):
    resolving(monkeypatch, {"news.example": address})
    with pytest.raises(FetchRefused, match=kind):
        fetch("https://news.example/article")
    assert no_connection == []


def test_a_name_with_one_private_address_among_public_ones_is_refused(monkeypatch, no_connection):
    def resolve(host, port, *args, **kwargs):
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port))
                for a in ("93.184.215.14", "10.0.0.9")]  # fmt: skip

    monkeypatch.setattr(fetching, "resolver", resolve)
    with pytest.raises(FetchRefused, match="10.0.0.9"):
        fetch("http://split.example/")
    assert no_connection == []


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/",
        "http://10.1.1.1:8080/admin",
        "http://2130706433/",  # 127.0.0.1 as one number
    ],
)
def test_literal_addresses_inside_the_network_are_refused(settings, no_connection, url):
    settings.DEBUG = False
    with pytest.raises((FetchRefused, FetchFailed)):  # a number alone is not resolved here
        fetch(url)
    assert no_connection == []


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("ftp://example.org/file", "only http"),
        ("file:///etc/passwd", "only http"),
        ("javascript:alert(1)", "only http"),
        ("http://user:secret@example.org/", "user name or password"),
        ("http:///nohost", "no host"),
        ("http://example.org:99999/", "not a valid address"),
    ],
)
def test_other_schemes_and_credentials_are_refused(no_connection, url, reason):
    with pytest.raises(FetchRefused, match=reason):
        fetch(url)
    assert no_connection == []


def test_a_redirect_into_the_network_is_refused_before_it_is_followed(local_web, monkeypatch):
    local_web.routes["/jump"] = Answer(302, b"", {"Location": "http://intranet.example/secret"})
    resolving(monkeypatch, {"127.0.0.1": "127.0.0.1", "intranet.example": "10.20.30.40"})
    connections = []
    real = urllib3.util.connection.create_connection

    def watch(address, *args, **kwargs):
        connections.append(address[0])
        return real(address, *args, **kwargs)

    monkeypatch.setattr(urllib3.util.connection, "create_connection", watch)
    with pytest.raises(FetchRefused, match="10.20.30.40"):
        fetch(local_web.url("/jump"))
    assert connections == ["127.0.0.1"]
    assert [r.path for r in local_web.requests] == ["/jump"]


def test_redirect_loops_and_long_chains_fail(local_web):
    local_web.routes["/a"] = Answer(302, b"", {"Location": "/b"})
    local_web.routes["/b"] = Answer(302, b"", {"Location": "/a"})
    with pytest.raises(FetchFailed, match="loop") as loop:
        fetch(local_web.url("/a"))
    assert loop.value.kind == "redirects"
    for n in range(8):
        local_web.routes[f"/hop{n}"] = Answer(302, b"", {"Location": f"/hop{n + 1}"})
    with pytest.raises(FetchFailed, match="more than 5 redirects"):
        fetch(local_web.url("/hop0"))
    assert sum(r.path.startswith("/hop") for r in local_web.requests) == 6


def test_a_compressed_bomb_is_cut_at_the_cap(local_web):
    bomb = gzip.compress(b"\0" * (30 * 1024 * 1024))  # 30 MB of zeros in about 30 kB
    assert len(bomb) < 100_000
    local_web.routes["/bomb"] = Answer(200, bomb, {"Content-Type": "text/html",
                                                   "Content-Encoding": "gzip"})  # fmt: skip
    with pytest.raises(FetchFailed, match="larger than 20 MB") as error:
        fetch(local_web.url("/bomb"))
    assert error.value.kind == "too-large"


def test_an_endless_body_is_cut_at_the_cap(local_web):
    def endless(stream):
        while True:
            stream.write(b"x" * 65536)

    local_web.routes["/endless"] = Answer(200, endless)
    with pytest.raises(FetchFailed, match="larger than 1 MB"):
        fetch(local_web.url("/endless"), max_bytes=1024 * 1024)


def test_a_slow_server_is_timed_out(local_web):
    local_web.routes["/slow"] = Answer(200, PAGE, delay=3)
    started = time.monotonic()
    with pytest.raises(FetchFailed) as error:
        fetch(local_web.url("/slow"), timeout=0.5)
    assert error.value.kind == "timeout"
    assert time.monotonic() - started < 3  # it did not wait for the answer


def test_a_tls_failure_is_named(local_web):
    local_web.routes["/"] = Answer(200, PAGE)  # plain HTTP where TLS is expected
    with pytest.raises(FetchFailed) as error:
        fetch(f"https://127.0.0.1:{local_web.port}/")
    assert error.value.kind in ("tls", "connection")


def test_an_unknown_name_fails_as_dns():
    with pytest.raises(FetchFailed) as error:
        fetch("https://no-such-host.example/")
    assert error.value.kind == "dns"
