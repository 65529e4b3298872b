"""A stand-in ENT portal, to embed Assistance the three ways a real uPortal does.

- Like the Web Proxy Portlet (WPP): it signs the user in through CAS with a
  proxy callback, then fetches Assistance's fragments on the server side, each
  time with a fresh proxy ticket for the exact URL, keeps Assistance's cookies
  in a per-user jar, keeps only the fragment's #hd-root and rewrites its links
  and forms so that the user navigates and posts through the portal (see
  ``WebProxy``).
- Like the IFrame portlet: an iframe on Assistance's full page.
- Like a SimpleContentPortlet: the <assistance-widget>, fed by a signed
  userinfo token served at uPortal's path.

Its stylesheet is deliberately hostile (bare element selectors with loud
values) so that the tests can see whether styles bleed either way.
"""

from __future__ import annotations

import base64
import re
import secrets
import time
from dataclasses import dataclass, field
from urllib.parse import quote, urldefrag, urlencode, urljoin, urlsplit

import jwt
import lxml.etree
import lxml.html
import requests
from flask import Flask, redirect, render_template_string, request, session
from markupsafe import Markup, escape

from tests.cas_server import proxy_ticket, validate_for_pgt

PAGE = """<!doctype html>
<html lang="fr">
<head>
  <meta charset="utf-8">
  <title>ENT de l'Université</title>
  <style>
    body { font-family: "Comic Sans MS", cursive; font-size: 22px; color: rgb(128, 0, 128); }
    a { color: rgb(0, 128, 0); }
    p { margin: 40px; color: rgb(128, 0, 128); }
    ul { list-style: square; padding-left: 80px; }
    h3 { font-size: 40px; color: rgb(255, 0, 0); }
    button, input[type=submit] { background: rgb(255, 105, 180); }
    .portal-note { color: rgb(10, 20, 30); }
  </style>
</head>
<body>
  <header>
    <h1>ENT de l'Université</h1>
    <p class="portal-note">Bienvenue dans votre espace numérique.</p>
    <a class="portal-link" href="/">Accueil du portail</a>
  </header>
  <main>
    <section class="portlet" id="wpp">
      <h2>Assistance</h2>
      {{ fragment }}
    </section>
    <section class="portlet" id="iframe">
      <h2>Assistance (cadre)</h2>
      <iframe title="Assistance en ligne : mes demandes" src="{{ assistance }}/?embed=iframe"
              width="100%" height="500"></iframe>
    </section>
    <section class="portlet" id="widget">
      <h2>Mes demandes</h2>
      <script type="module" src="{{ assistance }}/static/js/assistance-widget.js"></script>
      <assistance-widget api="{{ assistance }}"
                         userinfo="/uPortal/api/v5-1/userinfo"></assistance-widget>
    </section>
  </main>
</body>
</html>"""

# URLRewritingFilter's elements and the attributes it rewrites (WPP's applicationContext.xml).
ACTION_ELEMENTS = {
    "a": ("href",),
    "area": ("href",),
    "base": ("href",),
    "frame": ("src",),
    "iframe": ("src",),
    "q": ("cite",),
    "ins": ("cite",),
    "del": ("cite",),
    "form": ("action",),
    "meta": ("url",),
}
RESOURCE_ELEMENTS = {
    "link": ("href",),
    "img": ("src", "lowsrc", "usemap"),
    "embed": ("src",),
    "script": ("src",),
    "body": ("background",),
    "applet": ("codebase",),
}
IGNORED_PROTOCOLS = ("javascript:", "mailto:")
HTML_CONTENT_TYPE = re.compile(r".*text/html.*")  # WPP's knownHtmlContentTypes
PROXY_PREFIX = "proxy."  # portlet parameters that are WPP's own, never forwarded
INITIAL_PATH = "/portlet/"  # the portlet's `location` preference
TIMEOUT = 15  # seconds, for each fetch from Assistance
MAX_REDIRECTS = 10
REDIRECTS = frozenset({301, 302, 303, 307, 308})
# HttpClient 4's DefaultRedirectStrategy: GET is redirected on any of these, other methods
# only on 303 (and then with a GET).
FOLLOWED_REDIRECTS = {"GET": REDIRECTS, "POST": frozenset({303})}


class ProxyError(Exception):
    """What WPP could not show; the portal says so in the portlet's section."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status, self.message = status, message

    def html(self) -> str:
        return (
            f'<div class="portal-error" role="alert"><p>Erreur du portail ({self.status}) : '
            f"{escape(self.message)}</p></div>"
        )


@dataclass
class Fetched:
    url: str  # after redirects: the base URL for rewriting
    status: int
    content_type: str
    content: bytes


@dataclass
class Rendered:
    """The portlet's section for one URL, as the render phase shows it."""

    url: str
    html: str
    status: int = 200


@dataclass
class Visitor:
    """What WPP keeps in one user's portlet session."""

    jar: requests.Session = field(default_factory=requests.Session)  # HttpClient's cookie store
    rewritten: set[str] = field(default_factory=set)  # the only URLs it will proxy
    pending: Rendered | None = None  # the action phase's response, for the render phase


