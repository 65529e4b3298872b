"""The portal kits in ``portlet/embedding/``: portlet definitions a uPortal administrator imports.

Each definition must be well formed, follow the portlet-definition element order (checked with
our own schema, ``portlet-definition.xsd``), mark every site-specific value with a ``CHANGE:``
comment, and keep the settings the embedding depends on: the Web Proxy Portlet clips
``#hd-root``, signs in with CAS proxy tickets and routes only ``/portlet/`` URLs; the IFrame
portlet frames a full page under a title; the content portlet loads the widget.
"""

from __future__ import annotations

import copy
import re
from functools import cache
from pathlib import Path

import pytest
from lxml import etree, html

ROOT = Path(__file__).resolve().parents[2]
KITS = ROOT / "portlet" / "embedding"
SCHEMA = Path(__file__).with_name("portlet-definition.xsd")

WEBPROXY = KITS / "assistance-webproxy.portlet-definition.xml"
IFRAME = KITS / "assistance-iframe.portlet-definition.xml"
WIDGET = KITS / "assistance-widget.portlet-definition.xml"
DEFINITIONS = [WEBPROXY, IFRAME, WIDGET]

PD = "https://source.jasig.org/schemas/uportal/io/portlet-definition"
UP = "https://source.jasig.org/schemas/uportal"
NS = {"pd": PD, "up": UP}

PUBLIC_URL = "https://assistance.univ-x.fr"  # the placeholder the kits ship with
SITE_PLACEHOLDER = "univ-x.fr"

# What WPP must route back through the portal, and what it must leave alone.
FRAGMENT_URLS = [
    f"{PUBLIC_URL}/portlet/",
    f"{PUBLIC_URL}/portlet/tickets/42",
    f"{PUBLIC_URL}/portlet/?goto=%2Fportlet%2Ftickets%2F42",
]
NOT_FRAGMENT_URLS = [
    f"{PUBLIC_URL}/tickets/42",  # a full page: attachments, opened in a new tab
    f"{PUBLIC_URL}/",
    f"{PUBLIC_URL}/static/css/assistance.css",
    "http://assistance.univ-x.fr/portlet/",  # not over TLS
    "https://ent.univ-x.fr/portlet/",  # another host
    "https://assistance.univ-x.fr.evil.example/portlet/",  # a look-alike host
    "https://assistanceXuniv-x.fr/portlet/",  # the dots must be literal
    "https://evil.example/?next=https://assistance.univ-x.fr/portlet/",  # WPP uses find()
]


def parse(path: Path) -> etree._ElementTree:
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    return etree.parse(str(path), parser)


@cache
def schema() -> etree.XMLSchema:
    return etree.XMLSchema(parse(SCHEMA))


def child(element: etree._Element, name: str) -> etree._Element:
    found = element.find(f"pd:{name}", NS)
    assert found is not None, f"no <{name}> in <{etree.QName(element).localname}>"
    return found


def preferences(doc: etree._ElementTree) -> dict[str, list[str]]:
    return {
        pref.findtext("pd:name", namespaces=NS): [
            value.text or "" for value in pref.findall("pd:value", NS)
        ]
        for pref in doc.getroot().findall("pd:portlet-preference", NS)
    }


def single(doc: etree._ElementTree, name: str) -> str:
    values = preferences(doc).get(name)
    assert values is not None and len(values) == 1, f"preference {name!r}: {values!r}"
    return values[0]


def is_change_comment(node) -> bool:
    return isinstance(node, etree._Comment) and (node.text or "").strip().startswith("CHANGE:")


def kit_id(path: Path) -> str:
    return path.name.split(".")[0]


# --- every definition -----------------------------------------------------------------------


@pytest.mark.parametrize("path", DEFINITIONS, ids=kit_id)
def test_each_definition_is_well_formed(path):
    root = parse(path).getroot()
    assert root.tag == f"{{{PD}}}portlet-definition"
    assert root.get("version") == "4.0"


@pytest.mark.parametrize("path", DEFINITIONS, ids=kit_id)
def test_each_definition_follows_the_schema(path):
    schema().assertValid(parse(path))


