"""Command line: `feeds run | publish | check | daemon | status | hold | release ...`.

Exit status: 0 all went well, 1 some source failed (the others were still published),
2 bad usage or bad config.
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
from .fetch import Fetcher, Policy, policy_notes
from .pipeline import run_once
from .progress import Progress
from .publish import publish
from .store import open_store

__all__ = ["main"]

log = logging.getLogger("feeds")


def _now() -> datetime:
    return datetime.now(UTC)


def cmd_run(config: Config, args: argparse.Namespace) -> int:
    store = open_store(config.store_url)
    fetcher = Fetcher.from_config(config, store)
    try:
        result = run_once(config, store, fetcher, _now(), force=args.force, progress=Progress())
    finally:
        fetcher.close()
        store.close()
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
    store = open_store(config.store_url)
    try:
        result = publish(config, store, _now())
    finally:
        store.close()
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


def cmd_status(config: Config, args: argparse.Namespace) -> int:
    from .service.status import collect_rows, render_table, side_by_side

    store = open_store(config.store_url)
    try:
        rows = collect_rows(config, store)
    finally:
        store.close()
    if args.json:
        print(json.dumps({"sources": rows}, ensure_ascii=False, indent=2))
    else:
        print(render_table(rows, _now()))
        if detail := side_by_side(rows):
            print("\n" + detail)
    return 1 if any((r["failures"] or r["health"] in ("degraded", "broken")) and r["configured"]
                    for r in rows) else 0


def cmd_remove(config: Config, args: argparse.Namespace) -> int:
    """Take articles down for good (e.g. a takedown request); the next publish drops them."""
    store = open_store(config.store_url)
    try:
        missing = [key for key in args.articles if not _remove_one(store, key)]
        if len(missing) < len(args.articles):
            result = publish(config, store, _now())
            print(f"published: {len(result.written)} written, {len(result.removed)} removed")
    finally:
        store.close()
    for key in missing:
        print(f"remove: no article with id or URL {key!r}", file=sys.stderr)
    return 1 if missing else 0


def _remove_one(store, key: str) -> bool:
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
    store = open_store(config.store_url)
    try:
        hold_source(store, args.source)
    finally:
        store.close()
    print(f"{args.source}: held; its polls are kept back until `feeds release {args.source}`")
    return 0


def cmd_release(config: Config, args: argparse.Namespace) -> int:
    """Store (or drop) a source's held items, end a hold by hand, then publish."""
    from .health.manual import release_source

    store = open_store(config.store_url)
    try:
        stored, dropped = release_source(store, args.source, _now(), drop=args.drop)
        result = publish(config, store, _now()) if stored else None
    finally:
        store.close()
    print(f"{args.source}: {stored} held item(s) released, {dropped} dropped"
          + (f"; published: {len(result.written)} written" if result else ""))
    return 0


def cmd_preview(config: Config, args: argparse.Namespace) -> int:
    from .preview import as_json_dict, preview, render_text

    source = config.source(args.source) if args.source else None
    if args.source and source is None:
        print(f"preview: no source {args.source!r} in {config.path.name}", file=sys.stderr)
        return 2
    fetcher = Fetcher.from_config(config)
    if source is None:  # the operator typed this URL: intranet and localhost pages are fine
        fetcher.policy = Policy(allow_private=True)
    try:
        article, raw = preview(config, args.url, source, fetcher, _now())
    finally:
        fetcher.close()
    if args.json:
        print(json.dumps(as_json_dict(article), ensure_ascii=False, indent=2))
    else:
        print(render_text(article, raw))
    return 0


COMMANDS: dict[str, tuple[Callable[[Config, argparse.Namespace], int], str]] = {
    "run": (cmd_run, "collect every source once, then publish"),
    "publish": (cmd_publish, "publish from the store only"),
    "check": (cmd_check, "validate the config and exit 0 (valid) or 2 (invalid)"),
    "preview": (cmd_preview, "fetch one page and print the article as it would be stored"),
    "remove": (cmd_remove, "take articles down for good (by id or URL), then publish"),
    "daemon": (cmd_daemon, "run every source on its schedule until SIGTERM (SIGHUP reloads)"),
    "status": (cmd_status, "per-source table: last success, last error, next attempt, counts"),
    "hold": (cmd_hold, "hold back every later poll of a source until `feeds release`"),
    "release": (cmd_release, "publish (or --drop) a source's held items; end a hold"),
}

# Options only some commands take: command -> [(flags, argparse keyword arguments)].
EXTRA_ARGS: dict[str, list[tuple[tuple[str, ...], dict]]] = {
    "daemon": [(("--listen",), {"default": "", "metavar": "[HOST:]PORT",
                                "help": "serve /healthz /readyz /status /metrics (overrides "
                                        "daemon.listen; host defaults to 127.0.0.1)"})],
    "run": [(("--force",), {"action": "store_true",
                            "help": "also collect sources that are backing off or marked gone"})],
    "status": [(("--json",), {"action": "store_true", "help": "print JSON instead of a table"})],
    "hold": [(("source",), {"help": "the source id"})],
    "release": [(("source",), {"help": "the source id"}),
                (("--drop",), {"action": "store_true", "help": "discard the held items"})],
    "remove": [(("articles",), {"nargs": "+", "metavar": "ID_OR_URL",
                                 "help": "article id (as in share/<id>.html) or URL"})],
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
    verbose = args.verbose or args.command == "daemon"
    logs.setup(args.log_format, logging.INFO if verbose else logging.WARNING)
    try:
        config = config_mod.load(args.config)
    except ConfigError as e:
        for problem in e.problems:
            print(problem, file=sys.stderr)
        return 2
    handler, _ = COMMANDS[args.command]
    try:
        return handler(config, args)
    except FeedsError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    except Exception:  # a bug: full traceback in the log, then a failing exit status
        log.exception("%s: unexpected error (a bug)", args.command)
        return 70


if __name__ == "__main__":
    sys.exit(main())
