"""The file formats of ``ExportToStorageOperator``: rows spooled to local JSON lines, then written as asked.

``jsonl`` is the spool itself: each row exactly as the API sent it (lossless), with what the
analytics resources add (``moneyScale``, ``rolling30Days``, the window's bounds). ``csv``
and ``parquet`` are flat: a column per field, nested values as JSON text. Their column
order is stable: the resource's documented fields first (present even when no row has
them), then any other field in name order. Both read the spool once more, so memory
stays flat. Imports no pyarrow (parquet imports it when it writes), no hook and no HTTP
client; Airflow only for the typed errors of ``exceptions``.
"""

from __future__ import annotations

import csv
import importlib.util
import json
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from airflow_provider_apifansly.money import THOUSANDTHS

if TYPE_CHECKING:
    from airflow_provider_apifansly.hooks.endpoints.top_supporters import TopSupporters

FORMATS = ("jsonl", "csv", "parquet")
# The fields the contract documents for each resource, in the docs' order.
COLUMNS: dict[str, tuple[str, ...]] = {
    "transactions": (
        "transactionId",
        "type",
        "destination",
        "amount",
        "destinationTax",
        "newBalance",
        "createdAt",
        "status",
    ),
    "subscribers": (
        "id",
        "historyId",
        "subscriberId",
        "subscriptionTierId",
        "subscriptionTierName",
        "status",
        "price",
        "renewPrice",
        "autoRenew",
        "billingCycle",
        "duration",
        "renewDate",
        "createdAt",
        "updatedAt",
        "endsAt",
    ),
    "followers": ("id", "followerId"),
    # One row per fan, summed over the split windows; money in thousandths, the window in epoch ms.
    "top_supporters": ("fanId", "totalGross", "totalNet", "moneyScale", "windowStart", "windowEnd"),
    # The API's rows; createdAt and deletedAt in epoch seconds, prices in thousandths.
    "mass_message_stats": ("id", "content", "createdAt", "deletedAt", "stats", "attachments"),
    # The first row (rolling30Days true) is the API's rolling 30-day summary, year 0 and month 0.
    "earnings_monthly": (
        "year",
        "month",
        "rolling30Days",
        "partial",
        "totalGross",
        "totalNet",
        "moneyScale",
        "after",
        "before",
        "topPercent",
        "maxTopPercent",
        "brackets",
    ),
    # One row per bucket of each per-bucket series (start and length in epoch ms, the API's stats, one
    # per stat type), then each top FYP row with the range of the request that answered it.
    "profile_stats": (
        "series",
        "timestamp",
        "period",
        "partial",
        "stats",
        "windowStart",
        "windowEnd",
        "mediaOfferId",
        "views",
        "uniqueViewers",
        "interactionTime",
        "tagIds",
    ),
    "chats": (
        "account_id",
        "groupId",
        "partnerAccountId",
        "partnerUsername",
        "flags",
        "unreadCount",
        "subscriptionTierId",
        "lastMessageId",
        "lastUnreadMessageId",
    ),
}
PARQUET_ROW_GROUP = 10_000  # rows held in memory at once while writing parquet
_INT64 = 1 << 63
_COMPACT = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def supporter_rows(ranking: TopSupporters) -> Iterator[dict[str, Any]]:
    """The ``top_supporters`` rows of a ranking: each fan's summed spend, with the window it covers."""
    for supporter in ranking.supporters:
        yield {
            "fanId": supporter.fan_id,
            "totalGross": supporter.gross,
            "totalNet": supporter.net,
            "moneyScale": THOUSANDTHS,
            "windowStart": ranking.since,
            "windowEnd": ranking.until,
        }


def with_scale(row: dict[str, Any]) -> dict[str, Any]:
    """An earnings row, saying the scale of its money."""
    return {**row, "moneyScale": THOUSANDTHS}


