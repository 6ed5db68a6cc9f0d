"""Webhook events in DAGs: ``fansly_event_asset`` to schedule on them, ``claim_events`` to act once per event.

Runs coalesce (one run may carry many events), a redelivered event may start another run, and on Airflow
3.3.2 events stored in a burst can be carried by no run until the next event (apache/airflow#54659). So a
task does not act on ``triggering_asset_events`` alone: ``claim_events`` takes the run's events plus the
asset's recent events that no run of this DAG carried, dedupes them by key, and claims each once per DAG
in Redis (``SET NX``), so a side effect downstream happens once per event. Asset watchers need Airflow 3.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from importlib.metadata import version
from typing import TYPE_CHECKING, Any

from airflow_provider_apifansly.webhooks.parser import EVENTS
from airflow_provider_apifansly.webhooks.streams import (
    CLAIM,
    SEEN_TTL_SECONDS,
    as_text,
    claim_key,
    claims_since_key,
)

if TYPE_CHECKING:
    from airflow_provider_apifansly._compat import Asset, Context
    from airflow_provider_apifansly.triggers.events import FanslyEventTrigger

# Asset watchers (AssetWatcher, BaseEventTrigger) exist from Airflow 3.0; example DAGs check this.
EVENT_TRIGGERS_AVAILABLE = int(version("apache-airflow").split(".")[0]) >= 3
URI_SCHEME = "apifansly"
# How many of an asset's most recent events claim_events looks through for ones no run carried.
UNCARRIED_LOOKBACK = 1000
# Events stored in one burst lie seconds apart: a DAG's first claiming run looks back this far for them.
BURST_MARGIN = timedelta(minutes=1)


def fansly_event_asset(
    event: str,
    *,
    account_id: str | None = None,
    redis_conn_id: str = "redis_default",
    include_content: bool = False,
) -> Asset:
    """The asset of one webhook event (of one account, or of all), watched by a ``FanslyEventTrigger``.

    ``schedule=[fansly_event_asset("ppv.purchased")]`` runs a DAG on each purchase (runs may coalesce).

    :param event: the event name, e.g. ``ppv.purchased``.
    :param account_id: only this connected account's events (None: every account's).
    :param redis_conn_id: the Redis connection the receiver writes to.
    :param include_content: put message text into the event's payload (stored in the metadata DB).
    """
    if not EVENT_TRIGGERS_AVAILABLE:
        raise RuntimeError("fansly_event_asset needs Airflow 3 (asset watchers); this is Airflow 2")
    from airflow.sdk import Asset, AssetWatcher

    from airflow_provider_apifansly.triggers.events import FanslyEventTrigger

    if event not in EVENTS:
        raise ValueError(f"event must be one of {sorted(EVENTS)}; got {event!r}")
    scope = account_id or "all"
    trigger = FanslyEventTrigger(
        [event],
        redis_conn_id=redis_conn_id,
        account_ids=[account_id] if account_id else None,
        include_content=include_content,
    )
    name = f"apifansly.{scope}.{event}" + (".content" if include_content else "")
    return Asset(
        name=name,
        uri=f"{URI_SCHEME}://{scope}/{event}" + ("?content=1" if include_content else ""),
        group="apifansly",
        watchers=[AssetWatcher(name=name.replace(".", "_"), trigger=trigger)],
    )


def claim_events(context: Context, asset: Asset | None = None) -> list[dict[str, Any]]:
    """The events this task instance should act on, each claimed once per DAG; oldest first.

    They are the run's triggering events of ``asset`` (None: of every ``fansly_event_asset`` the DAG is
    scheduled on) plus that asset's events that no run of this DAG carried (since a minute before the
    DAG's first claimed event, within 7 days, the newest 1000), deduplicated by ``key``. Each is claimed
    in the trigger's Redis (``apifansly:claim:<dag_id>:<key>``, kept 7 days): an event another task
    instance of the DAG claimed is left out, while a retry or a clear of the same task instance gets its
    own claims back. Returns the events' payloads (see ``FanslyEventTrigger``).
    """
    if not EVENT_TRIGGERS_AVAILABLE:
        raise RuntimeError("claim_events needs Airflow 3 (asset watchers); this is Airflow 2")
    values: Any = context
    ti, dag = values["ti"], values["dag"]
    watched = _watched_assets(dag, asset)
    claimant = f"{ti.dag_id}|{ti.run_id}|{ti.task_id}|{ti.map_index}"
    claimed: list[dict[str, Any]] = []
    for redis_conn_id, assets in _by_connection(watched).items():
        from airflow.providers.redis.hooks.redis import RedisHook

        redis = RedisHook(redis_conn_id=redis_conn_id).get_conn()  # type: ignore[no-untyped-call]
        run_events = [found for each in assets for found in _run_events(context, each)]
        since = _claims_since(redis, dag.dag_id, [stamp for stamp, _ in run_events])
        candidates: dict[str, dict[str, Any]] = {}
        for payload in [payload for _, payload in run_events] + [
            payload for each in assets for payload in _uncarried_events(each, dag.dag_id, since)
        ]:
            candidates.setdefault(payload["key"], payload)
        claimed += _claim(redis, dag.dag_id, claimant, list(candidates.values()))
    claimed.sort(key=lambda payload: (payload.get("occurred_at_ms") or 0, payload["key"]))
    return claimed


def _watched_assets(dag: Any, asset: Asset | None) -> list[tuple[Asset, FanslyEventTrigger]]:
    """Each asset with its ``FanslyEventTrigger``: ``asset``, or the fansly assets of the DAG's schedule."""
    from airflow_provider_apifansly.triggers.events import FanslyEventTrigger

    schedule = getattr(dag.timetable, "asset_condition", None)
    candidates = [asset] if asset is not None else list(_assets_in(schedule))
    watched = [
        (each, watcher.trigger)
        for each in candidates
        for watcher in getattr(each, "watchers", ()) or ()
        if isinstance(watcher.trigger, FanslyEventTrigger)
    ]
    if not watched:
        what = f"asset {asset.name!r}" if asset is not None else f"DAG {dag.dag_id!r}'s schedule"
        raise ValueError(f"{what} has no fansly_event_asset (an asset watched by a FanslyEventTrigger)")
    return watched


