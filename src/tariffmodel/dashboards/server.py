"""The server of ``tariffmodel dashboard``: Voila, with an access token, TLS, and one answer
corrected.

Access token: when $TARIFFMODEL_DASHBOARD_TOKEN is set, every request must carry it (the
query ``?token=``, the header ``Authorization: token ...``, or the cookie this server sets when
a page is opened with the query): any other request gets 403 before Voila sees it. TLS:
``--DashboardServer.certfile`` and ``--DashboardServer.keyfile`` (Voila 0.5 serves plain HTTP
only).

Voila 0.5 answers a request for a template's static file whose path does not have the form
``TEMPLATE/static/FILE`` (``/voila/templates/x/static/..%2f..%2fetc/passwd``) with an internal
error and a traceback in the log. Such a path names no file: it gets a plain 404 here. The
file checks themselves (a path resolving outside the template's folders is refused) are
Voila's and tornado's, unchanged.

A page gone without a word: a page that unloads asks for its kernel to be shut down, but one
that disappears (a browser that crashes, a phone that loses the network, a request that never
opens the page's websocket) cannot. :class:`PageWatch` finds such kernels from the count of
websockets each kernel has, and the server shuts them down (``--DashboardServer.page_gone``
seconds after the last websocket closed; a lost network is noticed by the websocket's pings,
every ``ws_ping_interval``, which close it after ``ws_ping_timeout`` without an answer).
Preheated kernels of the pool never had a page and are left alone.

Run as ``python -m tariffmodel.dashboards.server`` with Voila's arguments.
"""

from __future__ import annotations

import hmac
import os
import ssl
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlencode

from jupyter_core.utils import ensure_async
from tornado.ioloop import PeriodicCallback
from tornado.web import HTTPError, RequestHandler
from traitlets import Float, Unicode
from voila.app import Voila
from voila.static_file_handler import TemplateStaticFileHandler

from tariffmodel.dashboards.assets import PAGE_GONE, TOKEN_ENV

#: The cookie that carries the token after the first page (HttpOnly, SameSite=Strict).
TOKEN_COOKIE = "tariffmodel-access"

_voila_absolute_path = TemplateStaticFileHandler.get_absolute_path


def template_static_path(cls, root: str, path: str) -> str:
    """The file of a template's static path, or a 404 when the path names no static file.

    >>> template_static_path(TemplateStaticFileHandler, "", "lab/../../etc/passwd")
    Traceback (most recent call last):
    ...
    tornado.web.HTTPError: HTTP 404: Not Found
    """
    parts = os.path.normpath(path).split(os.path.sep, 2)
    if len(parts) != 3 or parts[1] != "static" or ".." in parts:
        raise HTTPError(404)
    return _voila_absolute_path(root, path)


TemplateStaticFileHandler.get_absolute_path = classmethod(template_static_path)


def request_token(request) -> str:
    """The token a request carries: query, ``Authorization: token ...`` header, or cookie."""
    query = request.query_arguments.get("token")
    if query:
        return query[-1].decode("utf-8", "replace")
    auth = request.headers.get("Authorization", "")
    if auth.lower().startswith("token "):
        return auth[6:].strip()
    cookie = request.cookies.get(TOKEN_COOKIE)
    return cookie.value if cookie is not None else ""


class Refused(RequestHandler):
    """403 for a request without the access token (no page, no hint of what is served)."""

    def prepare(self) -> None:
        raise HTTPError(403)


class Admitted(RequestHandler):
    """A page opened with ``?token=``: the token goes into a cookie, the page is opened again
    without it in the address (so it is not kept in the history or sent on as a referrer)."""

    def initialize(self, token: str, secure: bool) -> None:
        self.token, self.secure = token, secure

    def get(self) -> None:
        self.set_cookie(TOKEN_COOKIE, self.token, httponly=True, samesite="Strict",
                        secure=self.secure)  # fmt: skip
        rest = [(k, v.decode()) for k, vs in self.request.query_arguments.items()
                if k != "token" for v in vs]  # fmt: skip
        self.redirect(self.request.path + (f"?{urlencode(rest)}" if rest else ""))


def require_token(app, token: str, secure: bool) -> None:
    """Answer every request of ``app`` (a tornado Application) without ``token`` with 403."""
    find = app.find_handler

    def gate(request, **kwargs):
        given = request_token(request)
        if not hmac.compare_digest(given.encode(), token.encode()):
            return app.get_handler_delegate(request, Refused)
        opened = request.method == "GET" and "token" in request.query_arguments
        if opened and request.headers.get("Upgrade", "").lower() != "websocket":
            return app.get_handler_delegate(
                request, Admitted, target_kwargs={"token": token, "secure": secure}
            )
        return find(request, **kwargs)

    app.find_handler = gate


