"""``splice server``: the API, webhooks and web app on the embedded default (or PostgreSQL)."""

from __future__ import annotations

import asyncio
import gc
import ssl
from collections.abc import Callable
from pathlib import Path

import click
import uvicorn
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from splice.api.app import create_app
from splice.services.auth import Bootstrap
from splice.services.startup import build_services, prepare
from splice.settings import Settings, get_settings

__all__ = ["server", "worker"]


class DatabaseUnavailable(click.ClickException):
    """The database cannot be reached: a user-fixable setting, so exit code 2."""

    exit_code = 2


def safe_url(url: str) -> str:
    """The database URL without its password, for messages."""
    return make_url(url).render_as_string(hide_password=True)


def login_hint(settings: Settings, created: Bootstrap | None) -> str:
    """What the first start prints: where Splice runs and how to log in."""
    url = settings.server.base_url()
    lines = [f"Splice is serving at {url} (GraphQL at {url}/api)"]
    if created is not None:
        lines.append(
            f"Created organization '{created.organization_name}' with owner {created.email}."
        )
        if created.generated_password:
            lines.append(f"Generated password (shown once): {created.generated_password}")
        lines.append(f"Log in with:  splice login --url {url} --email {created.email}")
    return "\n".join(lines)


@click.command("server")
@click.option(
    "--host", default=None, help="Interface to listen on (SPLICE_HOST, default 127.0.0.1)."
)
@click.option("--port", type=int, default=None, help="Port (SPLICE_PORT, default 8000).")
@click.option("--tls-port", type=int, default=None, help="Also listen with TLS on this port.")
@click.option("--tls-cert", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--tls-key", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--access-log/--no-access-log",
    default=True,
    help="Log one line per HTTP request (off saves CPU under heavy webhook load).",
)
def server(
    host: str | None,
    port: int | None,
    tls_port: int | None,
    tls_cert: Path | None,
    tls_key: Path | None,
    access_log: bool,
) -> None:
    """Run the Splice server (migrates the database and creates the owner on first start)."""
    settings = get_settings()
    overrides = {
        "host": host,
        "port": port,
        "tls_port": tls_port,
        "tls_cert_file": tls_cert,
        "tls_key_file": tls_key,
    }
    settings.server = settings.server.model_copy(
        update={k: v for k, v in overrides.items() if v is not None}
    )
    tls = settings.server
    if tls.tls_port and not (tls.tls_cert_file and tls.tls_key_file):
        raise click.UsageError("--tls-port needs --tls-cert and --tls-key (or SPLICE_TLS_*)")
    with asyncio.Runner(loop_factory=_loop_factory()) as runner:
        runner.run(_serve(settings, access_log=access_log))


def _tune_gc() -> None:
    """Keep the cyclic garbage collector off the request path as far as it is safe to.

    What start-up built (modules, the GraphQL schema, table metadata: about 160 000 objects) is
    never garbage, yet every full collection walked it: 90 ms each on the loop. Freezing it leaves
    full collections only the objects made since. Young collections every 20 000 allocations
    instead of 700 run a webhook's short-lived objects through fewer collections. Measured with
    wrk on a sync webhook at concurrency 50: about 700 -> 1 000 requests/s, p99 380 -> 190 ms.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(20_000, 20, 20)


def _loop_factory() -> Callable[[], asyncio.AbstractEventLoop] | None:
    """uvloop's event loop where it is available (Linux, macOS), as uvicorn itself would pick:
    the server spends much of each webhook in the loop's I/O and callback machinery."""
    try:
        import uvloop
    except ImportError:  # e.g. Windows: the standard loop
        return None
    factory: Callable[[], asyncio.AbstractEventLoop] = uvloop.new_event_loop
    return factory


async def _serve(settings: Settings, *, access_log: bool = True) -> None:
    services = build_services(settings)
    try:
        created = await prepare(services)
    except (OSError, DBAPIError) as exc:
        raise DatabaseUnavailable(
            f"cannot open the database at {safe_url(settings.database_url)}: {exc.__class__.__name__}"
            f" ({str(exc).splitlines()[0][:200]}); check SPLICE_DATABASE_URL and that the server "
            "is running"
        ) from exc
    click.echo(login_hint(settings, created))
    app = create_app(settings, services)
    _tune_gc()
    main = uvicorn.Server(
        uvicorn.Config(
            app,
            host=settings.server.host,
            port=settings.server.port,
            log_level="info",
            access_log=access_log,
        )
    )
    servers = [main.serve()]
    if settings.server.tls_port:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(
            str(settings.server.tls_cert_file), str(settings.server.tls_key_file)
        )
        secure = uvicorn.Server(
            uvicorn.Config(
                app,
                host=settings.server.host,
                port=settings.server.tls_port,
                ssl_certfile=str(settings.server.tls_cert_file),
                ssl_keyfile=str(settings.server.tls_key_file),
                lifespan="off",
                log_level="info",
                access_log=access_log,
            )
        )
        servers.append(secure.serve())
    await asyncio.gather(*servers)


@click.command("worker")
@click.option("--concurrency", type=int, default=None, help="Worker processes (default: cores).")
def worker(concurrency: int | None) -> None:
    """Run a Celery worker for executions (needs SPLICE_BROKER_URL and a shared database)."""
    settings = get_settings()
    if not settings.runtime.distributed:
        raise click.UsageError(
            "SPLICE_BROKER_URL is not set; set it to a redis:// or amqp:// URL, "
            "or run 'splice server' alone for in-process executions"
        )
    from splice.runtime.celery_app import create_celery_app

    argv = ["worker", "--loglevel=INFO"]
    if concurrency:
        argv.append(f"--concurrency={concurrency}")
    create_celery_app(settings).worker_main(argv)
