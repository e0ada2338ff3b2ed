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

Run as ``python -m tariffmodel.dashboards.server`` with Voila's arguments.
"""

from __future__ import annotations

import hmac
import os
import ssl
from urllib.parse import urlencode

from tornado.web import HTTPError, RequestHandler
from traitlets import Unicode
from voila.app import Voila
from voila.static_file_handler import TemplateStaticFileHandler

from tariffmodel.dashboards.assets import TOKEN_ENV

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


class DashboardServer(Voila):
    """Voila with an access token (from $TARIFFMODEL_DASHBOARD_TOKEN) and TLS."""

    certfile = Unicode("", config=True, help="TLS certificate (PEM) to serve HTTPS with")
    keyfile = Unicode("", config=True, help="private key (PEM) of the TLS certificate")

    def listen(self) -> None:
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
