#!/usr/bin/env python3
"""Write reports/synthetic-ml1m/README.md from the results copied next to it (run from the repository root).

    altnb experiments experiments/synthetic-ml1m.yaml --out runs/synthetic-ml1m
    # copy runs/synthetic-ml1m/synthetic-{utility,privacy}/{config.json,*.png,results.csv,table*.md,traces.csv}
    # into reports/synthetic-ml1m/{utility,privacy}/ and runs/synthetic-ml1m/runs.csv into reports/synthetic-ml1m/
    python reports/synthetic-ml1m/make_readme.py
"""
import pandas as pd
from pathlib import Path
from altnb.experiment import quality_on_means, read_results, summarize_runs

root = Path('reports/synthetic-ml1m')
runs = pd.read_csv(root / 'runs.csv')
wall = runs.groupby('scenario').wall_s.sum()
f = lambda v, d=4: '–' if pd.isna(v) else f'{v:,.{d}f}'
_all = pd.concat([read_results(root / sc) for sc in ('utility', 'privacy')])
_su = _all.groupby('method').setup_s.mean() * 1e3
setup = (f'{_su["alteraser-ah-local"]:.0f} ms for the affected-only mode and {_su["alteraser-ah"]:.0f} ms for the others that use the '
         'index, on average')
parts = [f'''# Synthetic data at MovieLens-1m scale: the paper's protocol, 5 seeds, both scenarios

**Synthetic data** (planted low-rank preferences with popularity skew, `altnb.data.synthetic`), 6,040 users × 3,706
items × 1,000,209 interactions — MovieLens-1m's shape, not MovieLens. Produced by

```sh
altnb experiments experiments/synthetic-ml1m.yaml      # then copied here
python reports/synthetic-ml1m/make_readme.py           # this page, from the copied results
```

on a 2-core x86_64 VM (shared), no GPU, torch 2.13.0+cpu, one torch thread: **{wall.sum():.0f} s** for the {len(runs)} runs
({runs.wall_s.min():.0f}–{runs.wall_s.max():.0f} s each, `runs.csv`), original training, every metric and the quality trace
(every method's model measured after every pass/epoch, off the clock) included. Per scenario: `results.csv`,
`traces.csv`, `table3.md`–`table5.md` (mean ± std over seeds 0–4), the figures.

Every method stops by its own rule: the shared `altnb.unlearn.StoppingRule` (a pass/epoch that lowers the loss on D_r
by less than 0.1 % after one that moved it by less than 1 %), or, for the affected-only mode, no row whose gradient the
request moved by more than 1 %. "time (s)" is the wall time of the `forget` call — validation, index upkeep, solves,
and the losses a rule reads; evaluations made only for the trace are off the clock — and "speed-up" = retrain time /
method time in the same run (mean over seeds). Not in these times: the set-up paid once per dataset and model (D_a's
index, and the affected-only mode's per-model state), {setup}. Two columns are **hindsight diagnostics**, known only
by comparing with a retrain the user would not have: "to target" = mean retrain time / mean time at which the method's
loss on D_r first reached retrain's final loss after its start; "at quality" = seeds in which the method's model met
every quality bar against retrain at some point (`altnb.experiment.at_retrain_quality`: Recall@10 and NDCG@10 within
0.01, RBO@10 ≥ retrain*'s − 0.02, re-predict within 25 %, loss ≤ retrain's + 0.1 %, per seed), with the speed-up to
that first point over those seeds. The second table (hindsight too) reads the same bars on means over seeds
(`altnb.experiment.quality_on_means`).
''']
for sc in ['utility', 'privacy']:
    df = read_results(root / sc)
    g = summarize_runs(df).rename(columns={'recall@10': 'recall10', 'ndcg@10': 'ndcg10', 'rbo@10': 'rbo10'})
    rows = ['| method | time (s) | passes | speed-up | to target (hindsight) | at quality (seeds, hindsight) | speed-up to quality (hindsight) | loss on D_r | Recall@10 | NDCG@10 | RBO@10 | re-predict |',
            '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|']
    for m, r in g.iterrows():
        rows.append(f'| {m} | {f(r.time_s, 3)} | {f(r.passes, 1)} | {f(r.speedup, 2)} | {f(r.speedup_to_target, 1)} | '
                    f'{"–" if m == "original" else int(r.n_quality)} | {f(r.speedup_to_quality, 1)} | {f(r.loss_dr, 0)} | '
                    f'{f(r.recall10)} | {f(r.ndcg10)} | {f(r.rbo10)} | {f(r.repredict)} |')
    qm = quality_on_means(df).set_index('method')
    rows += ['', 'Hindsight, on means over seeds: the first point of each trace (1 = right after the erase pass for AltEraser, and its first '
             'round for the affected-only mode — the forgetting users, then the items the request moved; epoch / pass k for the others) at which the means of the metrics meet every bar:', '',
             '| method | first point at quality | mean time (s) | speed-up | Recall@10 | NDCG@10 | RBO@10 | re-predict | loss on D_r |',
             '|---|---:|---:|---:|---:|---:|---:|---:|---:|']
    for m, r in qm.iterrows():
        rows.append(f'| {m} | {"never" if pd.isna(r.point) else int(r.point)} | {f(r.time_s, 3)} | {f(r.speedup, 1)} | '
                    f'{f(r["recall@10"])} | {f(r["ndcg@10"])} | {f(r["rbo@10"])} | {f(r.repredict)} | {f(r.loss_dr, 0)} |')
    figs = '\n'.join(f'![{n}]({sc}/{n}_synthetic_{sc}.png)' for n in ('speedup', 'loss-vs-time', 'metric-vs-time', 'quality-vs-time')
                     if (root / sc / f'{n}_synthetic_{sc}.png').exists())
    parts.append(f'## {sc.capitalize()} scenario (means over seeds 0–4)\n\n' + '\n'.join(rows) + '\n\n' + figs + '\n')
(root / 'README.md').write_text('\n'.join(parts))
