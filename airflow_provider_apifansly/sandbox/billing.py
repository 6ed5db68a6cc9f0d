"""What the sandbox bills a request, read from the contract's text alone: the bill a client's count is checked against.

This is deliberately not ``airflow_provider_apifansly.credits``, the client's estimate: a sandbox
billing with the client's own rule would agree with it whatever the rule said, and a test or
benchmark matching "the hook's count" with "the sandbox's bill" would prove nothing. Written apart,
from the apifansly contract notes (part 2, section 1, "Credits as billed", version C, the newest), it
is an oracle: where the two disagree, one of them misreads the contract.

Where the text is silent, the sandbox takes the reading that bills more, so that a client whose
count stays at or above this bill is an upper bound under any reading:

- an answer: "Every 80KB of response data = 1 Credit", a started unit billed whole, on the bytes of
  the body as written (80 KB read as 80,000 bytes, the smaller unit); an answer of the API refusing
  the request (4xx, 5xx) is response data too;
- the one exception, a 429: no version says whether it is billed, and it is refused before any work,
  so it is billed nothing (at most 1, the contract's notes say; a client counting 1 stays above), and a
  budget of ``credits`` never runs out on refusals alone;
- media: "2 credits per MB" of the file (decimal MB, a started MB billed whole), and never less than
  the flat "3 credits per media request" of versions A and B; it replaces the upload answer's own bill.
"""

from __future__ import annotations

ADMISSION_CREDITS = 1  # taken when a request is admitted (a budget admits it while one is left), then billed
RESPONSE_UNIT_BYTES = 80 * 1000  # "80KB of response data"
MEDIA_UNIT_BYTES = 1000 * 1000  # "per MB"
MEDIA_CREDITS_PER_UNIT = 2
MEDIA_FLAT_CREDITS = 3  # versions A and B: "3 credits per media request"


def _started_units(size: int, unit: int) -> int:
    """How many units of ``unit`` bytes ``size`` bytes start (a partial unit counts whole)."""
    return -(-size // unit)


def answer_bill(body: bytes) -> int:
    """The credits an answer whose body is these bytes costs: 1 per started 80 KB, and 1 for an empty body."""
    return max(1, _started_units(len(body), RESPONSE_UNIT_BYTES))


def media_bill(file_bytes: int) -> int:
    """The credits an upload of a file of this many bytes costs: 2 per started MB, at least the flat 3."""
    return max(MEDIA_FLAT_CREDITS, MEDIA_CREDITS_PER_UNIT * _started_units(file_bytes, MEDIA_UNIT_BYTES))
