"""Whatever YAML a config holds, `feeds check` prints one line per problem (`file:line: key:
message`) and exits 2: never a traceback. A schedule is checked by the scheduler's own parser,
and a daemon reload with a bad one keeps the old config."""

from __future__ import annotations

import re

import pytest

from feeds import config
from feeds.cli import main
from feeds.errors import ConfigError

LINE = re.compile(r"^sources\.yaml:\d+: \S+: .+$")


def source(extra: str = "", url: str = "http://partner.example.com/rss.xml") -> str:
    return ("sources:\n  - id: partner\n    kind: feed\n"
            f"    url: {url}\n    channel: news\n{extra}")


CASES = {
    # name: (sources yaml, words of the one expected line)
    "python tag": (source("    charset: !!python/name:os.system\n"),
                   "sources[0].charset: YAML tag 'tag:yaml.org,2002:python/name:os.system'"),
    "python object": (source() + "fetch: !!python/object/apply:os.system [echo hi]\n",
                      "fetch: YAML tag"),
    "custom tag": (source("    charset: !gbk gbk\n"), "sources[0].charset: YAML tag '!gbk'"),
    "inf": (source() + "fetch:\n  max_bytes: .inf\n", "fetch.max_bytes: must be a finite number"),
    "nan": (source() + "fetch:\n  connect_timeout: .nan\n",
            "fetch.connect_timeout: must be a finite number"),
    "huge int": (source() + "fetch:\n  connect_timeout: " + "9" * 400 + "\n",
                 "fetch.connect_timeout: number out of range"),
    "complex key": (source() + "? [a, b]\n: 1\n", "keys must be plain words"),
    "duplicate key": (source("    channel: tech\n"), "sources[0].channel: duplicate key"),
    "recursive alias": (source() + "feeds: &loop\n  tags: [*loop]\n", "recursive alias"),
    "billion laughs": (source() + "".join(
        f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]\n" if i else "l0: &l0 [lol]\n"
        for i in range(9)), "an alias bomb"),  # the l0..l8 keys are also reported as unknown
    "bad timestamp": (source("    charset: 2023-02-30\n"), "sources[0].charset: not a valid"),
    "bracket url": (source(url="'http://[oops/rss.xml'"), "sources[0].url: not a valid URL"),
    "bad port": (source(url="'http://partner.example.com:99999/rss.xml'"),
                 "sources[0].url: not a valid URL"),
    "space in url": (source(url="'http://partner.example.com/a b.xml'"), "contains spaces"),
    "nul in file url": (source(url='"file:a\\0b.xml"'), "control characters"),
    "empty file url": (source(url="'file:'"), "sources[0].url: names no file"),
    "bad cron": (source("    schedule: 61 * * * *\n"), "sources[0].schedule: not a valid cron"),
    "bad cron words": (source("    schedule: a b c d e\n"), "sources[0].schedule: not a valid cron"),
    "zero interval": (source("    schedule: 0s\n"), "sources[0].schedule: an interval must be"),
    "endless interval": (source("    schedule: 99999999999d\n"), "longer than ten years"),
    "indexnow traversal": (source() + "notify:\n  indexnow_key: ../../etc/cron.d/x\n",
                           "notify.indexnow_key: must be 8-128 characters"),
    "indexnow short": (source() + "notify:\n  indexnow_key: abc\n", "notify.indexnow_key"),
    "unknown charset": (source("    charset: klingon\n"), "unknown charset 'klingon'"),
    "bad selector": ("sources:\n  - id: p\n    kind: html\n    url: http://a.example/\n"
                     "    links: 'ul >> a'\n", "sources[0].links: invalid CSS selector"),
    "page template": ("sources:\n  - id: p\n    kind: html\n    url: http://a.example/\n"
                      "    page_template: index.html\n", "sources[0].page_template: must contain"),
    "javascript listing": ("sources:\n  - id: p\n    kind: html\n    url: http://a.example/\n"
                           "    urls: ['javascript:alert(1)']\n", "sources[0].urls: "),
    "output_dir a file": (source() + "output_dir: sources.yaml\n",
                          "output_dir: /"),  # the config itself: an existing file
    "output_dir under a file": (source() + "output_dir: sources.yaml/out\n",
                                "sources.yaml is a file, so"),
    "huge per_host": (source() + "fetch:\n  per_host: 99999999999999999999999\n",
                      "fetch.per_host: must be between 1 and 64"),
    "huge fetch workers": (source() + "fetch:\n  workers: 100000\n",
                           "fetch.workers: must be between 1 and 256"),
    "huge worker concurrency": (source() + "worker:\n  concurrency: 5000\n",
                                "worker.concurrency: must be between 1 and 256"),
    "huge retries": (source() + "notify:\n  retries: 2000\n",
                     "notify.retries: must be between 1 and 20"),
    "nested too deep": (source() + "feeds:\n  tags: " + "[" * 5000 + "]" * 5000 + "\n",
                        "nested too deeply"),
}


@pytest.mark.parametrize("name", list(CASES))
def test_hostile_config_is_one_line_and_exit_2(name, write_config, capsys):
    text, words = CASES[name]
    path = write_config(text)
    assert main(["check", "-c", str(path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert all(LINE.match(line) or ": (yaml): " in line for line in err), err
    assert len([line for line in err if words in line]) == 1, err
    assert len(err) == (10 if name == "billion laughs" else 1), err  # + l0..l8: unknown keys


def test_site_keys_are_checked(write_config):
    base = ("site:\n  title: t\n  base_url: https://feeds.example.cn/\n  language: 中文\n"
            "  logo: 'javascript:alert(1)'\n  contact_url: 'mailto:me@example.com'\n"
            "channels:\n  - id: news\n    title: n\n")
    with pytest.raises(ConfigError) as e:
        config.load(write_config(source(), base))
    found = "\n".join(e.value.problems)
    for key in ("site.language", "site.logo", "site.contact_url"):
        assert key in found, found
    assert len(e.value.problems) == 3


def test_a_merged_source_loads(write_config):
    text = ("sources:\n  - &first\n    id: a\n    kind: feed\n    channel: news\n"
            "    schedule: 1h\n    url: http://a.example/rss.xml\n"
            "  - <<: *first\n    id: b\n    url: http://b.example/rss.xml\n")
    cfg = config.load(write_config(text))
    assert [(s.id, s.schedule, s.url) for s in cfg.sources] == [
        ("a", "1h", "http://a.example/rss.xml"), ("b", "1h", "http://b.example/rss.xml")]


def test_an_output_that_cannot_be_written_is_one_line_and_exit_1(write_config, capsys):
    """A config that passes, and then a file where publish needs a folder (made after the
    check, or a folder the operator broke): one line naming output_dir and the path."""
    path = write_config(source() + "output_dir: out\n")
    assert main(["check", "-c", str(path)]) == 0
    (path.parent / "out").mkdir()
    (path.parent / "out" / "style").write_text("not a folder")
    capsys.readouterr()
    assert main(["publish", "-c", str(path)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    assert "output_dir 'out'" in err[0] and "out/style" in err[0], err
    assert "Traceback" not in err[0]


def test_a_huge_worker_concurrency_flag_is_one_line_and_exit_2(write_config, capsys):
    path = write_config(source())
    assert main(["worker", "-c", str(path), "--concurrency", "99999999999"]) == 2
    assert capsys.readouterr().err.strip().splitlines() == [
        "worker: --concurrency: must be between 1 and 256"]