@pytest.mark.parametrize("path", DEFINITIONS, ids=kit_id)
def test_each_change_comment_sits_right_above_an_element(path):
    comments = [node for node in parse(path).iter(etree.Comment) if is_change_comment(node)]
    assert comments, "a kit always has site-specific values to mark"
    for comment in comments:
        following = comment.getnext()
        assert isinstance(following, etree._Element) and isinstance(following.tag, str), (
            f"line {comment.sourceline}: CHANGE: must be followed by the element it is about"
        )
        assert not (comment.tail or "").strip(), f"line {comment.sourceline}: text in between"


@pytest.mark.parametrize("path", DEFINITIONS, ids=kit_id)
def test_every_site_specific_value_is_marked_change(path):
    """Hosts, groups and categories differ from one portal to the next."""
    for element in parse(path).getroot().iter(etree.Element):
        if len(element):
            continue
        site_specific = SITE_PLACEHOLDER in (element.text or "") or etree.QName(
            element
        ).localname in {"group", "category"}
        if site_specific:
            assert is_change_comment(element.getprevious()), (
                f"line {element.sourceline}: <{etree.QName(element).localname}> needs a CHANGE: "
                "comment right above it"
            )


def test_the_kits_have_distinct_fnames_and_the_same_title():
    docs = [parse(path).getroot() for path in DEFINITIONS]
    fnames = [child(root, "fname").text for root in docs]
    assert fnames[0] == "helpdesk-assistance"  # ASSISTANCE_PORTAL_URL_TEMPLATE names it
    assert len(set(fnames)) == len(fnames)
    assert {child(root, "title").text for root in docs} == {"Assistance"}


# --- Web Proxy Portlet ----------------------------------------------------------------------


def test_the_proxy_portlet_is_the_web_proxy_portlet():
    descriptor = child(parse(WEBPROXY).getroot(), "portlet-descriptor")
    assert descriptor.findtext("up:webAppName", namespaces=NS) == "/WebProxyPortlet"
    assert descriptor.findtext("up:portletName", namespaces=NS) == "WebProxyPortlet"
    assert single(parse(WEBPROXY), "contentService") == "httpContentService"
    assert single(parse(WEBPROXY), "sourcePageCharacterEncoding") == "UTF-8"


def test_the_proxy_signs_in_with_cas_proxy_tickets():
    doc = parse(WEBPROXY)
    assert single(doc, "authType") == "CAS"
    assert "proxyCASAuthenticationPreInterceptor" in preferences(doc)["preInterceptors"]
    assert "userInfoUrlParameterizingPreInterceptor" in preferences(doc)["preInterceptors"]


def test_the_proxy_keeps_only_the_fragment_root_then_rewrites_its_urls():
    doc = parse(WEBPROXY)
    assert single(doc, "clippingSelector") == "#hd-root"
    assert preferences(doc)["filters"] == ["contentClippingFilter", "urlRewritingFilter"]


def test_the_proxy_fetches_the_fragment_home_in_both_window_states():
    doc = parse(WEBPROXY)
    assert single(doc, "location") == f"{PUBLIC_URL}/portlet/"
    assert single(doc, "location.MAXIMIZED") == single(doc, "location")


def test_the_whitelist_routes_the_fragments_and_nothing_else():
    doc = parse(WEBPROXY)
    regexes = preferences(doc)["whitelistRegexes"]
    assert regexes
    locations = [single(doc, "location"), single(doc, "location.MAXIMIZED")]
    for regex in regexes:
        pattern = re.compile(regex)  # WPP applies Matcher.find(): a match anywhere counts
        for url in locations + FRAGMENT_URLS:
            assert pattern.search(url), f"{regex!r} should route {url}"
        for url in NOT_FRAGMENT_URLS:
            assert not pattern.search(url), f"{regex!r} must not route {url}"


def test_the_proxy_portlet_shows_the_same_title_whatever_the_page():
    root = parse(WEBPROXY).getroot()
    parameters = {
        p.findtext("pd:name", namespaces=NS): p.findtext("pd:value", namespaces=NS)
        for p in root.findall("pd:parameter", NS)
    }
    assert parameters.get("disableDynamicTitle") == "true"


