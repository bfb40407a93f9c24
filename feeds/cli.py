"""Command line: `feeds run | publish | check | daemon | status | hold | release | migrate ...`.

Exit status: 0 all went well, 1 some source failed (the others were still published),
2 bad usage, bad config, or a store whose schema needs `feeds migrate`.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Callable
from datetime import UTC, datetime

from . import __version__, logs
from . import config as config_mod
from .config import Config
from .errors import ConfigError, FeedsError
from .fetch import Policy, policy_notes
from .pipeline import run_once
from .progress import Progress
from .runtime import Runtime
from .store import Store, migrate_store
from .store.schema import SchemaAhead, SchemaBehind

__all__ = ["main"]

log = logging.getLogger("feeds")


def _now() -> datetime:
    return datetime.now(UTC)


def cmd_run(config: Config, args: argparse.Namespace) -> int:
    with Runtime.open(config) as rt:
        result = run_once(config, rt.store, rt.fetcher, _now(), force=args.force,
                          progress=Progress())
    published = result.published
    if published is not None:
        print(f"published: {len(published.written)} written, {len(published.unchanged)} unchanged "
              f"in {config.output_path}")
    for waiting in (r for r in result.collected if r.waiting):
        print(f"SKIPPED {waiting.summary()}", file=sys.stderr)
    for failed in result.failed:
        print(f"FAILED {failed.summary()}", file=sys.stderr)
    return 1 if result.failed else 0


def cmd_publish(config: Config, args: argparse.Namespace) -> int:
    with Runtime.open(config) as rt:
        result = rt.publish(_now())
    print(f"published: {len(result.written)} written, {len(result.unchanged)} unchanged "
          f"in {config.output_path}")
    return 0


def cmd_check(config: Config, args: argparse.Namespace) -> int:
    print(f"{config.path.name}: OK ({len(config.channels)} channels, {len(config.sources)} sources)")
    for note in policy_notes(config):
        print(f"note: {note}")
    return 0


def cmd_daemon(config: Config, args: argparse.Namespace) -> int:
    from .service.daemon import Daemon

    listen = config_mod.DaemonSettings(listen=args.listen).listen_address if args.listen else None
    level = logging.DEBUG if args.verbose else logging.INFO
    return Daemon(config, args.log_format, level, listen).serve()


def cmd_worker(config: Config, args: argparse.Namespace) -> int:
    from .service.queue import is_queue_url

    if args.concurrency is not None and not 1 <= args.concurrency <= config_mod.MAX_CONCURRENCY:
        print(f"worker: --concurrency: must be between 1 and {config_mod.MAX_CONCURRENCY}",
              file=sys.stderr)
        return 2
    if not is_queue_url(config.store_url):
        print(f"worker: {config.path.name}: store: needs a PostgreSQL store "
              "(postgresql://...); with SQLite run `feeds daemon`", file=sys.stderr)
        return 2
    from .service.worker import QueueWorkerService

    listen = config_mod.DaemonSettings(listen=args.listen).listen_address if args.listen else None
    return QueueWorkerService(config, args.concurrency, not args.no_scheduler, listen,
                              publishes=not args.no_publish).serve()


def cmd_status(config: Config, args: argparse.Namespace) -> int:
    from .service.queue import is_queue_url
    from .service.status import collect_rows, render_table, side_by_side

    with Runtime.open(config) as rt:
        if is_queue_url(config.store_url):  # workers: what the queue holds for each source
            from .service.queue_status import status_payload

            payload = status_payload(config, rt.store)
        else:
            payload = {"sources": collect_rows(config, rt.store)}
    rows = payload["sources"]
    if args.json:
        print(json.dumps(payload, ensure_ascii=False, indent=2))
    else:
        print(render_table(rows, _now()))
        if detail := side_by_side(rows):
            print("\n" + detail)
    return 1 if any((r["failures"] or r.get("health") in ("degraded", "broken")) and r["configured"]
                    for r in rows) else 0


def cmd_remove(config: Config, args: argparse.Namespace) -> int:
    """Take articles down for good (e.g. a takedown request); the next publish drops them."""
    with Runtime.open(config) as rt:
        missing = [key for key in args.articles if not _remove_one(rt.store, key)]
        if len(missing) < len(args.articles):
            result = rt.publish(_now())
            print(f"published: {len(result.written)} written, {len(result.removed)} removed")
    for key in missing:
        print(f"remove: no article with id or URL {key!r}", file=sys.stderr)
    return 1 if missing else 0


def _remove_one(store: Store, key: str) -> bool:
    article_id = store.find_id(key)
    article = store.remove(article_id) if article_id else None
    if article is not None:
        print(f"removed {article.id} {article.url} {article.title}")
    return article is not None


def cmd_hold(config: Config, args: argparse.Namespace) -> int:
    """Hold every later poll of a source until `feeds release`."""
    from .health.manual import hold_source

    if config.source(args.source) is None:
        print(f"hold: no source {args.source!r} in {config.path.name}", file=sys.stderr)
        return 2
    with Runtime.open(config) as rt:
        hold_source(rt.store, args.source)
    print(f"{args.source}: held; its polls are kept back until `feeds release {args.source}`")
    return 0


def cmd_release(config: Config, args: argparse.Namespace) -> int:
    """Store (or drop) a source's held items, end a hold by hand, then publish."""
    from .health.manual import release_source

    with Runtime.open(config) as rt:
        stored, dropped = release_source(rt.store, args.source, _now(), drop=args.drop,
                                         relearn=args.relearn)
        result = rt.publish(_now()) if stored else None
    print(f"{args.source}: {stored} held item(s) released, {dropped} dropped"
          + (f"; published: {len(result.written)} written" if result else ""))
    return 0


