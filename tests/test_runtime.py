"""feeds/runtime.py: what a unit of work gets from the config (store, fetcher, caches), and the
entry points that must use it (daemon jobs, preview). Parity of run/daemon: test_parity.py."""

from __future__ import annotations

from datetime import timedelta

from fetch_helpers import FAST_FETCH, NOW, RSS_TYPE, load_config, rss, source_yaml

from feeds.cli import main
from feeds.runtime import Runtime
from feeds.service.jobs import collect_job
from feeds.state import load_state

CONTACT = "  contact_url: https://feeds.example.cn/contact\n"


def _with_contact(write_config):
    def write(text: str):
        from conftest import BASE_CONFIG
        base = BASE_CONFIG.replace("  description: 测试\n", "  description: 测试\n" + CONTACT)
        return write_config(text, base)
    return write


def _requests(server, path: str) -> list[dict[str, str]]:
    return [headers for _, p, headers in server.requests if p == path]


def test_runtime_builds_the_fetcher_from_the_config_and_the_store(write_config):
    config = load_config(_with_contact(write_config), [source_yaml("src", "http://127.0.0.1/")],
                         FAST_FETCH + "  per_host: 3\n")
    with Runtime.open(config) as rt:
        assert rt.fetcher.settings == config.fetch and rt.fetcher.settings.per_host == 3
        assert rt.fetcher.cache.store is rt.store
        assert rt.fetcher.robots.cache is rt.fetcher.cache
        agent = rt.fetcher.session.headers["User-Agent"]
        assert agent.startswith("feeds/") and agent.endswith(
            "(+https://feeds.example.cn/contact)")


def test_a_daemon_job_sends_conditional_gets_with_the_configs_agent(http_server, write_config):
    def feed(h):
        if h.headers.get("If-None-Match") == '"v1"':
            return 304, {"ETag": '"v1"'}, b""
        return 200, {"Content-Type": RSS_TYPE, "ETag": '"v1"'}, rss("job")
    http_server.routes["/feed.xml"] = feed
    config = load_config(_with_contact(write_config),
                         [source_yaml("src", http_server.url("/feed.xml"))])
    first = collect_job(config, "src", NOW)
    second = collect_job(config, "src", NOW + timedelta(minutes=30))
    assert (first["new"], first["error"]) == (2, "")
    assert second["not_modified"] == "304"
    sent = _requests(http_server, "/feed.xml")
    assert "If-None-Match" not in sent[0] and sent[1]["If-None-Match"] == '"v1"'
    assert all("+https://feeds.example.cn/contact" in h["User-Agent"] for h in sent)


def test_a_daemon_job_obeys_the_fetch_section(http_server, write_config):
    http_server.add("/feed.xml", rss("big", 20), RSS_TYPE)
    config = load_config(write_config, [source_yaml("src", http_server.url("/feed.xml"))],
                         FAST_FETCH.replace("max_bytes: 200000", "max_bytes: 1000"))
    assert collect_job(config, "src", NOW)["error_kind"] == "too-large"


def test_a_daemon_job_skips_a_gone_source_as_run_does(http_server, write_config, capsys):
    http_server.add("/feed.xml", b"", status=410)
    config = load_config(write_config, [source_yaml("src", http_server.url("/feed.xml"))])
    assert collect_job(config, "src", NOW)["error_kind"] == "http-4xx"
    later = collect_job(config, "src", NOW + timedelta(days=2))
    assert later["waiting"].startswith("gone (HTTP 410)") and later["error"] == ""
    assert len(_requests(http_server, "/feed.xml")) == 1
    with Runtime.open(config) as rt:
        state = load_state(rt.store, "src")
    assert state.gone and state.failures == 1 and state.gone_url == config.sources[0].url
    assert main(["status", "-c", str(config.path)]) == 1
    assert "src     gone (410)" in capsys.readouterr().out


def test_robots_txt_is_fetched_once_for_every_runtime_on_the_store(http_server, write_config):
    http_server.add("/robots.txt", "User-agent: *\nDisallow: /private/\n", "text/plain")
    http_server.add("/feed.xml", rss("r"), RSS_TYPE)
    config = load_config(write_config, [source_yaml("src", http_server.url("/feed.xml"))])
    for hour in range(3):  # three processes' worth of runtimes
        assert collect_job(config, "src", NOW + timedelta(hours=hour))["error"] == ""
    assert len(_requests(http_server, "/robots.txt")) == 1
    assert len(_requests(http_server, "/feed.xml")) == 3


