"""``ExportToStorageOperator``: one object per data interval in any storage Airflow can write to."""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from airflow_provider_apifansly._compat import Asset, Context, ObjectStoragePath
from airflow_provider_apifansly.connection import API_PREFIX
from airflow_provider_apifansly.exceptions import FanslyStoragePermissionError, FanslyValidationError
from airflow_provider_apifansly.export_formats import (
    FORMATS,
    Spool,
    render,
    require_pyarrow,
    supporter_rows,
    with_scale,
)
from airflow_provider_apifansly.hooks.endpoints.fans import SUBSCRIBER_STATUSES
from airflow_provider_apifansly.operators.base import FanslyBaseOperator
from airflow_provider_apifansly.operators.try_record import digest, task_instance_name
from airflow_provider_apifansly.operators.window import refuse_empty_interval
from airflow_provider_apifansly.timestamps import DAY_MS, Instant, period_ms

EXPORT_RESOURCES = (
    "transactions",
    "subscribers",
    "followers",
    "chats",
    "top_supporters",
    "mass_message_stats",
    "earnings_monthly",
    "profile_stats",
)
# Resources read over a window; the first three need one (default: the run's data interval).
_WINDOW_NEEDED = ("transactions", "top_supporters", "profile_stats")
_WINDOWED = (*_WINDOW_NEEDED, "subscribers", "earnings_monthly")
# The statuses a resource takes (the first is its default); the other resources take none.
_STATUSES: dict[str, tuple[str, ...]] = {
    "subscribers": ("active", *(name for name in SUBSCRIBER_STATUSES if name != "active")),
    "mass_message_stats": ("sent", "deleted"),
}
# The API route each resource reads, below /api/fansly/{account_id}/ (lineage names the dataset after it).
_ROUTES = {
    "transactions": "earnings/transactions",
    "subscribers": "subscribers",
    "followers": "followers",
    "chats": "chats",
    "top_supporters": "top-supporters",
    "mass_message_stats": "mass-messaging/stats/{status}",
    "earnings_monthly": "earnings/monthly",
    "profile_stats": "analytics/profilestats",
}
_LOCAL = ("file", "local")
_COPY_BUFFER = 1 << 20


