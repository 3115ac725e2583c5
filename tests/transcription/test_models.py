"""Model configuration: discovery, clear errors for bad models, one shared model per language."""

from __future__ import annotations

import array
import asyncio
import shutil
from pathlib import Path

import pytest

from bench._transcription_speech import SpeechFile, make_speech
from hearing.errors import InvalidInput
from transcription import (
    ModelCorrupt,
    ModelNotFound,
    ModelRegistry,
    ModelSpec,
    Recognizer,
    UnsupportedLanguage,
    installed_models,
    load_model,
    transcribe_pcm,
)
from transcription.audio import BYTES_PER_SAMPLE, FRAME_BYTES, SAMPLE_RATE, file_pcm
from transcription.models import DECODING_STEP_FRAMES, decoding_options

# Sentences whose synthetic speech Vosk used to read in more than one way (see below).
UNSTEADY = ("증거를 제출하겠습니다.", "피고는 이 계약서에 서명했습니까?")


@pytest.fixture(scope="module")
def korean_dir() -> Path:
    (spec,) = installed_models()
    return spec.path


def test_the_installed_korean_model_is_discovered(korean_dir: Path) -> None:
    assert korean_dir.name == "model" and (korean_dir / "am" / "final.mdl").is_file()
    registry = ModelRegistry()
    assert registry.languages == ("ko",)
    assert registry.check("ko").path == korean_dir
    assert registry.check("ko-KR").language == "ko"  # a regional tag falls back


def test_specs_are_parsed_and_override_the_default(tmp_path: Path) -> None:
    assert ModelSpec.parse("zh = /models/cn ") == ModelSpec("zh", Path("/models/cn"))
    for bad in ("zh", "=x", "zh=", "ZH!=x"):
        with pytest.raises(InvalidInput, match="LANG=PATH"):
            ModelSpec.parse(bad)
    registry = ModelRegistry.from_flags([f"ko={tmp_path}", "zh=/models/cn"])
    assert registry.languages == ("ko", "zh")
    assert registry.resolve("ko").path == tmp_path
    with pytest.raises(InvalidInput, match="twice"):
        ModelRegistry.from_flags(["zh=/a", "zh=/b"])


async def test_an_unsupported_language_is_refused_naming_what_is_configured() -> None:
    registry = ModelRegistry()
    with pytest.raises(UnsupportedLanguage) as refused:
        registry.check("zh")
    assert "'zh'" in refused.value.message and "configured: ko" in refused.value.message
    assert refused.value.details == {"language": "zh", "configured": ["ko"]}
    assert isinstance(refused.value, InvalidInput)
    with pytest.raises(UnsupportedLanguage):
        await registry.get("en")
    await registry.aclose()


