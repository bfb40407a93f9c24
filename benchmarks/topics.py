"""Topic feeds benchmark: 100 topics over 1,000,000 articles, against a full publish.

The store is filled with articles whose titles, summaries and tags are drawn from a 5,000-word
vocabulary with Zipf frequencies (some Latin words among them), so topic words range from
common to rare. Each measurement runs in a fresh child process on the same store:

- full publish without topics, and with 100 topics (3 words each, drawn uniformly over the
  vocabulary's ranks, one exclude word, a fifth limited to one channel); the difference is
  what topics add (target: under 10 %);
- the topic step alone (publish_topics) on a fresh output/;
- an incremental publish after 1,000 new articles, and an unchanged one;
- the worst case: one more topic whose word appears nowhere, so every row is read.

Each of these four is the best of 3 runs, the four taken in turn.

    .venv/bin/python benchmarks/topics.py [N]
"""

from __future__ import annotations

import json
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from itertools import accumulate
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from feeds import config as config_mod  # noqa: E402 (after the sys.path line)
from feeds.store.sqlite import SQLiteStore  # noqa: E402

SITE = """\
site:
  title: 测试新闻网
  base_url: https://feeds.example.cn/
  portal_url: http://www.example.cn/
channels:
  - {id: news, title: 新闻中心}
  - {id: tech, title: 科技}
  - {id: biz, title: 财经}
share:
  enabled: false
"""
NOW = datetime(2026, 6, 30, 12, 0, tzinfo=UTC)
ROUNDS = 3
CHANNELS = ("news", "tech", "biz")
LATIN = ["AI", "5G", "chip", "EV", "GPU", "cloud", "IPO", "ESG", "app", "robot"]


def vocabulary(rng: random.Random, size: int = 5000) -> list[str]:
    """Pseudo-Chinese words of 2-3 common characters, with Latin words mixed in."""
    chars = [chr(c) for c in range(0x4E00, 0x4E00 + 2500)]
    words: dict[str, None] = {}
    while len(words) < size:
        if rng.random() < 0.02:
            words[rng.choice(LATIN) + str(rng.randint(1, 99))] = None
        else:
            words["".join(rng.choices(chars, k=rng.choice((2, 2, 3))))] = None
    return list(words)


def rows(start: int, n: int, first: datetime, step: timedelta, changed: str, words: list[str]):
    """Article rows shaped like SQLiteStore._insert writes them, with Zipf-drawn text."""
    rng = random.Random(start)
    weights = list(accumulate(1 / (r + 1) ** 1.1 for r in range(len(words))))
    for i in range(start, start + n):
        published = first + step * (i - start)
        pub = published.strftime("%Y-%m-%dT%H:%M:%SZ")
        channel = CHANNELS[i % 3]
        url = f"http://www.example.cn/{channel}/{published:%Y%m}/{i}.html"
        drawn = rng.choices(words, cum_weights=weights, k=18)
        data = {"id": f"id-{i:07d}", "url": url, "title": " ".join(drawn[:6]),
                "summary": "，".join(drawn[6:16]) + "。", "content_html": "<p>正文</p>",
                "published": published.isoformat(), "updated": published.isoformat(),
                "authors": [], "editor": "", "origin": "", "channel": channel,
                "tags": drawn[16:], "image": None, "language": "zh-CN", "source_id": "bench",
                "guid": "", "published_is_date": False, "dated": True}
        yield (f"id-{i:07d}", f"url|{url}", url, "bench", channel, pub, pub, changed, changed,
               "h", json.dumps(data, ensure_ascii=False))


def topics_yaml(words: list[str], n: int = 100, nowhere: bool = False) -> str:
    rng = random.Random(100)
    lines = ["topics:"]
    for t in range(n):
        include = rng.sample(words, 3)
        channels = f", channels: [{CHANNELS[t % 3]}]" if t % 5 == 0 else ""
        lines.append(f"  - {{id: t{t}, title: 专题{t}, include: {json.dumps(include)}, "
                     f"exclude: {json.dumps([rng.choice(words)])}{channels}}}")
    if nowhere:
        lines.append('  - {id: nowhere, title: 无, include: ["从未出现的词"]}')
    return "\n".join(lines) + "\n"


