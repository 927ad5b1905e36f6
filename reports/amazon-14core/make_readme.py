#!/usr/bin/env python3
"""Write reports/amazon-14core/README.md from the results copied next to it (run from the repository root).

    altnb experiments experiments/amazon-14core.yaml
    # copy runs/amazon-14core/amazon-14core-{utility,privacy}/{config.json,*.png,results.csv,table*.md,traces.csv}
    # into reports/amazon-14core/{utility,privacy}/ and runs/amazon-14core/runs.csv into reports/amazon-14core/
    python reports/amazon-14core/make_readme.py
"""
import pandas as pd
from pathlib import Path
from altnb.experiment import quality_on_means, read_results, summarize_runs
root = Path('reports/amazon-14core')
runs = pd.read_csv(root / 'runs.csv')
wall = runs.groupby('scenario').wall_s.sum()
_all = pd.concat([read_results(root / sc) for sc in ('utility', 'privacy')])
_su = _all.groupby('method').setup_s.mean() * 1e3
setup = (f'{_su["alteraser-ah-local"]:.1f} ms for the affected-only mode and {_su["alteraser-ah"]:.1f} ms for the others that use the '
         'index, on average')
parts = [f'''# Amazon-14core: the paper's protocol, 5 seeds, both scenarios

Produced by

```sh
altnb experiments experiments/amazon-14core.yaml     # papermill, one run per (scenario, seed); then copied here
python reports/amazon-14core/make_readme.py          # this page, from the copied results
```

on the shared ENMF split (`../shared/data/amazon-14core`, 1,435 users × 1,522 items × 35,931 interactions), re-split
80/20 per user with seeds 0–4, 64 forgetting users per seed. Hardware: a 2-core x86_64 VM (shared), no GPU, Python
3.11.7, torch 2.13.0+cpu, one torch thread. Wall time: {wall.sum():.0f} s for the 10 runs (utility {wall['utility']:.0f} s,
privacy {wall['privacy']:.0f} s; `runs.csv`), including the training of the original models and every metric.
Every method stops by its own rule: the shared `altnb.unlearn.StoppingRule` (stop after a pass/epoch that lowers the
loss on D_r by less than 0.1 % when the one before it moved it by less than 1 %), or, for the affected-only mode, no row
whose gradient the request moved by more than 1 % (then full passes under the shared rule, once its re-solves reach one
full pass's worth). "time (s)" is the wall time of the `forget` call — validation, index upkeep, solves, and the losses
a rule reads; evaluations made only for the trace are off the clock. Not in it: the set-up paid once per dataset and
model (D_a's index, and the affected-only mode's per-model state), {setup}. `speed-up` = retrain time / method time
in the same run, averaged over seeds. "to target" (a hindsight diagnostic: it needs the retrain) = mean retrain time /
mean time at which the method's loss on D_r first reached retrain's final loss after its start.

Files per scenario: `results.csv` (one row per seed × method), `traces.csv` (loss vs time, and with a quality trace
every pass's Recall@10, NDCG@10, RBO@10 and re-predict), `table3.md`–`table5.md` (the paper's tables, mean ± std over
seeds), the figures, `config.json`. "At quality (seeds)" counts the seeds in which the method's model met every quality
bar against retrain at some pass (`altnb.experiment.at_retrain_quality`: Recall@10 and NDCG@10 within 0.01, RBO@10 ≥
retrain*'s − 0.02, re-predict within 25 %, loss ≤ retrain's + 0.1 %), judged per seed — stricter than reading them on means over seeds; "speed-up to quality" = mean retrain time / mean
time of that first point, over those seeds. Both are hindsight diagnostics: they compare with a retrain the user would
not have.
''']
summ = {}
for sc in ['utility', 'privacy']:
    df = pd.read_csv(root / sc / 'results.csv')
    g = summarize_runs(df).rename(columns={'recall@10': 'recall10', 'ndcg@10': 'ndcg10', 'rbo@10': 'rbo10'})
    summ[sc] = g
    f = lambda v, d=4: '–' if pd.isna(v) else f'{v:.{d}f}'
    qual = 'n_quality' in g
    rows = ['| method | time (s) | speed-up | speed-up to target (hindsight) |' + (' at quality (seeds, hindsight) | speed-up to quality (hindsight) |' if qual else '')
            + ' loss on D_r | Recall@10 | NDCG@10 | RBO@10 | re-predict |',
            '|---|---:|---:|---:|' + ('---:|---:|' if qual else '') + '---:|---:|---:|---:|---:|']
    for m, r in g.iterrows():
        qcols = (f' {"–" if m == "original" else int(r.n_quality)} | {f(r.speedup_to_quality, 1)} |' if qual else '')
        rows.append(f'| {m} | {f(r.time_s, 3)} | {f(r.speedup, 2)} | {f(r.speedup_to_target, 1)} |{qcols} {f(r.loss_dr, 1)} | {f(r.recall10)} | {f(r.ndcg10)} | {f(r.rbo10)} | {f(r.repredict)} |')
    if qual and 'point' in pd.read_csv(root / sc / 'traces.csv', nrows=1):
        from altnb.experiment import quality_on_means, read_results
        qm = quality_on_means(read_results(root / sc)).set_index('method')
        rows += ['', 'Hindsight, read on means over seeds: the first point of each method\'s trace at which the '
                 'means of its metrics meet every bar against retrain\'s means — point 1 is right after the erase pass for '
                 'AltEraser (and after its first round — the forgetting users, then the items the request moved — for the affected-only mode), epoch / pass k for the others:', '',
                 '| method | first point at quality | mean time (s) | speed-up | Recall@10 | NDCG@10 | RBO@10 | re-predict | loss on D_r |',
                 '|---|---:|---:|---:|---:|---:|---:|---:|---:|']
        for m, r in qm.iterrows():
            rows.append(f'| {m} | {"never" if pd.isna(r.point) else int(r.point)} | {f(r.time_s, 4)} | {f(r.speedup, 1)} | '
                        f'{f(r["recall@10"])} | {f(r["ndcg@10"])} | {f(r["rbo@10"])} | {f(r.repredict)} | {f(r.loss_dr, 1)} |')
        summ[sc + '_means'] = qm
    parts.append(f'## {sc.capitalize()} scenario (means over seeds 0–4)\n\n' + '\n'.join(rows) + '\n\n'
                 + f'![speed-up]({sc}/speedup_amazon-14core_{sc}.png)\n![loss vs time]({sc}/loss-vs-time_amazon-14core_{sc}.png)\n'
                 + f'![metric vs time]({sc}/metric-vs-time_amazon-14core_{sc}.png)\n'
                 + (f'![quality vs time]({sc}/quality-vs-time_amazon-14core_{sc}.png)\n' if qual else ''))
