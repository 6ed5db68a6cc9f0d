"""What a request costs in credits as the client estimates it: the one rule the hook's count and budget read.

No response reports credits used (contract part 2, section 1), so the count is an upper
estimate from the billing rules found, each read the way that counts higher:

- a standard response: 1 credit per started 80 KB of its (decoded) body, at least 1. 80 KB
  is read as 80,000 bytes, not 81,920, and an answer the API refused (4xx, 5xx) counts too;
  a 429 counts at most 1 (it is refused before any work, and its body is a short envelope).
- media (an upload): 2 credits per started MB (10**6 bytes), at least 3, the flat price per
  media request of the docs' earlier versions. So a file of up to 1 MB costs 3, of 1.5 MB 4.

The sandbox does not bill by it: it bills by its own reading of the contract
(``sandbox/billing.py``), so that tests and benchmarks comparing the hook's count with the
sandbox's bill compare two implementations, not one with itself.
"""

from __future__ import annotations

import math

STANDARD_CREDITS = 1
RESPONSE_BYTES_PER_CREDIT = 80_000
MEDIA_CREDITS_PER_MB = 2
MEDIA_MB_BYTES = 1_000_000
MEDIA_MIN_CREDITS = 3


def response_credits(body_bytes: int) -> int:
    """What a standard response of this many (decoded) bytes costs: 1 per started 80,000 bytes, at least 1."""
    return max(STANDARD_CREDITS, math.ceil(body_bytes / RESPONSE_BYTES_PER_CREDIT))


def media_credits(size_bytes: int) -> int:
    """What uploading a file of this size costs: 2 credits per started MB, at least 3."""
    return max(MEDIA_MIN_CREDITS, MEDIA_CREDITS_PER_MB * math.ceil(size_bytes / MEDIA_MB_BYTES))
