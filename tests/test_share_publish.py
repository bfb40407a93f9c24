"""Share files through publish(): written once, rewritten only on change, removed with the article."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from share_helpers import CONFIG, HOSTILE, NOW, make_article, make_config

from feeds.publish import publish
from feeds.publish.share import publish_share
from feeds.store.sqlite import SQLiteStore

SUFFIXES = (".html", ".json", ".head.html")


class CountingStore(SQLiteStore):
    """A real SQLite store that counts full-article reads (the expensive part of a render)."""

    gets = 0

    def changed_after(self, after, limit):
        rows = super().changed_after(after, limit)
        self.gets += len(rows)
        return rows


def _setup(tmp_path: Path, n: int = 5):
    config = make_config(tmp_path)
    store = CountingStore(str(tmp_path / "feeds.db"))
    for i in range(1, n + 1):
        store.upsert(make_article(i), NOW)
    return config, store


def _share_files(config) -> dict[str, float]:
    """name -> mtime of every article file under share/<shard>/ (dot files left out)."""
    folder = config.output_path / "share"
    return {p.name: p.stat().st_mtime_ns for p in folder.glob("*/*") if not p.name.startswith(".")}


def _rel(article_id: str, suffix: str) -> str:
    return f"share/{article_id[:3]}/{article_id}{suffix}"


def test_publish_writes_three_files_per_article(tmp_path: Path) -> None:
    config, store = _setup(tmp_path)
    result = publish(config, store, NOW)
    files = _share_files(config)
    assert len(files) == 15
    for i in range(1, 6):
        for suffix in SUFFIXES:
            assert f"{make_article(i).id}{suffix}" in files
            assert _rel(make_article(i).id, suffix) in result.written


def test_unchanged_store_renders_nothing(tmp_path: Path) -> None:
    config, store = _setup(tmp_path)
    publish(config, store, NOW)
    before, store.gets = _share_files(config), 0
    result = publish(config, store, NOW)
    assert store.gets == 0  # no article was even read, let alone rendered
    assert not [p for p in result.written + result.unchanged if p.startswith("share/")]
    assert _share_files(config) == before


def test_a_changed_article_alone_is_rendered_again(tmp_path: Path) -> None:
    config, store = _setup(tmp_path)
    publish(config, store, NOW)
    changed = make_article(3, title="新的标题")
    store.upsert(changed, NOW)
    store.gets = 0
    result = publish(config, store, NOW)
    assert store.gets == 1
    assert sorted(p for p in result.written if p.startswith("share/")) == sorted(
        _rel(changed.id, s) for s in SUFFIXES)
    page = (config.output_path / _rel(changed.id, ".html")).read_text("utf-8")
    assert "新的标题" in page


def test_an_article_removed_from_the_store_loses_its_files(tmp_path: Path) -> None:
    config, store = _setup(tmp_path)
    publish(config, store, NOW)
    gone = make_article(2).id
    assert store.remove(gone).id == gone
    result = publish(config, store, NOW)
    assert sorted(result.removed) == sorted(_rel(gone, s) for s in SUFFIXES)
    files = _share_files(config)
    assert len(files) == 12 and not any(name.startswith(gone) for name in files)
    assert store.upsert(make_article(2), NOW)[0] == "removed"  # a takedown stays down
    assert publish(config, store, NOW).removed == []


def test_lost_mark_renders_again_but_rewrites_nothing(tmp_path: Path) -> None:
    config, store = _setup(tmp_path)
    publish(config, store, NOW)
    before = _share_files(config)
    (config.output_path / "share" / ".mark.json").unlink()
    result = publish_share(config, store, NOW)
    assert result.written == [] and len(result.unchanged) == 15  # byte-identical: not rewritten
    assert _share_files(config) == before


def test_a_publish_killed_half_way_resumes_where_it_stopped(tmp_path: Path, monkeypatch) -> None:
    from feeds.publish import share

    config, store = _setup(tmp_path, 7)
    monkeypatch.setattr(share, "BATCH", 3)
    calls = 0
    real = share._publish_one

    def dies_on_the_fifth(*args):
        nonlocal calls
        calls += 1
        if calls == 5:
            raise KeyboardInterrupt  # a SIGTERM/kill in the middle of a batch
        real(*args)

    monkeypatch.setattr(share, "_publish_one", dies_on_the_fifth)
    with pytest.raises(KeyboardInterrupt):
        publish_share(config, store, NOW)
    monkeypatch.setattr(share, "_publish_one", real)
    store.gets = 0
    result = publish_share(config, store, NOW)
    assert store.gets == 4  # the first full batch of 3 was saved; 4 articles were left
    assert len(_share_files(config)) == 21 and len(result.written) == 3 * 3


def test_site_settings_change_renders_everything(tmp_path: Path) -> None:
    config, store = _setup(tmp_path)
    publish(config, store, NOW)
    renamed = make_config(tmp_path, CONFIG.replace("title: 测试新闻网", "title: 新名字网"))
    result = publish_share(renamed, store, NOW)
    assert len(result.written) == 15
    assert "新名字网" in (renamed.output_path / _rel(make_article(1).id, ".html")).read_text()


def test_hostile_articles_publish_and_are_byte_stable_across_outputs(tmp_path: Path) -> None:
    outputs = []
    for run in ("a", "b"):
        root = tmp_path / run
        root.mkdir()
        config = make_config(root)
        store = SQLiteStore(str(root / "feeds.db"))
        for article in HOSTILE.values():
            store.upsert(article, NOW)
        publish(config, store, NOW)
        outputs.append({p.name: p.read_bytes() for p in (config.output_path / "share").glob("*/*")
                        if not p.name.startswith(".")})  # .mark.json holds write times
    assert outputs[0] == outputs[1] and len(outputs[0]) == 3 * len(HOSTILE)


def test_unsafe_ids_never_become_paths(tmp_path: Path) -> None:
    config, store = _setup(tmp_path, 1)
    bad = dataclasses.replace(make_article(7), id="../../etc/evil", url="http://x.cn/7")
    store.upsert(bad, NOW)
    publish_share(config, store, NOW)
    assert not (config.output_path.parent / "etc").exists()
    assert len(_share_files(config)) == 3


def test_files_are_sharded_by_id_prefix_and_the_old_flat_layout_is_cleared(tmp_path: Path) -> None:
    config, store = _setup(tmp_path, 2)
    share = config.output_path / "share"
    share.mkdir(parents=True)
    old = share / f"{make_article(1).id}.html"  # an earlier version's flat file
    old.write_text("old layout")
    (share / "keep.txt").write_text("not ours")
    publish_share(config, store, NOW)
    assert not old.exists() and (share / "keep.txt").exists()
    folders = {p.name for p in share.iterdir() if p.is_dir()}
    assert folders == {make_article(1).id[:3]}  # both test ids start 000
    assert (share / "share.css").exists()


def test_a_kill_leaves_no_temp_files_and_the_mark_covers_only_flushed_batches(
        tmp_path: Path, monkeypatch) -> None:
    from feeds.publish import share

    config, store = _setup(tmp_path, 4)
    monkeypatch.setattr(share, "BATCH", 2)
    real = share._publish_one
    calls = 0

    def dies_on_the_third(renderer, writer, article_id, article, result):
        nonlocal calls
        calls += 1
        if calls == 3:
            raise RuntimeError("disk full")
        real(renderer, writer, article_id, article, result)

    monkeypatch.setattr(share, "_publish_one", dies_on_the_third)
    with pytest.raises(RuntimeError):
        publish_share(config, store, NOW)
    assert not list((config.output_path / "share").rglob("*.tmp"))
    mark = json.loads((config.output_path / "share" / ".mark.json").read_text())
    assert mark["after"][1] == store.changed_after(("", ""), 2)[-1][1]  # first batch only


def test_a_large_backlog_rendered_by_two_processes_gives_the_same_files(tmp_path: Path,
                                                                        monkeypatch) -> None:
    from feeds.publish import share

    monkeypatch.setattr(share, "BATCH", 4)
    monkeypatch.setattr(share, "PARALLEL", 8)
    outputs = []
    for workers in (1, 2):
        root = tmp_path / str(workers)
        root.mkdir()
        config = make_config(root, CONFIG + f"share:\n  workers: {workers}\n")
        store = SQLiteStore(str(root / "feeds.db"))
        for i in range(1, 24):
            store.upsert(make_article(i), NOW)
        result = publish_share(config, store, NOW)
        assert len(result.written) == 23 * 3
        outputs.append({p.relative_to(config.output_path).as_posix(): p.read_bytes()
                        for p in (config.output_path / "share").glob("*/*")})
        mark = json.loads((config.output_path / "share" / ".mark.json").read_text())
        assert mark["after"][1] == make_article(23).id  # every batch covered, in order
        assert publish_share(config, store, NOW).written == []
    assert outputs[0] == outputs[1]
