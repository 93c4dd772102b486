"""The kernel-start retry that ``make nbval`` puts next to the notebooks."""

import importlib.util
from pathlib import Path

import nbval.kernel
import pytest

PATH = Path(__file__).parent / "nbval" / "conftest.py"


@pytest.fixture
def retry(monkeypatch):
    calls = {"n": 0, "fail": 0}

    def fake(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] <= calls["fail"]:
            raise RuntimeError("Kernel didn't respond in 60 seconds")
        return "km", "kc"

    monkeypatch.setattr(nbval.kernel, "start_new_kernel", fake)
    spec = importlib.util.spec_from_file_location("nbval_retry", PATH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # wraps the fake; monkeypatch restores nbval after
    return nbval.kernel.start_new_kernel, calls


def test_a_failed_kernel_start_is_retried(retry, capsys):
    start, calls = retry
    calls["fail"] = 2
    assert start(startup_timeout=60) == ("km", "kc")
    assert calls["n"] == 3
    assert capsys.readouterr().err.count("retrying") == 2


def test_a_third_failure_is_raised(retry):
    start, calls = retry
    calls["fail"] = 3
    with pytest.raises(RuntimeError, match="60 seconds"):
        start()
    assert calls["n"] == 3
