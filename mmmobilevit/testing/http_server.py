"""A loopback HTTP server for download tests: serves files from a directory,
counts requests per path, and can cut a response short like a dropped connection."""
import os.path as osp
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
