"""Run every notebook under nbs/ through nbdev's own test engine, one pytest case per notebook.

`nbdev_test` prints a single pass/fail; this wrapper gives CI a real count. Cells flagged with a
`tst_flags` flag (`slow`, `gpu`) are skipped unless named in ALTNB_TEST_FLAGS, e.g.
`ALTNB_TEST_FLAGS=slow python -m pytest tests`.
"""
import os
from pathlib import Path

import pytest
from nbdev.config import get_config
from nbdev.test import test_nb as run_notebook

ROOT = Path(__file__).resolve().parents[1]
NBS = ROOT / 'nbs'
NOTEBOOKS = sorted(p for p in NBS.rglob('*.ipynb')
                   if not any(part.startswith(('_', '.')) for part in p.relative_to(NBS).parts))


@pytest.mark.parametrize('nb', NOTEBOOKS, ids=lambda p: str(p.relative_to(NBS)))
def test_notebook(nb, monkeypatch):
    forced = os.environ.get('ALTNB_TEST_FLAGS', '').split()
    skip = [f for f in get_config().tst_flags.split() if f not in forced]
    monkeypatch.chdir(nb.parent)  # notebooks run from their own folder, as in Jupyter and nbdev_test
    ok, secs = run_notebook(nb, skip_flags=skip, force_flags=forced, do_print=False, showerr=True, basepath=ROOT)
    assert ok, f'{nb.name} failed (see the traceback above)'
