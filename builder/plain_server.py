"""dist/ as any plain static host serves it (GitHub Pages, S3, a default nginx): under a sub-path,
with no cross-origin isolation headers (COOP/COEP/CORP), no Content-Security-Policy and no
compression (the .br/.gz copies are never picked: every file goes as its plain bytes). The tests
and the benchmark check the app against it (tests/browser/test_static_host.py)."""
import os
import posixpath
import threading
import urllib.parse

from builder import server


class PlainHandler(server.Handler):
    prefix = "/"  # the sub-path the site lives under, with a slash at each end
    requested = None  # a list: the path of every request is noted there (tests check them)

    def accepted_encodings(self):
        return set()  # the host compresses nothing, whatever the browser accepts

    def send_common(self, etag):
        self.send_header("ETag", etag)
        self.send_header("Cache-Control", "no-cache")

    def send_plain(self, code, body):
        self.send_response(code)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def site_path(self):
        """The request's path, decoded and normalised, as a host resolves it."""
        path = urllib.parse.unquote(urllib.parse.urlsplit(self.path).path)
        return posixpath.normpath(path) + ("/" if path.endswith("/") and path != "/" else "")

    def respond(self, head):
        if self.requested is not None:
            self.requested.append(self.path)
        path = self.site_path()
        if path + "/" == self.prefix:  # as static hosts do: the folder's address ends with a slash
            self.send_response(301)
            self.send_header("Location", self.prefix)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if not path.startswith(self.prefix) or "\0" in path:
            return self.send_plain(404, b"not found (outside the site's folder)")
        super().respond(head)

    def resolve(self):
        full = os.path.join(self.root, self.site_path()[len(self.prefix):])
        if os.path.isdir(full):
            full = os.path.join(full, "index.html")
        return full if os.path.isfile(full) else None


def start_in_background(root, prefix="/anomaly-explorer/", host="127.0.0.1", counter=None, requested=None):
    """Serve `root` under `prefix` on a free port; returns (server, the site's URL)."""
    if not (prefix.startswith("/") and prefix.endswith("/")):
        raise ValueError("the prefix starts and ends with a slash: " + prefix)
    handler = type("PlainDistHandler", (PlainHandler,), {
        "root": os.path.abspath(root), "prefix": prefix, "requested": requested,
        "counter": staticmethod(counter) if counter else None})
    httpd = server.Server((host, 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd, f"http://{host}:{httpd.server_address[1]}{prefix}"
