"""Paired A/B of the Eraser's stream: this checkout's `altnb` against another revision's, in one process.

This VM's speed drifts by half within minutes, so two runs of `bench_stream.py` minutes apart cannot tell a 5 % change
from the weather. Here both versions meet the machine alike: the base revision's package (exported by `git archive`
and imported as `altnb_base`) and this checkout's apply the same stream of requests, alternating request by request
(which goes first swaps every request and every round), with fresh Erasers each round. It prints each round's p50 of
both and their ratio, the per-request ratio's median and quartiles, and both final losses: a change that should not
alter results (a refactor) ends on the same loss, bit for bit.

    python benchmarks/ab_stream.py --base HEAD~1                     # 8-user requests, 4 rounds, ML-1m shape
    python benchmarks/ab_stream.py --base 829f3eb --users-per-request 1
    python benchmarks/ab_stream.py --base HEAD~1 --dataset ml-1m-receraser --data-dir ../shared/data/ml-1m-receraser \
        --out runs/bench-stream-ml1m-receraser                       # real data (its original trained once, cached)
    python benchmarks/ab_stream.py --base HEAD --smoke                # tiny: checks the script runs (about a minute)

The base's kernels compile on its first use (numba, a minute or so) and are cached with the export under
`--cache/<commit>`; the original model is `bench_stream.py`'s, cached under `--out` like there.
"""
import argparse
import io
import re
import shutil
import subprocess
import sys
import tarfile
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_stream import ML1M, METHOD, draw_stream, get_original  # noqa: E402

REPO = Path(__file__).resolve().parents[1]


def export_base(rev: str, cache: Path) -> str:
    "Export `rev`'s `altnb/` as the package `altnb_base` under cache/<commit>, its absolute imports renamed; return that folder."
    sha = subprocess.run(['git', 'rev-parse', '--verify', f'{rev}^{{commit}}'], cwd=REPO, capture_output=True, text=True)
    if sha.returncode: sys.exit(f'--base {rev}: not a commit of this repository ({sha.stderr.strip()})')
    dest = cache / sha.stdout.strip()
    if not (dest / 'altnb_base' / '__init__.py').exists():
        tar = subprocess.run(['git', 'archive', sha.stdout.strip(), 'altnb'], cwd=REPO, capture_output=True, check=True).stdout
        tmp = dest.with_name(dest.name + '.tmp')
        shutil.rmtree(tmp, ignore_errors=True); tmp.mkdir(parents=True)
        with tarfile.open(fileobj=io.BytesIO(tar)) as t:
            try: t.extractall(tmp, filter='data')
            except TypeError: t.extractall(tmp)  # (Pythons before the extraction filters: our own archive)
        (tmp / 'altnb').rename(tmp / 'altnb_base')
        for f in (tmp / 'altnb_base').rglob('*.py'):  # (lazy imports inside functions name the package: keep them in the base)
            f.write_text(re.sub(r'\b(from|import) altnb\b', r'\1 altnb_base', f.read_text()))
        shutil.rmtree(dest, ignore_errors=True); tmp.rename(dest)
    return str(dest)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--base', required=True, help='the revision to compare this checkout with (a commit, tag or branch)')
    p.add_argument('--users-per-request', type=int, default=8, help='users per request (R)')
    p.add_argument('--requests', type=int, default=100, help='requests in the stream (N)')
    p.add_argument('--rounds', type=int, default=4, help='the stream this many times, fresh Erasers each time')
    p.add_argument('--dataset', default='synthetic', help='synthetic (ML-1m shape x --scale) or any altnb.data name/path')
    p.add_argument('--data-dir', default=None, help='folder with the dataset files')
    p.add_argument('--scale', type=float, default=1.0, help='synthetic only: ML-1m shape times this')
    p.add_argument('--seed', type=int, default=0, help='split, original and stream seed')
    p.add_argument('--model', default=None, help='a saved original to reuse (bench_stream.py --model)')
    p.add_argument('--out', default='runs/bench-stream-ml1m', help='where the original is cached (as bench_stream.py)')
    p.add_argument('--cache', default='runs/ab-base', help='where base revisions are exported')
    p.add_argument('--smoke', action='store_true', help='tiny synthetic data, 10 requests, 2 rounds')
    a = p.parse_args(argv)
    torch.set_num_threads(1)
    sys.path.insert(0, export_base(a.base, Path(a.cache)))
    import altnb_base.experiment, altnb_base.train, altnb_base.unlearn  # noqa: E401  (the base, as exported)
    from altnb.data import split_per_user
    from altnb.experiment import load_dataset
    from altnb.experiment import warm_up
    from altnb.train import load_model
    from altnb.unlearn import Eraser

    kw = {k: int(v * a.scale) for k, v in ML1M.items()} if a.dataset == 'synthetic' else {}
    if a.smoke: a.dataset, kw, a.requests, a.rounds, a.out = 'synthetic', dict(n_users=300, n_items=200, n_interactions=6000), 10, 2, 'runs/ab-smoke'
    split = split_per_user(load_dataset(a.dataset, a.data_dir, **kw), seed=a.seed)
    out = Path(a.out); out.mkdir(parents=True, exist_ok=True)
    _, path, _, _ = get_original(split.train, a, out, a.dataset, 'cpu')
    models = {'new': load_model(path, 'cpu'), 'base': altnb_base.train.load_model(path, 'cpu')}
    erasers = {'new': Eraser, 'base': altnb_base.unlearn.Eraser}
    t = time.perf_counter(); altnb_base.experiment.warm_up('cpu', [METHOD]); warm_up('cpu', [METHOD])
    print(f'kernels loaded in {time.perf_counter() - t:.1f} s', file=sys.stderr)
    reqs = draw_stream(split.train, split.test, a.requests, a.users_per_request, a.seed)

    T, loss = {k: [] for k in models}, {}
    for r in range(a.rounds):
        ers = {k: erasers[k](models[k], split.train) for k in models}
        times = {k: [] for k in models}
        for i, pairs in enumerate(reqs):
            for k in (('base', 'new') if (i + r) % 2 == 0 else ('new', 'base')):
                t = time.perf_counter(); ers[k].forget(pairs=pairs, method=METHOD); times[k].append(time.perf_counter() - t)
        for k in models: T[k].append(times[k][1:])  # (request 1 apart, as in bench_stream.py)
        loss = {k: float(ers[k].loss()) for k in models}
    b, n = np.array(T['base']) * 1e3, np.array(T['new']) * 1e3
    ratio = n / b
    print(f'# {a.dataset}: {a.users_per_request}-user requests, {a.requests} per round, {a.rounds} rounds; base {a.base}, new: this checkout\n')
    print('| round | base p50 (ms) | new p50 (ms) | new / base |\n|---|---:|---:|---:|')
    for r, (x, y) in enumerate(zip(np.median(b, 1), np.median(n, 1))): print(f'| {r + 1} | {x:.2f} | {y:.2f} | {y / x:.3f} |')
    q1, q2, q3 = np.percentile(ratio, [25, 50, 75])
    print(f'\nper request, new / base: median {q2:.3f} (quartiles {q1:.3f}–{q3:.3f}); total {n.sum() / b.sum():.3f}')
    same = 'the same' if loss['new'] == loss['base'] else 'different'
    print(f'final loss on the remaining data: base {loss["base"]:,.4f}, new {loss["new"]:,.4f} ({same})')


if __name__ == '__main__':
    main()
