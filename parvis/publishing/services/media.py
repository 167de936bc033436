"""The media library: upload images and videos with their alt text, edit it, archive, reuse.

The real format of an upload is read from its bytes, never from the name or the browser's
Content-Type: images with Pillow (which also gives their width and height; it identifies the
format without decoding every pixel, as networks re-encode images anyway), videos from the
MP4/QuickTime container's own header (`ftyp`), whose `mvhd` box also gives the duration without
any video library.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import IO, Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from parvis.core.models import Membership
from parvis.core.permissions import Perm
from parvis.core.services import audit_record, require
from parvis.publishing.models import MediaItem

IMAGE_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "GIF": "image/gif", "WEBP": "image/webp"}
# ISO base media brands: QuickTime says "qt  ", everything else here is an MP4 flavour.
QUICKTIME_BRAND = b"qt  "
VIDEO_BRANDS = {b"isom", b"iso2", b"iso4", b"iso5", b"iso6", b"mp41", b"mp42", b"avc1", b"M4V ", b"MSNV", b"dash"}
ALT_TEXT_MAX = 5000  # no network takes more; the composer checks each network's own limit
# Boxes that hold other boxes on the way to `mvhd`.
_CONTAINERS = {b"moov"}


class CompositionError(ValueError):
    """The post (or the file) cannot go out as it is; `problems` lists why, `warnings` what else to look at."""

    def __init__(self, problems: Sequence[str], *, warnings: Sequence[str] = ()) -> None:
        super().__init__("; ".join(problems))
        self.problems = list(problems)
        self.warnings = list(warnings)


@dataclass(frozen=True)
class Sniffed:
    mime_type: str
    width: int | None = None
    height: int | None = None
    duration_seconds: float | None = None


def _image(stream: IO[bytes]) -> Sniffed | None:
    from PIL import Image, UnidentifiedImageError

    stream.seek(0)
    try:
        with Image.open(stream) as image:
            mime_type = IMAGE_FORMATS.get(image.format or "")
            width, height = image.size
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        return None
    if mime_type is None:
        return None
    return Sniffed(mime_type=mime_type, width=width, height=height)


def _boxes(stream: IO[bytes], start: int, end: int | None) -> Iterator[tuple[bytes, int, int]]:
    """(type, payload start, box end) of the ISO boxes between `start` and `end`."""
    position = start
    while end is None or position + 8 <= end:
        stream.seek(position)
        header = stream.read(8)
        if len(header) < 8:
            return
        size, kind = struct.unpack(">I4s", header)
        payload = position + 8
        if size == 1:  # a 64-bit size follows
            extended = stream.read(8)
            if len(extended) < 8:
                return
            size = struct.unpack(">Q", extended)[0]
            payload += 8
        elif size == 0:  # the box runs to the end of the file
            yield kind, payload, end if end is not None else payload + (1 << 62)
            return
        if size < 8:
            return
        yield kind, payload, position + size
        position += size


def _duration(stream: IO[bytes], start: int, end: int | None, depth: int = 0) -> float | None:
    for kind, payload, box_end in _boxes(stream, start, end):
        if kind == b"mvhd":
            stream.seek(payload)
            version = stream.read(4)[:1]
            if version == b"\x01":
                data = stream.read(28)
                if len(data) < 28:
                    return None
                timescale, duration = struct.unpack(">IQ", data[16:28])
            else:
                data = stream.read(16)
                if len(data) < 16:
                    return None
                timescale, duration = struct.unpack(">II", data[8:16])
            return duration / timescale if timescale else None
        if kind in _CONTAINERS and depth < 4:
            found = _duration(stream, payload, box_end, depth + 1)
            if found is not None:
                return found
    return None


def _video(stream: IO[bytes]) -> Sniffed | None:
    stream.seek(0)
    head = stream.read(12)
    if len(head) < 12 or head[4:8] != b"ftyp":
        return None
    brand = head[8:12]
    if brand == QUICKTIME_BRAND:
        mime_type = "video/quicktime"
    elif brand in VIDEO_BRANDS:
        mime_type = "video/mp4"
    else:
        return None
    try:
        duration = _duration(stream, 0, None)
    except (OSError, struct.error):
        duration = None
    return Sniffed(mime_type=mime_type, duration_seconds=round(duration, 3) if duration is not None else None)


def sniff(stream: IO[bytes]) -> Sniffed | None:
    """What the bytes really are (an accepted image or video), or None."""
    return _image(stream) or _video(stream)


@transaction.atomic
def media_upload(
    *, membership: Membership, upload: UploadedFile[Any], alt_text: str = "", title: str = ""
) -> MediaItem:
    """Add an image (JPEG, PNG, GIF, WebP) or a video (MP4, MOV) to the workspace's library."""
    require(membership, Perm.DRAFT)
    size = upload.size or 0
    limit = settings.PARVIS_MAX_UPLOAD_BYTES
    if size > limit:
        raise CompositionError(
            [
                _("The file weighs %(size)s; the limit is %(limit)s. Reduce it and try again.")
                % {"size": filesizeformat(size), "limit": filesizeformat(limit)}
            ]
        )
    stream = upload.file
    found = sniff(stream) if stream is not None else None
    upload.seek(0)
    if found is None:
        raise CompositionError(
            [_("This file is neither an image (JPEG, PNG, GIF, WebP) nor a video (MP4, MOV) that Parvis can read.")]
        )
    if len(alt_text) > ALT_TEXT_MAX:
        raise CompositionError([_("The description is too long (%(max)s characters at most).") % {"max": ALT_TEXT_MAX}])
    item = MediaItem(
        workspace=membership.workspace,
        mime_type=found.mime_type,
        size=size,
        alt_text=alt_text.strip(),
        title=title.strip()[:200],
        width=found.width,
        height=found.height,
        duration_seconds=found.duration_seconds,
        uploaded_by=membership.user,
    )
    item.file.save(upload.name or "upload", upload, save=False)
    item.save()
    audit_record(
        workspace=membership.workspace,
        actor=membership.user,
        verb="media.upload",
        target=item,
        summary=item.title or item.file.name or "",
        data={"mime_type": item.mime_type, "size": size},
    )
    return item


def _own(membership: Membership, item: MediaItem) -> None:
    require(membership, Perm.DRAFT)
    if item.workspace_id != membership.workspace_id:
        raise PermissionError("Not your workspace")


@transaction.atomic
def media_update(*, membership: Membership, item: MediaItem, alt_text: str, title: str | None = None) -> MediaItem:
    """Change the description (alt text) or title. Posts already released keep what they were sent with."""
    _own(membership, item)
    if len(alt_text) > ALT_TEXT_MAX:
        raise CompositionError([_("The description is too long (%(max)s characters at most).") % {"max": ALT_TEXT_MAX}])
    item.alt_text = alt_text.strip()
    if title is not None:
        item.title = title.strip()[:200]
    item.save(update_fields=["alt_text", "title"])
    audit_record(
        workspace=membership.workspace,
        actor=membership.user,
        verb="media.update",
        target=item,
        summary=item.alt_text[:300],
    )
    return item


@transaction.atomic
def media_archive(*, membership: Membership, item: MediaItem, archived: bool = True) -> MediaItem:
    """Hide a file from the library (or bring it back); posts that use it keep it."""
    _own(membership, item)
    item.archived = archived
    item.save(update_fields=["archived"])
    audit_record(
        workspace=membership.workspace,
        actor=membership.user,
        verb="media.archive" if archived else "media.restore",
        target=item,
        summary=item.title or item.file.name or "",
    )
    return item
