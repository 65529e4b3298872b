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
    default = current_app.config["BABEL_DEFAULT_LOCALE"]
    if has_request_context():
        return request.accept_languages.best_match(languages) or default
    return default


def init_app(app) -> None:
    db.init_app(app)
    migrate.init_app(app, db)
    babel.init_app(app, locale_selector=select_locale)
    mail.init_app(app)
