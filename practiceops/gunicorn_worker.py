"""gunicorn's sync worker, answering its own refusals in the API's error envelope.

A request line or headers over gunicorn's limits (4094 bytes a line by default) are refused
by gunicorn before Django sees the request, with an HTML page. The contract wants every error
in the envelope: a query string that long is a query value breaking a rule, so the answer is
``422 VALIDATION_ERROR``. Every other refusal keeps gunicorn's own handling.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from gunicorn import util
from gunicorn.http.errors import LimitRequestHeaders, LimitRequestLine
from gunicorn.workers.sync import SyncWorker


def envelope_response(message: str) -> bytes:
    request_id = str(uuid.uuid4())
    body = json.dumps(
        {
            "error": {
                "code": "VALIDATION_ERROR",
                "message": message,
                "field": None,
                "request_id": request_id,
            }
        }
    ).encode()
    head = (
        "HTTP/1.1 422 Unprocessable Content\r\n"
        "Connection: close\r\n"
        "Content-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n"
        f"X-Request-ID: {request_id}\r\n"
        "X-Content-Type-Options: nosniff\r\n"
        "\r\n"
    )
    return head.encode("latin-1") + body


class EnvelopeSyncWorker(SyncWorker):
    def handle_error(self, req: Any, client: Any, addr: Any, exc: BaseException) -> None:
        if isinstance(exc, LimitRequestLine):
            message = f"Request line is too long (at most {self.cfg.limit_request_line} bytes)"
        elif isinstance(exc, LimitRequestHeaders):
            message = "Request headers are too large"
        else:
            super().handle_error(req, client, addr, exc)
            return
        self.log.warning("Invalid request from ip=%s: %s", (addr or ("",))[0], exc)
        try:
            util.write_nonblock(client, envelope_response(message))
        except Exception:  # noqa: BLE001 - the client may be gone; nothing more to do
            self.log.debug("Failed to send error message.")
