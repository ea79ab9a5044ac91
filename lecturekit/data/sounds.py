"""Word-like sounds, generated deterministically from a seed, for the speech CNN of chapter 10.

Each "word" is a short sequence of voiced syllables: harmonic tones (a fundamental and two
overtones, like the formants of a vowel) that hold or glide in pitch. The class is the
*shape* of the pitch contour (a rise, a fall, a step up, ...), never its absolute pitch
or its length: every sound is transposed by a random number of semitones and played at a
random speed, as different speakers say the same word higher or lower, faster or slower::

    sounds = word_sounds(num_per_class=100, seed=0)
    sounds.waveforms.shape     # (600, 8000): 1 s at 8 kHz, silence around the word
    sounds.labels[:4]          # class indices into WORDS
    sounds.semitones, sounds.speeds   # the transposition and speed of each sound

Ask for pitches or speeds outside the training ranges to test how a classifier generalises.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import torch

__all__ = ["WORDS", "WordSounds", "word_sounds", "word_waveform"]

# Each word: syllables (start semitone, end semitone, share of the word's duration), relative
# to the speaker's base pitch; short silences separate the syllables.
WORDS: dict[str, tuple[tuple[float, float, float], ...]] = {
    "rise": ((0.0, 10.0, 1.0),),
    "fall": ((10.0, 0.0, 1.0),),
    "step up": ((0.0, 0.0, 0.5), (7.0, 7.0, 0.5)),
    "step down": ((7.0, 7.0, 0.5), (0.0, 0.0, 0.5)),
    "rise-fall": ((0.0, 8.0, 0.5), (8.0, 0.0, 0.5)),
    "three notes": ((0.0, 0.0, 0.34), (8.0, 8.0, 0.33), (4.0, 4.0, 0.33)),
}

BASE_PITCH_HZ = 220.0  # the fundamental at 0 semitones
WORD_SECONDS = 0.45  # a word's length at speed 1, silences between syllables included
GAP_SECONDS = 0.04  # the silence between two syllables at speed 1
HARMONICS = (1.0, 0.6, 0.35)  # amplitudes of the fundamental and its first two overtones
RAMP_SECONDS = 0.01  # fade in and out of each syllable, so that it does not click


class WordSounds(NamedTuple):
    """Generated sounds: ``waveforms: (n, samples)`` float32 in [-1, 1] (roughly),
    ``labels: (n,)`` int64 indices into ``WORDS``, ``semitones: (n,)`` and ``speeds: (n,)``
    float32, the transposition and playback speed of each sound."""

    waveforms: torch.Tensor
    labels: torch.Tensor
    semitones: torch.Tensor
    speeds: torch.Tensor


def word_sounds(
    num_per_class: int,
    *,
    seed: int = 0,
    semitone_range: tuple[float, float] = (-3.0, 3.0),
    speed_range: tuple[float, float] = (0.85, 1.2),
    sample_rate: int = 8000,
    seconds: float = 1.0,
    noise: float = 0.05,
) -> WordSounds:
    """``num_per_class`` sounds of each of the ``len(WORDS)`` words, in random order.

    Each sound is transposed by a number of semitones drawn uniformly from
    ``semitone_range`` (12 semitones = one octave: the frequencies double), played at a
    speed drawn log-uniformly from ``speed_range`` (speed 2 = half as long), starts at a
    random time, has a random loudness and white noise of standard deviation ``noise``.
    The same arguments give the same tensors on every machine.
    """
    if num_per_class < 1:
        raise ValueError(f"num_per_class must be at least 1 (got {num_per_class})")
    low_semitone, high_semitone = semitone_range
    low_speed, high_speed = speed_range
    if low_semitone > high_semitone or not 0 < low_speed <= high_speed:
        raise ValueError(
            f"need semitone_range low <= high and 0 < speed_range low <= high "
            f"(got {semitone_range}, {speed_range})"
        )
    num_samples = round(seconds * sample_rate)
    if WORD_SECONDS / low_speed > seconds:
        raise ValueError(f"a word at speed {low_speed} does not fit in {seconds} s")
    rng = np.random.default_rng(seed)
    num_sounds = num_per_class * len(WORDS)
    labels = rng.permutation(np.repeat(np.arange(len(WORDS)), num_per_class))
    semitones = rng.uniform(low_semitone, high_semitone, num_sounds)
    speeds = np.exp(rng.uniform(np.log(low_speed), np.log(high_speed), num_sounds))
    waveforms = np.zeros((num_sounds, num_samples))
    shapes = list(WORDS.values())
    for i in range(num_sounds):
        word = _synthesise(shapes[labels[i]], semitones[i], speeds[i], sample_rate)
        start = rng.integers(0, num_samples - len(word) + 1)
        waveforms[i, start : start + len(word)] = rng.uniform(0.5, 1.0) * word
    waveforms += noise * rng.standard_normal(waveforms.shape)
    return WordSounds(
        torch.from_numpy(waveforms).float(),
        torch.from_numpy(labels).long(),
        torch.from_numpy(semitones).float(),
        torch.from_numpy(speeds).float(),
    )


def word_waveform(
    word: str, *, semitones: float = 0.0, speed: float = 1.0, sample_rate: int = 8000
) -> torch.Tensor:
    """One noise-free utterance of ``word`` (a key of ``WORDS``), just as long as the word:
    ``(samples,)`` float32, about ``WORD_SECONDS / speed`` seconds."""
    if word not in WORDS:
        raise ValueError(f"word must be one of {', '.join(map(repr, WORDS))} (got {word!r})")
    if speed <= 0:
        raise ValueError(f"speed must be greater than 0 (got {speed})")
    return torch.from_numpy(_synthesise(WORDS[word], semitones, speed, sample_rate)).float()


def _synthesise(
    syllables: tuple[tuple[float, float, float], ...],
    semitone: float,
    speed: float,
    sample_rate: int,
) -> np.ndarray:
    """One word: its syllables' harmonic tones with gliding pitch, separated by silences."""
    gaps = GAP_SECONDS * (len(syllables) - 1)
    voiced = (WORD_SECONDS - gaps) / speed
    pieces = []
    for k, (start, end, share) in enumerate(syllables):
        n = max(round(share * voiced * sample_rate), 2)
        pitch = semitone + np.linspace(start, end, n)
        frequency = BASE_PITCH_HZ * 2.0 ** (pitch / 12.0)
        phase = 2 * np.pi * np.cumsum(frequency) / sample_rate
        tone = sum(a * np.sin((h + 1) * phase) for h, a in enumerate(HARMONICS))
        ramp = min(round(RAMP_SECONDS * sample_rate), n // 2)
        envelope = np.ones(n)
        envelope[:ramp] = np.linspace(0.0, 1.0, ramp)
        envelope[n - ramp :] = np.linspace(1.0, 0.0, ramp)
        pieces.append(tone * envelope / sum(HARMONICS))
        if k < len(syllables) - 1:
            pieces.append(np.zeros(round(GAP_SECONDS / speed * sample_rate)))
    return np.concatenate(pieces)
