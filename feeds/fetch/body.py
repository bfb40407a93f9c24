"""Reading a response body without trusting it: size capped while streaming (compressed and
decompressed, so a gzip bomb cannot eat memory), a wall-clock deadline (so a trickling server
cannot hold us), and truncation detected (Content-Length not reached, compressed stream cut)."""

from __future__ import annotations

import time
import zlib
from typing import Any

from urllib3.exceptions import ProtocolError, ReadTimeoutError

from ..errors import FetchError

__all__ = ["read_body"]

CHUNK = 64 * 1024


def read_body(raw: Any, url: str, headers: dict[str, str], max_bytes: int,
              deadline: float) -> bytes:
    """Return the decoded body of urllib3 response `raw`; raise FetchError when a cap is hit."""
    declared = headers.get("content-length", "")
    if declared.isascii() and declared.isdigit() and int(declared) > max_bytes:
        raise FetchError("too-large", url, f"Content-Length {declared} exceeds {max_bytes} bytes")
    decoder = _Decoder(headers.get("content-encoding", ""), url)
    out = bytearray()
    received = 0
    while True:
        if time.monotonic() > deadline:
            raise FetchError("timeout", url, f"body not complete after the total timeout "
                             f"({received} bytes received)")
        chunk = _read_chunk(raw, url, received)
        if not chunk:
            break
        received += len(chunk)
        if received > max_bytes:
            raise FetchError("too-large", url, f"body exceeds {max_bytes} bytes")
        out += decoder.feed(chunk, max_bytes + 1 - len(out))
        if len(out) > max_bytes:
            raise FetchError("too-large", url,
                             f"decompressed body exceeds {max_bytes} bytes ({received} received)")
    decoder.finish()
    return bytes(out)


def _read_chunk(raw: Any, url: str, received: int) -> bytes:
    try:
        # read1 returns what has arrived instead of waiting for a full chunk, so the deadline
        # is checked between every few packets of a trickling response.
        return bytes(raw.read1(CHUNK, decode_content=False))
    except ReadTimeoutError as e:
        raise FetchError("timeout", url, f"read timed out after {received} bytes") from e
    except ProtocolError as e:
        raise FetchError("connect", url, f"truncated body ({received} bytes received): "
                         f"{_short(e)}") from e
    except OSError as e:
        raise FetchError("connect", url, f"connection broken after {received} bytes: {e}") from e


class _Decoder:
    """Content-Encoding decoding (gzip, deflate) bounded per call by `limit` output bytes."""

    def __init__(self, encoding: str, url: str):
        self.url = url
        self.encoding = encoding.strip().lower()
        if self.encoding in ("", "identity"):
            self.z = None
        elif self.encoding in ("gzip", "x-gzip", "deflate"):
            self.z = zlib.decompressobj(16 + zlib.MAX_WBITS if "gzip" in self.encoding
                                        else zlib.MAX_WBITS)
            self.first = True
        else:
            raise FetchError("parse-error", url, f"unsupported Content-Encoding {encoding!r}")

    def feed(self, chunk: bytes, limit: int) -> bytes:
        if self.z is None:
            return chunk
        if self.encoding == "deflate" and self.first and chunk:
            self.first = False
            if (chunk[0] & 0x0F) != 8:  # servers that send raw deflate without the zlib header
                self.z = zlib.decompressobj(-zlib.MAX_WBITS)
        try:
            # max_length bounds the output; the rest waits in unconsumed_tail, which we drop
            # once over the limit (the caller then fails with too-large).
            out = self.z.decompress(chunk, max(limit, 1))
            while self.z.unconsumed_tail and len(out) < limit:
                out += self.z.decompress(self.z.unconsumed_tail, limit - len(out))
        except zlib.error as e:
            raise FetchError("parse-error", self.url, f"corrupt {self.encoding} body: {e}") from e
        return out

    def finish(self) -> None:
        if self.z is not None and not self.z.eof:
            raise FetchError("connect", self.url, f"truncated body ({self.encoding} stream cut)")


def _short(e: BaseException) -> str:
    text = str(e.args[-1] if e.args else e)
    return text if len(text) < 160 else text[:157] + "..."
