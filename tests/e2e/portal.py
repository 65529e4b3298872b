"""A stand-in ENT portal, to embed Assistance the three ways a real uPortal does.

- Like the Web Proxy Portlet: it signs the user in through CAS with a proxy
  callback, then fetches Assistance's fragment on the server side with a proxy
  ticket for the exact URL, keeps Assistance's cookies in a per-user jar, and
  inserts the fragment (its #hd-root) into its own page.
- Like the IFrame portlet: an iframe on Assistance's full page.
- Like a SimpleContentPortlet: the <assistance-widget>, fed by a signed
  userinfo token served at uPortal's path.

Its stylesheet is deliberately hostile (bare element selectors with loud
values) so that the tests can see whether styles bleed either way.
"""

from __future__ import annotations

import base64
import secrets
import time
from urllib.parse import quote

import jwt
import requests
from flask import Flask, redirect, render_template_string, request, session
from markupsafe import Markup

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


def portal_app(cas_url: str, assistance_url: str, receiver, jwt_key: str) -> Flask:
    app = Flask("test_portal")
    app.secret_key = secrets.token_hex(16)
    jars: dict[str, requests.Session] = {}  # WPP's cookie jar, one per portal user session

    def fetch_fragment(path: str) -> str:
        target = assistance_url + path
        ticket = proxy_ticket(cas_url, session["pgt"], target)
        jar = jars.setdefault(session["jar"], requests.Session())
        answer = jar.get(f"{target}?ticket={ticket}", timeout=15)
        body = answer.text.strip()
        # WPP's contentClippingFilter keeps the first #hd-root; ours is the whole body.
        assert body.startswith('<div id="hd-root"'), body[:300]
        return body

    @app.get("/")
    def home():
        if "pgt" not in session:
            service = request.base_url
            ticket = request.args.get("ticket")
            if not ticket:
                return redirect(f"{cas_url}login?service={quote(service, safe='')}")
            uid, iou = validate_for_pgt(cas_url, service, ticket, receiver.url)
            session.update(uid=uid, pgt=receiver.pgt_for(iou), jar=secrets.token_hex(8))
            return redirect(service)
        return render_template_string(
            PAGE, fragment=Markup(fetch_fragment("/portlet/")), assistance=assistance_url
        )

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
