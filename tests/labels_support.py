"""A local fake label provider speaking EasyPost's and Shippo's documented shapes, behind
`httpx.MockTransport`: it records every call, buys at most what it is asked to, and fails on demand
(`fail`: a queue of "timeout", "lost" (bought, but the answer never arrives) or an HTTP status, one
per call)."""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass, field

import httpx

API = "https://labels.example.test"


@dataclass
class FakeProvider:
    fail: list[object] = field(default_factory=list)
    calls: list[tuple[str, str]] = field(default_factory=list)
    bodies: list[dict] = field(default_factory=list)
    headers: list[dict] = field(default_factory=list)
    #: shipment id -> the label bought for it (at most one per shipment)
    bought: dict[str, dict] = field(default_factory=dict)
    purchases: int = 0
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))

    @property
    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    def client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=self.transport)

    def handle(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        self.calls.append((request.method, path))
        self.headers.append(dict(request.headers))
        body = json.loads(request.content) if request.content else {}
        self.bodies.append(body)
        trouble = self.fail.pop(0) if self.fail else None
        if trouble == "timeout":
            raise httpx.ReadTimeout("timed out", request=request)
        if isinstance(trouble, int):
            return httpx.Response(trouble, json={"error": {"code": "FAKE", "message": "refused"}})
        answer = self._answer(request, path, body)
        if trouble == "lost":  # done at the provider, but the answer is lost on the way back
            raise httpx.ReadTimeout("connection reset", request=request)
        return answer

    def _answer(self, request: httpx.Request, path: str, body: dict) -> httpx.Response:
        n = next(self._ids)
        # --- EasyPost
        if path == "/v2/shipments" and request.method == "POST":
            sid = f"shp_{n}"
            return httpx.Response(201, json={"id": sid, "is_return": body["shipment"]["is_return"], "rates": [
                {"id": f"rate_{n}_a", "rate": "9.10", "currency": "USD", "carrier": "UPS"},
                {"id": f"rate_{n}_b", "rate": "5.49", "currency": "USD", "carrier": "USPS"}]})
        if path.startswith("/v2/shipments/") and path.endswith("/buy"):
            sid = path.split("/")[3]
            if sid in self.bought:
                return httpx.Response(422, json={"error": {"code": "SHIPMENT.POSTAGE.EXISTS"}})
            self.purchases += 1
            self.bought[sid] = {"id": sid, "tracking_code": f"9400100000000000{n:06d}",
                                "selected_rate": {"id": body["rate"]["id"], "rate": "5.49", "currency": "USD",
                                                  "carrier": "USPS"},
                                "postage_label": {"label_url": f"https://files.example.test/{sid}.png",
                                                  "label_pdf_url": f"https://files.example.test/{sid}.pdf"},
                                "forms": [{"form_type": "label_qr_code",
                                           "form_url": f"https://files.example.test/{sid}-qr.png"}]}
            return httpx.Response(200, json=self.bought[sid])
        if path.startswith("/v2/shipments/") and request.method == "GET":
            sid = path.split("/")[3]
            return httpx.Response(200, json=self.bought.get(sid, {"id": sid, "postage_label": None}))
        # --- Shippo
        if path == "/shipments" and request.method == "POST":
            return httpx.Response(201, json={"object_id": f"sh_{n}", "rates": [
                {"object_id": f"r_{n}_a", "amount": "7.5", "currency": "USD", "provider": "UPS"},
                {"object_id": f"r_{n}_b", "amount": "4.25", "currency": "USD", "provider": "USPS"}]})
        if path == "/transactions" and request.method == "POST":
            rate = body["rate"]  # like the real thing, each POST buys another label: the caller must not repeat
            self.purchases += 1
            self.bought[rate] = {"object_id": f"tx_{n}", "status": "SUCCESS", "rate": rate,
                                 "tracking_number": f"1Z999AA1{n:010d}",
                                 "label_url": f"https://files.example.test/{rate}.pdf",
                                 "qr_code_url": f"https://files.example.test/{rate}-qr.pdf"}
            return httpx.Response(201, json=self.bought[rate])
        if path == "/transactions" and request.method == "GET":
            rate = request.url.params.get("rate")
            return httpx.Response(200, json={"results": [self.bought[rate]] if rate in self.bought else []})
        return httpx.Response(404, json={"error": "unknown path"})


def serve_http(fake: FakeProvider):
    """The fake on a real loopback port (for the browser tests' server): -> (base URL, stop())."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Handler(BaseHTTPRequestHandler):
        def _any(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            request = httpx.Request(self.command, f"http://fake{self.path}", headers=dict(self.headers),
                                    content=self.rfile.read(length) if length else b"")
            answer = fake.handle(request)
            body = answer.content
            self.send_response(answer.status_code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = _any

        def log_message(self, *args) -> None:  # quiet
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{httpd.server_address[1]}", httpd.shutdown
