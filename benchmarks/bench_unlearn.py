#!/usr/bin/env python3
"""Unlearning cost vs retraining, by request size: a benchmark run on purpose (not in CI, beyond a smoke run).

For one dataset and a list of request sizes (forgetting users, utility scenario: each forgets the ⌊n_u/2⌋ random
clicks injected into their history), run every method in one process on the same machine and print a Markdown
table of wall time, speed-up against `retrain` and against `retrain-als`, time to first reach retrain's loss,
quality beside each time (loss on D_r, Recall@10, RBO@10 vs retrain, re-predict) and the process's peak memory;
write it with a PNG plot of time vs request size.

    python benchmarks/bench_unlearn.py                                  # synthetic at MovieLens-1m scale
    python benchmarks/bench_unlearn.py --dataset amazon-14core --data-dir ../shared/data/amazon-14core
    python benchmarks/bench_unlearn.py --scale 10 --sizes 64 --methods retrain,alteraser-ah,alteraser-ah-local
    python benchmarks/bench_unlearn.py --smoke                          # tiny, seconds (CI)
"""
import argparse, sys, time
from pathlib import Path

import matplotlib
matplotlib.use('Agg')
import matplotlib.pyplot as plt
import pandas as pd
import torch

from altnb.data import Interactions
from altnb.experiment import load_dataset, run_protocol
from altnb.quality import describe_bars
from altnb.model import ENMF
from altnb.unlearn import ModelState, RowIndex
from _common import markdown, peak_rss_mb  # (benchmarks/_common.py)

ML1M = dict(n_users=6040, n_items=3706, n_interactions=1_000_209)  # MovieLens-1m's shape
METHODS = ['retrain', 'retrain*', 'warm-start', 'alteraser-adamw', 'alteraser-hf', 'alteraser-ah', 'alteraser-ah-local', 'retrain-als']






