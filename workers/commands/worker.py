"""``newsflow worker``: the Faust stream worker (raw pages in, articles and dead letters out)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

_EPILOG = """\
Every flag has an environment variable: --web-port is NEWSFLOW_WEB_PORT, and so on; flags win.
Prefer the environment for NEWSFLOW_SASL_PASSWORD (flags show up in process lists).
Exit status: 0 after a clean stop (SIGTERM/SIGINT), 2 for invalid configuration, 1 on a crash.
"""


def _flag(name: str) -> str:
    return "--" + name.replace("_", "-")


def register(sub: Any) -> None:
    from workers.settings import Settings

    parser: argparse.ArgumentParser = sub.add_parser(
        "worker",
        help="run the stream worker (Kafka in, articles and dead letters out)",
        description="Consume RawPage messages from the raw topics, run the pipeline and publish Article "
        "records to the articles topic and Rejected records to the dead-letter topic.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--check-config",
        action="store_true",
        help="validate the configuration, print the effective settings (secrets masked) and exit 0, "
        "or print the error and exit 2",
    )
    group = parser.add_argument_group("settings (each also NEWSFLOW_<NAME>)")
    for name, field in Settings.model_fields.items():
        env = f"NEWSFLOW_{name.upper()}"
        default = field.default if field.default is not None else "unset"
        default = getattr(default, "value", default)
        text = f"{field.description or ''} [{env}; default: {default}]".strip()
        if field.annotation is bool:
            group.add_argument(_flag(name), dest=name, action=argparse.BooleanOptionalAction, default=None, help=text)
        else:
            group.add_argument(_flag(name), dest=name, metavar=name.upper(), default=None, help=text)
    parser.set_defaults(func=run)


def settings_from_args(args: argparse.Namespace) -> Any:
    """Settings from the environment overridden by the flags given; raises ConfigError."""
    from workers.settings import Settings, load_settings

    overrides = {name: getattr(args, name, None) for name in Settings.model_fields}
    return load_settings(**overrides)


def run(args: argparse.Namespace) -> int:
    from workers.settings import ConfigError

    try:
        settings = settings_from_args(args)
    except ConfigError as exc:
        print(f"newsflow worker: invalid configuration: {exc}", file=sys.stderr)
        return 2
    if args.check_config:
        print("newsflow worker: configuration is valid; effective settings:")
        for key, value in settings.effective().items():
            print(f"  {key}={'' if value is None else value}")
        return 0
    from workers.stream.runner import run_worker

    return run_worker(settings)
