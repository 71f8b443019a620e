"""create_app(settings) -> Litestar: wiring only."""

from __future__ import annotations

import asyncio
import gc
import hashlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from litestar import Litestar
from litestar.config.compression import CompressionConfig
from litestar.config.csrf import CSRFConfig
from litestar.datastructures import CacheControlHeader, MutableScopeHeaders, State
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin
from litestar.static_files import create_static_files_router
from litestar.template import TemplateConfig
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from orderhub import outbound
from orderhub.components import i18n, shop_texts
from orderhub.components.filters import FILTERS
from orderhub.components.urls import href
from orderhub.db import engine as db_engine
from orderhub.db.analytics.services import Buffer as AnalyticsBuffer
from orderhub.db.clock import Clock, system_clock
from orderhub.pdf.pool import close_shared_pool
from orderhub.settings import Settings
from orderhub.site import assets, errors, live, logs
from orderhub.site.admin.account import AdminAccountController
from orderhub.site.admin.branding import BrandAssetsController, BrandingController
from orderhub.site.admin.claims import ClaimsAdminController
from orderhub.site.admin.dashboard import DashboardController
from orderhub.site.admin.documents import DocumentsController
from orderhub.site.admin.emails import AdminEmailsController
from orderhub.site.admin.feedback import FeedbackAdminController
from orderhub.site.admin.operations import OperationsController
from orderhub.site.admin.orders import OrdersController
from orderhub.site.admin.return_detail import ReturnDetailController
from orderhub.site.admin.return_labels import ReturnLabelController
from orderhub.site.admin.settings.channels import ChannelsController
from orderhub.site.admin.settings.dropoff import DropOffPointsController
from orderhub.site.admin.settings.integrations import IntegrationsController
from orderhub.site.admin.settings.labels import LabelSettingsController
from orderhub.site.admin.settings.routes import SettingsController
from orderhub.site.admin.settings.stores import StoresController
from orderhub.site.api.claims import ClaimsApi
from orderhub.site.api.payments import PaymentsApi
from orderhub.site.api.pickup import PickupApi
from orderhub.site.api.returns import ReturnsApi
from orderhub.site.api.routes import IntegrationApi
from orderhub.site.api.tracking import TrackingApi
from orderhub.site.assets import AssetsController
from orderhub.site.auth import csrf_follows_session
from orderhub.site.cancel.routes import CancelController
from orderhub.site.changes.routes import ChangeController
from orderhub.site.channels.routes import ChannelsHubController, LineWebhooks
from orderhub.site.confirmation.routes import ConfirmationController
from orderhub.site.deps import DEPENDENCIES
from orderhub.site.emails.api import EmailsApi
from orderhub.site.feedback.api import EmbedController, ReviewsApi
from orderhub.site.feedback.routes import FeedbackController
from orderhub.site.health import healthz
from orderhub.site.hosts import AllowedHosts
from orderhub.site.hub.notify import NotifyController, PushKeyController
from orderhub.site.hub.routes import BrandController
from orderhub.site.hub.stepup import StepupController
from orderhub.site.lookup.routes import LookupController
from orderhub.site.pagecache import PageCache
from orderhub.site.pickup.routes import PickupController
from orderhub.site.receipts.credit_notes import CreditNotesController
from orderhub.site.receipts.returns import ReturnDocumentsController
from orderhub.site.receipts.routes import ReceiptController
from orderhub.site.returns.claims import ClaimsController
from orderhub.site.returns.exchange import ExchangeController
from orderhub.site.returns.home_pickup import HomePickupController
from orderhub.site.returns.routes import ReturnsController
from orderhub.site.returns.slip_number import SlipNumberController
from orderhub.site.security import BRAND_STYLESHEETS, Limiter, add_security_headers, counters_for, is_asset
from orderhub.site.staff.returns import StaffReturnsController
from orderhub.site.staff.routes import StaffController
from orderhub.site.templating import LanguageEnvironment, PerLanguageTemplates
from orderhub.site.tracking.routes import TrackingController
from orderhub.site.webhooks.routes import TrackingWebhooks

PACKAGE = Path(__file__).resolve().parent.parent
STATIC = PACKAGE / "static"

