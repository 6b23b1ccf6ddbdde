"""The ``thukkhon`` console command.

thukkhon demo [--port N]      the demo town on the embedded default (SQLite under var/)
thukkhon serve [--port N]     production web server (waitress + WhiteNoise)
thukkhon worker               Celery worker for background jobs
thukkhon dispatch ...         the dial-a-ride engine (solve, bench)
thukkhon manage ...           Django management commands
"""

from __future__ import annotations

import argparse
import os
import sys


def _setup_django(*, demo: bool = False) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "thukkhon.settings")
    if demo:
        os.environ.setdefault("THUKKHON_DEMO", "1")
    import django

    django.setup()


def _serve(host: str, port: int, threads: int) -> None:
    from waitress import serve

    from thukkhon.wsgi import application

    serve(application, host=host, port=port, threads=threads, ident="thukkhon")


def _serve_workers(host: str, port: int, workers: int, threads: int) -> None:
    """Production: gunicorn with ``workers`` processes of ``threads`` threads, the app loaded once."""
    from typing import Any

    from gunicorn.app.base import BaseApplication

    from thukkhon.wsgi import application

    class Server(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            options: dict[str, Any] = {
                "bind": f"{host}:{port}",
                "workers": workers,
                "threads": threads,
                "worker_class": "gthread",
                "preload_app": True,
                "timeout": 120,
                "graceful_timeout": 30,
                "proc_name": "thukkhon",
            }
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self) -> Any:
            return application

    Server().run()


def cmd_demo(args: argparse.Namespace) -> int:
    os.environ.setdefault("DEBUG", "0")
    _setup_django(demo=True)
    from django.conf import settings
    from django.core.management import call_command

    from thukkhon.demo.town import DEMO_ACCOUNTS, DEMO_PASSWORD, demo_exists

    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
    call_command("migrate", interactive=False, verbosity=0)
    if not demo_exists():
        print("กำลังสร้างเมืองสาธิต… / Building the demo town…", flush=True)
        from thukkhon.demo.services import build_service_demos
        from thukkhon.demo.town import build_demo

        def say(msg: str) -> None:
            print("  " + msg, flush=True)

        town = build_demo(seed=args.seed, progress=say)
        build_service_demos(town, seed=args.seed, progress=say)
    url = f"http://127.0.0.1:{args.port}/"
    print()
    print(f"ทุกคน ThukKhon พร้อมใช้งานที่ / is running at {url}")
    print(f"บัญชีสาธิต / demo accounts (รหัสผ่าน / password: {DEMO_PASSWORD}):")
    for username, label in DEMO_ACCOUNTS:
        print(f"  {username:<11} {label}")
    print("กด Ctrl+C เพื่อหยุด / press Ctrl+C to stop", flush=True)
    _serve("127.0.0.1", args.port, threads=8)
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    if not os.environ.get("SECRET_KEY"):
        print("SECRET_KEY must be set for `thukkhon serve` (see docs/operations.md).", file=sys.stderr)
        return 2
    os.environ["THUKKHON_COLLECTED_STATIC"] = "1"
    _setup_django()
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)
    _serve_workers(args.host, args.port, workers=args.workers, threads=args.threads)
    return 0


def cmd_worker(args: argparse.Namespace) -> int:
    _setup_django()
    from thukkhon.celery import app

    argv = ["worker", "--loglevel", args.loglevel, "--concurrency", str(args.concurrency)]
    app.worker_main(argv)
    return 0


def cmd_manage(rest: list[str]) -> int:
    _setup_django()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["thukkhon manage", *rest])
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "manage":
        return cmd_manage(argv[1:])
    if argv and argv[0] == "dispatch":
        from thukkhon.dispatch.cli import main as dispatch_main

        return dispatch_main(argv[1:])

    parser = argparse.ArgumentParser(
        prog="thukkhon", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser("demo", help="run the demo town on 127.0.0.1")
    demo.add_argument("--port", type=int, default=8000)
    demo.add_argument("--seed", type=int, default=2566)
    demo.set_defaults(func=cmd_demo)
    serve = sub.add_parser("serve", help="production web server")
    serve.add_argument("--host", default=os.environ.get("HOST", "0.0.0.0"))
    serve.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    serve.add_argument("--workers", type=int, default=int(os.environ.get("WEB_WORKERS", os.cpu_count() or 2)))
    serve.add_argument("--threads", type=int, default=int(os.environ.get("WEB_THREADS", "4")))
    serve.set_defaults(func=cmd_serve)
    worker = sub.add_parser("worker", help="Celery worker for background jobs")
    worker.add_argument("--concurrency", type=int, default=2)
    worker.add_argument("--loglevel", default="INFO")
    worker.set_defaults(func=cmd_worker)
    sub.add_parser("manage", help="Django management commands")
    sub.add_parser("dispatch", help="dial-a-ride engine: solve, bench")
    args = parser.parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
