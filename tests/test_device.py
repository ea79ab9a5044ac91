import pytest
import torch

from lecturekit.device import available_devices, resolve_device


def test_cpu_and_auto_resolve_on_a_machine_without_gpu(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: False)
    assert resolve_device("cpu") == torch.device("cpu")
    assert resolve_device("auto") == torch.device("cpu")
    assert resolve_device(torch.device("cpu")) == torch.device("cpu")
    assert available_devices() == ["cpu"]


@pytest.mark.parametrize("name", ["cuda", "cuda:0", "CUDA:1"])
def test_asking_for_cuda_without_cuda_names_what_is_available(monkeypatch, name):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: False)
    with pytest.raises(ValueError, match=r"CUDA.*Available: cpu\. Use device='auto'"):
        resolve_device(name)


def test_asking_for_mps_without_mps_fails_clearly(monkeypatch):
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: False)
    with pytest.raises(ValueError, match="MPS"):
        resolve_device("mps")


def test_cuda_resolves_when_present_and_a_missing_index_is_refused(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 2)
    assert resolve_device("auto") == torch.device("cuda")
    assert resolve_device("cuda:1") == torch.device("cuda:1")
    assert available_devices()[:3] == ["cpu", "cuda:0", "cuda:1"]
    with pytest.raises(ValueError, match="GPU 2.*2 CUDA device"):
        resolve_device("cuda:2")


@pytest.mark.parametrize("bad", ["gpu", "cuda:x", "", "tpu", 0, None])
def test_unknown_device_names_list_the_allowed_ones(bad):
    with pytest.raises(ValueError, match="'auto', 'cpu', 'cuda'"):
        resolve_device(bad)