def _assets_in(condition: Any) -> Iterator[Any]:
    """The assets of a schedule's condition (an asset, or ``AssetAll``/``AssetAny`` of conditions)."""
    if hasattr(condition, "watchers"):
        yield condition
    for part in getattr(condition, "objects", ()):
        yield from _assets_in(part)


def _by_connection(watched: list[tuple[Asset, FanslyEventTrigger]]) -> dict[str, list[Asset]]:
    grouped: dict[str, list[Asset]] = {}
    for each, trigger in watched:
        grouped.setdefault(trigger.redis_conn_id, []).append(each)
    return grouped


def _payload(extra: dict[str, Any] | None) -> dict[str, Any] | None:
    """The trigger's payload in an asset event's ``extra`` (``{"from_trigger": true, "payload": ...}``)."""
    payload = (extra or {}).get("payload")
    return payload if isinstance(payload, dict) and isinstance(payload.get("key"), str) else None


def _run_events(context: Context, asset: Asset) -> list[tuple[datetime, dict[str, Any]]]:
    """The run's triggering events of ``asset``: when Airflow stored each, and its payload."""
    from airflow_provider_apifansly._compat import triggering_events

    found = ((event.timestamp, _payload(event.extra)) for event in triggering_events(context, asset))
    return [(stamp, payload) for stamp, payload in found if payload is not None]


def _claims_since(redis: Any, dag_id: str, run_stamps: list[datetime]) -> datetime:
    """Since when the DAG looks for events no run carried.

    A minute before the first event of its first claiming run (a manual run: its claim), so a DAG added
    later does not replay the asset's history.
    """
    now = datetime.now(UTC)
    window_start = now - timedelta(seconds=SEEN_TTL_SECONDS)
    first = min(run_stamps) - BURST_MARGIN if run_stamps else now
    key = claims_since_key(dag_id)
    redis.set(key, max(first, window_start).isoformat(), nx=True, ex=SEEN_TTL_SECONDS)
    redis.expire(key, SEEN_TTL_SECONDS)
    return max(datetime.fromisoformat(as_text(redis.get(key))), window_start)


def _uncarried_events(asset: Asset, dag_id: str, since: datetime) -> list[dict[str, Any]]:
    """The asset's events after ``since`` that no run of ``dag_id`` carried (the newest first)."""
    from airflow.sdk.execution_time.context import InletEventsAccessor

    events = (
        InletEventsAccessor(asset_name=asset.name, asset_uri=asset.uri)
        .after(since.isoformat())
        .ascending(False)
        .limit(UNCARRIED_LOOKBACK)
    )
    found = (
        _payload(event.extra)
        for event in events
        if not any(run.dag_id == dag_id for run in event.created_dagruns)
    )
    return [payload for payload in found if payload is not None]


def _claim(redis: Any, dag_id: str, claimant: str, payloads: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The payloads whose claim ``claimant`` holds after one atomic script (see ``webhooks.streams``)."""
    if not payloads:
        return []
    keys = [claim_key(dag_id, payload["key"]) for payload in payloads]
    held = redis.eval(CLAIM, len(keys), *keys, claimant, SEEN_TTL_SECONDS)
    return [payload for payload, mine in zip(payloads, held, strict=True) if mine == 1]
