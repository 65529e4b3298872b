"""The application factory."""

from __future__ import annotations

from flask import Flask

from models import db
from models.db import configure_engine

from . import cli, config, extensions


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

    from routes import health

    app.register_blueprint(health.bp)
    cli.init_app(app)
    return app
