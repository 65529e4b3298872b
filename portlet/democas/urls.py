"""Everything under /cas/, static files included (no runserver, no collectstatic)."""

from pathlib import Path

import cas_server
from django.urls import include, re_path
from django.views.static import serve

CAS_STATIC = Path(cas_server.__file__).parent / "static"
OWN_STATIC = Path(__file__).parent / "static"

urlpatterns = [
    re_path(r"^cas/static/democas/(?P<path>.*)$", serve, {"document_root": OWN_STATIC}),
    re_path(r"^cas/static/(?P<path>.*)$", serve, {"document_root": CAS_STATIC}),
    re_path(r"^cas/", include("cas_server.urls", namespace="cas_server")),
]
