"""Notifications against fake hub, IndexNow and Baidu endpoints on 127.0.0.1."""

from __future__ import annotations

import json
from datetime import timedelta
from urllib.parse import parse_qs

from publish_helpers import NOW, article, fill

from feeds.publish import publish


def notify_yaml(server) -> str:
    return f"""\
feeds:
  hubs: ["{server.url('/hub')}"]
notify:
  indexnow_key: abcdef0123456789
  indexnow_endpoint: {server.url('/indexnow')}
  baidu_token: SECRET
  baidu_endpoint: {server.url('/baidu')}
  retries: 3
  backoff: 0.01
  timeout: 5
"""


def routes(server, baidu_status: int = 200) -> None:
    server.add("/hub", "", "text/plain", status=204)
    server.add("/indexnow", "", "text/plain", status=202)
    server.add("/baidu", json.dumps({"success": 2, "remain": 498}), "application/json",
               status=baidu_status)


def posts(server, path: str) -> list[tuple[dict, bytes]]:
    return [(h, b) for p, h, b in server.posts if p.split("?")[0] == path]


def test_a_publish_with_new_urls_tells_everyone(http_server, make_config, store):
    routes(http_server)
    config = make_config(notify_yaml(http_server))
    fill(store, [article(1), article(2), article(3, url="https://partner.example.com/3")])
    result = publish(config, store, NOW)
    assert all(o.ok for o in result.notified), result.notified
    hub = [parse_qs(b.decode()) for _, b in posts(http_server, "/hub")]
    assert {"https://feeds.example.cn/rss.xml", "https://feeds.example.cn/feed.json",
            "https://feeds.example.cn/channels/news/atom.xml"} <= {q["hub.url"][0] for q in hub}
    assert all(q["hub.mode"] == ["publish"] for q in hub)
    (headers, body), = posts(http_server, "/indexnow")
    payload = json.loads(body)
    assert headers["Content-Type"].startswith("application/json")
    assert payload["host"] == "www.example.cn" and payload["key"] == "abcdef0123456789"
    assert payload["keyLocation"] == "https://feeds.example.cn/abcdef0123456789.txt"
    assert sorted(payload["urlList"]) == ["http://www.example.cn/news/1.html",
                                          "http://www.example.cn/news/2.html"]
    assert (config.output_path / "abcdef0123456789.txt").read_text() == "abcdef0123456789"
    (headers, body), = posts(http_server, "/baidu")
    path = next(p for p, _, _ in http_server.posts if p.startswith("/baidu"))
    assert parse_qs(path.split("?")[1]) == {"site": ["www.example.cn"], "token": ["SECRET"]}
    assert headers["Content-Type"] == "text/plain"
    assert sorted(body.decode().split("\n")) == ["http://www.example.cn/news/1.html",
                                                 "http://www.example.cn/news/2.html"]
    baidu = next(o for o in result.notified if o.kind == "baidu")
    assert json.loads(baidu.answer) == {"success": 2, "remain": 498}
    assert "SECRET" not in baidu.url


def test_nothing_changed_means_no_notification(http_server, make_config, store):
    routes(http_server)
    config = make_config(notify_yaml(http_server))
    fill(store, [article(1)])
    publish(config, store, NOW)
    sent = len(http_server.posts)
    assert publish(config, store, NOW + timedelta(minutes=5)).notified == []
    assert len(http_server.posts) == sent


def test_only_the_new_url_is_announced_next_time(http_server, make_config, store):
    routes(http_server)
    config = make_config(notify_yaml(http_server))
    fill(store, [article(1)])
    publish(config, store, NOW)
    http_server.posts.clear()
    fill(store, [article(2)], NOW)  # same second as the previous publish's mark
    publish(config, store, NOW + timedelta(seconds=1))
    (_, body), = posts(http_server, "/indexnow")
    assert json.loads(body)["urlList"] == ["http://www.example.cn/news/2.html"]


def test_retries_with_backoff_then_gives_up_without_failing(http_server, make_config, store):
    calls = []

    def flaky(handler):
        calls.append(1)
        return (503, {"Content-Type": "text/plain"}, b"busy") if len(calls) < 3 else \
            (200, {"Content-Type": "application/json"}, b'{"success":1,"remain":0}')

    routes(http_server)
    http_server.routes["/baidu"] = flaky
    http_server.routes["/indexnow"] = (500, {"Content-Type": "text/plain"}, b"down")
    config = make_config(notify_yaml(http_server))
    fill(store, [article(1)])
    result = publish(config, store, NOW)
    assert len(calls) == 3 and next(o for o in result.notified if o.kind == "baidu").ok
    indexnow = next(o for o in result.notified if o.kind == "indexnow")
    assert not indexnow.ok and indexnow.status == 500
    assert len(posts(http_server, "/indexnow")) == 3
    assert (config.output_path / "rss.xml").exists()


def test_unreachable_endpoint_and_4xx_are_not_retried_forever(http_server, make_config, store):
    routes(http_server, baidu_status=400)
    config = make_config(notify_yaml(http_server).replace(
        http_server.url("/indexnow"), "http://127.0.0.1:9/indexnow"))
    fill(store, [article(1)])
    result = publish(config, store, NOW)
    assert len(posts(http_server, "/baidu")) == 1  # 400: asking again will not help
    assert not next(o for o in result.notified if o.kind == "indexnow").ok
