"""The webhook receiver: an ASGI app (Starlette) that appends each event once to a Redis stream.

``POST /apifansly/webhooks/{token}`` answers only after Redis confirmed (200, also for a repeat), puts
bodies it cannot use into the quarantine (202), and answers 503 while Redis is unreachable, so the sender
retries. The token is compared in constant time and never logged: run it with uvicorn's access log off
(``python -m airflow_provider_apifansly.webhooks`` does). ``GET /healthz`` pings Redis.
"""

from __future__ import annotations

import hmac
import logging
import time
from collections.abc import AsyncIterator, Collection
from contextlib import asynccontextmanager

from redis.asyncio import Redis
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from redis.retry import Retry
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from airflow_provider_apifansly.webhooks.parser import FanslyEvent, FanslyEventError, parse_event
from airflow_provider_apifansly.webhooks.streams import (
    APPEND_ONCE,
    QUARANTINE,
    QUARANTINE_MAX_LEN,
    SEEN_TTL_SECONDS,
    STREAM_MAX_LEN,
    as_text,
    seen_key,
    stream_key,
)

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 1024 * 1024
MIN_TOKEN_LENGTH = 32
PATH = "/apifansly/webhooks/{token}"
# A webhook sender waits on us: fail fast (503, it retries) rather than through redis-py's default backoff.
REDIS_CONNECT_TIMEOUT = 1.0
REDIS_TIMEOUT = 2.0
REDIS_DOWN = (RedisConnectionError, RedisTimeoutError, OSError)


def redis_client(redis_url: str) -> Redis:
    """An asyncio Redis client that fails at once when Redis is down and reconnects on the next call."""
    client: Redis = Redis.from_url(
        redis_url,
        retry=Retry(NoBackoff(), 0),
        socket_connect_timeout=REDIS_CONNECT_TIMEOUT,
        socket_timeout=REDIS_TIMEOUT,
    )
    return client


def check_token(token: str) -> str:
    """The shared secret, stripped; refused when shorter than 32 characters (it is the only authentication)."""
    token = token.strip()
    if len(token) < MIN_TOKEN_LENGTH:
        raise ValueError(
            f"the webhook token must be at least {MIN_TOKEN_LENGTH} characters (it has {len(token)}); "
            'make one with: python -c "import secrets; print(secrets.token_urlsafe(32))"'
        )
    return token


def create_app(redis_url: str, token: str, accounts: Collection[str]) -> Starlette:
    """The receiver for ``accounts`` (events of any other account go to the quarantine).

    :param redis_url: e.g. ``redis://127.0.0.1:6379/0``; run Redis with append-only persistence.
    :param token: the secret path segment registered in apifansly's console (32+ characters).
    :param accounts: the connected account ids (``fansly_...``) whose events are accepted.
    """
    expected = check_token(token).encode()
    allowed = frozenset(accounts)
    bad = sorted(account for account in allowed if not account.startswith("fansly_"))
    if not allowed or bad:
        raise ValueError(
            f"accounts must be one or more connected account ids ('fansly_...'); got {bad or 'none'}"
        )
    redis = redis_client(redis_url)
    append_once = redis.register_script(APPEND_ONCE)

    async def receive(request: Request) -> JSONResponse:
        if not hmac.compare_digest(request.path_params["token"].encode(), expected):
            return JSONResponse({"detail": "Not Found"}, status_code=404)
        body = await _read_body(request)
        if body is None:
            return JSONResponse({"detail": f"body over {MAX_BODY_BYTES} bytes"}, status_code=413)
        try:
            event = parse_event(body)
            if event.account_id not in allowed:
                raise FanslyEventError(f"account {event.account_id!r} is not one of this receiver's accounts")
        except FanslyEventError as exc:
            return await _quarantine(body, exc.reason)
        try:
            entry_id = await append_once(
                keys=[seen_key(event.key), stream_key(event.event)],
                args=[SEEN_TTL_SECONDS, STREAM_MAX_LEN, _min_id(), *_fields(event, body)],
            )
        except REDIS_DOWN as exc:
            return _unavailable(exc)
        if entry_id is None:
            log.info("Repeat of %s %s for %s: already stored", event.event, event.key[:12], event.account_id)
            return JSONResponse({"status": "duplicate", "key": event.key})
        log.info(
            "Stored %s %s for %s as %s", event.event, event.key[:12], event.account_id, as_text(entry_id)
        )
        return JSONResponse({"status": "stored", "key": event.key, "id": as_text(entry_id)})

    async def _quarantine(body: bytes, reason: str) -> JSONResponse:
        try:
            entry_id = await redis.xadd(
                QUARANTINE,
                {"reason": reason, "body": body, "received_at_ms": str(int(time.time() * 1000))},
                maxlen=QUARANTINE_MAX_LEN,
                approximate=True,
            )
        except REDIS_DOWN as exc:
            return _unavailable(exc)
        log.warning("Quarantined a %d-byte body as %s: %s", len(body), as_text(entry_id), reason)
        return JSONResponse({"status": "quarantined", "reason": reason}, status_code=202)

    async def healthz(request: Request) -> JSONResponse:
        try:
            await redis.ping()
        except REDIS_DOWN as exc:
            return _unavailable(exc)
        return JSONResponse({"status": "ok"})

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        try:
            yield
        finally:
            await redis.aclose()

    return Starlette(
        routes=[Route(PATH, receive, methods=["POST"]), Route("/healthz", healthz, methods=["GET"])],
        lifespan=lifespan,
    )


async def _read_body(request: Request) -> bytes | None:
    """The body, or None when it is over the limit.

    The rest is read and dropped first, so that the sender reads our 413 instead of a reset connection.
    """
    declared = request.headers.get("content-length", "")
    too_big = declared.isdigit() and int(declared) > MAX_BODY_BYTES
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        too_big = too_big or size > MAX_BODY_BYTES
        if not too_big:
            chunks.append(chunk)
    return None if too_big else b"".join(chunks)


def _fields(event: FanslyEvent, body: bytes) -> list[str | bytes]:
    """The stream entry's field/value pairs (see ``streams``)."""
    return [
        "event", event.event, "account_id", event.account_id, "key", event.key,
        "key_source", event.key_source, "body", body,
    ]  # fmt: skip


def _min_id() -> str:
    """The oldest stream id the seen keys still cover: entries before it are trimmed."""
    return str(int(time.time() * 1000) - SEEN_TTL_SECONDS * 1000)


def _unavailable(exc: BaseException) -> JSONResponse:
    log.error("Redis unavailable, answering 503 (the sender retries): %s", type(exc).__name__)
    return JSONResponse({"detail": "event store unavailable, retry later"}, status_code=503)
