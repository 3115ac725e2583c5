"""Errors of live transcription: models that are missing, broken or not configured."""

from __future__ import annotations

from pathlib import Path

from hearing.errors import HearingError, InvalidInput

__all__ = ["ModelCorrupt", "ModelError", "ModelNotFound", "UnsupportedLanguage"]


class ModelError(HearingError):
    """A speech model that cannot be used; the message says which and what to do."""

    code = "model_error"


class ModelNotFound(ModelError):
    """A configured model directory does not exist."""

    code = "model_not_found"

    def __init__(self, language: str, path: Path) -> None:
        super().__init__(
            f"the Vosk model for language {language!r} is configured as {path}, "
            "but that directory does not exist; fix --vosk-model "
            f"{language}=PATH or install the model there",
            details={"language": language, "path": str(path)},
        )
        self.language = language
        self.path = path


class ModelCorrupt(ModelError):
    """A model directory that is not a loadable Vosk model."""

    code = "model_corrupt"

    def __init__(self, language: str, path: Path, reason: str) -> None:
        super().__init__(
            f"the Vosk model for language {language!r} at {path} cannot be used: {reason}; "
            "replace it with a complete model directory (am/, conf/, graph/ ...)",
            details={"language": language, "path": str(path), "reason": reason},
        )
        self.language = language
        self.path = path
        self.reason = reason


class UnsupportedLanguage(ModelError, InvalidInput):
    """No model is configured for a hearing's language: it cannot be transcribed."""

    code = "unsupported_language"

    def __init__(self, language: str, configured: tuple[str, ...]) -> None:
        have = ", ".join(configured) if configured else "none"
        super().__init__(
            f"no speech model is configured for language {language!r} (configured: {have}); "
            f"start the server with --vosk-model {language}=PATH or choose one of those languages",
            details={"language": language, "configured": list(configured)},
        )
        self.language = language
        self.configured = configured