# --- IFrame portlet -------------------------------------------------------------------------


def test_the_iframe_portlet_frames_a_full_page_under_a_title():
    doc = parse(IFRAME)
    descriptor = child(doc.getroot(), "portlet-descriptor")
    assert descriptor.findtext("up:isFramework", namespaces=NS) == "true"
    assert descriptor.findtext("up:portletName", namespaces=NS) == "IFrame"
    src = single(doc, "src")
    assert src.startswith(f"{PUBLIC_URL}/") and "/portlet/" not in src
    assert src.endswith("embed=iframe")
    assert single(doc, "title").strip(), "RGAA 2.1: every frame has a title"
    assert int(single(doc, "height")) > 0


# --- Web component --------------------------------------------------------------------------


def test_the_widget_portlet_loads_the_module_and_places_the_element():
    doc = parse(WIDGET)
    descriptor = child(doc.getroot(), "portlet-descriptor")
    assert descriptor.findtext("up:webAppName", namespaces=NS) == "/SimpleContentPortlet"
    assert descriptor.findtext("up:portletName", namespaces=NS) == "cms"
    content = single(doc, "content")
    assert "assistance-widget.js" in content and "<assistance-widget" in content
    markup = html.fragment_fromstring(content, create_parent="div")
    [script] = markup.iter("script")
    assert script.get("type") == "module"
    assert script.get("src") == f"{PUBLIC_URL}/static/js/assistance-widget.js"
    [widget] = markup.iter("assistance-widget")
    assert widget.get("api") == PUBLIC_URL
    assert widget.get("userinfo") == "/uPortal/api/v5-1/userinfo"


# --- the schema can fail --------------------------------------------------------------------


def _swap_type_and_timeout(root):
    timeout = child(root, "timeout")
    child(root, "type").addprevious(timeout)  # lxml moves the element


def _drop_fname(root):
    root.remove(child(root, "fname"))


def _blank_title(root):
    child(root, "title").text = "   "


def _descriptor_of_both_kinds(root):
    descriptor = child(root, "portlet-descriptor")
    flag = etree.SubElement(descriptor, f"{{{UP}}}isFramework")
    flag.text = "true"
    descriptor.insert(0, flag)


def _preference_twice(root):
    root.append(copy.deepcopy(root.findall("pd:portlet-preference", NS)[-1]))


def _unknown_permission_activity(root):
    root.find("pd:permissions/pd:permission", NS).set("activity", "MANAGE")


def _no_version(root):
    del root.attrib["version"]


BREAKAGES = [
    _swap_type_and_timeout,
    _drop_fname,
    _blank_title,
    _descriptor_of_both_kinds,
    _preference_twice,
    _unknown_permission_activity,
    _no_version,
]


@pytest.mark.parametrize("breakage", BREAKAGES, ids=lambda f: f.__name__.strip("_"))
def test_a_broken_copy_fails_the_schema(breakage):
    doc = copy.deepcopy(parse(WEBPROXY))
    assert schema().validate(doc)
    breakage(doc.getroot())
    assert not schema().validate(doc), f"the schema accepted a copy with {breakage.__name__}"


# --- the walk-through -----------------------------------------------------------------------


def test_the_walk_through_names_each_kit_and_each_setting():
    readme = (KITS / "README.md").read_text(encoding="utf-8")
    for path in DEFINITIONS:
        assert path.name in readme
    for key in (
        "ASSISTANCE_PUBLIC_URL",
        "ASSISTANCE_CAS_SERVER_URL",
        "ASSISTANCE_CAS_TIMEOUT",
        "ASSISTANCE_CAS_ALLOWED_PROXIES",
        "ASSISTANCE_FRAME_ANCESTORS",
        "ASSISTANCE_SESSION_COOKIE_SAMESITE",
        "ASSISTANCE_SESSION_COOKIE_PARTITIONED",
        "ASSISTANCE_WIDGET_ORIGINS",
        "ASSISTANCE_PORTAL_JWT_KEY",
        "ASSISTANCE_PORTAL_JWT_ISSUER",
        "ASSISTANCE_PORTAL_URL_TEMPLATE",
    ):
        assert key in readme, key
