"""Word-like sounds, generated deterministically from a seed, for the speech CNN of chapter 10.

Each "word" is one voiced syllable whose vowel holds or glides: a harmonic tone (the voice,
at a fundamental frequency F0 and its multiples) shaped by two **formants**, the peaks of the
spectral envelope that the mouth and throat impose and that tell vowels apart. The class is
the formant pattern and how it moves, so *where* the formants lie along frequency carries
the word's identity: "ah" and "oh" have the same shape, ten semitones apart. What varies from
speaker to speaker is a nuisance: the voice's pitch (F0, which moves the harmonics under a
fixed envelope), a small shift of all formants (a longer or shorter vocal tract), the speed,
the onset and the loudness::

    sounds = word_sounds(num_per_class=100, seed=0)
    sounds.waveforms.shape     # (600, 8000): 1 s at 8 kHz, silence around the word
    sounds.labels[:4]          # class indices into WORDS
    sounds.semitones, sounds.formant_semitones, sounds.speeds   # each sound's speaker

Ask for pitches, formant shifts or speeds outside the training ranges to test how a
classifier generalises. Built for chapter 10 ("Convolution beyond images").
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
import torch

__all__ = ["VOWELS", "WORDS", "WordSounds", "word_sounds", "word_waveform"]

# Two formants (F1, F2) in Hz per vowel, loosely after adult men's vowels; "oh" is "ah"
# moved down by ten semitones (both formants times 2 ** (-10 / 12)), so that only the
# position of the formants, not their spacing, tells these two apart.
VOWELS: dict[str, tuple[float, float]] = {
    "ah": (800.0, 1200.0),
    "oh": (449.0, 674.0),
    "ee": (280.0, 2250.0),
    "oo": (300.0, 850.0),
}

# Each word: segments (start vowel, end vowel, share of the word's duration); the formants
# glide in log-frequency from the start vowel to the end vowel within a segment.
WORDS: dict[str, tuple[tuple[str, str, float], ...]] = {
    "ah": (("ah", "ah", 1.0),),
    "oh": (("oh", "oh", 1.0),),
    "ee": (("ee", "ee", 1.0),),
    "oo": (("oo", "oo", 1.0),),
    "eye": (("ah", "ah", 0.3), ("ah", "ee", 0.4), ("ee", "ee", 0.3)),
    "ya": (("ee", "ee", 0.3), ("ee", "ah", 0.4), ("ah", "ah", 0.3)),
}

BASE_PITCH_HZ = 120.0  # F0 at 0 semitones, a man's voice
WORD_SECONDS = 0.45  # a word's length at speed 1
DECLINATION_SEMITONES = 2.0  # the voice falls this much over the word, as statements do
FORMANT_WIDTH_OCTAVES = 0.1  # standard deviation of each formant peak in log-frequency
FORMANT_GAINS = (1.0, 0.6)  # peak amplitudes of F1 and F2
MAX_HARMONIC_HZ = 3800.0  # no harmonics above this (below the Nyquist frequency of 8 kHz)
RAMP_SECONDS = 0.015  # fade in and out, so that the word does not click
_STEP = 16  # the envelope is computed every _STEP samples (2 ms at 8 kHz): it changes slowly


class WordSounds(NamedTuple):
    """Generated sounds: ``waveforms: (n, samples)`` float32 in [-1, 1] (roughly),
    ``labels: (n,)`` int64 indices into ``WORDS``, and float32 ``(n,)`` tensors for each
    sound's speaker: ``semitones`` (the voice's pitch), ``formant_semitones`` (the shift of
    both formants) and ``speeds`` (playback speed)."""

    waveforms: torch.Tensor
    labels: torch.Tensor
    semitones: torch.Tensor
    formant_semitones: torch.Tensor
    speeds: torch.Tensor


def word_sounds(
    num_per_class: int,
    *,
    seed: int = 0,
    semitone_range: tuple[float, float] = (-3.0, 3.0),
    formant_range: tuple[float, float] = (-0.5, 0.5),
    speed_range: tuple[float, float] = (0.85, 1.2),
    sample_rate: int = 8000,
    seconds: float = 1.0,
    noise: float = 0.05,
) -> WordSounds:
    """``num_per_class`` sounds of each of the ``len(WORDS)`` words, in random order.

    Each sound's voice is transposed by a number of semitones drawn uniformly from
    ``semitone_range`` (12 semitones = one octave: F0 doubles), its formants are shifted by
    a number of semitones drawn uniformly from ``formant_range`` (independently of the
    pitch), it is played at a speed drawn log-uniformly from ``speed_range`` (speed 2 = half
    as long), starts at a random time, and has a random loudness and white noise of
    standard deviation ``noise``. The same arguments give the same tensors on every machine.
    """
    if num_per_class < 1:
        raise ValueError(f"num_per_class must be at least 1 (got {num_per_class})")
    ranges = [semitone_range, formant_range, speed_range]
    if any(low > high for low, high in ranges) or not 0 < speed_range[0]:
        raise ValueError(
            f"need low <= high in semitone_range, formant_range and speed_range, and a speed "
            f"above 0 (got {semitone_range}, {formant_range}, {speed_range})"
        )
    num_samples = round(seconds * sample_rate)
    if WORD_SECONDS / speed_range[0] > seconds:
        raise ValueError(f"a word at speed {speed_range[0]} does not fit in {seconds} s")
    rng = np.random.default_rng(seed)
    names = list(WORDS)
    num_sounds = num_per_class * len(names)
    labels = rng.permutation(np.repeat(np.arange(len(names)), num_per_class))
    semitones = rng.uniform(*semitone_range, num_sounds)
    formant_semitones = rng.uniform(*formant_range, num_sounds)
    low_speed, high_speed = speed_range
    log_speeds = rng.uniform(math.log(low_speed), math.log(high_speed), num_sounds)
    speeds = torch.exp(torch.from_numpy(log_speeds)).numpy()
    waveforms = np.zeros((num_sounds, num_samples))
    for i in range(num_sounds):
        word = _synthesise(
            WORDS[names[labels[i]]], semitones[i], formant_semitones[i], speeds[i], sample_rate
        )
        start = rng.integers(0, num_samples - len(word) + 1)
        waveforms[i, start : start + len(word)] = rng.uniform(0.5, 1.0) * word
    waveforms += noise * rng.standard_normal(waveforms.shape)
    return WordSounds(
        torch.from_numpy(waveforms).float(),
        torch.from_numpy(labels).long(),
        torch.from_numpy(semitones).float(),
        torch.from_numpy(formant_semitones).float(),
        torch.from_numpy(speeds).float(),
    )


def word_waveform(
    word: str,
    *,
    semitones: float = 0.0,
    formant_semitones: float = 0.0,
    speed: float = 1.0,
    sample_rate: int = 8000,
) -> torch.Tensor:
    """One noise-free utterance of ``word`` (a key of ``WORDS``), just as long as the word:
    ``(samples,)`` float32 with peak 1, about ``WORD_SECONDS / speed`` seconds."""
    if word not in WORDS:
        raise ValueError(f"word must be one of {', '.join(map(repr, WORDS))} (got {word!r})")
    if speed <= 0:
        raise ValueError(f"speed must be greater than 0 (got {speed})")
    wave = _synthesise(WORDS[word], semitones, formant_semitones, speed, sample_rate)
    return torch.from_numpy(wave).float()


def _synthesise(
    segments: tuple[tuple[str, str, float], ...],
    semitones: float,
    formant_semitones: float,
    speed: float,
    sample_rate: int,
) -> np.ndarray:
    """One word: harmonics of a falling F0, each weighted by the formant envelope.

    The arithmetic runs in torch (float64), whose kernels the book pins, so that the same
    word comes out to the last bit wherever the chapter's outputs are replayed."""
    num_steps = max(round(WORD_SECONDS / speed * sample_rate / _STEP), 2)
    log_formants = []  # (steps, 2): log2 of F1 and F2 at every _STEP-th sample
    for start, end, share in segments:
        steps = max(round(share * num_steps), 1)
        first = torch.tensor([math.log2(f) for f in VOWELS[start]], dtype=torch.float64)
        last = torch.tensor([math.log2(f) for f in VOWELS[end]], dtype=torch.float64)
        along = torch.linspace(0.0, 1.0, steps, dtype=torch.float64)[:, None]
        log_formants.append(first + (last - first) * along)
    log_formants = torch.cat(log_formants) + formant_semitones / 12
    num_steps = len(log_formants)
    n = num_steps * _STEP
    half = DECLINATION_SEMITONES / 2
    contour = semitones + torch.linspace(half, -half, n, dtype=torch.float64)
    f0 = BASE_PITCH_HZ * torch.exp2(contour / 12)
    phase = torch.remainder(2 * math.pi * torch.cumsum(f0, 0) / sample_rate, 2 * math.pi)
    harmonics = torch.arange(1, int(MAX_HARMONIC_HZ / f0.min().item()) + 1, dtype=torch.float64)
    log_frequency = torch.log2(harmonics[:, None] * f0[None, ::_STEP])  # (harmonics, steps)
    distance = (log_frequency[:, :, None] - log_formants[None]) / FORMANT_WIDTH_OCTAVES
    gains = torch.tensor(FORMANT_GAINS, dtype=torch.float64)
    envelope = (gains * torch.exp(-0.5 * distance**2)).sum(dim=2)  # (harmonics, steps)
    audible = envelope.amax(dim=1) > 0.01  # harmonics far from both formants add nothing
    envelope, harmonics = envelope[audible], harmonics[audible]
    waves = torch.sin(harmonics[:, None] * phase[None, :])  # (harmonics, samples)
    tone = (waves.view(len(harmonics), num_steps, _STEP) * envelope[:, :, None]).sum(dim=0)
    ramp = min(round(RAMP_SECONDS * sample_rate), n // 2)
    fade = torch.ones(n, dtype=torch.float64)
    fade[:ramp] = torch.linspace(0.0, 1.0, ramp, dtype=torch.float64)
    fade[n - ramp :] = torch.linspace(1.0, 0.0, ramp, dtype=torch.float64)
    tone = tone.flatten() * fade
    return (tone / tone.abs().max()).numpy()