def cmd_migrate(config: Config, args: argparse.Namespace) -> int:
    """Apply the store's pending schema migrations (safe to run twice, or on two machines)."""
    before, applied = migrate_store(config.store_url)
    after = before + len(applied)
    if applied:
        print(f"store: schema version {before} -> {after} ({', '.join(applied)})")
    else:
        print(f"store: already at version {after}")
    from .service.queue import apply_schema, is_queue_url

    if is_queue_url(config.store_url):  # the job queue of `feeds worker` lives beside the store
        created = apply_schema(config.store_url)
        print("queue: tables created" if created else "queue: ready")
    return 0


def cmd_store(config: Config | None, args: argparse.Namespace) -> int:
    """`feeds store copy FROM TO`: every article, tombstone, stamp and state row, as they are."""
    from .store.copy import copy_store

    counts = copy_store(args.source, args.target)
    print("copied " + ", ".join(f"{n} {table}" for table, n in counts.items()))
    return 0


def cmd_preview(config: Config, args: argparse.Namespace) -> int:
    from .preview import as_json_dict, preview, render_text

    source = config.source(args.source) if args.source else None
    if args.source and source is None:
        print(f"preview: no source {args.source!r} in {config.path.name}", file=sys.stderr)
        return 2
    with Runtime.open(config) as rt:
        if source is None:  # the operator typed this URL: intranet, localhost and the file
            rt.fetcher.policy = Policy(allow_private=True, local=_typed_file(args.url))
        # with --source: that source's policy (robots, private addresses), never a
        # conditional GET (a 304 would leave nothing to show)
        fetcher = rt.for_source(source, conditional=False) if source else rt.fetcher
        article, raw = preview(config, args.url, source, fetcher, _now())
    if args.json:
        print(json.dumps(as_json_dict(article), ensure_ascii=False, indent=2))
    else:
        print(render_text(article, raw))
    return 0


def _typed_file(url: str) -> tuple[str, ...]:
    """The local path of a file: URL typed on the command line (none for any other URL)."""
    from urllib.parse import unquote, urlsplit

    return (unquote(urlsplit(url).path),) if url.startswith("file:") else ()


