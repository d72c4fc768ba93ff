"""``minzheng serve``: the web UI and API on a production WSGI server (waitress), with a background worker.

Long work started from the UI (matching, payroll, imports) is queued as django-tasks jobs in the
database; ``serve`` starts one ``db_worker`` process beside the web server unless ``--no-worker`` (run
workers separately in production, as many as needed: ``minzheng manage db_worker --queue-name '*'``).
"""

from __future__ import annotations

import argparse
import subprocess
import sys


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg,unused-ignore]
    p = sub.add_parser("serve", help="启动网页界面和 API（及后台任务进程）")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--threads", type=int, default=8)
    p.add_argument("--no-worker", action="store_true", help="不启动后台任务进程")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from minzheng.cli import setup

    setup.django(quiet=args.quiet)
    serve(args.host, args.port, threads=args.threads, quiet=args.quiet, worker=not args.no_worker)
    return 0


def start_worker(*, quiet: bool = False) -> subprocess.Popen[bytes]:
    """A ``db_worker`` for every queue, in its own process (same environment, same database)."""
    return subprocess.Popen(
        [sys.executable, "-m", "minzheng", "manage", "db_worker", "--queue-name", "*", "--no-reload",
         "--no-startup-delay", "-v", "0" if quiet else "1"],
    )


def serve(host: str, port: int, *, threads: int = 8, quiet: bool = False, worker: bool = True) -> None:
    import waitress

    from minzheng.wsgi import application

    process = start_worker(quiet=quiet) if worker else None
    if not quiet:
        print(f"民政业务平台已启动: http://{host}:{port}/  (API: http://{host}:{port}/api/v1/docs)"
              f"{'  后台任务进程已启动' if process else ''}  Ctrl+C 退出", file=sys.stderr)
    try:
        waitress.serve(application, host=host, port=port, threads=threads, ident="minzheng", _quiet=quiet)
    finally:
        if process is not None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
