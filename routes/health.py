"""``/healthz``: is the service up, is its database reachable and its schema current?

For load balancers and monitoring; it tells nothing about any ticket.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, jsonify
from sqlalchemy.exc import SQLAlchemyError

from models import Category, Department, db

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    try:
        revision = db.session.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
        services = db.session.scalar(sa.select(sa.func.count(Department.id)))
        categories = db.session.scalar(sa.select(sa.func.count(Category.id)))
    except SQLAlchemyError:
        db.session.rollback()
        return jsonify(status="unavailable", database="unreachable or not initialised"), 503
    return jsonify(
        status="ok",
        database=db.engine.dialect.name,
        schema=revision,
        services=services,
        categories=categories,
    )
