"""The application factory: revital.app:create_app."""

import asyncio
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from urllib.parse import urlsplit

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from litestar import Litestar
from litestar.config.allowed_hosts import AllowedHostsConfig
from litestar.config.csrf import CSRFConfig
from litestar.datastructures import CacheControlHeader, State
from litestar.di import Provide
from litestar.logging.config import LoggingConfig
from litestar.middleware import DefineMiddleware
from litestar.plugins.htmx import HTMXRequest
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig

from revital import (
    formatting,
    markdown,
    models,  # noqa: F401 - every model, and the version listener, once at start-up
    submissions,
)
from revital.accounts.auth import AuthMiddleware
from revital.accounts.controllers import AccountController
from revital.accounts.invitations import InvitationController
from revital.accounts.reset import PasswordResetController
from revital.accounts.team import TeamController
from revital.accounts.sessions import (
    DatabaseSessions,
    DatabaseThrottle,
    RedisSessions,
    RedisThrottle,
    Timeouts,
)
from revital.caching import Cache, PageCache
from revital.calls.controllers import CallsController
from revital.calls.review import CallsManagementController
from revital.communes.controllers import DescriptionController
from revital.communes.versions import Versions, forget_on_change
from revital.contributions.api import ContributionsApiController
from revital.contributions.contribute import ContributeController
from revital.contributions.moderation import ModerationController
from revital.contributions.notices import AuthorDigestJob
from revital.contributions.unsubscribe import AuthorNoticesController
from revital.contributions.pages import ContributionsController, PhotoController
from revital.contributions.settings import ParticipationController
from revital.db import Database
from revital.diagnostic.api import DiagnosticApiController
from revital.diagnostic.controllers import DiagnosticController
from revital.diagnostic.manage import DiagnosticAdminController
from revital.forms import InputMiddleware, provide_form
from revital.geography.controllers import (
    GeoJSONController,
    PerimeterController,
    PlacesController,
)
from revital.ideas.controllers import IdeasApiController, IdeasController
from revital.ideas.manage import IdeasAdminController
from revital.roadmaps.controllers import RoadmapController
from revital.roadmaps.manage import RoadmapAdminController
from revital.journal.controllers import FollowController, JournalController
from revital.journal.feeds import FeedsController
from revital.journal.followers import DigestJob
from revital.journal.manage import JournalAdminController
from revital.localgroups.controllers import LocalGroupController
from revital.mail.sender import sender_for
from revital.pages.account import AccountPageController
from revital.pages.commune import CommunePageController
from revital.pages.contribution import ContributionPageController
from revital.pages.dashboard import TerritoryDashboardController
from revital.pages.gates import facts_for, links_for
from revital.pages.home import HomeController
from revital.pages.overview import OverviewController
from revital.pages.partner import PartnerPageController
from revital.sheets.notices import ReminderJob
from revital.sheets.reviewing import SheetReviewAdminController, SheetReviewController
from revital.pages.places import PlaceDeletionController
from revital.pages.territory import TerritoryPageController
from revital.prioritisation.controllers import PrioritiesController
from revital.prioritisation.manage import PrioritiesAdminController
from revital.process.controllers import PhaseController
from revital.routes import provide_db
from revital.settings import PROJECT_DIR, Settings
from revital.site import SiteController
from revital.sheets.manage import SheetsAdminController
from revital.territories.api import TerritoryApiController
from revital.territories.controllers import CommuneImportController
from revital.territories.partners import PartnersController
from revital.web import SecurityHeadersMiddleware, error_response
from revital.workshops import services as workshops
from revital.students.controllers import StudentsApiController, StudentsController
from revital.students.manage import StudentWeeksAdminController
from revital.students.workspace import WorkspaceController
from revital.workshops.controllers import CalendarController, WorkshopsController
from revital.workshops.manage import WorkshopsAdminController
from revital.workshops.entry import PaperEntryController, WorkshopEntryController
from revital.workshops.kit import KitController
from revital.roadmaps.api import RoadmapApiController
from revital.roadmaps.following import ActionProgressController, ProgressAdminController
from revital.roadmaps.territory import TerritoryRoadmapsController
from revital.sheets.api import SheetsApiController
from revital.sheets.controllers import SheetsController

TEMPLATES_DIR = PROJECT_DIR / "templates"
ONE_CLICK_STOP = r"^/communes/[^/]+/journal/arreter/[^/]+$"
AUTHOR_STOP = r"^/contributions/arreter/[^/]+$"
STATIC_DIR = PROJECT_DIR / "static"