def cmd_discover(config: Config, args: argparse.Namespace) -> int:
    """Find a site's feeds, sitemaps and article listings; print (or --write) sources entries."""
    from .discover import discover, insert_entry, to_yaml

    extra = {"allow_private": True} if args.allow_private else {}
    with Runtime.open(config) as rt:  # robots.txt, politeness and the address guard apply
        rt.fetcher.policy = Policy(allow_private=args.allow_private)
        findings = discover(config, args.url, rt.fetcher, _now(), extra)
    if not findings:
        print(f"discover: nothing found at {args.url} (no feed, sitemap or article listing)")
        return 1
    for n, finding in enumerate(findings, 1):
        print(f"[{n}] {finding.summary}\n    {finding.url}")
        for line in finding.details:
            print(f"    {line}")
        print("    sources entry:\n" + to_yaml(finding.entry, dash=6))
    if args.write is None:
        print(f"add one with: feeds discover {args.url} -c {args.config} --write N")
        return 0
    if not 1 <= args.write <= len(findings):
        print(f"discover: --write {args.write}: choose 1..{len(findings)}", file=sys.stderr)
        return 2
    chosen = findings[args.write - 1]
    insert_entry(config.path, chosen.entry)
    print(f"added source {chosen.entry['id']} to {config.path.name} (feeds check: OK)")
    return 0