def with_ticket(url: str, ticket: str) -> str:
    """WPP's ``URIBuilder.addParameter("ticket", …)``: the last query parameter."""
    return f"{url}{'&' if '?' in url else '?'}ticket={ticket}"


def absolute(value: str, location: str) -> str:
    """An attribute's URL made absolute the way URLRewritingFilter does it (not RFC 3986):
    ``/x`` against the server, anything else against the directory of ``location``."""
    if "://" in value or value.startswith("//"):
        return value
    parts = urlsplit(location)
    server = f"{parts.scheme}://{parts.netloc}"
    if value.startswith("/"):
        return server + value
    return server + parts.path[: parts.path.rfind("/") + 1] + value


def portal_url(url: str, route: str = "/", **parameters: str) -> str:
    """A portlet URL that brings the user back to ``url`` through the portal."""
    query = urlencode({"proxy.url": url, **parameters}, quote_via=quote, safe="")
    return f"{route}?{query}"


def forwarded_fields() -> list[tuple[str, str]]:
    """The portlet parameters WPP passes on: all but its own ``proxy.*``."""
    return [
        (name, value)
        for name, value in request.values.items(multi=True)
        if not name.startswith(PROXY_PREFIX)
    ]


def follow_redirects(jar, method: str, url: str, answer, headers: dict) -> Fetched:
    """Follow redirects as HttpClient 4 does; a redirect it would not follow is an error."""
    for _ in range(MAX_REDIRECTS):
        location = answer.headers.get("Location")
        if answer.status_code not in REDIRECTS or not location:
            content_type = answer.headers.get("Content-Type", "")
            return Fetched(url, answer.status_code, content_type, answer.content)
        if answer.status_code not in FOLLOWED_REDIRECTS.get(method, ()):
            raise ProxyError(
                502,
                f"{method} {url} answered {answer.status_code} to {location}: "
                "HttpClient does not follow this redirect",
            )
        method, url = "GET", urljoin(url, location)
        answer = jar.get(url, headers=headers, allow_redirects=False, timeout=TIMEOUT)
    raise ProxyError(502, f"more than {MAX_REDIRECTS} redirects, last to {url}")


def clip(fetched: Fetched) -> lxml.html.HtmlElement:
    """contentClippingFilter: the first element matching ``#hd-root``."""
    if not HTML_CONTENT_TYPE.match(fetched.content_type):
        raise ProxyError(502, f"{fetched.url} is not an HTML page ({fetched.content_type})")
    try:
        document = lxml.html.document_fromstring(fetched.content.decode("utf-8", "replace"))
    except lxml.etree.ParserError as error:
        raise ProxyError(502, f"{fetched.url} answered {fetched.status}: {error}") from error
    roots = document.xpath('//*[@id="hd-root"]')
    if not roots:
        raise ProxyError(502, f"{fetched.url} answered {fetched.status} without #hd-root")
    return roots[0]


class WebProxy:
    """The Web Proxy Portlet's content service and filters, for one portlet definition."""

    def __init__(self, cas_url: str, assistance_url: str):
        self.cas_url = cas_url
        self.location = assistance_url + INITIAL_PATH
        # The whitelistRegexes preference, anchored as in the real portlet definition.
        self.whitelist = re.compile("^" + re.escape(assistance_url) + "/portlet/")
        self.visitors: dict[str, Visitor] = {}  # one portlet session per portal session

    def visitor(self) -> Visitor:
        return self.visitors.setdefault(session["jar"], Visitor())

    def allowed(self, visitor: Visitor, url: str) -> str:
        """WPP is no open proxy: only its location, or a URL it rewrote for this user."""
        if url != self.location and url not in visitor.rewritten:
            raise ProxyError(403, f"URL refusée (jamais proposée par le portail) : {url}")
        return url

    def show(self, visitor: Visitor, method: str, url: str, fields=()) -> Rendered:
        """Fetch an allowed ``url`` for the signed-in user: clipped and rewritten, or the error."""
        try:
            fetched = self.fetch(visitor, method, url, fields)
            root = clip(fetched)
        except ProxyError as error:
            return Rendered(url, error.html(), error.status)
        except requests.RequestException as error:
            return Rendered(url, ProxyError(502, str(error)).html(), 502)
        self.rewrite(visitor, root, fetched.url)
        return Rendered(fetched.url, lxml.html.tostring(root, encoding="unicode", with_tail=False))

    def fetch(self, visitor: Visitor, method: str, url: str, fields=()) -> Fetched:
        """HttpContentServiceImpl: one request, with a fresh proxy ticket for its exact URL."""
        if method == "GET" and fields:  # a GET form, which WPP turned into a POST to itself
            url = f"{url}{'&' if '?' in url else '?'}{urlencode(fields)}"
        target = urldefrag(url).url
        ticket = proxy_ticket(self.cas_url, session["pgt"], target)
        headers = {"User-Agent": request.headers.get("User-Agent", "")}  # the only one replayed
        answer = visitor.jar.request(
            method,
            with_ticket(target, ticket),
            data=list(fields) if method == "POST" else None,  # form-urlencoded, UTF-8
            headers=headers,
            allow_redirects=False,
            timeout=TIMEOUT,
        )
        return follow_redirects(visitor.jar, method, target, answer, headers)

    def rewrite(self, visitor: Visitor, root, location: str) -> None:
        """URLRewritingFilter: whitelisted URLs come back through the portal."""
        for elements, route in ((ACTION_ELEMENTS, "/"), (RESOURCE_ELEMENTS, "/resource")):
            for tag, attributes in elements.items():
                for element in root.iter(tag):
                    for attribute in attributes:
                        self.rewrite_attribute(visitor, element, attribute, location, route)

    def rewrite_attribute(self, visitor: Visitor, element, attribute, location, route) -> None:
        value = element.get(attribute)
        if not value or not value.strip() or value.lower().startswith(IGNORED_PROTOCOLS):
            return
        url = absolute(value, location)
        if self.whitelist.search(url):
            visitor.rewritten.add(url)
            url = self.routed(element, url, route)
        element.set(attribute, url)

    @staticmethod
    def routed(element, url: str, route: str) -> str:
        if element.tag != "form":
            return portal_url(url, route)
        # Every form posts to the portal; WPP remembers how to send it on.
        method = "POST" if (element.get("method") or "").upper() == "POST" else "GET"
        element.set("method", "post")
        return portal_url(url, **{"proxy.isForm": "true", "proxy.formMethod": method})


