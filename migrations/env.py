"""Alembic environment: the application's engine, or a connection the tests hand in."""

import logging
from logging.config import fileConfig

from alembic import context

from models import db
from models.db import UTCDateTime
from models.search.schema import comparison_filters

config = context.config
if config.config_file_name is not None and not config.attributes.get("connection"):
    fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger("alembic.env")


def render_item(type_, obj, autogen_context):
    """Write our column types as plain SQLAlchemy ones, so migrations never import the app."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def skip_empty_autogenerate(context_, revision, directives):
    if getattr(config.cmd_opts, "autogenerate", False) and directives[0].upgrade_ops.is_empty():
        directives[:] = []
        logger.info("No changes in schema detected.")


def configure(dialect: str, **kwargs):
    context.configure(
        # The search index's FTS5 tables and GIN indexes are the migrations' alone.
        **comparison_filters(dialect),
        target_metadata=db.metadata,
        render_as_batch=True,
        compare_type=True,
        render_item=render_item,
        process_revision_directives=skip_empty_autogenerate,
        **kwargs,
    )


def run_migrations_offline():
    from flask import current_app

    url = current_app.extensions["migrate"].db.engine.url
    configure(url.get_backend_name(), url=url, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    connection = config.attributes.get("connection")
    if connection is not None:
        configure(connection.dialect.name, connection=connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    from flask import current_app

    with current_app.extensions["migrate"].db.engine.connect() as connection:
        configure(connection.dialect.name, connection=connection)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
