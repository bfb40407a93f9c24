"""Benchmark: 1,000 pages spread over 10 local hosts that each answer after 50 ms, fetched with
`Fetcher.get_many` under the per-host limits. Prints wall time, requests/s and the ratio to the
ideal those limits imply (target: within 1.5x).

    python benchmarks/fetch_hosts.py [--pages 1000] [--hosts 10] [--per-host 4] [--min-delay 0.01]
"""

from __future__ import annotations

import argparse
import math
import multiprocessing
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from feeds.config import FetchSettings
from feeds.fetch import Fetcher
from feeds.fetch.client import Policy

LATENCY = 0.05
BODY = b"<html><body>" + b"x" * 2000 + b"</body></html>"


class Slow(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # as real servers do; else headers+body meet delayed ACKs

    def do_GET(self) -> None:
        time.sleep(LATENCY)
        status, body = (404, b"") if self.path == "/robots.txt" else (200, BODY)
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def serve_hosts(n: int, ports: multiprocessing.Queue[list[int]]) -> None:
    """Run in a separate process (as remote hosts would be), so that the servers' CPU does
    not compete with the fetcher's for one interpreter lock."""
    servers = []
    for i in range(n):  # distinct loopback addresses: distinct hosts to the fetcher
        server = ThreadingHTTPServer((f"127.0.0.{i + 1}", 0), Slow)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
    ports.put([s.server_address[1] for s in servers])
    threading.Event().wait()


def ideal_seconds(pages_per_host: int, per_host: int, min_delay: float) -> float:
    """The per-host limits' lower bound: hosts run in parallel; within a host, at most
    `per_host` requests in flight and starts `min_delay` apart (plus one robots.txt)."""
    requests = pages_per_host + 1
    by_concurrency = math.ceil(requests / per_host) * LATENCY
    by_delay = (requests - 1) * min_delay + LATENCY
    return max(by_concurrency, by_delay)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--hosts", type=int, default=10)
    parser.add_argument("--per-host", type=int, default=4)
    parser.add_argument("--min-delay", type=float, default=0.01)
    args = parser.parse_args()

    queue: multiprocessing.Queue[list[int]] = multiprocessing.Queue()
    hosts = multiprocessing.Process(target=serve_hosts, args=(args.hosts, queue), daemon=True)
    hosts.start()
    ports = queue.get(timeout=10)
    urls = [f"http://127.0.0.{i % args.hosts + 1}:{ports[i % args.hosts]}/page/{i}"
            for i in range(args.pages)]
    settings = FetchSettings(per_host=args.per_host, min_delay=args.min_delay,
                             workers=args.hosts, retries=0)
    fetcher = Fetcher(settings, policy=Policy(allow_private=True))
    start = time.monotonic()
    results = list(fetcher.get_many(urls))
    wall = time.monotonic() - start
    fetcher.close()
    hosts.terminate()
    hosts.join()

    failed = [r for _, r in results if isinstance(r, Exception)]
    ideal = ideal_seconds(math.ceil(args.pages / args.hosts), args.per_host, args.min_delay)
    ratio = wall / ideal
    print(f"fetch_hosts: {len(results)} pages over {args.hosts} hosts, per_host={args.per_host}, "
          f"min_delay={args.min_delay}s, latency={LATENCY * 1000:.0f}ms")
    print(f"  wall time   {wall:.2f} s   ({len(failed)} failed)")
    print(f"  requests/s  {len(results) / wall:.0f}   (ideal {len(results) / ideal:.0f})")
    print(f"  ideal       {ideal:.2f} s   ratio {ratio:.2f}x   target <= 1.5x: "
          f"{'OK' if ratio <= 1.5 and not failed else 'MISSED'}")


if __name__ == "__main__":
    main()
