"""One template per view, rendered in the portal's fragment or as a full page."""

from __future__ import annotations

from flask import render_template

from ._urls import in_fragment, is_embedded

FRAGMENT_LAYOUT = "layouts/fragment.html"
PAGE_LAYOUT = "layouts/page.html"


def render_view(template: str, status: int = 200, **context):
    """Render ``template`` inside the layout the request calls for.

    In the portal the portlet's title is the page's ``h2``, so a fragment's
    headings start at ``h3``; a full page starts at ``h1``.
    """
    fragment = in_fragment()
    context.setdefault("title", None)
    return (
        render_template(
            template,
            layout=FRAGMENT_LAYOUT if fragment else PAGE_LAYOUT,
            fragment=fragment,
            hbase=3 if fragment else 1,
            embedded=is_embedded(),
            **context,
        ),
        status,
    )
