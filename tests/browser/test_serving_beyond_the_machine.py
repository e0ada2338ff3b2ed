"""``tariffmodel dashboard --host``: another interface only with an access token, every request
without it refused, HTTPS with --certfile/--keyfile. Tested on the loopback range only
(127.0.0.2), with a certificate made for the test."""

from __future__ import annotations

import http.cookiejar
import os
import signal
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

from . import driver as db

HOST = "127.0.0.2"


@pytest.fixture(scope="module")
def tls_server(tmp_path_factory, scenarios_dir):
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-keyout", str(key), "-out", str(cert), "-subj", f"/CN={HOST}",
         "-addext", f"subjectAltName=IP:{HOST}"],
        check=True, capture_output=True,
    )  # fmt: skip
    port = db.free_port()
    log = open(folder / "server.log", "wb")  # noqa: SIM115 - open while the server runs
    proc = subprocess.Popen(
        [sys.executable, "-m", "tariffmodel", "dashboard", "--host", HOST, "--port", str(port),
         "--token", "generate", "--certfile", str(cert), "--keyfile", str(key),
         "--pool-size", "0", "--scenarios", str(scenarios_dir)],
        stdout=subprocess.PIPE, stderr=log, start_new_session=True,
    )  # fmt: skip
    first = proc.stdout.readline().decode()
    context = ssl.create_default_context(cafile=str(cert))
    deadline = time.monotonic() + 60
    while True:  # until it answers (403: it is up)
        try:
            urllib.request.urlopen(f"https://{HOST}:{port}/", context=context, timeout=2)
        except urllib.error.HTTPError:
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError((folder / "server.log").read_text()) from None
            time.sleep(0.2)
    yield first, port, context
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
    log.close()


def test_another_interface_is_refused_without_a_token(scenarios_dir):
    # every interface (0.0.0.0) without a token: refused before anything listens
    done = subprocess.run(
        [sys.executable, "-m", "tariffmodel", "dashboard", "--host", "0.0.0.0", "--port", "1",
         "--scenarios", str(scenarios_dir)],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 2
    assert "--token" in done.stderr and "Traceback" not in done.stderr


def test_every_request_needs_the_token_and_travels_over_tls(tls_server):
    printed, port, context = tls_server
    base = f"https://{HOST}:{port}/"
    # the address printed carries the generated token
    assert printed.startswith(f"tariffmodel dashboard: {base}?token=")
    token = printed.split("?token=")[1].split()[0]
    assert len(token) >= 16

    def status(url, opener=None, headers=None):
        request = urllib.request.Request(url, headers=headers or {})
        try:
            if opener is not None:
                answer = opener.open(request, timeout=30)
            else:
                answer = urllib.request.urlopen(request, context=context, timeout=30)
            with answer as r:
                return r.status, r.read().decode()
        except urllib.error.HTTPError as refused:
            return refused.code, refused.read().decode()

    # without the token, or with a wrong one: 403 for pages, static files and the API
    for path in ("", "voila/render/madr_dashboard.ipynb", "voila/static/voila.js",
                 "voila/api/shutdown/x", "api/kernels"):  # fmt: skip
        assert status(base + path)[0] == 403, path
    assert status(base + "?token=" + "x" * 32)[0] == 403
    # the header form
    code, body = status(base, headers={"Authorization": f"token {token}"})
    assert code == 200 and "tm-dashboard-link" in body
    # opened with ?token=: a cookie, the address without the token, then the page
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(
        urllib.request.HTTPSHandler(context=context), urllib.request.HTTPCookieProcessor(jar)
    )
    with opener.open(f"{base}?token={token}", timeout=30) as r:
        assert r.status == 200 and r.url == base and "tm-dashboard-link" in r.read().decode()
    cookie = next(c for c in jar if c.name == "tariffmodel-access")
    assert cookie.secure and cookie.has_nonstandard_attr("HttpOnly")
    assert status(base + "voila/static/voila.js", opener)[0] == 200
    # plain HTTP on the TLS port gets nothing
    with pytest.raises(OSError):
        urllib.request.urlopen(f"http://{HOST}:{port}/", timeout=5).read()
