"""The reference suite (../shared/klong/test.kg) run as one file, as a user runs it:
`klongtorch test.kg` in an empty folder prints ok! and exits 0. (test_conformance.py runs
the same suite case by case.)"""
import subprocess
import sys

import pytest

from conftest import REFERENCE_SUITE


@pytest.mark.skipif(not REFERENCE_SUITE.exists(), reason="../shared/klong/test.kg is missing")
def test_reference_suite_as_one_file_prints_ok(tmp_path):
    p = subprocess.run([sys.executable, "-m", "klongtorch", str(REFERENCE_SUITE)],
                       cwd=tmp_path, capture_output=True, text=True, timeout=600,
                       stdin=subprocess.DEVNULL)
    assert p.returncode == 0, p.stderr[-2000:]
    assert p.stdout.rstrip().endswith("ok!"), p.stdout[-2000:] + p.stderr[-2000:]
    assert "failed:" not in p.stdout