def template_environment(auto_reload: bool = True) -> Environment:
    env = Environment(
        auto_reload=auto_reload,
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(formatting.FILTERS)
    env.filters.update(markdown.FILTERS)
    env.globals.update(formatting.GLOBALS)
    env.globals["once_field"] = submissions.field  # revital.submissions: create forms count once
    return env


def allowed_hosts(settings: Settings) -> list[str]:
    if settings.allowed_hosts:
        return settings.allowed_hosts
    netloc = urlsplit(settings.base_url).netloc
    hosts = [netloc, netloc.split(":")[0]]
    if settings.development:
        hosts += ["127.0.0.1:8000", "localhost:8000", "127.0.0.1", "localhost"]
    return sorted(set(hosts))


def state_for(settings: Settings) -> State:
    """What the application holds for its settings: the database, the session and throttle
    stores, the caches and the mail sender. Tests give one application a fresh state per test."""
    # Each worker thread holds at most two connections at once (its request's session, and a
    # session or throttle store's): the pool never makes a thread wait for another one.
    db = Database(settings.database_url, connections=2 * settings.threads + 2, wait=settings.db_wait_seconds)
    timeouts = Timeouts(
        idle=timedelta(minutes=settings.session_idle_minutes),
        absolute=timedelta(hours=settings.session_absolute_hours),
    )
    if settings.redis_url:
        import redis

        client = redis.Redis.from_url(settings.redis_url)
        sessions, throttle = RedisSessions(client, timeouts), RedisThrottle(client)
    else:
        sessions, throttle = DatabaseSessions(db, timeouts), DatabaseThrottle(db)

    pages = PageCache()
    # The sender's loop also queues the journal's weekly digests (revital.journal.followers) and
    # the authors' daily digests (revital.contributions.notices).
    mail = sender_for(settings, db, jobs=[DigestJob(db, settings), AuthorDigestJob(db, settings),
                                             ReminderJob(db, settings)])
    forget_on_change(pages.recent)  # a change made by this process shows at once in its own pages
    return State({"settings": settings, "db": db, "sessions": sessions, "throttle": throttle,
                  "pages": pages, "versions": Versions(), "mail": mail,
                  "kits": Cache(size=16),  # workshop kits' PDFs, by version (revital.workshops.kit)
                  # What the phase gates need to know, gathered above the parts that produce it.
                  "gate_facts": facts_for, "gate_links": links_for,
                  # The workshop filter of the contributions' list and map, from the part above.
                  "workshop_choices": workshops.public_choices})


def startup(app: Litestar) -> None:
    settings = app.state.settings
    # The threads that run handlers, sized with the pool above (asyncio's default is cpu + 4).
    asyncio.get_running_loop().set_default_executor(
        ThreadPoolExecutor(max_workers=settings.threads, thread_name_prefix="revital"))
    if settings.mail_interval > 0:
        app.state.mail.start()  # one background sender per worker process (revital.mail.sender)


def shutdown(app: Litestar) -> None:
    app.state.mail.stop()
    app.state.db.dispose()


def shape_of(settings: Settings) -> tuple:
    """The settings create_app builds the application itself from (its routes, middleware and
    templates), apart from its state: two settings of the same shape make the same application."""
    settings = settings.resolved()
    return (settings.secret_key, settings.secure_cookies, tuple(allowed_hosts(settings)), settings.debug,
            settings.development)


def create_app(settings: Settings | None = None) -> Litestar:
    settings = (settings or Settings.from_env()).resolved()
    return Litestar(
        route_handlers=[
            SiteController,
            HomeController,
            CommunePageController,
            OverviewController,
            PartnerPageController,
            PhaseController,
            DescriptionController,
            ParticipationController,
            LocalGroupController,
            GeoJSONController,
            PerimeterController,
            PlacesController,
            PlaceDeletionController,
            CommuneImportController,
            CallsController,
            CallsManagementController,
            TerritoryPageController,
            TerritoryDashboardController,
            PartnersController,
            TerritoryApiController,
            ContributeController,
            ContributionsController,
            ContributionPageController,
            ContributionsApiController,
            PhotoController,
            ModerationController,
            AuthorNoticesController,
            PaperEntryController,
            WorkshopEntryController,
            KitController,
            JournalController,
            FollowController,
            JournalAdminController,
            WorkshopsController,
            WorkshopsAdminController,
            CalendarController,
            StudentsController,
            StudentsApiController,
            WorkspaceController,
            StudentWeeksAdminController,
            DiagnosticController,
            DiagnosticAdminController,
            DiagnosticApiController,
            PrioritiesController,
            PrioritiesAdminController,
            IdeasController,
            IdeasApiController,
            IdeasAdminController,
            RoadmapController,
            RoadmapAdminController,
            FeedsController,
            AccountController,
            PasswordResetController,
            InvitationController,
            TeamController,
            AccountPageController,
            RoadmapApiController,
            ProgressAdminController,
            ActionProgressController,
            TerritoryRoadmapsController,
            SheetReviewAdminController,
            SheetReviewController,
            SheetsAdminController,
            SheetsController,
            SheetsApiController,
            create_static_files_router(
                path="/static", directories=[STATIC_DIR], name="static",
                cache_control=CacheControlHeader(max_age=3600, public=True),
            ),
        ],
        dependencies={"db": Provide(provide_db, sync_to_thread=False),
                      "form": Provide(provide_form, sync_to_thread=False)},
        request_class=HTMXRequest,
        middleware=[
            DefineMiddleware(SecurityHeadersMiddleware),
            DefineMiddleware(InputMiddleware),
            DefineMiddleware(AuthMiddleware),
        ],
        csrf_config=CSRFConfig(
            secret=settings.secret_key,
            cookie_name="revital_csrf",
            cookie_secure=settings.secure_cookies,
            cookie_httponly=True,
            cookie_samesite="lax",
            # Mail clients stop a digest in one click (RFC 8058: a POST without any token of ours);
            # the signed link in the address is the proof (revital.journal.controllers).
            exclude=[ONE_CLICK_STOP, AUTHOR_STOP],
        ),
        allowed_hosts=AllowedHostsConfig(allowed_hosts=allowed_hosts(settings)),
        template_config=TemplateConfig(
            engine=JinjaTemplateEngine.from_environment(template_environment(auto_reload=settings.debug or settings.development)),
        ),
        exception_handlers={Exception: error_response},
        state=state_for(settings),
        on_startup=[startup],
        on_shutdown=[shutdown],
        debug=settings.debug,
        # Leave the root logger to the server; 500s are logged once, by revital.web.error_response.
        logging_config=LoggingConfig(configure_root_logger=False, log_exceptions="never"),
        openapi_config=None,
    )
