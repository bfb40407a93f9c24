"""output/robots.txt: Sitemap: lines where crawlers look (or the operator's own file)."""

from __future__ import annotations

from pathlib import Path

__all__ = ["render"]


def render(index_url: str, shard_urls: list[str], baidu: bool, own_file: Path | None) -> bytes:
    """The operator's own robots.txt verbatim when configured; else allow-all plus Sitemap
    lines: the index, and in Baidu mode every shard too (Baidu ignores sitemap indexes)."""
    if own_file is not None:
        return own_file.read_bytes()
    lines = ["User-agent: *", "Allow: /", ""]
    if index_url:
        lines.append(f"Sitemap: {index_url}")
    if baidu:
        lines += [f"Sitemap: {url}" for url in shard_urls]
    return ("\n".join(lines) + "\n").encode("utf-8")
