"""The peer's URLs: django-helpdesk under /helpdesk/, the admin it links to, and the
/healthz bench/run.py polls until gunicorn answers."""

from django.contrib import admin
from django.http import HttpResponse
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("helpdesk/", include("helpdesk.urls", namespace="helpdesk")),
    path("healthz", lambda request: HttpResponse("ok")),
]