g = summ['utility']; R, S, O = g.loc['retrain'], g.loc['retrain*'], g.loc['original']
rows = ['| target (utility scenario) | alteraser-ah | alteraser-hf | met? |', '|---|---:|---:|---|']
def row(name, fn, ok, fmt):
    a, h = fn(g.loc['alteraser-ah']), fn(g.loc['alteraser-hf'])
    rows.append(f'| {name} | {fmt(a)} | {fmt(h)} | {"yes" if ok(a) and ok(h) else ("AH " + ("yes" if ok(a) else "no") + ", HF " + ("yes" if ok(h) else "no"))} |')
row(f'Recall@10 within 0.01 of retrain ({R.recall10:.4f})', lambda r: r.recall10, lambda v: abs(v - R.recall10) <= 0.01, lambda v: f'{v:.4f}')
row(f'NDCG@10 within 0.01 of retrain ({R.ndcg10:.4f})', lambda r: r.ndcg10, lambda v: abs(v - R.ndcg10) <= 0.01, lambda v: f'{v:.4f}')
row(f"RBO@10 vs retrain ≥ retrain*'s − 0.02 ({S.rbo10 - 0.02:.4f})", lambda r: r.rbo10, lambda v: v >= S.rbo10 - 0.02, lambda v: f'{v:.4f}')
row(f"re-predict within 25 % of retrain's ({R.repredict:.4f})", lambda r: r.repredict / R.repredict - 1, lambda v: abs(v) <= 0.25, lambda v: f'{v:+.1%}')
row(f"re-predict ≤ half of original's ({O.repredict / 2:.4f})", lambda r: r.repredict, lambda v: v <= O.repredict / 2, lambda v: f'{v:.4f}')
row(f"loss on D_r ≤ retrain's + 0.1 % ({R.loss_dr * 1.001:.0f})", lambda r: r.loss_dr, lambda v: v <= R.loss_dr * 1.001, lambda v: f'{v:.0f}')
row('speed-up (to the stopping rule) ≥ 5× (AH) / ≥ 2× (HF), seeds 0–4', lambda r: r.speedup, lambda v: True, lambda v: f'{v:.2f}×')
rows[-1] = rows[-1].rsplit('|', 2)[0] + f'| AH {"yes" if g.loc["alteraser-ah"].speedup >= 5 else "no"}, HF {"yes" if g.loc["alteraser-hf"].speedup >= 2 else "no"} |'
row("speed-up to retrain's final loss", lambda r: r.speedup_to_target, lambda v: True, lambda v: f'{v:.1f}×')
rows[-1] = rows[-1].rsplit('|', 2)[0] + '| (reported) |'
if 'speedup_to_quality' in g:
    row('speed-up to retrain quality (every bar, per seed; seeds that got there)', lambda r: r.speedup_to_quality,
        lambda v: True, lambda v: f'{v:.1f}×')
    rows[-1] = rows[-1].rsplit('|', 2)[0] + f'| (reported; AH {int(g.loc["alteraser-ah"].n_quality)}/5, HF {int(g.loc["alteraser-hf"].n_quality)}/5 seeds) |'