class ExportToStorageOperator(FanslyBaseOperator):
    """Write a resource of a connected account to one object; XCom ``return_value`` is ``{"path", "rows"}``.

    Before any request, the storage must take a write (a permission error fails the task
    without retries). Rows stream to a local temporary file; at the end it is uploaded to a
    hidden sibling of the object named for the task instance (a try replaces what a killed earlier
    one left there), then moved over it, so a failure at any point (an API
    error, credits out, a budget spent, an upload dropped half-way) leaves the previous
    object as it was, and a re-run of an interval replaces it with the same rows. Each
    asset in ``outlets`` gets an event whose ``extra`` names the object (``path``, ``rows``).
    XCom ``credits`` holds the credits spent. Connection and hook options are ``FanslyBaseOperator``'s.

    :param resource: ``"transactions"`` (earnings of the window ``[since, until)``),
        ``"subscribers"`` (optionally of a window on ``createdAt``), ``"top_supporters"`` (each
        fan's spend over the window), ``"profile_stats"`` (every series of the window's statistics:
        media views and profile visits per bucket, top FYP tags and media offers), ``"earnings_monthly"``
        (the months, of a window when ``since`` and ``until`` are given: each row then says whether it
        is ``partial``), or the snapshots ``"followers"``, ``"chats"`` and ``"mass_message_stats"``
        (every sent broadcast's statistics). docs/howto/export.md documents each one's columns.
    :param path: where to write: any URL ``ObjectStoragePath`` takes (``file://``, ``s3://``,
        ``gs://``... with the storage's provider installed). Templated.
    :param format: ``"jsonl"`` (rows as the API sent them), ``"csv"`` or ``"parquet"`` (flat
        columns, nested values as JSON text; parquet needs the ``[parquet]`` extra).
    :param since: the window's start, included (datetime, ISO-8601 or epoch ms). For
        transactions, top supporters and profile stats it defaults to the data interval's start.
        Templated. A window that is the run's data interval must not be empty (the task fails,
        pointing to ``CronDataIntervalTimetable``); an explicit empty window writes an empty object.
    :param until: the window's end, excluded, clamped to now. For those it defaults to the
        data interval's end. Templated.
    :param account_id: the connected account (``fansly_...``); defaults to the connection's. Templated.
    :param storage_conn_id: the Airflow connection of the storage (e.g. ``aws_default``). Templated.
    :param status: subscribers: ``"active"`` (default), ``"expired"`` or ``"all"`` (the active list,
        then the expired one); mass message stats: ``"sent"`` (default) or ``"deleted"`` (the
        withdrawn broadcasts).
    :param period: profile stats only: the bucket length, a ``timedelta`` or whole milliseconds
        (default one day).
    """

    template_fields: Sequence[str] = (
        "path",
        "since",
        "until",
        "account_id",
        "storage_conn_id",
        "fansly_conn_id",
    )

    def __init__(
        self,
        *,
        resource: str,
        path: str,
        format: str = "jsonl",  # the name for it
        since: Instant | None = None,
        until: Instant | None = None,
        account_id: str | None = None,
        storage_conn_id: str | None = None,
        status: str | None = None,
        period: timedelta | int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if resource not in EXPORT_RESOURCES:
            raise ValueError(f"resource must be one of {', '.join(EXPORT_RESOURCES)}; got {resource!r}")
        if format not in FORMATS:
            raise ValueError(f"format must be one of {', '.join(FORMATS)}; got {format!r}")
        if format == "parquet":
            require_pyarrow()
        statuses = _STATUSES.get(resource, ())
        if status is not None and status not in statuses:
            raise ValueError(
                f"status of {resource} must be one of {', '.join(statuses)}; got {status!r}"
                if statuses
                else f"status applies to {' and '.join(_STATUSES)} only, not to {resource}"
            )
        if resource not in _WINDOWED and (since is not None or until is not None):
            raise ValueError(f"{resource} are a snapshot: since and until cannot apply to them")
        if resource == "earnings_monthly" and (since is None) != (until is None):
            raise ValueError(
                "earnings_monthly take a window of both since and until, or neither (all months)"
            )
        if period is not None:
            if resource != "profile_stats":
                raise ValueError(f"period applies to profile_stats only, not to {resource}")
            period_ms(period, field="period")
        if not isinstance(path, str) or not path.strip():
            raise ValueError(f"path must be a non-empty URL string; got {path!r}")
        self.resource = resource
        self.path = path
        self.format = format
        self.since = since
        self.until = until
        self.account_id = account_id
        self.storage_conn_id = storage_conn_id
        self.status = status or (statuses[0] if statuses else None)
        self.period = DAY_MS if period is None else period

    def call_api(self, context: Context) -> dict[str, Any]:
        """Write the resource's rows of the window to the object; return its path and row count."""
        target = self._target()  # a bad URL or unknown storage fails here, before any request
        rows = self._rows(context)  # arguments checked; no page read yet
        # Named for the task instance, so every try uses (and first removes) the same staging object.
        staging = target.with_name(f".{target.name}.{digest(task_instance_name(context))[:16]}.partial")
        try:
            with _storage_errors(target):
                if staging.exists():
                    self.log.warning("Replacing %s, left by an earlier try", staging)
                _prepare(staging)  # a storage that refuses writes is found before a page is paid for
            with tempfile.TemporaryDirectory(prefix="apifansly-export-") as scratch:
                with Spool(Path(scratch) / "rows.jsonl", track_fields=self.format != "jsonl") as spool:
                    for row in rows:
                        spool.write(row)
                local = render(spool, self.format, self.resource)
                size = local.stat().st_size
                with _storage_errors(target):
                    _publish(local, staging, target)
        finally:
            _discard(staging, self.log)
        self.log.info(
            "Exported %d %s (%d bytes, %s) to %s", spool.rows, self.resource, size, self.format, target
        )
        exported: dict[str, Any] = {"path": self.path, "rows": spool.rows}
        for outlet in self.outlets:
            if isinstance(outlet, Asset):  # downstream DAGs read the object this event names
                context["outlet_events"][outlet].extra.update(exported)
        return exported

    def get_openlineage_facets_on_complete(self, task_instance: Any) -> Any:
        """OpenLineage of the export (when its provider is installed), named per its naming spec.

        A source's URI is split into namespace and name: the input is the API route read, namespace
        ``https://{host}`` (scheme, host and port of the connection), name
        ``/api/fansly/{account_id}/{route}``; the output is the object written: a local file in
        namespace ``file`` named by its absolute path, any other storage as
        """
        from airflow.providers.common.compat.openlineage.facet import Dataset
        from airflow.providers.openlineage.extractors import OperatorLineage

        account_id = self.hook.resolve_account_id(self.account_id)
        base = urlsplit(self.hook.settings.base_url)
        route = _ROUTES[self.resource].format(status=self.status)
        api = Dataset(namespace=f"{base.scheme}://{base.netloc}", name=f"{API_PREFIX}/{account_id}/{route}")
        target = self._target()
        if target.protocol in _LOCAL:
            output = Dataset(namespace="file", name="/" + target.key.lstrip("/"))
        else:
            output = Dataset(namespace=target.namespace, name=target.key)
        return OperatorLineage(inputs=[api], outputs=[output])

    def _target(self) -> Any:
        try:
            target = ObjectStoragePath(self.path, conn_id=self.storage_conn_id or None)
            target.fs  # noqa: B018  (resolves the storage now: "No filesystem registered for ...")
        except (TypeError, ValueError) as exc:
            raise FanslyValidationError(
                f"path {self.path!r} is not a storage Airflow can write to: {exc} (install the storage's "
                "provider; on Airflow 2, universal-pathlib must be below 0.3, as Airflow's constraints pin it)"
            ) from None
        return target

    def _rows(self, context: Context) -> Iterator[dict[str, Any]]:
        """The resource's rows, checked now and read as consumed."""
        hook, account_id = self.hook, self.hook.resolve_account_id(self.account_id)
        if self.resource in _WINDOW_NEEDED:
            since, until = self._window(context)
            if self.resource == "top_supporters":
                return supporter_rows(hook.top_supporters(account_id, since=since, until=until))
            if self.resource == "profile_stats":
                return hook.profile_stats_series(account_id, since=since, until=until, period=self.period)
            return hook.list_transactions(account_id, since=since, until=until)
        if self.resource == "subscribers":
            refuse_empty_interval(self.since or None, self.until or None, context)
            return hook.list_subscribers(
                account_id, status=self.status or "active", since=self.since or None, until=self.until or None
            )
        if self.resource == "followers":
            return hook.list_followers(account_id)
        if self.resource == "earnings_monthly":
            months = hook.list_monthly_earnings(
                account_id, since=self.since or None, until=self.until or None
            )
            return iter(with_scale(row) for row in months)
        if self.resource == "mass_message_stats":
            return iter(hook.list_sent_mass_messages(account_id, deleted=self.status == "deleted"))
        return hook.list_chats(account_id)

    def _window(self, context: Context) -> tuple[Instant, Instant]:
        """``[since, until)``: as given, else the run's data interval (which must not be empty)."""
        since = self.since or context.get("data_interval_start")
        until = self.until or context.get("data_interval_end")
        if since is None or until is None:
            raise FanslyValidationError(
                f"{self.resource} need a window: pass since and until, or run on a schedule that gives "
                "the run a data interval"
            )
        refuse_empty_interval(since, until, context)
        return since, until


@contextlib.contextmanager
def _storage_errors(target: Any) -> Iterator[None]:
    """A storage's permission error as a typed error that fails the task without retries."""
    try:
        yield
    except PermissionError as exc:
        raise FanslyStoragePermissionError(
            f"the storage refused to write {target} ({exc}); check the permissions of its connection "
            "or credentials: retrying cannot help",
            path=str(target),
        ) from None


def _prepare(staging: Any) -> None:
    """Write an empty staging object (over one an earlier try left).

    Proof the storage takes writes, before any request is sent.
    """
    if staging.protocol in _LOCAL:
        Path(staging.path).parent.mkdir(parents=True, exist_ok=True)
    with staging.open("wb"):
        pass


def _publish(local: Path, staging: Any, target: Any) -> None:
    """Upload the finished file beside ``target``, then move it over ``target``.

    No reader ever sees part of an export, and an upload that fails half-way leaves the previous object
    whole.

    Stores commit what was written even when the copy raised (s3fs completes the multipart upload,
    memory shows a file from the moment it is opened): only the staging object can be partial.
    """
    with local.open("rb") as source, staging.open("wb") as sink:
        shutil.copyfileobj(source, sink, _COPY_BUFFER)
    target.fs.mv(staging.path, target.path)  # a rename locally, a server-side copy on object stores


def _discard(staging: Any, log: Any) -> None:
    """Remove the staging object if it is still there (after a failure); never mask the failure."""
    try:
        if staging.exists():
            staging.unlink()
    except OSError as exc:
        log.warning("Could not remove the staging object %s: %s", staging, exc)
