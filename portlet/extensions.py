"""Flask extensions, bound to the app in the factory."""

from flask import current_app, g, has_request_context, request
from flask_babel import Babel
from flask_mail import Mail
from flask_migrate import Migrate

from models import db

from .config import PROJECT_ROOT

babel = Babel()
mail = Mail()
migrate = Migrate(directory=str(PROJECT_ROOT / "migrations"), render_as_batch=True)


def select_locale() -> str:
    """The user's chosen language, else the browser's, else French."""
    languages = current_app.config["LANGUAGES"]
    user = g.get("user")
    if user is not None and user.language in languages:
        return user.language
    if has_request_context():
        # By preference, « fr-FR » counting as « fr » (werkzeug's best_match would
        # pick an exact « en;q=0.5 » over it).
        for tag, _quality in request.accept_languages:
            primary = tag.split("-")[0].split("_")[0].lower()
            if primary in languages:
                return primary
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def init_app(app) -> None:
    db.init_app(app)
    migrate.init_app(app, db)
    babel.init_app(app, locale_selector=select_locale)
    mail.init_app(app)
