"""Share pages at scale: full render of N articles, then a publish with nothing changed, then
one with a single article changed. Prints seconds and files written for each, the rate in
articles per second (one process: one core), the bytes of all share files per article and the
most entries any folder under share/ holds.

    .venv/bin/python benchmarks/share_publish.py [N]   (default 5000)
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

from feeds.config import loads
from feeds.model import Article, Image
from feeds.publish.share import publish_share
from feeds.store.sqlite import SQLiteStore

CONFIG = """\
site:
  title: 基准新闻网
  base_url: https://feeds.example.cn/
  portal_url: http://www.example.cn/
  logo: /images/logo.png
channels:
  - id: news
    title: 新闻中心
"""
NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
CST = timezone(timedelta(hours=8))


def article(i: int, title: str = "") -> Article:
    when = datetime(2026, 1, 1, tzinfo=CST) + timedelta(minutes=i)
    body = "".join(f"<p>第{k}段：宁波市科技创新工作获省政府督查激励，成效明显。</p>" for k in range(20))
    return Article(
        id=str(uuid.uuid5(uuid.NAMESPACE_URL, f"bench-{i}")),  # store ids are UUIDs
        url=f"http://www.example.cn/news/{i}.html",
        title=title or f"第{i}条：宁波市科技创新工作获省政府督查激励", summary="", content_html=body,
        published=when, updated=when, authors=("记者",), channel="news", tags=("科技",),
        image=Image(f"http://www.example.cn/img/{i}.jpg", 800, 450) if i % 2 else None,
        source_id="bench")


def timed(label: str, fn) -> tuple[float, float]:
    """(wall seconds, CPU seconds of this process: user + system, i.e. of the one core used)."""
    start, cpu = time.perf_counter(), time.process_time()
    result = fn()
    took, used = time.perf_counter() - start, time.process_time() - cpu
    print(f"{label:<28} {took:8.2f} s   files written {len(result.written):6d}   "
          f"identical {len(result.unchanged):6d}")
    return took, used


def footprint(folder: Path) -> tuple[int, int, int]:
    """(files, bytes, most entries in one folder) under `folder`, dot files left out."""
    files = size = widest = 0
    for path, dirs, names in os.walk(folder):
        widest = max(widest, len(dirs) + len(names))
        for name in names:
            if not name.startswith("."):
                files += 1
                size += os.stat(os.path.join(path, name)).st_size
    return files, size, widest


def main(n: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        config = loads(CONFIG, root / "sources.yaml")
        store = SQLiteStore(str(root / "feeds.db"))
        for i in range(n):
            store.upsert(article(i), NOW)
        print(f"share pages for {n} articles (load {os.getloadavg()[0]:.2f})")
        took, used = timed("first publish (all)", lambda: publish_share(config, store, NOW))
        timed("nothing changed", lambda: publish_share(config, store, NOW))
        store.upsert(article(7, "改过的标题"), NOW + timedelta(minutes=1))
        timed("one article changed", lambda: publish_share(config, store, NOW))
        files, size, widest = footprint(config.output_path / "share")
        print(f"rate, one core               {n / took:8.0f} articles/s wall clock, "
              f"{n / used:.0f} per CPU second (target >= 2,000)")
        print(f"share files per article      {size / n / 1024:8.1f} KiB in {files / n:.0f} files "
              f"(target <= 16 KB)")
        print(f"most entries in one folder   {widest:8d} (target <= 10,000 at 1M)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5000)