df = pd.read_csv(root / 'utility' / 'results.csv'); t4 = df.groupby('method', sort=False)['recall@50'].mean()
d50a, d50h, d50s = (t4[m] - t4['retrain'] for m in ('alteraser-ah', 'alteraser-hf', 'retrain*'))
t4all = df.groupby('method', sort=False)[[f'{k}@{n}' for k in ('recall', 'ndcg') for n in (10, 20, 50)]].mean()
def _gap(m):
    dd = t4all.loc[m] - t4all.loc['retrain']
    return float(dd.loc[dd.abs().idxmax()])
gap_ah, gap_hf, gap_s = _gap('alteraser-ah'), _gap('alteraser-hf'), _gap('retrain*')
per_seed = {m: df[df.method == m].sort_values('seed').speedup.tolist() for m in ('alteraser-ah', 'alteraser-hf')}
ah3 = df[(df.method == 'alteraser-ah') & (df.seed <= 2)].speedup.mean()
parts.append('## Against the unlearning targets\n\n' + '\n'.join(rows) + f'''

Notes on the targets:

* **Re-predict ≤ half of Original's**: retrain itself scores {R.repredict:.4f}, {R.repredict / O.repredict:.0%} of Original's
  {O.repredict:.4f}; AltEraser is within {abs(g.loc['alteraser-ah'].repredict / R.repredict - 1):.0%} of retrain, so the bar sits below what the gold standard reaches with this
  model (in the paper, Retrain's re-predict is 18 % of Original's).
* **Every Table 4 metric within 0.01 of retrain** (the experiments issue's bar): the largest gap of AH / HF over
  Recall and NDCG @10/20/50 is {gap_ah:+.4f} / {gap_hf:+.4f} ({'met' if max(abs(gap_ah), abs(gap_hf)) <= 0.01 else 'not met'}); retrain* differs from retrain by up to {gap_s:+.4f}
  (retraining's own seed-to-seed variance; Table 4 has the ± std).
* **Speed-ups to the stopping rule**: AH {g.loc["alteraser-ah"].speedup:.2f}× and HF {g.loc["alteraser-hf"].speedup:.2f}× on average over
  seeds 0–4, AH {ah3:.2f}× over seeds 0–2 (per seed: AH {' / '.join(f'{v:.2f}' for v in per_seed['alteraser-ah'])}; HF {' / '.join(f'{v:.2f}' for v in per_seed['alteraser-hf'])}). Retrain on a dataset this small is fast
  ({R.time_s:.2f} s: AdamW with hand-derived gradients and fused sparse kernels); an AH pass (preconditioned CG on every
  row's Newton system) costs about one AdamW epoch, and the rule needs the erase pass plus two full passes — three when
  the second pass still gains more than 0.1 % (the seeds below 5×). AH reaches retrain's final loss
  {g.loc["alteraser-ah"].speedup_to_target:.1f}× faster than retrain and stops {1 - g.loc["alteraser-ah"].loss_dr / R.loss_dr:.1%} below it; the affected-only AH mode
  stops at {g.loc["alteraser-ah-local"].speedup:.1f}×: on a dataset this small a 64-user request's neighbourhood is the whole graph, so after one
  full pass's worth of re-solves it switches to full passes ({(df[df.method == 'alteraser-ah-local'].stop_reason.str.startswith('full passes')).sum()} of {df.seed.nunique()} seeds did; `05d_local`). In hindsight, its model meets every
  bar on means right after its first round, {quality_on_means(read_results(root / 'utility')).set_index('method').loc['alteraser-ah-local'].speedup:.1f}× faster than retrain.
''')
from altnb.experiment import compare_with_paper, read_results
c = compare_with_paper(read_results(root / 'utility'))
rows = ['| method | Recall@10 ours / paper | NDCG@10 ours / paper | RBO@10 ours / paper | re-predict ours / paper | speed-up ours / paper |',
        '|---|---|---|---|---|---|']