def portal_app(cas_url: str, assistance_url: str, receiver, jwt_key: str) -> Flask:
    app = Flask("test_portal")
    app.secret_key = secrets.token_hex(16)
    proxy = WebProxy(cas_url, assistance_url)

    def page(rendered: Rendered):
        html = render_template_string(
            PAGE, fragment=Markup(rendered.html), assistance=assistance_url
        )
        return html, rendered.status

    def sign_in():
        service = request.base_url
        ticket = request.args.get("ticket")
        if not ticket:
            return redirect(f"{cas_url}login?service={quote(service, safe='')}")
        uid, iou = validate_for_pgt(cas_url, service, ticket, receiver.url)
        session.update(uid=uid, pgt=receiver.pgt_for(iou), jar=secrets.token_hex(8))
        return redirect(service)

    @app.get("/")
    def home():
        """The render phase: the portlet's location, a link it rewrote, or an action's result."""
        if "pgt" not in session:
            return sign_in()
        visitor = proxy.visitor()
        url = request.args.get("proxy.url") or proxy.location
        pending, visitor.pending = visitor.pending, None
        if pending is not None and pending.url == url:
            return page(pending)
        try:
            target = proxy.allowed(visitor, url)
        except ProxyError as error:
            return page(Rendered(url, error.html(), error.status))
        return page(proxy.show(visitor, "GET", target))

    @app.post("/")
    def action():
        """The action phase of a form: send it on, keep the answer, redirect to the render."""
        if "pgt" not in session:
            return sign_in()
        visitor = proxy.visitor()
        url = request.args.get("proxy.url") or proxy.location
        try:
            target = proxy.allowed(visitor, url)
        except ProxyError as error:  # refused: nothing is sent
            return page(Rendered(url, error.html(), error.status))
        method = "GET" if request.args.get("proxy.formMethod") == "GET" else "POST"
        rendered = proxy.show(visitor, method, target, forwarded_fields())
        visitor.pending = rendered
        if proxy.whitelist.search(rendered.url):
            visitor.rewritten.add(rendered.url)  # the page shown: reloading it fetches it again
        return redirect(portal_url(rendered.url), 303)

    @app.get("/resource")
    def resource():
        """The portlet's resource URL: a whitelisted file, fetched through the user's jar."""
        if "pgt" not in session:
            return "", 401
        visitor = proxy.visitor()
        try:
            target = proxy.allowed(visitor, request.args.get("proxy.url", ""))
            fetched = proxy.fetch(visitor, "GET", target)
        except ProxyError as error:
            return error.message, error.status
        return fetched.content, fetched.status, {"Content-Type": fetched.content_type}

    @app.get("/iframe-only")
    def iframe_only():
        """A portal page for someone not signed in to the ENT: just the iframe."""
        return render_template_string(
            '<!doctype html><html lang="fr"><title>ENT</title><body>'
            '<iframe title="Assistance en ligne" src="{{ assistance }}/?embed=iframe"></iframe>',
            assistance=assistance_url,
        )

    @app.get("/uPortal/api/v5-1/userinfo")
    def userinfo():
        if "uid" not in session:
            return "", 401
        token = jwt.encode(
            {
                "sub": session["uid"],
                "iss": request.host_url + "uPortal",
                "exp": int(time.time()) + 300,
                "iat": int(time.time()),
            },
            base64.b64decode(jwt_key),
            algorithm="HS512",
        )
        return token, 200, {"Content-Type": "application/jwt"}

    return app
