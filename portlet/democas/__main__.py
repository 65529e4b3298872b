"""python -m portlet.democas --port 8001 --data-dir DIR --service-pattern REGEX
[--proxy-pattern REGEX ...]: migrate, declare the services, serve on 127.0.0.1."""

from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path

HOST = "127.0.0.1"


def regex(value: str) -> str:
    try:
        re.compile(value)
    except re.error as error:
        raise argparse.ArgumentTypeError(f"invalid regular expression: {error}") from None
    return value


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m portlet.democas", description=__doc__)
    parser.add_argument("--port", type=int, default=int(os.environ.get("DEMOCAS_PORT", 8001)))
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=os.environ.get("DEMOCAS_DATA_DIR"),
        required="DEMOCAS_DATA_DIR" not in os.environ,
        help="folder of the SQLite database (created if missing)",
    )
    parser.add_argument(
        "--service-pattern",
        type=regex,
        default=os.environ.get("DEMOCAS_SERVICE_PATTERN"),
        required="DEMOCAS_SERVICE_PATTERN" not in os.environ,
        help=r"the application's service URLs, e.g. '^http://127\.0\.0\.1:5000/.*$'",
    )
    parser.add_argument(
        "--proxy-pattern",
        type=regex,
        action="append",
        default=[],
        help="a portal's URLs: may be a pgtUrl and receive proxy tickets (repeatable)",
    )
    args = parser.parse_args(argv)
    patterns = [args.service_pattern, *args.proxy_pattern]
    if len(set(patterns)) != len(patterns):
        parser.error("each pattern must be given once")
    return args


def main(argv: list[str]) -> None:
    args = parse_args(argv)
    args.data_dir.mkdir(parents=True, exist_ok=True)
    os.environ["DEMOCAS_DATA_DIR"] = str(args.data_dir.resolve())
    os.environ["DJANGO_SETTINGS_MODULE"] = "portlet.democas.settings"
    # PGT callbacks and SLO posts go to 127.0.0.1: never through an HTTP proxy.
    os.environ["no_proxy"] = os.environ["NO_PROXY"] = "127.0.0.1,localhost"

    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", interactive=False, verbosity=0)

    from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler
    from django.core.wsgi import get_wsgi_application

    from portlet.democas.services import configure_services

    configure_services(args.service_pattern, args.proxy_pattern)
    # Threaded: a validation may wait on a PGT callback while SLO posts run.
    server = ThreadedWSGIServer((HOST, args.port), WSGIRequestHandler)
    server.set_app(get_wsgi_application())
    print(f"CAS ready on http://{HOST}:{args.port}/cas/", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main(sys.argv[1:])
