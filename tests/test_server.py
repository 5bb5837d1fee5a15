"""The dev/bench server picks the precompressed copy the client accepts (brotli first); the plain
host (builder/plain_server.py) serves a sub-path with no special header and no compression."""
import gzip
import http.client
import urllib.parse

import pytest

from builder import plain_server, server


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("site")
    body = b"console.log('hello');\n" * 200
    (root / "a.js").write_bytes(body)
    (root / "a.js.gz").write_bytes(gzip.compress(body, mtime=0))
    (root / "a.js.br").write_bytes(b"pretend brotli")
    (root / "plain.js").write_bytes(b"1;")
    srv, url = server.start_in_background(str(root))
    yield urllib.parse.urlsplit(url).netloc, body
    srv.shutdown()


def get(netloc, path, accept):
    conn = http.client.HTTPConnection(netloc)
    conn.request("GET", path, headers={"Accept-Encoding": accept} if accept is not None else {})
    r = conn.getresponse()
    return r.getheader("Content-Encoding"), r.read(), r.getheader("Vary")


@pytest.mark.parametrize("accept, expected", [
    ("gzip, deflate, br, zstd", "br"),
    ("gzip", "gzip"),
    ("br;q=0, gzip", "gzip"),
    ("identity", None),
    (None, None),
])
def test_encoding_follows_accept_encoding(site, accept, expected):
    netloc, body = site
    encoding, data, vary = get(netloc, "/a.js", accept)
    assert encoding == expected and vary == "Accept-Encoding"
    assert data == {"br": b"pretend brotli", "gzip": gzip.compress(body, mtime=0), None: body}[expected]


def test_file_without_copies_is_sent_plain(site):
    netloc, _ = site
    assert get(netloc, "/plain.js", "br, gzip")[:2] == (None, b"1;")


@pytest.fixture(scope="module")
def plain_site(tmp_path_factory):
    root = tmp_path_factory.mktemp("plain")
    body = b"console.log('hello');\n" * 200
    for name, data in (("a.js", body), ("a.js.gz", gzip.compress(body, mtime=0)), ("a.js.br", b"pretend brotli"),
                       ("index.html", b"<!doctype html>"), ("w.mjs", b"export {};"), ("k.wasm", b"\0asm"),
                       ("m.json", b"{}"), ("sub/x.txt", b"x")):
        (root / name).parent.mkdir(exist_ok=True)
        (root / name).write_bytes(data)
    requested = []
    srv, url = plain_server.start_in_background(str(root), "/anomaly-explorer/", requested=requested)
    assert url.endswith("/anomaly-explorer/")
    yield urllib.parse.urlsplit(url).netloc, body, requested
    srv.shutdown()


def plain_get(netloc, path):
    conn = http.client.HTTPConnection(netloc)
    conn.request("GET", path, headers={"Accept-Encoding": "gzip, deflate, br, zstd"})
    r = conn.getresponse()
    return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()


@pytest.mark.parametrize("path, body, mime", [
    ("a.js", None, "text/javascript"), ("w.mjs", b"export {};", "text/javascript"),
    ("k.wasm", b"\0asm", "application/wasm"), ("m.json", b"{}", "application/json"),
    ("", b"<!doctype html>", "text/html; charset=utf-8"), ("sub/x.txt", b"x", "text/plain; charset=utf-8"),
])
def test_the_plain_host_sends_plain_bytes_with_their_type_and_no_special_header(plain_site, path, body, mime):
    netloc, js, _ = plain_site
    status, headers, data = plain_get(netloc, "/anomaly-explorer/" + path)
    assert status == 200 and data == (body or js) and headers["content-type"] == mime
    assert "content-encoding" not in headers and "vary" not in headers
    assert not [h for h in headers if h.startswith("cross-origin-") or h.startswith("content-security-policy")]


def test_the_plain_host_serves_only_its_folder(plain_site):
    netloc, _, requested = plain_site
    status, headers, _ = plain_get(netloc, "/anomaly-explorer")
    assert status == 301 and headers["location"] == "/anomaly-explorer/"
    for outside in ("/a.js", "/", "/anomaly-explorer-2/a.js", "/anomaly-explorer/../a.js", "/anomaly-explorer/nothing.js"):
        assert plain_get(netloc, outside)[0] == 404, outside
    assert requested[-5:] == ["/a.js", "/", "/anomaly-explorer-2/a.js", "/anomaly-explorer/../a.js",
                              "/anomaly-explorer/nothing.js"]
