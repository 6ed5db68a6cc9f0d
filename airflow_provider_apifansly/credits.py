"""What a request costs in credits: the one place for the rule, read by the hook's budget and the sandbox.

Standard requests cost 1 credit. Media is charged by size: 2 credits per started MB
("latest rules", contract). MB is read as 10**6 bytes, the larger count of the two
readings, so a ``max_credits`` budget never lets through an upload it cannot pay for.
No import of Airflow or requests: the sandbox charges by it too.
"""

from __future__ import annotations

import math

STANDARD_CREDITS = 1
MEDIA_CREDITS_PER_MB = 2
MEDIA_MB_BYTES = 1_000_000


def media_credits(size_bytes: int) -> int:
    """What uploading a file of this size costs: 2 credits per started MB (at least one MB)."""
    return MEDIA_CREDITS_PER_MB * max(1, math.ceil(size_bytes / MEDIA_MB_BYTES))
