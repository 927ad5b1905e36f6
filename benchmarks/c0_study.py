#!/usr/bin/env python3
"""How the missing-data weight c0 trades accuracy, forgetting (re-predict) and speed-up: a study run on purpose.

The unlearning issue asks AltEraser's re-predict score to be at most half of the original model's. With the default
density-scaled c0 (`altnb.train.auto_c0`) retrain itself does not get there on Amazon-14core. This runs the utility
protocol for a few values of c0 on each dataset and prints, per c0: retrain's re-predict as a share of the original's,
AH's re-predict against retrain's, Recall@10 / NDCG@10 of retrain and AH, and the speed-ups (to the stopping rule and
to retrain quality on means over seeds).

    python benchmarks/c0_study.py                                   # Amazon-14core (seeds 0-2) + synthetic ML-1m shape (seeds 0-1)
    python benchmarks/c0_study.py --c0 auto,0.05 --datasets amazon-14core --seeds 0
"""
import argparse, sys
from pathlib import Path

import pandas as pd
import torch

from altnb.experiment import run_protocol
from altnb.quality import quality_on_means

SETS = {'amazon-14core': dict(dataset='amazon-14core', data_dir='../shared/data/amazon-14core', data_kw={}),
        'synthetic-ml1m': dict(dataset='synthetic', data_dir=None,
                               data_kw=dict(n_users=6040, n_items=3706, n_interactions=1_000_209))}


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('--datasets', default='amazon-14core,synthetic-ml1m')
    p.add_argument('--c0', default='auto,0.03,0.05,0.1', help="comma-separated values of c0 ('auto' = the default)")
    p.add_argument('--seeds', default=None, help='comma-separated seeds (default: 0,1,2 for Amazon-14core, 0,1 for synthetic)')
    p.add_argument('--out', default='runs/c0-study')
    a = p.parse_args(argv)
    torch.set_num_threads(1)
    rows = []
    for name in a.datasets.split(','):
        cfg = SETS[name]
        seeds = [int(s) for s in a.seeds.split(',')] if a.seeds else ([0, 1, 2] if name == 'amazon-14core' else [0, 1])
        for c0 in a.c0.split(','):
            c0v = c0 if c0 == 'auto' else float(c0)
            res = run_protocol(cfg['dataset'], data_dir=cfg['data_dir'], methods=['original', 'retrain', 'retrain*', 'alteraser-ah'],
                               seeds=seeds, n_forget_users=64, device='cpu', data_kw=cfg['data_kw'], progress=False, others=False,
                               quality_trace=True, out_dir=Path(a.out) / f'{name}-c0-{c0}', c0=c0v)
            m = res.rows.groupby('method').mean(numeric_only=True)
            q = quality_on_means(res).set_index('method')
            rows.append({'dataset': name, 'c0': c0, 'seeds': len(seeds),
                         'retrain re-predict / original': m.loc['retrain', 'repredict'] / m.loc['original', 'repredict'],
                         'AH re-predict / retrain': m.loc['alteraser-ah', 'repredict'] / m.loc['retrain', 'repredict'],
                         'AH re-predict / original': m.loc['alteraser-ah', 'repredict'] / m.loc['original', 'repredict'],
                         'retrain Recall@10': m.loc['retrain', 'recall@10'], 'AH Recall@10': m.loc['alteraser-ah', 'recall@10'],
                         'retrain NDCG@10': m.loc['retrain', 'ndcg@10'], 'AH NDCG@10': m.loc['alteraser-ah', 'ndcg@10'],
                         'retrain epochs': m.loc['retrain', 'passes'], 'AH passes': m.loc['alteraser-ah', 'passes'],
                         'AH speed-up (rule)': m.loc['alteraser-ah', 'speedup'],
                         'AH speed-up (quality, means, hindsight)': q.loc['alteraser-ah', 'speedup']})
            print(rows[-1], file=sys.stderr, flush=True)
    res = pd.DataFrame(rows)
    out = Path(a.out); out.mkdir(parents=True, exist_ok=True)
    res.to_csv(out / 'c0_study.csv', index=False)
    fmt = lambda v: f'{v:.4g}' if isinstance(v, float) else str(v)
    md = '\n'.join(['| ' + ' | '.join(res.columns) + ' |', '|' + '---|' * len(res.columns)]
                   + ['| ' + ' | '.join(fmt(v) for v in r) + ' |' for r in res.itertuples(index=False)])
    (out / 'c0_study.md').write_text(md + '\n')
    print(md)


if __name__ == '__main__':
    main()
