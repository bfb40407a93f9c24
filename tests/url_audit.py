"""Every URL in our outputs, read back with real parsers: the URL policy's last line of defence.

`output_urls(folder)` parses each output file (XML and HTML with lxml, JSON with json) and
returns every URL-valued attribute, element and key; `unsafe_urls` keeps those that are not
absolute http(s) with a host. Used by the hostile-source and the property tests.
"""

from __future__ import annotations

import json
import posixpath
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

from lxml import etree
from lxml import html as lhtml

__all__ = ["is_own_link", "is_public_url", "output_urls", "unsafe_urls", "urls_in_html", "urls_in_json",
           "urls_in_xml"]

URL_ATTRS = {"href", "src", "xmlurl", "htmlurl", "url", "action", "poster", "srcset",
             "cite", "data", "formaction", "background"}
URL_TEXT = {"loc", "url", "comments", "docs", "icon", "logo", "uri"}  # element text that is a URL
URL_KEYS = {"url", "external_url", "image", "banner_image", "icon", "favicon", "feed_url",
            "home_page_url", "next_url", "avatar", "share_page", "site_url", "href", "logo",
            "@id"}
URL_METAS = {"og:url", "og:image", "og:image:url", "og:image:secure_url", "twitter:image",
             "twitter:url"}


_UTF8 = lhtml.HTMLParser(encoding="utf-8")  # our outputs are UTF-8; no guessing


def is_public_url(url: str) -> bool:
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname) and url == url.strip()


def urls_in_xml(data: bytes) -> Iterator[str]:
    root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        name = etree.QName(el).localname.lower()
        for attr, value in el.attrib.items():
            if etree.QName(attr).localname.lower() in URL_ATTRS and not value.startswith("urn:"):
                yield value
        if name in URL_TEXT and el.text and el.text.strip() and len(el) == 0:
            yield el.text.strip()
        if name == "link" and not el.attrib and el.text:  # RSS <link>, not Atom's
            yield el.text.strip()
        if name == "guid" and el.get("isPermaLink", "true") != "false" and el.text:
            yield el.text.strip()


def urls_in_html(data: bytes) -> Iterator[str]:
    root = lhtml.document_fromstring(data, parser=_UTF8)
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        for attr, value in el.attrib.items():
            if attr.lower() in URL_ATTRS and not (attr == "data" and el.tag != "object"):
                yield value
        if el.tag == "meta" and (el.get("property") or el.get("name") or "") in URL_METAS:
            yield el.get("content", "")
        if el.tag == "meta" and el.get("itemprop") in ("image", "url"):
            yield el.get("content", "")
        if el.tag == "script" and el.get("type") == "application/ld+json" and el.text:
            yield from urls_in_json(el.text.encode())


def urls_in_json(data: bytes) -> Iterator[str]:
    def walk(value: object, key: str = "") -> Iterator[str]:
        if isinstance(value, dict):
            for k, v in value.items():
                yield from walk(v, k)
        elif isinstance(value, list):
            for v in value:
                yield from walk(v, key)
        elif isinstance(value, str) and key in URL_KEYS:
            yield value

    yield from walk(json.loads(data))


def output_urls(folder: Path) -> Iterator[tuple[str, str]]:
    """(file, url) for every URL in every output file (stylesheets excepted: XSLT, not data)."""
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder).as_posix()
        if not path.is_file() or rel.startswith("style/") or path.suffix == ".gz":
            continue
        data = path.read_bytes()
        if path.suffix in (".xml", ".opml"):
            found: Iterator[str] = urls_in_xml(data)
        elif path.suffix == ".html":
            found = urls_in_html(data) if data.strip() else iter(())
        elif path.suffix == ".json":
            found = urls_in_json(data)
        else:
            continue
        for url in found:
            yield rel, url


_OWN_RELATIVE = re.compile(r"(?:\.\./)*[a-z0-9][a-z0-9_/.-]*\.(?:html|css|xml|json|opml)")


def is_own_link(url: str, folder: Path | None = None, rel: str = "",
                relative: bool = False) -> bool:
    """Links our templates write themselves: no favicon (`data:,`), the share-by-mail link,
    and relative links between our own pages (feed pages, directories, share pages: they
    must work under any origin or path prefix), which must resolve to a file of output/
    (or, for a page checked alone, `relative=True`, look like one of ours)."""
    if url == "data:," or url.startswith("mailto:?subject="):
        return True
    if relative and folder is None:
        return _OWN_RELATIVE.fullmatch(url) is not None
    if folder is None or not url or ":" in url.split("/")[0] or url.startswith(("/", "#")):
        return False
    target = posixpath.normpath(posixpath.join(posixpath.dirname(rel), url.split("#")[0]))
    return not target.startswith("..") and (folder / target).is_file()


def unsafe_urls(folder: Path) -> list[tuple[str, str]]:
    """Every (file, url) that is not an absolute http(s) URL (nor one of our own links)."""
    return [(f, u) for f, u in output_urls(folder)
            if not is_public_url(u) and not is_own_link(u, folder, f)]
