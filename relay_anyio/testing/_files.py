"""Files the simulator serves over HTTP: recordings (WAV) and fax documents (PDF).

Recordings are real WAV files on disk, so their reported duration and
size are true to what ``GET /recordings/<id>.wav`` returns. With
``in_memory=True`` (benchmarks: thousands of recordings a second) they are
kept in memory instead and their ``path`` is ``""``; the bytes served are
the same. Fax documents
are tiny valid PDFs with one page per fax page, kept in memory.
"""

from __future__ import annotations

import array
import functools
import io
import math
import os
import shutil
import sys
import tempfile
import wave

import attrs

__all__ = ["FileStore", "StoredRecording", "make_pdf", "make_wav"]

SAMPLE_RATE = 8000  # telephone audio
_BEEP_SECONDS = 0.25


@functools.lru_cache(maxsize=64)
def make_wav(duration: float, beep: bool) -> bytes:
    """A mono 16-bit 8 kHz WAV of ``duration`` seconds: an optional 1 kHz
    beep, then a quiet 440 Hz tone standing for the caller's voice."""
    total = max(0, round(duration * SAMPLE_RATE))
    beep_n = min(total, round(_BEEP_SECONDS * SAMPLE_RATE)) if beep else 0
    samples = array.array("h", bytes(2 * total))
    for i in range(total):
        freq, amp = (1000.0, 8000) if i < beep_n else (440.0, 2000)
        samples[i] = int(amp * math.sin(2 * math.pi * freq * i / SAMPLE_RATE))
    if sys.byteorder == "big":
        samples.byteswap()  # WAV is little-endian
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(SAMPLE_RATE)
        w.writeframes(samples.tobytes())
    return out.getvalue()


def make_pdf(pages: int, title: str = "Simulated fax") -> bytes:
    """A minimal valid PDF with ``pages`` pages (at least one)."""
    pages = max(1, pages)
    objects: list[bytes] = []
    # 1: catalog, 2: page tree, 3: font, then (page, content) pairs.
    kids = " ".join(f"{4 + 2 * i} 0 R" for i in range(pages))
    objects.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {pages} >>".encode())
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    for i in range(pages):
        text = f"{title} - page {i + 1} of {pages}".replace("(", "[").replace(")", "]")
        stream = f"BT /F1 18 Tf 72 720 Td ({text}) Tj ET".encode()
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
            f"/Resources << /Font << /F1 3 0 R >> >> /Contents {5 + 2 * i} 0 R >>".encode()
        )
        objects.append(
            b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream"
        )
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{number} 0 obj\n".encode() + body + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for offset in offsets:
        out.write(f"{offset:010d} 00000 n \n".encode())
    out.write(
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return out.getvalue()


@attrs.frozen
class StoredRecording:
    id: str
    path: str
    duration: float
    size: int


class FileStore:
    """Where recordings and fax documents live while the simulator runs.

    ``directory`` None = a temporary directory removed by ``close``.
    """

    def __init__(self, directory: str | None = None, *, in_memory: bool = False) -> None:
        self.in_memory = in_memory
        self._in_memory_data: dict[str, bytes] = {}
        self._owned = directory is None
        self.directory = directory or tempfile.mkdtemp(prefix="relay-sim-")
        self.recordings_dir = os.path.join(self.directory, "recordings")
        os.makedirs(self.recordings_dir, exist_ok=True)
        self._recordings: dict[str, StoredRecording] = {}
        self._fax_documents: dict[str, bytes] = {}

    def add_recording(self, recording_id: str, duration: float, beep: bool) -> StoredRecording:
        data = make_wav(round(duration, 3), beep)
        if self.in_memory:
            # make_wav is cached: recordings of one length share one bytes object.
            path = ""
            self._in_memory_data[recording_id] = data
        else:
            path = os.path.join(self.recordings_dir, f"{recording_id}.wav")
            with open(path, "wb") as f:
                f.write(data)
        frames = (len(data) - 44) // 2  # 44-byte header, 2 bytes per sample
        stored = StoredRecording(recording_id, path, frames / SAMPLE_RATE, len(data))
        self._recordings[recording_id] = stored
        return stored

    def recording(self, recording_id: str) -> StoredRecording | None:
        return self._recordings.get(recording_id)

    def read_recording(self, recording_id: str) -> bytes | None:
        stored = self._recordings.get(recording_id)
        if stored is None:
            return None
        if not stored.path:
            return self._in_memory_data.get(recording_id)
        try:
            with open(stored.path, "rb") as f:
                return f.read()
        except OSError:
            return None

    def add_fax_document(self, document_id: str, pages: int) -> None:
        self._fax_documents[document_id] = make_pdf(pages)

    def fax_document(self, document_id: str) -> bytes | None:
        return self._fax_documents.get(document_id)

    def close(self) -> None:
        if self._owned:
            shutil.rmtree(self.directory, ignore_errors=True)