def require_pyarrow() -> None:
    """Raise ``ValueError`` (when the DAG is parsed) if pyarrow, which parquet needs, is not installed."""
    try:
        found = importlib.util.find_spec("pyarrow") is not None
    except ValueError:  # sys.modules holds None for it: its import is blocked
        found = False
    if not found:
        raise ValueError("format='parquet' needs pyarrow: pip install 'airflow-provider-apifansly[parquet]'")


class Spool:
    """Rows written one by one to a local JSON-lines file; for csv and parquet, what each field holds.

    :param path: the local file to write.
    :param track_fields: record each field's kinds of value (csv and parquet need them; jsonl does not).
    """

    def __init__(self, path: Path, *, track_fields: bool) -> None:
        self.path = path
        self.rows = 0
        self.fields: dict[str, set[str]] = {}
        self._track = track_fields
        self._file = path.open("w", encoding="utf-8", newline="\n")

    def __enter__(self) -> Spool:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self._file.close()

    def write(self, row: dict[str, Any]) -> None:
        """Add one row to the spool."""
        self._file.write(_COMPACT.encode(row))
        self._file.write("\n")
        self.rows += 1
        if self._track:
            for name, value in row.items():
                self.fields.setdefault(name, set()).add(_kind(value))

    def read(self) -> Iterator[dict[str, Any]]:
        """The spooled rows again, one at a time."""
        with self.path.open(encoding="utf-8") as lines:
            for line in lines:
                row: dict[str, Any] = json.loads(line)
                yield row

    def columns(self, resource: str) -> list[str]:
        """The documented fields of ``resource``, then every other field seen, by name."""
        documented = COLUMNS[resource]
        return [*documented, *sorted(name for name in self.fields if name not in documented)]


def render(spool: Spool, format: str, resource: str) -> Path:
    """The local file holding the export in ``format`` (the spool itself for jsonl)."""
    if format == "jsonl":
        return spool.path
    target = spool.path.with_suffix(f".{format}")
    if format == "csv":
        _write_csv(spool, resource, target)
    else:
        _write_parquet(spool, resource, target)
    return target


def _write_csv(spool: Spool, resource: str, target: Path) -> None:
    columns = spool.columns(resource)
    with target.open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file, lineterminator="\n")
        writer.writerow(columns)
        for row in spool.read():
            writer.writerow([_text(row.get(name)) for name in columns])


def _write_parquet(spool: Spool, resource: str, target: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    columns = spool.columns(resource)
    types = {name: _arrow_type(spool.fields.get(name, set())) for name in columns}
    schema = pa.schema([(name, getattr(pa, types[name])()) for name in columns])
    as_text = [name for name in columns if types[name] == "string"]
    with pq.ParquetWriter(target, schema) as writer:
        batch: list[dict[str, Any]] = []
        for row in spool.read():
            for name in as_text:
                value = row.get(name)
                if value is not None and not isinstance(value, str):
                    row[name] = _text(value)
            batch.append(row)
            if len(batch) == PARQUET_ROW_GROUP:
                writer.write_table(pa.Table.from_pylist(batch, schema=schema))
                batch = []
        if batch:
            writer.write_table(pa.Table.from_pylist(batch, schema=schema))


def _kind(value: Any) -> str:
    """What a JSON value is, as far as a column's type goes."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int" if -_INT64 <= value < _INT64 else "text"
    if isinstance(value, float):
        return "float"
    return "str" if isinstance(value, str) else "text"


def _arrow_type(kinds: set[str]) -> str:
    """The pyarrow type (a ``pyarrow`` function name) of a column whose values are of these kinds."""
    kinds = kinds - {"null"}
    if kinds == {"bool"}:
        return "bool_"
    if kinds == {"int"}:
        return "int64"
    if kinds and kinds <= {"int", "float"}:
        return "float64"
    return "string"  # text, nested values, mixed kinds, or no value at all


def _text(value: Any) -> str:
    """A value as one flat cell: strings as they are, null empty, anything else as JSON text."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return _COMPACT.encode(value)
