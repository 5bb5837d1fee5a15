"""A small static server for dist/: cross-origin isolation headers, right MIME types,
precompressed brotli or gzip, and ETag revalidation (so a warm visit costs 304s, not bytes)."""
import http.server
import os
import posixpath
import threading
import urllib.parse

MIME = {
    ".html": "text/html; charset=utf-8", ".js": "text/javascript", ".mjs": "text/javascript",
    ".css": "text/css", ".json": "application/json", ".wasm": "application/wasm",
    ".py": "text/x-python; charset=utf-8", ".svg": "image/svg+xml", ".png": "image/png",
    ".zip": "application/zip", ".whl": "application/zip", ".bin": "application/octet-stream",
    ".txt": "text/plain; charset=utf-8", ".webmanifest": "application/manifest+json",
}
ENCODINGS = [("br", ".br"), ("gzip", ".gz")]  # preferred first; the build writes both copies
ISOLATION = {  # SharedArrayBuffer and a Pyodide worker need a cross-origin isolated page
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Embedder-Policy": "require-corp",
    "Cross-Origin-Resource-Policy": "same-origin",
}


class Handler(http.server.BaseHTTPRequestHandler):
    root = "."
    quiet = True
    counter = None  # optional callable(bytes, request=False): the benchmark counts bytes on the wire
    protocol_version = "HTTP/1.1"

    def end_headers(self):
        if self.counter:
            self.counter(sum(len(b) for b in getattr(self, "_headers_buffer", [])), request=True)
        super().end_headers()

    def log_message(self, fmt, *args):
        if not self.quiet:
            super().log_message(fmt, *args)

    def do_HEAD(self):
        self.respond(head=True)

    def do_GET(self):
        self.respond(head=False)

    def resolve(self):
        path = urllib.parse.unquote(urllib.parse.urlsplit(self.path).path)
        path = posixpath.normpath(path).lstrip("/")
        if path in ("", "."):
            path = "index.html"
        if path.startswith("..") or "\0" in path:
            return None
        full = os.path.join(self.root, path)
        if os.path.isdir(full):
            full = os.path.join(full, "index.html")
        return full if os.path.isfile(full) else None

    def respond(self, head):
        full = self.resolve()
        if full is None:
            return self.send_plain(404, b"not found")
        ext = os.path.splitext(full)[1]
        send, encoding = full, None
        for name, suffix in ENCODINGS:
            if name in self.accepted_encodings() and os.path.isfile(full + suffix):
                send, encoding = full + suffix, name
                break
        st = os.stat(send)
        etag = f'"{st.st_size:x}-{int(st.st_mtime_ns):x}"'
        if self.headers.get("If-None-Match") == etag:
            self.send_response(304)
            self.send_common(etag)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(200)
        self.send_common(etag)
        self.send_header("Content-Type", MIME.get(ext, "application/octet-stream"))
        if encoding:
            self.send_header("Content-Encoding", encoding)
        self.send_header("Content-Length", str(st.st_size))
        self.end_headers()
        if not head:
            with open(send, "rb") as f:
                self.wfile.write(f.read())
            if self.counter:
                self.counter(st.st_size)

    def accepted_encodings(self):
        accepted = set()
        for part in self.headers.get("Accept-Encoding", "").split(","):
            name, _, params = part.strip().partition(";")
            if params.replace(" ", "") not in ("q=0", "q=0.0", "q=0.00", "q=0.000"):
                accepted.add(name.strip().lower())
        return accepted

    def send_common(self, etag):
        for k, v in ISOLATION.items():
            self.send_header(k, v)
        self.send_header("ETag", etag)
        self.send_header("Cache-Control", "no-cache")  # always revalidate; the ETag makes it cheap
        self.send_header("Vary", "Accept-Encoding")

    def send_plain(self, code, body):
        self.send_response(code)
        for k, v in ISOLATION.items():
            self.send_header(k, v)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        import sys
        if not isinstance(sys.exc_info()[1], (ConnectionResetError, BrokenPipeError)):
            super().handle_error(request, client_address)  # a browser hanging up early is normal


def make_server(root, host="127.0.0.1", port=0, quiet=True, counter=None):
    handler = type("DistHandler", (Handler,), {"root": os.path.abspath(root), "quiet": quiet,
                                               "counter": staticmethod(counter) if counter else None})
    return Server((host, port), handler)


def start_in_background(root, host="127.0.0.1", port=0, counter=None):
    """For tests and benchmarks: serve on a free port; returns (server, base_url)."""
    server = make_server(root, host, port, counter=counter)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://{host}:{server.server_address[1]}/"


def serve(root, host, port):
    server = make_server(root, host, port, quiet=False)
    print(f"Serving Anomaly Explorer at http://{host}:{server.server_address[1]}/  (Ctrl+C to stop)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