#: every route of the app, declared here and nowhere else
CONTROLLERS: list = [
    healthz, AssetsController,
    # the integration API and carriers' webhooks
    IntegrationApi, TrackingApi, PickupApi, PaymentsApi, ReturnsApi, ClaimsApi, EmailsApi, ReviewsApi, TrackingWebhooks,
    LineWebhooks,
    # the shopper's hub, section by section, and what it links to
    BrandController, ConfirmationController, ChangeController, LookupController, TrackingController, PickupController,
    ReturnsController, ExchangeController, ClaimsController, FeedbackController, ReceiptController,
    ReturnDocumentsController, CreditNotesController, HomePickupController, SlipNumberController,
    EmbedController, StepupController, CancelController, NotifyController, PushKeyController, ChannelsHubController,
    # store staff and the merchant admin
    StaffController, StaffReturnsController,
    AdminAccountController, DashboardController, OperationsController, ReturnDetailController, ClaimsAdminController,
    OrdersController, AdminEmailsController, DocumentsController,
    StoresController,
    DropOffPointsController,
    IntegrationsController, SettingsController, FeedbackAdminController, BrandingController, BrandAssetsController,
    ChannelsController,
    # prepaid return labels: the admin's retry and the provider settings
    ReturnLabelController, LabelSettingsController,
]


@cache
def _static_version(path: str) -> str:
    try:
        return hashlib.sha256((STATIC / path).read_bytes()).hexdigest()[:10]
    except OSError:
        return "0"


def static_url(path: str) -> str:
    """/static/<path>?v=<content hash>: long-cacheable and busted on change."""
    return f"/static/{path}?v={_static_version(path)}"


#: responses never gzipped: live streams (compression would buffer them) and formats that are
#: compressed already (PDFs, pictures, fonts)
UNCOMPRESSED = [
    r"/events$",
    r"\.pdf$",
    r"/photos/\d+$",
    r"^/brand/[^/]+/logo/",
    r"^/fonts/",
    r"^/static/.*\.(png|jpe?g|webp|gif|ico|woff2?|ttf|otf)$",
]
#: static files are addressed by content hash (`static_url`): cached for a year, never revalidated
STATIC_CACHE = CacheControlHeader(public=True, max_age=31536000, immutable=True)
#: what a file served under a content hash never needs: it is never revalidated, nor saved as a file
STATIC_UNNEEDED = ("etag", "last-modified", "content-disposition")


async def lean_static_headers(message: Message, scope: Scope) -> None:
    """before_send hook: a first visit loads a dozen static files; each saves these headers."""
    if message["type"] == "http.response.start" and is_asset(scope.get("path", "")):
        headers = MutableScopeHeaders.from_message(message)
        for name in STATIC_UNNEEDED:
            if name in headers:
                del headers[name]


def template_environment(lang: str | None = None) -> Environment:
    """The site's templates: for `lang`, compiled with its translations written in
    (orderhub.site.templating); without one, translated at render time in the current language."""
    options: dict[str, Any] = dict(
        loader=FileSystemLoader(str(PACKAGE)),
        autoescape=True,
        extensions=["jinja2.ext.i18n"],
        undefined=StrictUndefined,
        auto_reload=False,
        trim_blocks=False,
    )
    if lang is not None:
        env: Environment = LanguageEnvironment(lang, **options)
    else:
        env = Environment(**options)
        # added by the jinja2.ext.i18n extension at run time (Environment.extend), unknown to the type checker
        env.install_gettext_callables(i18n.plain_gettext, i18n.plain_ngettext, newstyle=True)  # type: ignore[attr-defined]
    env.filters.update(FILTERS)
    env.globals["static"] = static_url
    env.globals["site_script"] = assets.bundle_url
    env.globals["script_url"] = assets.script_url
    env.globals["href"] = href
    env.globals.update(shop_texts.GLOBALS)
    return env


