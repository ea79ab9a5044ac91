from lecturekit.display import is_headless


def test_headless_when_the_variable_is_set(monkeypatch):
    monkeypatch.setenv("LECTUREKIT_HEADLESS", "1")
    assert is_headless()


def test_headless_outside_a_jupyter_kernel(monkeypatch):
    monkeypatch.setenv("LECTUREKIT_HEADLESS", "0")
    assert is_headless()  # pytest is not a Jupyter kernel
