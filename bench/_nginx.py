"""Run nginx as the loopback server: canned 201, 200 to a GET (config in a temp directory)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
from pathlib import Path

_CANDIDATES = ("/usr/sbin/nginx", "/usr/local/sbin/nginx", "/usr/local/nginx/sbin/nginx")


def find_nginx() -> str | None:
    """Path of the nginx binary, or None when nginx is not installed."""
    found = shutil.which("nginx")
    if found:
        return found
    return next((path for path in _CANDIDATES if os.access(path, os.X_OK)), None)


def nginx_version(binary: str) -> str:
    """``nginx/1.22.1`` style version string (nginx prints it on stderr)."""
    done = subprocess.run([binary, "-v"], capture_output=True, text=True, check=False)
    return (done.stderr or done.stdout).strip().rpartition(":")[2].strip() or "nginx"


def free_port() -> int:
    """A currently unused TCP port on 127.0.0.1 (nginx needs a concrete port to listen on)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _quote(body: bytes) -> str:
    """``body`` as an nginx single-quoted string; refuses text nginx would interpolate."""
    text = body.decode("utf-8")
    if "$" in text:
        raise ValueError("body contains '$', which nginx would treat as a variable")
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def write_config(directory: Path, port: int, body: bytes) -> Path:
    """Write ``nginx.conf`` for one worker answering ``201 <body>``, or ``200 <body>`` to a GET
    (a fetch)."""
    for sub in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (directory / sub).mkdir(exist_ok=True)
    user = "user root;\n" if os.geteuid() == 0 else ""
    config = f"""{user}worker_processes 1;
daemon off;
master_process on;
pid {directory}/nginx.pid;
error_log {directory}/error.log warn;
events {{
    worker_connections 4096;
}}
http {{
    access_log off;
    server_tokens off;
    client_body_temp_path {directory}/body;
    proxy_temp_path {directory}/proxy;
    fastcgi_temp_path {directory}/fastcgi;
    uwsgi_temp_path {directory}/uwsgi;
    scgi_temp_path {directory}/scgi;
    keepalive_requests 100000000;
    keepalive_timeout 600s;
    server {{
        listen 127.0.0.1:{port} backlog=1024;
        server_name _;
        location / {{
            default_type application/json;
            if ($request_method = GET) {{
                return 200 {_quote(body)};
            }}
            return 201 {_quote(body)};
        }}
    }}
}}
"""
    path = directory / "nginx.conf"
    path.write_text(config, encoding="utf-8")
    return path


def command(binary: str, directory: Path, config: Path) -> list[str]:
    """The nginx command line running ``config`` in the foreground with ``directory`` as prefix."""
    return [binary, "-p", str(directory), "-e", str(directory / "error.log"), "-c", str(config)]