for m in ['Original', 'Retrain', 'Retrain*', 'Warm-Start', 'AltEraser [HF-Newton]', 'AltEraser [AH-Newton]']:
    r = c.loc[m]
    f = lambda col, d=4: ' / '.join('–' if pd.isna(r[(col, k)]) else f'{r[(col, k)]:.{d}f}' for k in ('ours', 'paper'))
    rows.append(f"| {m} | {f('recall@10')} | {f('ndcg@10')} | {f('rbo@10')} | {f('repredict')} | {f('speedup', 2)} |")
rdiff = max(abs(c.loc[m, ('recall@10', 'ours')] - c.loc[m, ('recall@10', 'paper')]) for m in ['Original', 'Retrain', 'Retrain*', 'Warm-Start', 'AltEraser [HF-Newton]', 'AltEraser [AH-Newton]'])
parts.insert(3, '## Next to the paper (utility scenario; the paper\'s Tables 3–5 for Amazon-14core)\n\n' + '\n'.join(rows) + f"""

Our speed-ups are ratios against a much faster retrain ({R.time_s:.2f} s here; the paper's took 248 s on a GPU), yet
AH-Newton ({c.loc['AltEraser [AH-Newton]', ('speedup', 'ours')]:.2f}× vs 1.98×) and HF-Newton ({c.loc['AltEraser [HF-Newton]', ('speedup', 'ours')]:.2f}× vs 1.55×) beat the paper's. Accuracy matches (Recall@10 within {rdiff:.3f} of
the paper's for every row). Re-predict and RBO differ in kind, not in trend: our re-predict is the mean raw score of the
forgotten pairs under an ENMF with h fixed and the density-scaled missing weight (the paper's scale differs), and RBO
uses Webber's RBO_EXT at p = 0.9 against retrain's top-k with D_r masked (the paper does not state its variant).
""")
(root / 'README.md').write_text('\n'.join(parts))