def cmd_serve(config: Config, args: argparse.Namespace) -> int:
    """Serve output/ locally as deploy/nginx.conf would (for looking, not for production)."""
    from .service.serve import make_server, parse_listen

    address = parse_listen(args.listen)
    root = config.output_path
    if address is None or not root.is_dir():
        problem = f"no folder {root} (run `feeds run` first)" if address else \
            f"--listen {args.listen!r}: not a port or HOST:PORT"
        print(f"serve: {problem}", file=sys.stderr)
        return 2
    server = make_server(root, *address)
    host, port = address[0], server.server_address[1]
    print(f"serving {root} at http://{host}:{port}/feeds.html (local viewing only; "
          "production: deploy/nginx.conf). Ctrl-C stops.", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


COMMANDS: dict[str, tuple[Callable[[Config, argparse.Namespace], int], str]] = {
    "run": (cmd_run, "collect every source once, then publish"),
    "publish": (cmd_publish, "publish from the store only"),
    "check": (cmd_check, "validate the config and exit 0 (valid) or 2 (invalid)"),
    "preview": (cmd_preview, "fetch one page and print the article as it would be stored"),
    "remove": (cmd_remove, "take articles down for good (by id or URL), then publish"),
    "daemon": (cmd_daemon, "run every source on its schedule until SIGTERM (SIGHUP reloads)"),
    "discover": (cmd_discover, "find a site's feeds, sitemaps and article listings; "
                               "print ready sources entries (--write N adds one)"),
    "serve": (cmd_serve, "serve output/ on 127.0.0.1 for local viewing, as deploy/nginx.conf"),
    "worker": (cmd_worker, "run queued collections and publishes (PostgreSQL store; any number "
                           "of machines); SIGHUP reloads"),
    "status": (cmd_status, "per-source table: last success, last error, next attempt, counts"),
    "hold": (cmd_hold, "hold back every later poll of a source until `feeds release`"),
    "release": (cmd_release, "publish (or --drop) a source's held items; end a hold"),
    "migrate": (cmd_migrate, "apply the store's pending schema migrations"),
    "store": (cmd_store, "store copy FROM TO: move a site between SQLite and PostgreSQL"),
}
NO_CONFIG = {"store"}  # takes store locations, not a config

# Options only some commands take: command -> [(flags, argparse keyword arguments)].
EXTRA_ARGS: dict[str, list[tuple[tuple[str, ...], dict]]] = {
    "daemon": [(("--listen",), {"default": "", "metavar": "[HOST:]PORT",
                                "help": "serve /healthz /readyz /status /metrics (overrides "
                                        "daemon.listen; host defaults to 127.0.0.1)"})],
    "run": [(("--force",), {"action": "store_true",
                            "help": "also collect sources that are backing off or marked gone"})],
    "serve": [(("--listen",), {"default": "127.0.0.1:8000", "metavar": "[HOST:]PORT",
                               "help": "address to listen on (default: %(default)s)"})],
    "worker": [
        (("--concurrency",), {"type": int, "default": None, "metavar": "N",
                              "help": "jobs at once in this process (default: worker.concurrency)"}),
        (("--no-scheduler",), {"action": "store_true",
                               "help": "only run jobs; leave queuing due sources to others"}),
        (("--no-publish",), {"action": "store_true",
                             "help": "never publish here (output/ is written by other machines)"}),
        (("--listen",), {"default": "", "metavar": "[HOST:]PORT",
                         "help": "serve /healthz /readyz /status /metrics (overrides worker.listen)"}),
    ],
    "status": [(("--json",), {"action": "store_true", "help": "print JSON instead of a table"})],
    "hold": [(("source",), {"help": "the source id"})],
    "release": [(("source",), {"help": "the source id"}),
                (("--drop",), {"action": "store_true", "help": "discard the held items"}),
                (("--relearn",), {"action": "store_true",
                                  "help": "forget the baseline: the site changed for good"})],
    "remove": [(("articles",), {"nargs": "+", "metavar": "ID_OR_URL",
                                 "help": "article id (as in share/<id[:3]>/<id>.html) or URL"})],
    "store": [
        (("action",), {"choices": ["copy"], "help": "copy: every row of FROM into the empty TO"}),
        (("source",), {"metavar": "FROM", "help": "SQLite file path or postgresql:// URL"}),
        (("target",), {"metavar": "TO", "help": "SQLite file path or postgresql:// URL"}),
    ],
    "discover": [
        (("url",), {"help": "a site's home page or a channel (listing) page"}),
        (("--write",), {"type": int, "nargs": "?", "const": 1, "metavar": "N",
                        "help": "add finding N (default 1) to the config file"}),
        (("--allow-private",), {"action": "store_true",
                                "help": "the site is on a private/loopback address (intranet, "
                                        "tests); entries get allow_private: true"}),
    ],
    "preview": [
        (("url",), {"help": "the article page to fetch (http(s) or file:)"}),
        (("--source",), {"help": "extract with this source's rules and channel"}),
        (("--json",), {"action": "store_true", "help": "print one JSON object"}),
    ],
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="feeds", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"feeds {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    for name, (_, help_text) in COMMANDS.items():
        p = sub.add_parser(name, help=help_text)
        p.add_argument("-c", "--config", default="sources.yaml", help="config file (default: %(default)s)")
        p.add_argument("-v", "--verbose", action="store_true", help="log every source's outcome")
        p.add_argument("--log-format", choices=sorted(logs.FORMATS), default="text",
                       help="log lines as human-readable text or JSON (default: %(default)s)")
        for flags, kwargs in EXTRA_ARGS.get(name, []):
            p.add_argument(*flags, **kwargs)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    verbose = args.verbose or args.command in ("daemon", "worker")
    logs.setup(args.log_format, logging.INFO if verbose else logging.WARNING)
    try:
        config = None if args.command in NO_CONFIG else config_mod.load(args.config)
    except ConfigError as e:
        for problem in e.problems:
            print(problem, file=sys.stderr)
        return 2
    handler, _ = COMMANDS[args.command]
    try:
        return handler(config, args)  # type: ignore[arg-type]  # None only for NO_CONFIG
    except SchemaBehind as e:
        todo = "feeds migrate with a config naming it" if config is None else \
            f"feeds migrate -c {args.config}"
        print(f"{e}; run: {todo}", file=sys.stderr)
        return 2
    except SchemaAhead as e:
        print(str(e), file=sys.stderr)
        return 2
    except FeedsError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    except Exception:  # a bug: full traceback in the log, then a failing exit status
        log.exception("%s: unexpected error (a bug)", args.command)
        return 70


if __name__ == "__main__":
    sys.exit(main())
