"""Reading the mails the loopback server received, as their recipients would."""

from __future__ import annotations

import html
import re
from email.message import EmailMessage

from tests.routes.conftest import PUBLIC_URL, form_values


def html_of(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("html",)).get_content()


def text_of(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def readable(message: EmailMessage) -> str:
    """The HTML part's text, tags removed and spaces folded."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", html_of(message))).split())


def links_of(message: EmailMessage) -> dict[str, str]:
    """The HTML part's links, by their text."""
    found = {}
    for url, label in re.findall(r'<a href="([^"]+)"[^>]*>(.*?)</a>', html_of(message), re.S):
        found[html.unescape(re.sub(r"<[^>]+>", "", label)).strip()] = html.unescape(url)
    return found


def quick_link_labels(message: EmailMessage) -> list[str]:
    """The labels of the « Liens rapides » list, in order."""
    part = html_of(message).split('<ul style="list-style:none', 1)[1].split("</ul>", 1)[0]
    return [html.unescape(label).strip() for label in re.findall(r"<a [^>]*>(.*?)</a>", part, re.S)]


def path_of(url: str) -> str:
    assert url.startswith(PUBLIC_URL), url
    return url.removeprefix(PUBLIC_URL)


def is_alternative(message: EmailMessage) -> bool:
    return any(part.get_content_type() == "multipart/alternative" for part in message.walk())


def send_form(browser, url: str, **values):
    """Fill and send the action form at ``url`` as a person would: the fields named,
    and boxes left unticked (« Ne pas prévenir » above all) unless named."""
    page = browser.get(url)
    assert page.status_code == 200, (url, page.status_code)
    data = {
        name: value
        for name, value in form_values(page.text).items()
        if f'name="{name}" type="checkbox"' not in page.text
        and not re.search(rf'type="checkbox"[^>]*name="{name}"', page.text)
    }
    data.update({f"hd-{name}": value for name, value in values.items()})
    return browser.post(url, data=data)
