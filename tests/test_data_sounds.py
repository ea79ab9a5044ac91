"""The generated word-like sounds: deterministic, the right shapes, and really varied."""

import pytest
import torch

from lecturekit.data.sounds import VOWELS, WORDS, word_sounds, word_waveform


def test_same_seed_same_sounds_and_different_seed_different_sounds():
    a, b = word_sounds(3, seed=7), word_sounds(3, seed=7)
    for x, y in zip(a, b, strict=True):
        assert torch.equal(x, y)
    assert not torch.equal(a.waveforms, word_sounds(3, seed=8).waveforms)


def test_shapes_types_and_balanced_classes():
    sounds = word_sounds(4, seed=0, sample_rate=8000, seconds=1.0)
    n = 4 * len(WORDS)
    assert sounds.waveforms.shape == (n, 8000) and sounds.waveforms.dtype == torch.float32
    assert sounds.labels.dtype == torch.int64 and sounds.labels.shape == (n,)
    assert torch.bincount(sounds.labels).tolist() == [4] * len(WORDS)
    assert sounds.semitones.shape == sounds.formant_semitones.shape == sounds.speeds.shape == (n,)
    assert sounds.waveforms.abs().max() < 1.5


def test_pitch_formants_and_speed_vary_within_the_requested_ranges():
    sounds = word_sounds(
        20, seed=1, semitone_range=(4.0, 8.0), formant_range=(-2.0, -1.0), speed_range=(0.7, 1.4)
    )
    assert 4.0 <= sounds.semitones.min() and sounds.semitones.max() <= 8.0
    assert -2.0 <= sounds.formant_semitones.min() and sounds.formant_semitones.max() <= -1.0
    assert 0.7 <= sounds.speeds.min() and sounds.speeds.max() <= 1.4
    assert sounds.semitones.std() > 0.5 and sounds.speeds.std() > 0.1
    assert sounds.formant_semitones.std() > 0.1


def dominant_frequency(wave, sample_rate=8000):
    spectrum = torch.fft.rfft(wave).abs()
    return spectrum.argmax().item() * sample_rate / len(wave)


def test_speed_changes_duration_and_the_formants_not_the_pitch_set_the_loudest_frequency():
    slow, fast = word_waveform("ah", speed=0.8), word_waveform("ah", speed=1.6)
    assert len(slow) == pytest.approx(2 * len(fast), rel=0.01)

    first_formant = VOWELS["ah"][0]
    for semitones in (0.0, 12.0):  # an octave up doubles F0, but the loudest harmonic stays
        f0 = 120.0 * 2 ** ((semitones + 1) / 12)  # the voice starts a semitone high and falls
        loudest = dominant_frequency(word_waveform("ah", semitones=semitones)[:1000])
        assert abs(loudest - first_formant) <= f0 / 2 + 8, semitones
    low = dominant_frequency(word_waveform("ah")[:1000])
    high = dominant_frequency(word_waveform("ah", formant_semitones=12.0)[:1000])
    assert high / low == pytest.approx(2.0, rel=0.12)  # formants an octave up: twice as high


def test_oh_is_ah_ten_semitones_lower():
    ah, oh = word_waveform("ah"), word_waveform("oh", formant_semitones=10.0)
    assert len(ah) == len(oh)
    assert torch.corrcoef(torch.stack([ah, oh]))[0, 1] > 0.99
    assert torch.corrcoef(torch.stack([ah, word_waveform("oh")]))[0, 1] < 0.5


def test_classes_differ_in_their_spectrograms():
    def spectrogram(wave):
        wave = torch.nn.functional.pad(wave, (0, 4000 - len(wave)))
        window = torch.hann_window(256)
        return torch.stft(wave, 256, hop_length=128, window=window, return_complex=True).abs()

    spectrograms = [spectrogram(word_waveform(word)) for word in WORDS]
    for i in range(len(spectrograms)):
        for j in range(i + 1, len(spectrograms)):
            a, b = spectrograms[i], spectrograms[j]
            assert (a - b).norm() > 0.5 * min(a.norm(), b.norm()), (i, j)


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match="num_per_class"):
        word_sounds(0)
    with pytest.raises(ValueError, match="does not fit"):
        word_sounds(1, speed_range=(0.2, 1.0))
    with pytest.raises(ValueError, match="low <= high"):
        word_sounds(1, formant_range=(1.0, -1.0))
    with pytest.raises(ValueError, match="word must be one of"):
        word_waveform("hello")
    with pytest.raises(ValueError, match="speed must be greater than 0"):
        word_waveform("ah", speed=0.0)
