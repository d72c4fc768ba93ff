"""``minzheng serve``: the web UI and API on a production WSGI server (waitress)."""

from __future__ import annotations

import argparse
import sys


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg,unused-ignore]
    p = sub.add_parser("serve", help="启动网页界面和 API")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--threads", type=int, default=8)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from minzheng.cli import setup

    setup.django(quiet=args.quiet)
    serve(args.host, args.port, threads=args.threads, quiet=args.quiet)
    return 0


def serve(host: str, port: int, *, threads: int = 8, quiet: bool = False) -> None:
    import waitress

    from minzheng.wsgi import application

    if not quiet:
        print(f"民政业务平台已启动: http://{host}:{port}/  (API: http://{host}:{port}/api/v1/docs)  Ctrl+C 退出",
              file=sys.stderr)
    waitress.serve(application, host=host, port=port, threads=threads, ident="minzheng", _quiet=quiet)