def fill(db: Path, n: int, words: list[str]) -> None:
    store = SQLiteStore(str(db))
    first = NOW - timedelta(days=8 * 365)
    step = (NOW - timedelta(days=3) - first) / n
    store.db.execute("PRAGMA journal_mode=OFF")
    store.db.execute("PRAGMA synchronous=OFF")
    store.db.execute("BEGIN")
    store.db.executemany("INSERT INTO articles VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                         rows(0, n, first, step, "2026-06-27T00:00:00Z", words))
    store.db.execute("COMMIT")
    store.db.execute("PRAGMA journal_mode=WAL")
    store.close()


def child(task: str, config_path: Path) -> None:
    """Run one measurement and print {'seconds', 'peak_mb'} as JSON."""
    from feeds.publish import publish
    from feeds.publish.topics import publish_topics
    from feeds.publish.writer import write_if_changed
    from feeds.store import open_store

    config = config_mod.load(config_path)
    store = open_store(config.store_url)
    started = time.perf_counter()
    if task == "topics":
        publish_topics(config, store, lambda rel, data: write_if_changed(
            config.output_path / rel, data))
    else:
        result = publish(config, store, NOW + timedelta(minutes=5), send=False)
        print(f"#   {task} ({config_path.name}): {len(result.written)} files written",
              file=sys.stderr)
    seconds = time.perf_counter() - started
    store.close()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "peak_mb": peak}))


def measure(task: str, config: Path, fresh: bool = True) -> dict[str, float]:
    if fresh:  # a full publish: no output/, no publish marks
        shutil.rmtree(config.parent / f"output-{config.stem}", ignore_errors=True)
        store = SQLiteStore(str(config.parent / "feeds.db"))
        store.db.execute("DELETE FROM publish_state")
        store.close()
    out = subprocess.run([sys.executable, __file__, "--child", task, str(config)],
                         check=True, capture_output=True, text=True)
    sys.stderr.write(out.stderr)
    return json.loads(out.stdout.strip().splitlines()[-1])


def write_config(work: Path, name: str, extra: str) -> Path:
    path = work / f"{name}.yaml"
    path.write_text(SITE + f"store: feeds.db\noutput_dir: output-{name}\n" + extra,
                    encoding="utf-8")
    return path


def main(n: int) -> None:
    work = Path(tempfile.mkdtemp(prefix="feeds-topics-bench-"))
    words = vocabulary(random.Random(14))
    started = time.perf_counter()
    fill(work / "feeds.db", n, words)
    print(f"# filled {n:,} articles in {time.perf_counter() - started:.1f} s")
    plain = write_config(work, "plain", "")
    topics = write_config(work, "topics", topics_yaml(words))
    worst = write_config(work, "worst", topics_yaml(words, nowhere=True))
    best = {"plain": 1e9, "topics": 1e9, "alone": 1e9, "worst": 1e9}
    for _ in range(ROUNDS):  # best of n, alternating: this shared machine is noisy
        for name, task, path in (("plain", "full", plain), ("topics", "full", topics),
                                 ("alone", "topics", topics), ("worst", "topics", worst)):
            best[name] = min(best[name], measure(task, path)["seconds"])
    alone, worst_alone = best["alone"], best["worst"]
    measure("full", topics)
    store = SQLiteStore(str(work / "feeds.db"))
    store.db.execute("BEGIN")
    store.db.executemany("INSERT INTO articles VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                         rows(n, 1000, NOW - timedelta(hours=2), timedelta(seconds=1),
                              "2026-06-30T12:00:00Z", words))
    store.db.execute("COMMIT")
    store.close()
    incremental = measure("full", topics, fresh=False)["seconds"]
    unchanged = measure("full", topics, fresh=False)["seconds"]
    shutil.rmtree(work)
    added = best["topics"] - best["plain"]
    print(f"full publish, no topics ({n:,} articles, best of 3):  {best['plain']:.2f} s")
    print(f"full publish, 100 topics (best of 3):              {best['topics']:.2f} s")
    print(f"topics add:                                        {added:+.2f} s = "
          f"{100 * added / best['plain']:+.1f} % (target < 10 %)")
    print(f"topic step alone, fresh output (best of 3):        {alone:.2f} s = "
          f"{100 * alone / best['plain']:.1f} % of the full publish")
    print(f"worst case, + a topic matching nothing (best of 3): {worst_alone:.2f} s = "
          f"{100 * worst_alone / best['plain']:.1f} %")
    print(f"incremental publish with topics (+1,000 new):      {incremental:.2f} s")
    print(f"unchanged publish with topics:                     {unchanged:.2f} s")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2], Path(sys.argv[3]))
    else:
        main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