def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--dataset', default='synthetic', help='synthetic (ML-1m shape x --scale) or any altnb.data name/path')
    p.add_argument('--data-dir', default=None, help='folder with the dataset files')
    p.add_argument('--scale', type=float, default=1.0, help='synthetic only: multiply users, items and interactions (10: 60,400 x 37,060 x 10M)')
    p.add_argument('--sizes', default='1,8,64,512', help='request sizes: forgetting users (comma-separated)')
    p.add_argument('--methods', default=','.join(METHODS), help='comma-separated methods (retrain always runs)')
    p.add_argument('--seed', type=int, default=0)
    p.add_argument('--device', default=None, help='cpu or cuda (default: CUDA when available)')
    p.add_argument('--threads', type=int, default=1, help='torch CPU threads (default 1, as `altnb run`)')
    p.add_argument('--out', default='runs/bench', help='output folder (table, CSV, PNG)')
    p.add_argument('--smoke', action='store_true', help='tiny synthetic data, sizes 1,8: checks the script runs')
    p.add_argument('--no-quality-trace', action='store_true', help="skip measuring every method's model after every pass "
                   '(time_to_quality_s); the copies cost memory at large scale, never time on the clock')
    a = p.parse_args(argv)
    if a.threads: torch.set_num_threads(a.threads)
    sizes = [int(s) for s in a.sizes.split(',')]
    methods = [m for m in a.methods.split(',') if m]
    data_kw = {}
    if a.dataset == 'synthetic':
        data_kw = {k: int(v * a.scale) for k, v in ML1M.items()}
        if a.smoke: data_kw, sizes = dict(n_users=300, n_items=200, n_interactions=6000), [1, 8]
    label = f'synthetic {data_kw["n_users"]:,}x{data_kw["n_items"]:,}x{data_kw["n_interactions"]:,}' if data_kw else a.dataset
    out = Path(a.out); out.mkdir(parents=True, exist_ok=True)
    dev = a.device or ('cuda' if torch.cuda.is_available() else 'cpu')
    data = load_dataset(a.dataset, a.data_dir, **data_kw)  # the one-off index of the data, timed once (no method pays it)
    sync = torch.cuda.synchronize if str(dev).startswith('cuda') else (lambda: None)
    fresh = lambda: Interactions(data.users, data.items, data.n_users, data.n_items, _canonical=True)  # no cached csr/csc
    RowIndex.of(fresh(), dev); sync()  # warm
    D = fresh(); t = time.perf_counter(); ix = RowIndex.of(D, dev); sync(); index_s = time.perf_counter() - t
    m = ENMF(data.n_users, data.n_items, device=dev)  # the affected-only mode's per-model state (`ModelState`), timed once
    ModelState(m, ix); sync()  # warm  (its cost depends on the shapes, not on the weights: a fresh model of the protocol's d)
    t = time.perf_counter(); ModelState(m, ix); sync(); state_s = time.perf_counter() - t
    del data, D, ix, m
    rows = []
    for k in sizes:
        t = time.perf_counter()
        df = run_protocol(a.dataset, data_dir=a.data_dir, scenario='utility', methods=['original'] + methods, seeds=[a.seed],
                          n_forget_users=k, device=a.device, out_dir=out / f'size-{k}', progress=False, data_kw=data_kw,
                          others=False, label=label, quality_trace=not a.no_quality_trace).rows
        df = df[df.method != 'original'].copy()
        als = df.loc[df.method == 'retrain-als', 'time_s']
        df['speedup_vs_als'] = float(als.iloc[0]) / df.time_s if len(als) else float('nan')
        df['speedup_to_target'] = float(df.loc[df.method == 'retrain', 'time_s'].iloc[0]) / df.time_to_retrain_loss_s
        df['quality_vs_als'] = float(als.iloc[0]) / df.time_to_quality_s if len(als) else float('nan')
        df['request_users'], df['peak_rss_mb'] = k, peak_rss_mb()
        rows.append(df)
        print(f'request {k} users: {time.perf_counter() - t:.1f} s', file=sys.stderr, flush=True)
    res = pd.concat(rows, ignore_index=True)
    cols = ['request_users', 'method', 'time_s', 'speedup', 'speedup_vs_als', 'time_to_retrain_loss_s', 'speedup_to_target',
            'time_to_quality_s', 'speedup_to_quality', 'quality_vs_als', 'passes', 'loss_dr', 'recall@10', 'ndcg@10', 'rbo@10', 'repredict', 'n_forget_pairs', 'peak_rss_mb']
    res = res[cols]
    res.to_csv(out / 'bench.csv', index=False)
    md = (f'# Unlearning vs retraining: {label}, utility scenario, seed {a.seed}\n\n'
          f'torch {torch.__version__}, device {res.attrs.get("device", a.device or ("cuda" if torch.cuda.is_available() else "cpu"))}, '
          f'{torch.get_num_threads()} CPU thread(s). time_s = wall time of the forget call (validation, index upkeep, '
          f'solves and the losses a rule reads; each method stops by its own rule); speedup = retrain time / method time, '
          f'speedup_vs_als = retrain-als time / method time. Hindsight diagnostics (they need the retrain): '
          f'speedup_to_target = retrain time / time to first reach retrain\'s loss on D_r after the start; '
          f'time_to_quality_s = first time the model met every quality bar and utility check against retrain '
          f'({describe_bars()}; `altnb.quality.at_retrain_quality`), speedup_to_quality = retrain time / that, quality_vs_als = retrain-als '
          f'time (to its rule) / that. peak_rss_mb = process peak so far. Set-up, paid once per dataset and model and in no '
          f'method\'s time: the index of the data ({index_s * 1000:.2f} ms here) and, for alteraser-ah-local, the model\'s '
          f'per-model state (`ModelState`: features, Gram matrices, every row\'s b on the data; {state_s * 1000:.2f} ms here).\n\n' + markdown(res) + '\n')
    (out / 'bench.md').write_text(md)
    print(md)
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for m, g in res.groupby('method'):
        ax.plot(g.request_users, g.time_s, marker='o', label=m)
    ax.set(xscale='log', yscale='log', xlabel='request size (forgetting users)', ylabel='wall time (s)',
           title=f'Unlearning cost vs request size — {label}')
    ax.legend(fontsize=8); ax.grid(True, which='both', alpha=.3)
    fig.tight_layout(); fig.savefig(out / 'bench.png', dpi=120)
    print(f'wrote {out}/bench.md, bench.csv, bench.png', file=sys.stderr)


if __name__ == '__main__':
    main()
