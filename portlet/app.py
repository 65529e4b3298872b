"""The application factory."""

from __future__ import annotations

from flask import Flask

from models import db
from models.db import configure_engine
from routes import (
    admin,
    api,
    bookmarks,
    dashboard,
    faq,
    health,
    home,
    mail_links,
    outbox,
    preferences,
    responses,
    search,
    statistics,
    tickets,
)
from routes.converters import ActionConverter

from . import cli, config, errors, extensions, framing, sso, templating
from .mail import inline

# Views that exist both as full pages and as portal fragments (under /portlet).
PAGE_BLUEPRINTS = (
    home.bp,
    dashboard.bp,
    search.bp,
    faq.bp,
    bookmarks.bp,
    tickets.bp,
    preferences.bp,
    responses.bp,
    admin.bp,
    statistics.bp,
    outbox.bp,
)


def create_app(overrides: dict | None = None) -> Flask:
    app = Flask(
        "portlet",
        template_folder=str(config.PROJECT_ROOT / "fragments" / "templates"),
        static_folder=str(config.PROJECT_ROOT / "fragments" / "static"),
        instance_path=str(config.PROJECT_ROOT / "instance"),
    )
    config.load(app, overrides)
    config.prepare_folders(app)
    extensions.init_app(app)
    with app.app_context():
        configure_engine(db.engine)

    app.url_map.converters["action"] = ActionConverter
    app.register_blueprint(health.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(mail_links.bp)  # mails link to full pages only
    for blueprint in PAGE_BLUEPRINTS:
        app.register_blueprint(blueprint)
    app.register_blueprint(framing.portlet_blueprint(PAGE_BLUEPRINTS))
    sso.init_app(app)
    framing.init_app(app)
    errors.init_app(app)
    templating.init_app(app)
    cli.init_app(app)
    inline.init_app(app)
    return app
