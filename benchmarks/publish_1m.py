"""Publish benchmark: 1,000,000 articles in SQLite -> feeds + sitemap set.

Prints, in one run: the full publish time and peak memory (and the peak at 250,000 articles,
to show it is flat in N); the time of a bare baseline that only streams the same sitemap
XML from the same store with plain writes; the ratio sitemap set / baseline; the incremental
publish time after 1,000 new articles. Each measurement runs in a fresh child process so
that peak RSS (ru_maxrss) belongs to that measurement alone.

    .venv/bin/python benchmarks/publish_1m.py [N]
"""

from __future__ import annotations

import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
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
# Share pages (3 files per article) are measured by benchmarks/share_publish.py.
share:
  enabled: false
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
        data = {"id": f"id-{i:07d}", "url": url, "title": f"第{i}篇 A & B < C > D",
                "summary": "摘要" * 20, "content_html": "<p>" + "正文" * 100 + "</p>",
                "published": published.isoformat(), "updated": published.isoformat(),
                "authors": ["记者"], "editor": "", "origin": "", "channel": channel,
                "tags": ["标签"], "image": image, "language": "zh-CN", "source_id": "bench",
                "guid": "", "published_is_date": False, "dated": True}
        yield (f"id-{i:07d}", f"url|{url}", url, "bench", channel, pub, pub, changed, changed,
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


def baseline(db: Path, out: Path) -> None:
    """The bare baseline: the same query and the same XML, plain writes, 50,000 per file."""
    store = SQLiteStore(str(db))
    prefix, part, count, f = "http://www.example.cn/", 0, 50_000, None
    head = ('<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/'
            'schemas/sitemap/0.9" xmlns:image="http://www.google.com/schemas/sitemap-image/1.1">\n')
    out.mkdir(parents=True, exist_ok=True)
    for url, _pub, updated, _channel, image in store.sitemap_rows():
        if not url.startswith(prefix):
            continue
        if count == 50_000:
            if f:
                f.write("</urlset>\n")
                f.close()
            part, count = part + 1, 0
            f = open(out / f"s{part}.xml", "w", encoding="utf-8")  # noqa: SIM115 (closed per shard)
            f.write(head)
        img = f"<image:image><image:loc>{image}</image:loc></image:image>" if image else ""
        f.write(f"<url><loc>{url.replace('&', '&amp;')}</loc><lastmod>{updated}</lastmod>"
                f"{img}</url>\n")
        count += 1
    if f:
        f.write("</urlset>\n")
        f.close()


def child(task: str, workdir: Path) -> None:
    """Run one measurement and print {'seconds', 'peak_mb'} as JSON."""
    from feeds.publish import publish
    from feeds.publish.changes import read_mark
    from feeds.publish.sitemap_files import publish_sitemaps
    from feeds.store import open_store

    config = config_mod.load(workdir / "sources.yaml")
    started = time.perf_counter()
    if task == "baseline":
        baseline(workdir / "data" / "feeds.db", workdir / "baseline")
    else:
        store = open_store(config.store_url)
        if task == "sitemaps":
            publish_sitemaps(config, store, NOW, read_mark(store))
        else:
            result = publish(config, store, NOW + timedelta(minutes=5), send=False)
            print(f"#   {task}: {len(result.written)} files written, "
                  f"{len(result.unchanged)} unchanged", file=sys.stderr)
        store.close()
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "peak_mb": peak}))


def measure(task: str, workdir: Path) -> dict[str, float]:
    out = subprocess.run([sys.executable, __file__, "--child", task, str(workdir)],
                         check=True, capture_output=True, text=True)
    sys.stderr.write(out.stderr)
    return json.loads(out.stdout.strip().splitlines()[-1])


def reset(workdir: Path) -> None:
    shutil.rmtree(workdir / "output", ignore_errors=True)
    store = SQLiteStore(str(workdir / "data" / "feeds.db"))
    store.db.execute("DELETE FROM publish_state")
    store.close()


def setup(n: int) -> Path:
    workdir = Path(tempfile.mkdtemp(prefix=f"feeds-bench-{n}-"))
    (workdir / "sources.yaml").write_text(CONFIG, encoding="utf-8")
    (workdir / "data").mkdir()
    started = time.perf_counter()
    fill(workdir / "data" / "feeds.db", n)
    print(f"# filled {n:,} articles in {time.perf_counter() - started:.1f} s")
    return workdir


def main(n: int) -> None:
    small = setup(n // 4)
    small_full = measure("full", small)
    shutil.rmtree(small)
    work = setup(n)
    full = measure("full", work)
    maps, base = {"seconds": 1e9}, {"seconds": 1e9}
    for _ in range(2):  # best of two, alternating: this machine's disk cache is noisy
        reset(work)
        maps = min(maps, measure("sitemaps", work), key=lambda m: m["seconds"])
        base = min(base, measure("baseline", work), key=lambda m: m["seconds"])
    reset(work)
    measure("full", work)  # publish state in place again, then 1,000 new articles arrive
    add_new(work / "data" / "feeds.db", 1000, n)
    incremental = measure("incremental", work)
    shutil.rmtree(work)
    print(f"full publish ({n:,} articles):      {full['seconds']:.2f} s, "
          f"peak {full['peak_mb']:.0f} MB")
    print(f"full publish ({n // 4:,} articles):      {small_full['seconds']:.2f} s, "
          f"peak {small_full['peak_mb']:.0f} MB  (memory flat in N)")
    print(f"sitemap set alone (best of 2):      {maps['seconds']:.2f} s, "
          f"peak {maps['peak_mb']:.0f} MB")
    print(f"bare baseline (best of 2):          {base['seconds']:.2f} s, "
          f"peak {base['peak_mb']:.0f} MB")
    print(f"ratio sitemap set / baseline:       {maps['seconds'] / base['seconds']:.2f}x "
          f"(target <= 1.5x)")
    print(f"incremental publish (+1,000 new):   {incremental['seconds']:.2f} s (target < 1 s)")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2], Path(sys.argv[3]))
    else:
        main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
