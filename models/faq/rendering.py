"""An entry's body: Markdown, rendered to HTML, then sanitised by nh3.

Authors may write Markdown and a little HTML; whatever they write, only the tags and
attributes below survive, links only to http(s) and mailto addresses. Headings start
one level below the entry's title, wherever the page puts it (the author may start at
« # » or at « ## »).
"""

from __future__ import annotations

import html

import nh3
from markdown_it import MarkdownIt

TAGS = {
    "p", "br", "hr", "strong", "em", "b", "i", "del", "s", "code", "pre", "kbd",
    "blockquote", "ul", "ol", "li", "a", "h2", "h3", "h4", "h5", "h6",
    "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}, "th": {"scope"}}
URL_SCHEMES = {"http", "https", "mailto"}
LINK_REL = "noopener noreferrer nofollow"


def _shifted_heading(_renderer, tokens, index, _options, env) -> str:
    token = tokens[index]
    level = min(6, int(token.tag[1]) + env.get("heading_shift", 0))
    return f"</h{level}>\n" if token.nesting < 0 else f"<h{level}>"


_PARSER = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
_PARSER.add_render_rule("heading_open", _shifted_heading)
_PARSER.add_render_rule("heading_close", _shifted_heading)


def render(body: str | None, heading_base: int = 2) -> str:
    """Safe HTML for ``body``; its highest headings (« # », or « ## » when it has no
    « # ») become ``<h{heading_base}>``, the others follow below them."""
    tokens = _PARSER.parse(body or "")
    levels = [int(token.tag[1]) for token in tokens if token.type == "heading_open"]
    shift = max(2, min(6, heading_base)) - min(levels, default=1)
    html = _PARSER.renderer.render(tokens, _PARSER.options, {"heading_shift": shift})
    return nh3.clean(
        html, tags=TAGS, attributes=ATTRIBUTES, url_schemes=URL_SCHEMES, link_rel=LINK_REL
    )


def plain_text(body: str | None) -> str:
    """The words a reader sees, without markup: what suggestions and search read."""
    text = nh3.clean(_PARSER.render(body or ""), tags=set())
    return html.unescape(text)
