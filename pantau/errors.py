"""One-line errors for every `pantau` command: what failed, where, what to do (exit 2).

Commands raise whatever their libraries raise; ``PantauGroup`` (the CLI's click group) turns the
exception into one line here, so no command prints a traceback unless ``--debug`` is given. The
quick probes (``require_kafka``/``require_store``) fail in well under a second with the stack
down, instead of the clients' retry loops (5-20 s) followed by their own tracebacks.
"""
from __future__ import annotations

import socket
import sys
from urllib.parse import urlparse

import typer
from typer import _click as click  # typer 0.29 vendors click; its exceptions live here
from typer.core import TyperGroup

EXIT_ERROR = 2
_state = {"debug": False}


class OperatorError(Exception):
    """An error the operator can fix; ``str()`` is the whole one-line message."""


class Unreachable(OperatorError):
    def __init__(self, what: str, address: str, hint: str):
        super().__init__(f"cannot reach {what} at {address} — {hint}")
        self.what, self.address = what, address


KAFKA_HINT = "start it with `pantau infra up` (or set KAFKA_BOOTSTRAP_SERVERS)"
STORE_HINT = "start it with `pantau infra up` (or set MONGODB_URI)"


def set_debug(value: bool) -> None:
    _state["debug"] = value


def debug() -> bool:
    return _state["debug"]


def _host_port(address: str, default_port: int) -> tuple[str, int]:
    parsed = urlparse(address if "://" in address else f"//{address}")
    try:
        port = parsed.port or default_port
    except ValueError:
        port = default_port
    return parsed.hostname or "127.0.0.1", port


def _reachable(host: str, port: int, timeout: float = 1.5) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def kafka_address(bootstrap: str) -> str:
    return bootstrap.split(",")[0].strip()


def store_address(uri: str) -> str:
    host, port = _host_port(uri.split(",")[0], 27017)
    return f"{host}:{port}"


def require_kafka(settings) -> None:
    """Raise ``Unreachable`` unless one of the bootstrap servers accepts a TCP connection."""
    servers = [s.strip() for s in settings.kafka_bootstrap_servers.split(",") if s.strip()]
    if not any(_reachable(*_host_port(s, 9092)) for s in servers):
        raise Unreachable("Kafka", kafka_address(settings.kafka_bootstrap_servers), KAFKA_HINT)


def require_store(settings) -> None:
    """Raise ``Unreachable`` unless the MongoDB/FerretDB host accepts a TCP connection."""
    uri = settings.mongodb_uri
    if uri.startswith("mongodb+srv://"):
        return  # DNS-discovered hosts: let the driver find them
    if not _reachable(*_host_port(uri, 27017)):
        raise Unreachable("the store (MongoDB/FerretDB)", store_address(uri), STORE_HINT)


def _settings_or_none():
    try:
        from shared.settings import get_settings

        return get_settings()
    except Exception:  # noqa: BLE001 - only used to name addresses in messages
        return None


def describe(exc: BaseException) -> str:
    """The one line for ``exc``: what failed, where, what to do."""
    if isinstance(exc, OperatorError):
        return str(exc)
    settings = _settings_or_none()
    kafka_at = kafka_address(settings.kafka_bootstrap_servers) if settings else "KAFKA_BOOTSTRAP_SERVERS"
    store_at = store_address(settings.mongodb_uri) if settings else "MONGODB_URI"
    module = type(exc).__module__ or ""
    if module.startswith("aiokafka") or module.startswith("kafka"):
        return f"cannot reach Kafka at {kafka_at} ({type(exc).__name__}) — {KAFKA_HINT}"
    if module.startswith("pymongo"):
        from pymongo.errors import ConnectionFailure, ServerSelectionTimeoutError

        if isinstance(exc, (ConnectionFailure, ServerSelectionTimeoutError)):
            return f"cannot reach the store (MongoDB/FerretDB) at {store_at} — {STORE_HINT}"
        return f"the store at {store_at} refused the operation: {str(exc).splitlines()[0][:200]}"
    if isinstance(exc, FileNotFoundError):
        return f"file not found: {exc.filename or exc} — check the path"
    if isinstance(exc, IsADirectoryError):
        return f"expected a file, got a directory: {exc.filename} — give a file path"
    if isinstance(exc, PermissionError):
        return f"permission denied: {exc.filename or exc} — check the file's owner and mode"
    from pydantic import ValidationError

    if isinstance(exc, ValidationError):
        from shared.schemas import describe_validation_error

        reason = describe_validation_error(exc)[0]
        return f"invalid {exc.title}: {reason} — fix the value (environment variable or file) and retry"
    try:
        from services.match.domain.registry_csv import RegistryFormatError

        if isinstance(exc, RegistryFormatError):
            return f"registry CSV: {exc} — see docs/contracts/registry-csv.md for the header"
    except ImportError:  # pragma: no cover
        pass
    if isinstance(exc, ConnectionRefusedError):
        return f"connection refused: {exc} — is the stack running? (`pantau infra status`)"
    first = (str(exc).strip().splitlines() or [""])[0][:300]
    return f"unexpected error: {type(exc).__name__}: {first} — rerun with --debug for the traceback"


def _echo_error(message: str) -> None:
    typer.echo(f"error: {message}", err=True)


class PantauGroup(TyperGroup):
    """The root group: every uncaught exception of every sub-command becomes one line, exit 2."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except (typer.Exit, typer.Abort):
            raise
        except click.exceptions.NoArgsIsHelpError:
            raise
        except click.exceptions.UsageError as exc:
            if debug():
                raise
            command = exc.ctx.command_path if exc.ctx else "pantau"
            _echo_error(f"{exc.format_message()} — see `{command} --help`")
            raise typer.Exit(EXIT_ERROR) from None
        except click.exceptions.ClickException:
            raise
        except KeyboardInterrupt:
            _echo_error("interrupted")
            raise typer.Exit(130) from None
        except Exception as exc:  # noqa: BLE001 - the one place that turns errors into lines
            if debug():
                import traceback

                traceback.print_exc(file=sys.stderr)
            _echo_error(describe(exc))
            raise typer.Exit(EXIT_ERROR) from None