def language_per_request(app: ASGIApp) -> ASGIApp:
    """Every request starts with its own language (set once the page negotiates it)."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        i18n.begin_request()
        await app(scope, receive, send)

    return middleware


async def _flush_every(buffer: AnalyticsBuffer, seconds: float) -> None:
    log = logging.getLogger("orderhub.analytics")
    while True:
        await asyncio.sleep(seconds)
        try:
            await buffer.flush()
        except Exception:
            log.exception("could not write analytics events")


def settle_garbage_collector() -> None:
    """Everything built while starting (modules, compiled templates, the app) lives as long as the
    process: collected once, then left out of every later collection (`gc.freeze`). Without it each
    full collection walks those objects too, on the event loop's thread, and every request waiting
    behind it waits as long (the p99 of docs/performance.md)."""
    gc.collect()
    gc.freeze()


def app_state(settings: Settings, clock: Clock) -> dict[str, Any]:
    """What an app keeps between requests (limits, caches, buffers, the clock), fresh for each app;
    the live updates' plugin is added by `live.install`."""
    counters = counters_for(settings.redis_url)
    window = settings.lookup_window_seconds
    return {
        "settings": settings,
        "clock": clock,
        "counters": counters,
        "limiters": {},
        "analytics": AnalyticsBuffer(),
        "token_key": settings.key_for("hub-token"),
        #: the HTTP client of the admin's channel test send (tests hand a MockTransport)
        "channel_client": lambda: outbound.client(allow=settings.allow_internal_hosts, timeout=10.0),
        "page_cache": PageCache(settings.page_cache_entries, max_age=settings.page_cache_max_age_seconds),
        "lookup_limits": {
            "client": Limiter("lookup_client", settings.lookup_limit, window, counters, clock),
            "order": Limiter("lookup_order", settings.lookup_limit, window, counters, clock),
        },
    }


def create_app(settings: Settings | None = None, *, clock: Clock = system_clock) -> Litestar:
    settings = settings or Settings.from_env()
    db = db_engine.engine_for(settings)
    db_engine.bind(db)
    for name in ("weasyprint", "fontTools", "httpx", "httpcore", "aiosqlite", "asyncio"):
        logging.getLogger(name).setLevel(logging.WARNING)
    logs.install()

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        await db_engine.start(db, settings)
        settle_garbage_collector()
        analytics: AnalyticsBuffer = app.state.analytics
        flusher = asyncio.create_task(_flush_every(analytics, 1.0))
        try:
            yield
        finally:
            flusher.cancel()
            close_shared_pool()  # PDF workers end with the server
            await analytics.flush()
            await db_engine.stop(db)

    state = State(app_state(settings, clock))
    secure = settings.secure_cookies
    return Litestar(
        route_handlers=[*CONTROLLERS, create_static_files_router(path="/static", directories=[STATIC], name="static",
                                                                  cache_control=STATIC_CACHE,
                                                                  middleware=[assets.precompressed_css])],
        state=state,
        dependencies=DEPENDENCIES,
        # the host check inside the language box: its refusal is a page in the visitor's language
        middleware=[language_per_request, AllowedHosts(settings.allowed_hosts), csrf_follows_session],
        plugins=[live.install(settings, state)],
        lifespan=[lifespan],
        debug=settings.debug,
        template_config=TemplateConfig(
            instance=PerLanguageTemplates({lang: template_environment(lang) for lang in i18n.LANGUAGES})),
        csrf_config=CSRFConfig(
            secret=settings.key_for("csrf").hex(),
            cookie_name="__Host-csrftoken" if secure else "csrftoken",
            cookie_secure=secure,
            cookie_httponly=True,
            cookie_samesite="strict",
            header_name="x-csrftoken",
            # static files and the script bundle are the same for everyone: no token cookie on them
            exclude=["^/api/", "^/webhooks/", "^/static/", "^/assets/", "^/sw\\.js$", "^/push/", BRAND_STYLESHEETS],
        ),
        before_send=[add_security_headers, lean_static_headers],
        # brotli for browsers (all current ones send `br`), gzip for the rest; the script bundle
        # and our stylesheets come compressed already (site/assets.py)
        compression_config=CompressionConfig(backend="brotli", brotli_quality=4, gzip_fallback=True,
                                             minimum_size=512, gzip_compress_level=6,
                                             exclude=[*UNCOMPRESSED, r"^/assets/", r"^/static/css/[^/]+\.css$"]),
        exception_handlers=errors.HANDLERS,
        request_max_body_size=settings.max_body_bytes,
        openapi_config=OpenAPIConfig(
            title="orderhub integration API",
            version="1",
            path="/schema",
            render_plugins=[JsonRenderPlugin()],
        ),
    )