@dataclass
class PageWatch:
    """Kernels whose page is gone, from the number of websockets each kernel has.

    A kernel whose page had a websocket open and has had none for ``gone_after`` seconds is
    gone (a reload or a short network break reconnects within that); so is a kernel handed to
    a page request (:meth:`handed_over`) whose page never opened a websocket within
    ``never_opened_after`` seconds. A kernel that never had a page (the preheated pool) is
    never gone.

    >>> watch = PageWatch(gone_after=20, never_opened_after=60)
    >>> watch.handed_over("a", now=0); watch.handed_over("b", now=0)
    >>> watch.gone({"a": 1, "b": 0, "pool": 0}, now=5)
    []
    >>> watch.gone({"a": 0, "b": 0, "pool": 0}, now=20)  # a's page closed after 5 s
    []
    >>> watch.gone({"a": 0, "b": 0, "pool": 0}, now=30)
    ['a']
    >>> watch.gone({"b": 0, "pool": 0}, now=61)  # b's page never connected
    ['b']

    A websocket opened and closed between two looks counts from its close:

    >>> watch.handed_over("c", now=100); watch.seen_open("c", now=101)
    >>> watch.gone({"c": 0}, now=105), watch.gone({"c": 0}, now=121)
    ([], ['c'])
    """

    gone_after: float = PAGE_GONE  # [s]
    never_opened_after: float = 60.0  # [s]
    _open_at: dict[str, float] = field(default_factory=dict, repr=False)
    _handed_at: dict[str, float] = field(default_factory=dict, repr=False)

    def handed_over(self, kernel_id: str, now: float) -> None:
        """Record that ``kernel_id`` was given to a page request at ``now`` [s]."""
        self._handed_at[kernel_id] = now

    def seen_open(self, kernel_id: str, now: float) -> None:
        """Record that ``kernel_id`` had a websocket open at ``now`` [s] (one opened or
        closed)."""
        self._open_at[kernel_id] = now

    def gone(self, connections: Mapping[str, int], now: float) -> list[str]:
        """The kernels (of ``connections``: kernel -> websockets open now) whose page is gone;
        kernels no longer running are forgotten."""
        out = []
        for kernel_id, count in connections.items():
            if count > 0:
                self.seen_open(kernel_id, now)
            elif kernel_id in self._open_at:
                if now - self._open_at[kernel_id] >= self.gone_after:
                    out.append(kernel_id)
            elif now - self._handed_at.get(kernel_id, now) >= self.never_opened_after:
                out.append(kernel_id)
        for seen in (self._open_at, self._handed_at):
            for kernel_id in [k for k in seen if k not in connections]:
                del seen[kernel_id]
        return out


class DashboardServer(Voila):
    """Voila with an access token (from $TARIFFMODEL_DASHBOARD_TOKEN), TLS, and the kernels of
    pages gone shut down (:class:`PageWatch`)."""

    certfile = Unicode("", config=True, help="TLS certificate (PEM) to serve HTTPS with")
    keyfile = Unicode("", config=True, help="private key (PEM) of the TLS certificate")
    page_gone = Float(PAGE_GONE, config=True,
                      help="shut a kernel down this many seconds after its page's last "
                      "websocket closed (0: never)")  # fmt: skip
    page_never_opened = Float(60.0, config=True,
                              help="shut a kernel handed to a page request down when the page "
                              "has opened no websocket after this many seconds")  # fmt: skip
    page_watch_interval = Float(5.0, config=True, help="seconds between two looks")

    def watch_pages(self) -> None:
        """Look at the kernels every ``page_watch_interval`` seconds; shut down those whose
        page is gone."""
        km = self.kernel_manager
        watch = PageWatch(self.page_gone, self.page_never_opened)
        taken = getattr(km, "get_rendered_notebook", None)
        if taken is not None:  # the preheated pool: record each kernel given to a page

            async def get_rendered_notebook(*args, **kwargs):
                task, cache, kernel_id = await taken(*args, **kwargs)
                watch.handed_over(kernel_id, time.monotonic())
                return task, cache, kernel_id

            km.get_rendered_notebook = get_rendered_notebook

        # a page that opens and closes its websocket between two looks is seen by these
        for name in ("notify_connect", "notify_disconnect"):
            notify = getattr(km, name, None)
            if notify is not None:

                def seen(kernel_id, *args, notify=notify, **kwargs):
                    watch.seen_open(kernel_id, time.monotonic())
                    return notify(kernel_id, *args, **kwargs)

                setattr(km, name, seen)

        async def look() -> None:
            connections = {}
            for kernel_id in km.list_kernel_ids():
                try:
                    connections[kernel_id] = km.kernel_model(kernel_id)["connections"]
                except KeyError:  # shut down meanwhile
                    continue
            for kernel_id in watch.gone(connections, time.monotonic()):
                self.log.info("Kernel %s: its page is gone, shutting the kernel down", kernel_id)
                try:
                    await ensure_async(km.shutdown_kernel(kernel_id))
                except KeyError:
                    pass

        PeriodicCallback(look, self.page_watch_interval * 1000).start()

    def listen(self) -> None:
        if self.page_gone > 0:
            self.watch_pages()
        token = os.environ.get(TOKEN_ENV, "")
        if token:
            require_token(self.app, token, secure=bool(self.certfile))
        if self.certfile:
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(self.certfile, self.keyfile or None)
            plain = self.app.listen
            self.app.listen = lambda port, address="", **kw: plain(
                port, address, ssl_options=context, **kw
            )
        super().listen()


main = DashboardServer.launch_instance

if __name__ == "__main__":
    main()
