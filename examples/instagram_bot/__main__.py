"""Run the example Instagram bot: ``python -m examples.instagram_bot --port 8791`` from the repo root."""

from __future__ import annotations

import argparse
import logging
import sys

from aiohttp import web

from examples.instagram_bot.app import BotConfig, create_app


def main(argv: list[str] | None = None) -> int:
    """Serve the bot's webhook at ``http://HOST:PORT/webhook`` until interrupted."""
    parser = argparse.ArgumentParser(prog="python -m examples.instagram_bot", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8791, help="port to listen on (default: 8791)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")

    try:
        config = BotConfig.from_env()
    except KeyError as exc:
        print(f"error: {exc.args[0]}", file=sys.stderr)
        return 2
    logging.getLogger(__name__).info("sending through the Graph API at %s", config.graph_api_base)
    # No access log: the subscription GET carries the verify token in its query string.
    web.run_app(create_app(config), host=args.host, port=args.port, access_log=None)
    return 0


if __name__ == "__main__":
    sys.exit(main())