async def test_a_missing_model_directory_is_named(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere"
    registry = ModelRegistry([ModelSpec("zh", missing)], discover=False)
    with pytest.raises(ModelNotFound) as refused:
        registry.check("zh")
    assert str(missing) in refused.value.message and refused.value.code == "model_not_found"
    with pytest.raises(ModelNotFound):
        await registry.get("zh")
    await registry.aclose()


async def test_a_directory_that_is_not_a_model_is_refused(tmp_path: Path) -> None:
    registry = ModelRegistry([ModelSpec("zh", tmp_path)], discover=False)
    with pytest.raises(ModelCorrupt, match="missing am/final.mdl"):
        registry.check("zh")
    await registry.aclose()


async def test_a_model_vosk_cannot_load_is_corrupt(tmp_path: Path, korean_dir: Path) -> None:
    # The right files with the wrong bytes in them: Vosk prints an error and fails.
    broken = tmp_path / "broken"
    shutil.copytree(korean_dir / "conf", broken / "conf")
    (broken / "am").mkdir()
    (broken / "am" / "final.mdl").write_bytes(b"\x00not a kaldi model" * 100)
    (broken / "graph").mkdir()
    (broken / "graph" / "HCLG.fst").write_bytes(b"garbage" * 100)
    registry = ModelRegistry([ModelSpec("ko", broken)], discover=False)
    registry.check("ko")  # looks like a model...
    with pytest.raises(ModelCorrupt, match="Vosk could not load it") as refused:
        await registry.ensure("ko")  # ...but is not one
    assert refused.value.details["path"] == str(broken)
    await registry.aclose()


async def test_one_model_per_language_loaded_once_and_shared() -> None:
    registry = ModelRegistry(workers=1)
    first, second = await asyncio.gather(registry.get("ko"), registry.get("ko-KR"))
    assert first is second
    assert await registry.get("ko") is first
    pool = await registry.recognizers("ko")
    assert pool.model is first and await registry.recognizers("ko") is pool
    recognizer = await pool.take()
    assert recognizer.accept(bytes(3200)).finals == ()
    await registry.aclose()
    await registry.aclose()  # idempotent
    with pytest.raises(RuntimeError, match="closed"):
        await registry.get("ko")


def test_a_model_is_loaded_decoding_in_short_steps_undithered_and_left_as_installed(
    tmp_path: Path,
) -> None:
    model = tmp_path / "model"
    for name in ("am/final.mdl", "graph/HCLr.fst", "conf/ivector.conf"):
        (model / name).parent.mkdir(parents=True, exist_ok=True)
        (model / name).write_text(name)
    (model / "conf" / "model.conf").write_text("--beam=10.0\n--max-active=3000")
    (model / "conf" / "mfcc.conf").write_text("--use-energy=false\n--num-mel-bins=40\n")
    with decoding_options(model) as (view, dither):
        assert view != model
        options = (view / "conf" / "model.conf").read_text().splitlines()
        assert options == ["--beam=10.0", "--max-active=3000", "--frames-per-chunk=12"]
        assert DECODING_STEP_FRAMES == 12
        # Kaldi's dither is off; the recognizers add Kaldi's default amplitude themselves.
        features = (view / "conf" / "mfcc.conf").read_text().splitlines()
        assert features == ["--use-energy=false", "--num-mel-bins=40", "--dither=0"]
        assert dither == 1.0
        for name in ("am/final.mdl", "graph/HCLr.fst", "conf/ivector.conf"):
            assert (view / name).read_text() == name
    assert not view.exists()
    assert (model / "conf" / "model.conf").read_text() == "--beam=10.0\n--max-active=3000"
    assert (model / "conf" / "mfcc.conf").read_text() == "--use-energy=false\n--num-mel-bins=40\n"


def test_a_model_keeps_its_own_step_and_dither_amplitude(tmp_path: Path) -> None:
    (tmp_path / "conf").mkdir()
    (tmp_path / "conf" / "model.conf").write_text("--frames-per-chunk=51\n")
    (tmp_path / "conf" / "fbank.conf").write_text("--dither=2 # noisy\n--dither=0.5\n")
    with decoding_options(tmp_path) as (view, dither):
        assert (view / "conf" / "model.conf").read_text() == "--frames-per-chunk=51\n"
        assert (view / "conf" / "fbank.conf").read_text().splitlines()[-1] == "--dither=0"
        assert dither == 0.5  # the last setting, as Kaldi reads it
    flat = tmp_path / "flat"  # the older layout, without conf/: Kaldi dithers
    flat.mkdir()
    with decoding_options(flat) as (view, dither):
        assert (view, dither) == (flat, 0.0)


def test_a_model_option_that_is_not_a_number_is_a_corrupt_model(tmp_path: Path) -> None:
    for name in ("am/final.mdl", "graph/HCLG.fst", "conf/model.conf"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("")
    (tmp_path / "conf" / "mfcc.conf").write_text("--dither=lots\n")
    with pytest.raises(ModelCorrupt, match=r"conf/mfcc.conf: '--dither=lots' is not a number"):
        load_model(ModelSpec("xx", tmp_path))


def test_the_same_audio_reads_the_same_whatever_was_decoded_before(
    korean_dir: Path, speech_dir: Path
) -> None:
    # Sentences whose synthetic speech Vosk read two or three ways over four decodings
    # in one process while Kaldi dithered (its noise comes from the process-wide rand()).
    spoken = [
        file_pcm(make_speech(text, speech_dir, f"unsteady-{i}", lead=0.2).ogg)
        for i, text in enumerate(UNSTEADY)
    ]
    model = load_model(ModelSpec("ko", korean_dir))
    first = [transcribe_pcm(model, pcm).text for pcm in spoken]
    again = [transcribe_pcm(model, pcm).text for pcm in reversed(spoken)][::-1]
    other = load_model(ModelSpec("ko", korean_dir))
    last = [transcribe_pcm(other, pcm).text for pcm in spoken]
    assert all(first), first
    assert first == again == last


def test_digital_silence_in_speech_does_not_derail_the_model(
    korean_dir: Path, speech_dir: Path
) -> None:
    # espeak-ng's own file has runs of exact zeros between syllables (a quarter of its
    # samples). Undithered, the model reads it as other words entirely; dithered, it
    # reads it much as it reads the same speech after Opus coding.
    speech = make_speech(UNSTEADY[0], speech_dir, "unsteady-0", lead=0.2)
    pcm = file_pcm(speech.wav)
    samples = array.array("h", pcm)
    assert samples.count(0) > len(samples) / 8, "the test speech has no digital silence"
    model = load_model(ModelSpec("ko", korean_dir))
    coded = transcribe_pcm(model, file_pcm(speech.ogg)).text.split()
    raw = transcribe_pcm(model, pcm).text.split()
    assert len(set(coded) & set(raw)) >= len(coded) / 2, (coded, raw)


def test_captions_are_revised_every_short_step_of_speech(
    korean_dir: Path, counsel_speech: SpeechFile
) -> None:
    recognizer = Recognizer(load_model(ModelSpec("ko", korean_dir)))
    pcm, frame = file_pcm(counsel_speech.ogg), FRAME_BYTES
    changed, shown = [], ""
    for offset in range(0, len(pcm) - frame, frame):
        partial = recognizer.accept(pcm[offset : offset + frame]).partial
        if partial != shown:
            changed.append(round((offset + frame) / (BYTES_PER_SAMPLE * SAMPLE_RATE), 2))
            shown = partial
    step = DECODING_STEP_FRAMES / 100
    gaps = [round(b - a, 2) for a, b in zip(changed, changed[1:], strict=False)]
    assert gaps and all(round(gap / step, 6).is_integer() for gap in gaps), changed
    assert min(gaps) == step, changed  # not only every other step
