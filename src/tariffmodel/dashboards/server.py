"""The server of ``tariffmodel dashboard``: Voila, with one answer corrected.

Voila 0.5 answers a request for a template's static file whose path does not have the form
``TEMPLATE/static/FILE`` (``/voila/templates/x/static/..%2f..%2fetc/passwd``) with an internal
error and a traceback in the log. Such a path names no file: it gets a plain 404 here. The
file checks themselves (a path resolving outside the template's folders is refused) are
Voila's and tornado's, unchanged.

Run as ``python -m tariffmodel.dashboards.server`` with Voila's arguments.
"""

from __future__ import annotations

import os

from tornado.web import HTTPError
from voila.app import main
from voila.static_file_handler import TemplateStaticFileHandler

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

if __name__ == "__main__":
    main()
