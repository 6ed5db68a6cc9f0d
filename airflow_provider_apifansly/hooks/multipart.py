"""A media file as a streamed ``multipart/form-data`` body: never read whole into memory.

``requests`` sends a body with ``read`` and ``__len__`` chunk by chunk with a
``Content-Length``; one ``MultipartUpload`` makes a fresh stream for each attempt.
"""

from __future__ import annotations

import mimetypes
import os
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from airflow_provider_apifansly._compat import ObjectStoragePath
from airflow_provider_apifansly.exceptions import FanslyValidationError

FIELD = "file"
_CHUNK = 1 << 20


@dataclass(frozen=True)
class MediaSource:
    """A file to upload: its name, its size in bytes, and how to open it for reading."""

    name: str
    size: int
    open: Callable[[], IO[bytes]]


def media_source(path: Any, storage_conn_id: str | None) -> MediaSource:
    """A local path, or an ``ObjectStoragePath`` / URL read with ``storage_conn_id``; checked now.

    A missing, non-file or empty source is refused before any request.
    """
    if isinstance(path, str | os.PathLike) and "://" not in os.fspath(path):
        located: Any = Path(path)
    elif isinstance(path, str):
        try:
            located = ObjectStoragePath(path, conn_id=storage_conn_id)
        except (TypeError, ValueError) as exc:  # an unknown scheme, or a universal-pathlib Airflow rejects
            raise FanslyValidationError(
                f"{path!r:.120} cannot be read as an ObjectStoragePath: {exc}"
            ) from None
    elif hasattr(path, "open") and hasattr(path, "stat"):  # already an ObjectStoragePath
        located = path
    else:
        raise FanslyValidationError(f"path must be a local path or an object storage URL; got {path!r:.80}")
    try:
        is_file = located.is_file()
        size = int(located.stat().st_size) if is_file else 0
    except OSError as exc:
        raise FanslyValidationError(f"media file {str(located)!r} cannot be read: {exc}") from None
    except ValueError as exc:  # Airflow 2.11 meets an unknown scheme only when the path is first used
        raise FanslyValidationError(f"{path!r:.120} cannot be read as an ObjectStoragePath: {exc}") from None
    if not is_file:
        raise FanslyValidationError(f"media file {str(located)!r} does not exist or is not a file")
    if size == 0:
        raise FanslyValidationError(f"media file {str(located)!r} is empty")
    return MediaSource(name=located.name, size=size, open=lambda: located.open("rb"))


class MultipartUpload:
    """The form for one source; ``stream()`` opens a fresh body per attempt, ``close()`` closes them all."""

    def __init__(self, source: MediaSource) -> None:
        boundary = f"apifansly-{secrets.token_hex(16)}"
        name = source.name.replace("\\", "_").replace('"', "_").replace("\r", "_").replace("\n", "_")
        content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
        self.source = source
        self.head = (
            f"--{boundary}\r\n"
            f'Content-Disposition: form-data; name="{FIELD}"; filename="{name}"\r\n'
            f"Content-Type: {content_type}\r\n\r\n"
        ).encode()
        self.tail = f"\r\n--{boundary}--\r\n".encode()
        self.headers = {"Content-Type": f"multipart/form-data; boundary={boundary}"}
        self._opened: list[IO[bytes]] = []

    def stream(self) -> MultipartStream:
        """A fresh stream of the whole body, from its first byte (a retry sends it again)."""
        file = self.source.open()
        self._opened.append(file)
        return MultipartStream(self.head, file, self.source.size, self.tail)

    def close(self) -> None:
        """Close the file the body is read from."""
        for file in self._opened:
            file.close()
        self._opened.clear()


class MultipartStream:
    """Head, then the file in chunks, then tail; its length is known, so it is sent with Content-Length."""

    def __init__(self, head: bytes, file: IO[bytes], size: int, tail: bytes) -> None:
        self._parts: Iterator[bytes] = self._read(head, file, tail)
        self._length = len(head) + size + len(tail)
        self._chunk = memoryview(b"")

    def __len__(self) -> int:
        return self._length

    def __iter__(self) -> Iterator[bytes]:
        return self._parts

    def read(self, size: int = _CHUNK) -> bytes:
        """Up to ``size`` bytes of the current chunk (a negative size: the rest of it); b"" at the end."""
        if not self._chunk:
            self._chunk = memoryview(next(self._parts, b""))
        size = len(self._chunk) if size is None or size < 0 else size
        data, self._chunk = self._chunk[:size], self._chunk[size:]
        return bytes(data)

    @staticmethod
    def _read(head: bytes, file: IO[bytes], tail: bytes) -> Iterator[bytes]:
        yield head
        while chunk := file.read(_CHUNK):
            yield chunk
        yield tail