def test_robots_5xx_is_not_shared_the_next_runtime_asks_again(http_server, write_config):
    http_server.add("/robots.txt", b"", status=503)
    http_server.add("/feed.xml", rss("r"), RSS_TYPE)
    config = load_config(write_config, [source_yaml("src", http_server.url("/feed.xml"))],
                         FAST_FETCH.replace("retries: 2", "retries: 0"))
    for hour in range(2):
        assert collect_job(config, "src", NOW + timedelta(hours=hour))["error_kind"] == (
            "robots-disallowed")
    assert len(_requests(http_server, "/robots.txt")) == 2
    assert _requests(http_server, "/feed.xml") == []


def test_preview_of_a_source_fetches_with_that_sources_policy(http_server, write_config,
                                                              capsys):
    page = ("<html><head><title>预览</title></head><body><article><h1>预览标题</h1>"
            + "<p>这是一段足够长的正文，用来测试预览。</p>" * 20 + "</article></body></html>")
    http_server.add("/robots.txt", "User-agent: *\nDisallow: /a/\n", "text/plain")
    url = http_server.add("/a/1.html", page)
    path = write_config(FAST_FETCH + "sources:\n" + source_yaml(
        "rude", http_server.url("/feed.xml"), "    respect_robots: false\n"))
    assert main(["preview", "-c", str(path), url]) == 1  # the operator's URL: robots apply
    assert "robots-disallowed" in capsys.readouterr().err
    assert main(["preview", "-c", str(path), "--source", "rude", "--json", url]) == 0
    assert '"title": "预览标题"' in capsys.readouterr().out


def test_a_long_retry_after_holds_the_source_back_in_the_state(http_server, write_config):
    http_server.add("/feed.xml", b"busy", "text/plain", status=503,
                    headers={"Retry-After": "3600"})
    config = load_config(write_config, [source_yaml("src", http_server.url("/feed.xml"),
                                                    "    schedule: 1m\n")])
    assert collect_job(config, "src", NOW)["error_kind"] == "http-5xx"
    assert len(_requests(http_server, "/feed.xml")) == 1  # beyond retry_after_cap: no wait
    with Runtime.open(config) as rt:
        state = load_state(rt.store, "src")
    assert state.next_attempt >= (NOW + timedelta(seconds=3600)).isoformat()
    assert state.last_error["retry_after"] == 3600
    later = collect_job(config, "src", NOW + timedelta(minutes=30))
    assert later["waiting"].startswith("backing off after 1 failure(s) (http-5xx)")
    assert len(_requests(http_server, "/feed.xml")) == 1


def test_a_failing_cron_source_backs_off_by_its_real_period(http_server, write_config):
    http_server.add("/feed.xml", b"", status=404)
    config = load_config(write_config, [source_yaml("src", http_server.url("/feed.xml"),
                                                    "    schedule: 0 6 * * *\n")])
    collect_job(config, "src", NOW)
    with Runtime.open(config) as rt:
        state = load_state(rt.store, "src")
    assert state.next_attempt >= (NOW + timedelta(days=1)).isoformat()  # not "1 h"


def test_processes_meeting_a_new_host_together_fetch_its_robots_txt_once(tmp_path):
    import threading
    import time

    from feeds.fetch.cache import HttpCache
    from feeds.fetch.robots import RobotsCache
    from feeds.store import open_store

    fetched: list[str] = []
    start = threading.Barrier(4)

    def fetch(url: str) -> tuple[int, bytes]:
        fetched.append(url)
        time.sleep(0.3)  # a real fetch takes a while: long enough for all four to be asking
        return 200, b"User-agent: *\nDisallow: /x/\n"

    def process(results: list) -> None:  # its own store connection and caches, as a child has
        store = open_store(str(tmp_path / "feeds.db"))
        try:
            robots = RobotsCache(3600, HttpCache(store))
            start.wait()
            results.append(robots.rules("http://a.example", fetch).allowed("http://a.example/x/1"))
        finally:
            store.close()

    results: list[bool] = []
    threads = [threading.Thread(target=process, args=(results,)) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert results == [False] * 4 and fetched == ["http://a.example/robots.txt"]
