"""The shell's tests use the web application fixtures of the route tests."""

from tests.routes.conftest import app, browser, world  # noqa: F401
