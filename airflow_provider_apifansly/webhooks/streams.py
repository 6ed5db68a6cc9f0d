"""Where webhook events live in Redis, named once for the receiver, the trigger and ``claim_events``.

- ``apifansly:events:<event>``: a stream per event name; entry fields ``event``, ``account_id``, ``key``,
  ``key_source`` and ``body`` (the webhook's raw body).
- ``apifansly:seen:<key>``: set when an event is appended; a repeat within ``SEEN_TTL_SECONDS`` adds nothing.
- ``apifansly:quarantine``: a stream of bodies the receiver could not use (``reason``, ``body``).
- ``apifansly:claim:<dag_id>:<key>``: which task instance of a DAG claimed an event (``claim_events``).
- ``apifansly:claims-since:<dag_id>``: since when ``claim_events`` looks for events no run of the DAG carried.

The trim and the TTL agree: every append trims its stream to the same window the seen keys cover
(``MINID`` of now minus the TTL), and to at most ``STREAM_MAX_LEN`` entries (approximate ``MAXLEN``), so a
new consumer group replays at most that many entries, none of them twice.
"""

from __future__ import annotations

STREAM_PREFIX = "apifansly:events:"
SEEN_PREFIX = "apifansly:seen:"
CLAIM_PREFIX = "apifansly:claim:"
QUARANTINE = "apifansly:quarantine"
SEEN_TTL_SECONDS = 7 * 24 * 3600
# Per stream, approximate (Redis trims whole macro-nodes, so a stream may hold a little more).
STREAM_MAX_LEN = 100_000
QUARANTINE_MAX_LEN = 10_000

# KEYS: seen key, stream. ARGV: TTL s, MAXLEN, MINID, then the entry's field/value pairs.
# One script, so "seen" and "appended" are set together or not at all; returns the entry id, or false.
APPEND_ONCE = """
if not redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[1]) then
  return false
end
local id = redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[2], '*', unpack(ARGV, 4))
redis.call('XTRIM', KEYS[2], 'MINID', '~', ARGV[3])
return id
"""

# KEYS: the claim keys. ARGV: the claimant, TTL s. Returns 1 for each key the claimant holds (newly,
# or already: a retry of the same task instance gets its own claims back), else 0.
CLAIM = """
local held = {}
for i, key in ipairs(KEYS) do
  if redis.call('SET', key, ARGV[1], 'NX', 'EX', ARGV[2]) or redis.call('GET', key) == ARGV[1] then
    held[i] = 1
  else
    held[i] = 0
  end
end
return held
"""


def stream_key(event: str) -> str:
    """The Redis stream of one event type."""
    return STREAM_PREFIX + event


def seen_key(key: str) -> str:
    """The key that marks an event as seen (deduplication)."""
    return SEEN_PREFIX + key


def claims_since_key(dag_id: str) -> str:
    """The key holding where a DAG's claims of unclaimed events start."""
    return f"apifansly:claims-since:{dag_id}"


def claim_key(dag_id: str, key: str) -> str:
    """The key by which a DAG claims one event once."""
    return f"{CLAIM_PREFIX}{dag_id}:{key}"


def as_text(value: bytes | str) -> str:
    """A Redis reply (bytes, as the clients here are not decoding) as text."""
    return value.decode() if isinstance(value, bytes) else value
