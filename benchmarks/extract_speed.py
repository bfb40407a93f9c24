"""Pages per second for extraction + normalisation of the example portal's article pages (bytes
already in memory, one core): with the innovation-html rules from sources.yaml, and with the
generic extractor (no rules). Targets: >= 300 pages/s with rules, >= 100 generic."""

from __future__ import annotations

import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from feeds import config as config_mod  # noqa: E402
from feeds.extract import extract  # noqa: E402
from feeds.fetch.charset import decode  # noqa: E402
from feeds.normalise import Context, normalise  # noqa: E402

NOW = datetime(2023, 8, 1, tzinfo=UTC)


def run(pages: list[tuple[str, bytes]], rules: dict, remove: tuple, rounds: int) -> float:
    config = config_mod.load(ROOT / "sources.yaml")
    ctx = Context("bench", "innovation", config.site.tz, NOW)
    start = time.perf_counter()
    for _ in range(rounds):
        for url, body in pages:
            normalise(extract(decode(body), url, rules, remove), ctx)
    return rounds * len(pages) / (time.perf_counter() - start)


def main() -> None:
    site = ROOT / "examples" / "portal" / "site"
    pages = [(p.as_uri(), p.read_bytes()) for p in sorted(site.glob("*/2023/*.html"))]
    source = config_mod.load(ROOT / "sources.yaml").source("innovation-html")
    assert source is not None
    run(pages, {}, (), 1)  # warm-up: imports, selector compilation
    ruled = run(pages, source.options.rules, source.options.remove, 10)
    generic = run(pages, {}, (), 10)
    print(f"{len(pages)} article pages, extraction + normalisation, one core")
    print(f"with rules         {ruled:7.0f} pages/s  (target 300)")
    print(f"generic extractor  {generic:7.0f} pages/s  (target 100)")
    corpus = _corpus_pages()
    if corpus:
        real = run(corpus, {}, (), 1)
        print(f"generic, {len(corpus)} real corpus pages (../shared/corpora) {real:7.0f} pages/s")


def _corpus_pages() -> list[tuple[str, bytes]]:
    import gzip

    root = next((p / "shared" / "corpora" for p in ROOT.parents
                 if (p / "shared" / "corpora").is_dir()), None)
    if root is None:
        return []
    pages = [("https://example.com/", gzip.decompress(p.read_bytes()))
             for p in sorted((root / "aeb" / "html").glob("*.html.gz"))]
    return pages + [("http://example.cn/", p.read_bytes())
                    for p in sorted((root / "cwced" / "original").glob("*.html"))]


if __name__ == "__main__":
    main()
