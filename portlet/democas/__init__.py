"""A throw-away Django project serving django-cas-server for the demo and the tests.

Never imported by the Flask application: it needs Django and django-cas-server (GPL),
which are demo/test-only dependencies. Start it with ``python -m portlet.democas``.
"""
