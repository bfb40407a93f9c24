"""Publish benchmark: 1,000,000 articles in SQLite -> every output.

Everything is on: site, channel, tag and source feeds in every format, the sitemap set with
images and news, 网站地图, the feed directory and OPML, the feeds' own pages and share pages
(on `share.workers` = 2 processes). Prints, in one run: the full first publish (seconds, peak
memory of the publish process and of its largest share worker); a second publish with nothing
changed (files it rewrote: must be 0); the incremental publish after 1,000 new articles; the
sitemap set alone from scratch (best of 2) beside the floor of
../shared/bench/sitemap_floor.py run on the same machine in the same run, and their ratio;
the share files' bytes per article and the most entries any folder under output/ holds.
Each measurement runs in a fresh child process, so its peak RSS (ru_maxrss) is its own.

    .venv/bin/python benchmarks/publish_1m.py [N]
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FLOOR = ROOT.parent.parent / "shared" / "bench" / "sitemap_floor.py"  # /work/shared/bench
if not FLOOR.exists():
    FLOOR = ROOT.parent / "shared" / "bench" / "sitemap_floor.py"
sys.path.insert(0, str(ROOT))

from feeds import config as config_mod  # noqa: E402 (after the sys.path line)
from feeds.store.sqlite import SQLiteStore  # noqa: E402

CONFIG = """\
site:
  title: 测试新闻网
  base_url: https://feeds.example.cn/
  portal_url: http://www.example.cn/
