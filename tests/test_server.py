"""The dev/bench server picks the precompressed copy the client accepts (brotli first)."""
import gzip
import http.client
import urllib.parse

import pytest

from builder import server


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
