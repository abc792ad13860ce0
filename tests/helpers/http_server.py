"""Loopback HTTP servers for download tests: :class:`FileServer` serves files from a
directory, counts requests per path, and can cut a response short like a dropped
connection; :class:`StalledServer` accepts connections and never answers; :class:`TrickleServer`
announces a large file and then sends it one byte at a time."""
import os.path as osp
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class FileServer:
    """``with FileServer(root) as server: server.url('x.pth')``.

    ``server.truncate`` holds names whose response announces the full length but
    sends only half the bytes; ``server.requests[name]`` counts GETs.
    """

    def __init__(self, root: str) -> None:
        self.root = root
        self.truncate = set()
        self.requests = {}
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                name = self.path.lstrip('/')
                server.requests[name] = server.requests.get(name, 0) + 1
                path = osp.join(server.root, name)
                if not osp.isfile(path):
                    self.send_error(404)
                    return
                with open(path, 'rb') as f:
                    data = f.read()
                self.send_response(200)
                self.send_header('Content-Type', 'application/octet-stream')
                self.send_header('Content-Length', str(len(data)))
                self.end_headers()
                if name in server.truncate:
                    self.wfile.write(data[:len(data) // 2])
                    self.wfile.flush()
                    self.close_connection = True
                    return
                self.wfile.write(data)

            def log_message(self, *args) -> None:
                pass

        self.httpd = ThreadingHTTPServer(('127.0.0.1', 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def url(self, name: str) -> str:
        return f'http://127.0.0.1:{self.httpd.server_address[1]}/{name}'

    def __enter__(self) -> 'FileServer':
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


class StalledServer:
    """``with StalledServer() as server: server.url('x.pth')``: a loopback server that
    accepts every connection and never answers (a hung download)."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(('127.0.0.1', 0))
        self.sock.listen(8)
        self.connections = []
        self.thread = threading.Thread(target=self._accept, daemon=True)

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:  # closed
                return
            self.connections.append(conn)  # held open, never answered

    def url(self, name: str) -> str:
        return f'http://127.0.0.1:{self.sock.getsockname()[1]}/{name}'

    def __enter__(self) -> 'StalledServer':
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.sock.close()
        for conn in self.connections:
            conn.close()


class TrickleServer(FileServer):
    """``with TrickleServer(interval) as server: server.url('x.pth')``: announces
    ``size`` bytes (10 MB), then sends one byte every ``interval`` seconds (each read
    gets data before a read timeout, the download would take for ever)."""

    def __init__(self, interval: float = 0.5, size: int = 10 * 2**20) -> None:
        self.interval, self.size = interval, size
        self.stop = threading.Event()
        trickle = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                self.send_response(200)
                self.send_header('Content-Length', str(trickle.size))
                self.end_headers()
                self.wfile.flush()
                for _ in range(trickle.size):
                    if trickle.stop.wait(trickle.interval):
                        return
                    try:
                        self.wfile.write(b'x')
                        self.wfile.flush()
                    except OSError:  # the client gave up
                        return

            def log_message(self, *args) -> None:
                pass

        self.httpd = ThreadingHTTPServer(('127.0.0.1', 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __exit__(self, *exc) -> None:
        self.stop.set()
        super().__exit__(*exc)
