"""How much audio a recognizer is fed at a time: frame by frame until an utterance shows words."""

from __future__ import annotations

from transcription.recognition import (
    CHUNK_BYTES,
    FIRST_WORDS_CHUNK_BYTES,
    Chunking,
    Decoded,
    Recognized,
)

NOTHING = Decoded((), "")
FINAL = (Recognized("원고 측", ()),)


def test_frame_by_frame_until_the_utterance_shows_words_then_chunks() -> None:
    chunking = Chunking()
    assert chunking.size == FIRST_WORDS_CHUNK_BYTES < CHUNK_BYTES
    chunking.follow(NOTHING)  # silence, or a word not yet found
    assert chunking.size == FIRST_WORDS_CHUNK_BYTES
    chunking.follow(Decoded((), "원고"))
    assert chunking.size == CHUNK_BYTES
    chunking.follow(NOTHING)  # words shown once: the utterance is no longer waiting
    assert chunking.size == CHUNK_BYTES


def test_a_final_begins_an_utterance_that_waits_for_words_again() -> None:
    chunking = Chunking()
    chunking.follow(Decoded((), "원고"))
    chunking.follow(Decoded(FINAL, ""))  # the recognizer found an endpoint
    assert chunking.size == FIRST_WORDS_CHUNK_BYTES
    chunking.follow(Decoded(FINAL, "변호인"))  # the next utterance already shows words
    assert chunking.size == CHUNK_BYTES


def test_a_forced_finalization_restarts_the_wait_for_words() -> None:
    chunking = Chunking()
    chunking.follow(Decoded((), "원고"))
    chunking.restart()  # the gate ended the utterance, or the track ended
    assert chunking.size == FIRST_WORDS_CHUNK_BYTES
