"""The services the demo CAS knows: our application, and the proxies (portals) given."""

from __future__ import annotations

from cas_server.models import ReplaceAttributName, ServicePattern
from django.db import transaction

# Display names: the French login page says « requise par le service Assistance ».
APP = "Assistance"


def configure_services(service_pattern: str, proxy_patterns: list[str]) -> None:
    """Make the ServicePattern rows match the command line; running it again changes nothing."""
    # name -> (pattern, single_log_out); the application comes first: the first match wins.
    wanted = {APP: (service_pattern, True)}
    for index, pattern in enumerate(proxy_patterns, start=1):
        wanted[f"Portail {index}"] = (pattern, False)
    with transaction.atomic():
        for row in ServicePattern.objects.all():
            if wanted.get(row.name, (None,))[0] != row.pattern:
                row.delete()
        for pos, (name, (pattern, single_log_out)) in enumerate(wanted.items(), start=1):
            row, _ = ServicePattern.objects.update_or_create(
                name=name,
                defaults={
                    "pos": 10 * pos,
                    "pattern": pattern,
                    # May receive proxy tickets and be a pgtUrl.
                    "proxy": True,
                    "proxy_callback": True,
                    # SLO is POSTed to the service URL itself (empty callback).
                    "single_log_out": single_log_out,
                    "single_log_out_callback": "",
                },
            )
            # Without at least one of these rows, no attribute is released at all.
            ReplaceAttributName.objects.get_or_create(service_pattern=row, name="*")