channels:
  - {id: news, title: 新闻中心, url: http://www.example.cn/news/}
  - {id: tech, title: 科技, url: http://www.example.cn/tech/}
  - {id: biz, title: 财经, url: http://www.example.cn/biz/}
feeds:
  tags: [{id: biaoqian, tag: 标签}]
  sources: [bench]
sitemaps:
  images: true
  news: true
share:
  enabled: true
  workers: 2
sources:  # never fetched here: the articles are loaded straight into the store
  - {id: bench, kind: feed, url: "http://www.example.cn/rss.xml", channel: news}
"""
NOW = datetime(2026, 6, 30, 12, 0, tzinfo=UTC)
CHANNELS = ("news", "tech", "biz")


def rows(start: int, n: int, first: datetime, step: timedelta, changed: str):
    """Article rows shaped exactly like SQLiteStore._insert writes them."""
    for i in range(start, start + n):
        published = first + step * (i - start)
        pub = published.strftime("%Y-%m-%dT%H:%M:%SZ")
        channel = CHANNELS[i % 3]
        url = (f"http://www.example.cn/{channel}/{published:%Y%m}/{i}.html" if i % 10
               else f"http://partner.example.com/a/{i}.html")  # 10% on a partner host
        image = {"url": f"http://img.example.cn/{i}.jpg", "width": None, "height": None,
                 "type": None, "length": None, "alt": None} if i % 3 == 0 else None
        article_id = str(uuid.uuid5(uuid.NAMESPACE_URL, url))  # as the store makes ids
        data = {"id": article_id, "url": url, "title": f"第{i}篇 A & B < C > D",
                "summary": "摘要" * 20, "content_html": "<p>" + "正文" * 100 + "</p>",
                "published": published.isoformat(), "updated": published.isoformat(),
                "authors": ["记者"], "editor": "", "origin": "", "channel": channel,
                "tags": ["标签"], "image": image, "language": "zh-CN", "source_id": "bench",
                "guid": "", "published_is_date": False, "dated": True}
        yield (article_id, f"url|{url}", url, "bench", channel, pub, pub, changed, changed,
               "h", json.dumps(data, ensure_ascii=False))


def fill(db: Path, n: int) -> None:
    store = SQLiteStore(str(db))
    first = NOW - timedelta(days=8 * 365)
    step = (NOW - timedelta(days=3) - first) / n
    store.db.execute("PRAGMA journal_mode=OFF")  # a bulk load: no WAL copy of 2 GB of rows
    store.db.execute("PRAGMA synchronous=OFF")
    store.db.execute("BEGIN")
    store.db.executemany("INSERT INTO articles VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                         rows(0, n, first, step, "2026-06-27T00:00:00Z"))
    store.db.execute("COMMIT")
    store.db.execute("PRAGMA journal_mode=WAL")
    store.close()


def add_new(db: Path, n: int, base: int) -> None:
    store = SQLiteStore(str(db))
    store.db.execute("BEGIN")
    store.db.executemany("INSERT INTO articles VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                         rows(base, n, NOW - timedelta(hours=2), timedelta(seconds=1),
                              "2026-06-30T12:00:00Z"))
    store.db.execute("COMMIT")
    store.close()


def child(task: str, workdir: Path) -> None:
    """Run one measurement and print {'seconds', 'peak_mb', 'workers_mb', 'written'} as JSON."""
    from feeds.publish import publish
    from feeds.publish.changes import read_mark
    from feeds.publish.sitemap_files import publish_sitemaps
    from feeds.store import open_store

    config = config_mod.load(workdir / "sources.yaml")
    started = time.perf_counter()
    store = open_store(config.store_url)
    written = 0
    if task == "sitemaps":
        written = len(publish_sitemaps(config, store, NOW, read_mark(store)).written)
    else:
        result = publish(config, store, NOW + timedelta(minutes=5), send=False)
        written = len(result.written)
        print(f"#   {task}: {written} files written, {len(result.unchanged)} unchanged",
              file=sys.stderr)
    store.close()
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "peak_mb": peak, "workers_mb": workers,
                      "written": written}))


def measure(task: str, workdir: Path) -> dict[str, float]:
    out = subprocess.run([sys.executable, __file__, "--child", task, str(workdir)],
                         capture_output=True, text=True)
    sys.stderr.write(out.stderr)
    out.check_returncode()
    return json.loads(out.stdout.strip().splitlines()[-1])


def floor(n: int) -> dict[str, float]:
    """The fixed yardstick, run here and now: plain writes of (url, lastmod) rows."""
    out = subprocess.run([sys.executable, str(FLOOR), str(n)], check=True,
                         capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def reset_sitemaps(workdir: Path) -> None:
    shutil.rmtree(workdir / "output" / "sitemaps", ignore_errors=True)
    store = SQLiteStore(str(workdir / "data" / "feeds.db"))
    store.db.execute("DELETE FROM publish_state WHERE name = 'sitemaps'")
    store.close()


def share_footprint(out: Path) -> tuple[float, int]:
    """(bytes of share files per article, most entries in any folder under out)."""
    size = articles = widest = 0
    for path, dirs, names in os.walk(out):
        widest = max(widest, len(dirs) + len(names))
        if "/share/" in path + "/" and path != str(out / "share"):
            for name in names:
                size += os.stat(os.path.join(path, name)).st_size
                articles += name.endswith(".head.html")
    return size / max(articles, 1), widest


def setup(n: int) -> Path:
    workdir = Path(tempfile.mkdtemp(prefix=f"feeds-bench-{n}-"))
    (workdir / "sources.yaml").write_text(CONFIG, encoding="utf-8")
    (workdir / "data").mkdir()
    started = time.perf_counter()
    fill(workdir / "data" / "feeds.db", n)
    print(f"# filled {n:,} articles in {time.perf_counter() - started:.1f} s")
    return workdir


def main(n: int) -> None:
    load = os.getloadavg()
    yardstick = floor(n)
    work = setup(n)
    full = measure("full", work)
    again = measure("unchanged", work)
    bytes_per_article, widest = share_footprint(work / "output")
    add_new(work / "data" / "feeds.db", 1000, n)
    incremental = measure("incremental", work)
    maps: dict[str, float] = {"seconds": 1e9}
    for _ in range(2):  # best of two, like the floor
        reset_sitemaps(work)
        maps = min(maps, measure("sitemaps", work), key=lambda m: m["seconds"])
    shutil.rmtree(work)
    ratio = maps["seconds"] / yardstick["seconds"]
    print(f"load average at start {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}, "
          f"at end {os.getloadavg()[0]:.2f} (2 cores)")
    print(f"full first publish ({n:,} articles, everything on):  {full['seconds']:.1f} s "
          f"(target <= 600 s), peak {full['peak_mb']:.0f} MB, share workers peak "
          f"{full['workers_mb']:.0f} MB each (target < 200 MB)")
    print(f"publish again, nothing changed:      {again['seconds']:.2f} s, "
          f"{again['written']:.0f} files rewritten (target 0)")
    print(f"incremental publish (+1,000 new):    {incremental['seconds']:.2f} s (target < 2 s)")
    print(f"sitemap set alone (best of 2):       {maps['seconds']:.2f} s, "
          f"peak {maps['peak_mb']:.0f} MB")
    print(f"floor, sitemap_floor.py ({yardstick['urls']:,} URLs): {yardstick['seconds']:.2f} s")
    print(f"ratio sitemap set / floor:           {ratio:.2f}x (target <= 3x)")
    print(f"share files per article:             {bytes_per_article / 1000:.1f} KB "
          f"(target <= 16 KB)")
    print(f"most entries in one folder:          {widest:,} (target <= 10,000)")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2], Path(sys.argv[3]))
    else:
        main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
