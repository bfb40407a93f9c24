"""Article page (decoded text) -> RawArticle: per-field rules from sources.yaml first, the
generic extractor for every field without a rule.

    article.py  rules, selection and the field-by-field assembly, with provenance
    meta.py     metadata, dates, labelled fields, lead image, canonical URL, language
    titles.py   the title chooser (candidates weighed by agreement; never the site's name)
    body.py     the text-density body heuristic (trafilatura as a second opinion)
    clutter.py  what is never the article: junk tags, clutter class words, hidden elements
"""

from __future__ import annotations

from .article import FIELDS, extract, parse_html, select
from .titles import site_texts

__all__ = ["FIELDS", "extract", "parse_html", "select", "site_texts"]
