"""Command line: `feeds run | publish | check`.

Exit status: 0 all went well, 1 some source failed (the others were still published),
2 bad usage or bad config.
"""

from __future__ import annotations

import argparse
import logging
import sys
from datetime import datetime, timezone
from typing import Callable

from . import __version__, config as config_mod
from .config import Config
from .errors import ConfigError, FeedsError
from .pipeline import run_once
from .publish import publish
from .sources.fetch import Fetcher
from .store import open_store

__all__ = ["main"]

log = logging.getLogger("feeds")


def _now() -> datetime:
    return datetime.now(timezone.utc)


def cmd_run(config: Config, args: argparse.Namespace) -> int:
    store = open_store(config.store_url)
    fetcher = Fetcher()
    try:
        result = run_once(config, store, fetcher, _now())
    finally:
        fetcher.close()
        store.close()
    published = result.published
    if published is not None:
        print(f"published: {len(published.written)} written, {len(published.unchanged)} unchanged "
              f"in {config.output_path}")
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
    return 0


def cmd_preview(config: Config, args: argparse.Namespace) -> int:
    import json

    from .preview import as_json_dict, preview, render_text

    source = config.source(args.source) if args.source else None
    if args.source and source is None:
        print(f"preview: no source {args.source!r} in {config.path.name}", file=sys.stderr)
        return 2
    fetcher = Fetcher()
    try:
        article, raw = preview(config, args.url, source, fetcher, _now())
    finally:
        fetcher.close()
    if args.json:
        print(json.dumps(as_json_dict(article), ensure_ascii=False, indent=2))
    else:
        print(render_text(article, raw))
    return 0


def _preview_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("url", help="the article page to fetch (http(s) or file:)")
    p.add_argument("--source", help="extract with this source's rules and channel")
    p.add_argument("--json", action="store_true", help="print one JSON object")


# Extra positional/optional arguments of a command, by command name.
ARGUMENTS: dict[str, Callable[[argparse.ArgumentParser], None]] = {
    "preview": _preview_args,
}

COMMANDS: dict[str, tuple[Callable[[Config, argparse.Namespace], int], str]] = {
    "run": (cmd_run, "collect every source once, then publish"),
    "publish": (cmd_publish, "publish from the store only"),
    "check": (cmd_check, "validate the config and exit 0 (valid) or 2 (invalid)"),
    "preview": (cmd_preview, "fetch one page and print the article as it would be stored"),
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="feeds", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"feeds {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    for name, (_, help_text) in COMMANDS.items():
        p = sub.add_parser(name, help=help_text)
        p.add_argument("-c", "--config", default="sources.yaml", help="config file (default: %(default)s)")
        p.add_argument("-v", "--verbose", action="store_true", help="log every source's outcome")
        if name in ARGUMENTS:
            ARGUMENTS[name](p)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
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


if __name__ == "__main__":
    sys.exit(main())
