"""Live transcription: per-participant Vosk pipelines, the durable transcript and its exports.

Consumes the media node's audio (encoded Opus packets) through the subscription it offers;
imports nothing from media/, signaling/ or recording/.
"""

from .errors import ModelCorrupt, ModelError, ModelNotFound, UnsupportedLanguage
from .exports import (
    ExportFormat,
    HearingInfo,
    export_transcript,
    to_docx,
    to_json,
    to_srt,
    to_txt,
    to_webvtt,
)
from .gate import GateSettings
from .models import ModelRegistry, ModelSpec, check_model_dir, installed_models, load_model
from .offline import OfflineTranscript, transcribe_file, transcribe_pcm, word_error_rate
from .pipeline import Final, Partial, TranscriptEvent, TranscriptionPipeline
from .recognition import Recognizer, RecognizerPool, SpeechModel
from .segment import Segment, Speaker, Word
from .transcript import (
    Confirmation,
    Correction,
    Decision,
    Standing,
    TranscriptEntry,
    TranscriptLog,
    TranscriptVersion,
    read_transcript,
    standings,
)

__all__ = [
    "Confirmation",
    "Correction",
    "Decision",
    "ExportFormat",
    "Final",
    "GateSettings",
    "HearingInfo",
    "ModelCorrupt",
    "ModelError",
    "ModelNotFound",
    "ModelRegistry",
    "ModelSpec",
    "OfflineTranscript",
    "Partial",
    "Recognizer",
    "RecognizerPool",
    "Segment",
    "Speaker",
    "SpeechModel",
    "Standing",
    "TranscriptEntry",
    "TranscriptEvent",
    "TranscriptLog",
    "TranscriptVersion",
    "TranscriptionPipeline",
    "UnsupportedLanguage",
    "Word",
    "check_model_dir",
    "export_transcript",
    "installed_models",
    "load_model",
    "read_transcript",
    "standings",
    "to_docx",
    "to_json",
    "to_srt",
    "to_txt",
    "to_webvtt",
    "transcribe_file",
    "transcribe_pcm",
    "word_error_rate",
]
