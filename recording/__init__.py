"""Recording: every published track kept as received, crash-safe, on the hearing clock.

See DESIGN.md "Recording". :class:`Recorder` takes a hearing's tracks from the
media node and writes one WebM file per participant per segment;
:func:`recover` closes files a crash left unfinished; :func:`make_playback_set`
makes the after-hearing mixdown, per-participant videos and index.
"""

from .alerts import AlertKind, RecordingAlert
from .index import FileRole, IndexedFile
from .journal import SegmentRecord, SegmentStatus
from .playback import PlaybackSet, make_playback_set, make_playback_set_blocking
from .recorder import (
    EncodedFrame,
    PublishedTrack,
    Recorder,
    RecorderState,
    RecorderStats,
    RecordingSink,
)
from .recovery import RecoveredSegment, recover, recover_blocking
from .settings import RecordingSettings
from .timeline import TimelineSettings
from .webm import StreamSpec

__all__ = [
    "AlertKind",
    "EncodedFrame",
    "FileRole",
    "IndexedFile",
    "PlaybackSet",
    "PublishedTrack",
    "Recorder",
    "RecorderState",
    "RecorderStats",
    "RecordingAlert",
    "RecordingSettings",
    "RecordingSink",
    "RecoveredSegment",
    "SegmentRecord",
    "SegmentStatus",
    "StreamSpec",
    "TimelineSettings",
    "make_playback_set",
    "make_playback_set_blocking",
    "recover",
    "recover_blocking",
]
