"""Model configuration: discovery, clear errors for bad models, one shared model per language."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import pytest

from bench._transcription_speech import SpeechFile
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
)
from transcription.audio import BYTES_PER_SAMPLE, FRAME_BYTES, SAMPLE_RATE, file_pcm
from transcription.models import DECODING_STEP_FRAMES, decoding_options


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


def test_a_model_is_loaded_decoding_in_short_steps_and_left_as_installed(tmp_path: Path) -> None:
    model = tmp_path / "model"
    for name in ("am/final.mdl", "graph/HCLr.fst", "conf/mfcc.conf"):
        (model / name).parent.mkdir(parents=True, exist_ok=True)
        (model / name).write_text(name)
    (model / "conf" / "model.conf").write_text("--beam=10.0\n--max-active=3000")
    with decoding_options(model) as view:
        assert view != model
        options = (view / "conf" / "model.conf").read_text().splitlines()
        assert options == ["--beam=10.0", "--max-active=3000", "--frames-per-chunk=12"]
        assert DECODING_STEP_FRAMES == 12
        for name in ("am/final.mdl", "graph/HCLr.fst", "conf/mfcc.conf"):
            assert (view / name).read_text() == name
    assert not view.exists()
    assert (model / "conf" / "model.conf").read_text() == "--beam=10.0\n--max-active=3000"


def test_a_model_that_chooses_its_own_step_is_loaded_as_it_is(tmp_path: Path) -> None:
    (tmp_path / "conf").mkdir()
    (tmp_path / "conf" / "model.conf").write_text("--frames-per-chunk=51\n")
    with decoding_options(tmp_path) as view:
        assert view == tmp_path
    flat = tmp_path / "flat"  # the older layout, without conf/model.conf
    flat.mkdir()
    with decoding_options(flat) as view:
        assert view == flat


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
