#!/usr/bin/env python3
"""altnb against the `implicit` library's iALS: accuracy at the same dimension, and forgetting an implicit-trained model.

Two measurements on one dataset's own train/test split (MovieLens-1m as the RecEraser authors split it, by default):

1. Accuracy. altnb's ENMF with its tuned defaults (`altnb.train.TUNED`; `altnb.train.tune` is re-run on the carve
   below to check the pick) trained by exact ALS passes (`altnb.alteraser.retrain_als` from the ENMF initialisation,
   until the stopping rule), against implicit's `AlternatingLeastSquares(factors=d, num_threads=1)` tuned over a grid
   of (alpha, regularization) on a validation carved from the training data (`split_per_user(train, test_frac=0.1,
   valid_frac=0)`: 10 % of each user's training pairs, the same carve for both), then refitted on the whole training
   data. Both: all-user Recall@20 / NDCG@20 on the test split, training items masked. Also implicit at the (alpha,
   regularization) that the mapping gives from altnb's (c0, lam): alpha = 1/c0, regularization = lam/c0.
2. Forgetting. A request of N users (`choose_forgetting_users`, seeded), each deleting half of their training items
   (`pick_deletions`), applied with `Eraser(model, data).forget(pairs, method=...)` for 'alteraser-ah-local' and
   'alteraser-ah' (and `forget(..., 'retrain-als')`) to (a) the tuned implicit model imported by
   `altnb.interop.from_implicit` and (b) the altnb model of part 1. Each is judged by `altnb.quality.quality_bars`
   against a retrain by the origin's own means: (a) implicit refitted on the remaining data with the original's
   hyper-parameters and random_state (the same initialisation), retrain* = random_state + 1; (b) altnb's retrain-als
   from the original's initialisation, retrain* = from seed + 1.

    python benchmarks/bench_implicit.py --data-dir ../shared/data --out benchmarks/results/ml-1m-receraser
    python benchmarks/bench_implicit.py --smoke                     # tiny synthetic data, seconds

Writes implicit.md (the tables) and implicit.csv (every row: both tuning grids, the accuracy table, the forgetting
table; column `table` says which) to --out.
"""
import argparse, os, sys, time, warnings
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from altnb.alteraser import StoppingRule, retrain_als
from altnb.data import Interactions, split_per_user, synthetic
from altnb.datasets import load_split
from altnb.experiment import Memory, Scenario, choose_forgetting_users, measure, pick_deletions, warm_up
from altnb.quality import BAR_MARGINS as B, describe_bars, quality_bars, utility_checks
from altnb.index import RowIndex
from altnb.interop import from_implicit, implicit_params
from altnb.metrics import evaluate
from altnb.model import ENMF
from altnb.train import TUNE_GRID, TUNED, tune
from altnb.unlearn import Eraser, forget
from _common import markdown  # (benchmarks/_common.py)

METHODS = ('alteraser-ah-local', 'alteraser-ah', 'retrain-als')
ALPHAS = (1.0, 3.0, 10.0, 30.0, 100.0)
REGS = (1.0, 3.0, 10.0, 30.0, 100.0, 300.0, 1000.0)




def floats(s: str) -> tuple: return tuple(float(x) for x in s.split(',') if x)


class Implicit:
    "implicit's CPU iALS with fixed factors / iterations / threads; `fit` returns the model and its wall time."
    def __init__(self, ALS, d, iterations, threads):
        self.ALS, self.d, self.iterations, self.threads = ALS, d, iterations, threads

    def fit(self, csr, alpha, reg, random_state):
        als = self.ALS(factors=self.d, alpha=alpha, regularization=reg, iterations=self.iterations, dtype=np.float32,
                       num_threads=self.threads, random_state=random_state)
        t = time.perf_counter()
        als.fit(csr, show_progress=False)
        return als, time.perf_counter() - t


def csr32(data: Interactions):
    "The binary users × items CSR implicit is given."
    return data.csr.astype(np.float32).tocsr()


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--dataset', default='ml-1m-receraser', help='a dataset with its own train/test split (`altnb.data.load_split`)')
    p.add_argument('--data-dir', default=None, help='cache root of the registered datasets (holding ml-1m-receraser/)')
    p.add_argument('--d', type=int, default=64, help='dimension of both models')
    p.add_argument('--seed', type=int, default=0, help='carve, initialisation and request seed')
    p.add_argument('--rel-tol', type=float, default=1e-4, help="altnb's stopping rule (training, retrain-als, the Eraser)")
    p.add_argument('--iterations', type=int, default=15, help="implicit's iterations (its default 15; CG, its default)")
    p.add_argument('--alphas', default=','.join(map(str, ALPHAS)), help="implicit's alpha grid")
    p.add_argument('--regs', default=','.join(map(str, REGS)), help="implicit's regularization grid")
    p.add_argument('--no-refine', dest='refine', action='store_false', help="skip refining implicit's best grid point "
                   '(3 × 3 points, half a grid step apart)')
    p.add_argument('--users', type=int, default=64, help='forgetting users in the request')
    p.add_argument('--no-tune-altnb', action='store_true', help="skip re-running altnb's tune (TUNE_GRID, 8 passes) on the carve")
    p.add_argument('--out', default='runs/bench-implicit', help='output folder (implicit.md, implicit.csv)')
    p.add_argument('--smoke', action='store_true', help='tiny synthetic data and grids: checks the script runs')
    a = p.parse_args(argv)
    torch.set_num_threads(1)
    from implicit.cpu.als import AlternatingLeastSquares as ALS
    import implicit
    import scipy.linalg  # noqa: F401  (SciPy's BLAS loaded now, so the limit below reaches it)
    from threadpoolctl import threadpool_limits  # after implicit's import: it loads its own BLAS
    blas = threadpool_limits(1)
    t_all, load0 = time.perf_counter(), os.getloadavg()[0]
    out = Path(a.out); out.mkdir(parents=True, exist_ok=True)
    rule = StoppingRule(rel_tol=a.rel_tol)
    alphas, regs, n_users = floats(a.alphas), floats(a.regs), a.users
    if a.smoke:
        sp = split_per_user(synthetic(n_users=300, n_items=200, n_interactions=8000, seed=1), valid_frac=0.0, seed=0)
        label, d, alphas, regs, n_users = 'synthetic 300x200x8,000 (smoke)', 8, (3.0, 10.0), (10.0, 100.0), 8
        c0, lam = 0.1, 10.0
    else:
        sp = load_split(a.dataset, a.data_dir, progress=False)
        if sp is None: sys.exit(f'{a.dataset} comes without its own train/test split')
        label, d = a.dataset, a.d
        c0, lam = (float(TUNED[a.dataset]['c0']), float(TUNED[a.dataset]['lam'])) if a.dataset in TUNED else (0.1, 10.0)
    train, test = sp.train, sp.test
    Y = csr32(train)
    imp = Implicit(ALS, d, a.iterations, 1)
    rows, notes = [], []
    say = lambda s: print(f'[{time.perf_counter() - t_all:6.0f} s] {s}', file=sys.stderr, flush=True)
    say(f'{label}: train {train.nnz:,} pairs, test {test.nnz:,}, {train.n_users:,} x {train.n_items:,}')

    # ---- 1. tuning on the carve --------------------------------------------------------------------------------------
    carve = split_per_user(train, test_frac=0.1, valid_frac=0.0, seed=a.seed)  # tune's own carve
    ctr, cva = carve.train, carve.test
    Yc = csr32(ctr)
    tuned_altnb = None
    if not a.no_tune_altnb:
        tuned_altnb = tune(ctr, cva, grid={k: v for k, v in TUNE_GRID.items()} if not a.smoke else dict(c0=(0.1, 1.0), lam=(1.0, 10.0)),
                           d=d, passes=8, seed=a.seed)
        for r in tuned_altnb.table.to_dict('records'):
            rows.append(dict(table='tune-altnb', c0=r['c0'], lam=r['lam'], **{f'valid {k}': r[k] for k in ('recall@20', 'ndcg@20')},
                             time_s=r['time_s']))
        say(f'altnb tune: {tuned_altnb}')
    grid = []
    def point(al, rg, stage):
        als, fit_s = imp.fit(Yc, al, rg, a.seed)
        m, _ = from_implicit(als, Yc)
        res = evaluate(m, ctr, cva, ks=(20,))
        grid.append(dict(stage=stage, alpha=al, regularization=rg, **{f'valid {k}': v for k, v in res.items()}, fit_s=fit_s))
    for al in alphas:
        for rg in regs: point(al, rg, 'grid')
    gdf = pd.DataFrame(grid)
    best = gdf.loc[gdf['valid recall@20'].idxmax()]
    ca, cr = float(best['alpha']), float(best['regularization'])
    edge = [w for w, v, vs in (('alpha', ca, alphas), ('regularization', cr, regs)) if v in (min(vs), max(vs)) and len(vs) > 1]
    if edge: notes.append(f"implicit's best grid point lies on the grid's edge in {' and '.join(edge)}")
    steps = (3 ** -0.5, 1.0, 3 ** 0.5) if a.refine else ()
    for fa in steps:  # refinement: the 3 × 3 points around the grid's best, half a grid step apart
        for fr in steps:
            if (fa, fr) != (1.0, 1.0): point(round(ca * fa, 4), round(cr * fr, 4), 'refine')
    gdf = pd.DataFrame(grid)
    for r in grid: rows.append(dict(table='tune-implicit', **r))
    best = gdf.loc[gdf['valid recall@20'].idxmax()]
    ba, br = float(best['alpha']), float(best['regularization'])
    say(f'implicit tune: best alpha={ba:g}, regularization={br:g}, valid recall@20 {best["valid recall@20"]:.4f}')

    # ---- 1. final models on the whole training data, test split --------------------------------------------------------
    mp = implicit_params(c0, lam)
    acc = []
    t = time.perf_counter()
    alt = ENMF(train.n_users, train.n_items, d=d, c0=c0, lam=lam, seed=a.seed)
    alt, trace, why = retrain_als(alt, RowIndex.of(train, 'cpu'), rule)
    alt_s = time.perf_counter() - t
    # altnb's own validation score at (c0, lam), trained like the final model (not tune's 8 passes), for the table
    m_va, _, _ = retrain_als(ENMF(ctr.n_users, ctr.n_items, d=d, c0=c0, lam=lam, seed=a.seed), RowIndex.of(ctr, 'cpu'), rule)
    va_alt = evaluate(m_va, ctr, cva, ks=(20,))
    te = evaluate(alt, train, test, ks=(10, 20))
    acc.append(dict(model=f'altnb ENMF (c0={c0:g}, lam={lam:g}; retrain_als, {len(trace) - 1} exact ALS passes)',
                    **{f'valid {k}': v for k, v in va_alt.items()}, **{f'test {k}': te[k] for k in ('recall@20', 'ndcg@20', 'recall@10', 'ndcg@10')},
                    train_s=alt_s, loss_per_c0=alt.loss(train) / c0))
    say(f'altnb: {alt_s:.1f} s, {len(trace) - 1} passes ({why}); test {te}')
    implicit_models = {}
    for name, al, rg in [('tuned', ba, br), ('mapped', mp['alpha'], mp['regularization'])]:
        als, fit_s = imp.fit(Y, al, rg, a.seed)
        implicit_models[name] = als
        m, _ = from_implicit(als, Y)
        te = evaluate(m, train, test, ks=(10, 20))
        hit = gdf[(gdf.alpha == al) & (gdf.regularization == rg)]
        acc.append(dict(model=f'implicit iALS, {name} (alpha={al:g}, regularization={rg:g}; {a.iterations} iterations, CG)',
                        **({f'valid recall@20': float(hit['valid recall@20'].iloc[0]), 'valid ndcg@20': float(hit['valid ndcg@20'].iloc[0])} if len(hit) else {}),
                        **{f'test {k}': te[k] for k in ('recall@20', 'ndcg@20', 'recall@10', 'ndcg@10')}, train_s=fit_s,
                        loss_per_c0=m.loss(train) / m.c0))
        say(f'implicit {name}: {fit_s:.1f} s; test {te}')
    adf = pd.DataFrame(acc)
    r_alt, r_imp = adf['test recall@20'].iloc[0], adf['test recall@20'].iloc[1]
    gap = r_alt / r_imp - 1
    within = r_alt >= 0.97 * r_imp
    adf.insert(1, 'test recall@20 / tuned implicit', adf['test recall@20'] / r_imp)
    for r in adf.to_dict('records'): rows.append(dict(table='accuracy', **r))

    # ---- 2. forgetting ------------------------------------------------------------------------------------------------
    users = choose_forgetting_users(sp, n_users, a.seed)
    pairs = pick_deletions(train, users, a.seed)
    D_r = train.remove(pairs[:, 0], pairs[:, 1])
    Yr = csr32(D_r)
    say(f'request: {len(users)} users, {len(pairs):,} pairs')
    warm_up('cpu', METHODS)  # one-time costs (lazy initialisation) off the clock, as the other benchmarks do
    quality = []
    als0 = implicit_models['tuned']
    m_imp, D_imp = from_implicit(als0, Y, seed=a.seed)
    assert np.array_equal(D_imp.pairs(), train.pairs())
    origins = []
    # (a) implicit: retrain = implicit refitted on D_r from the same random_state; retrain* = random_state + 1
    r1, t1 = imp.fit(Yr, ba, br, a.seed)
    r2, _ = imp.fit(Yr, ba, br, a.seed + 1)
    origins.append(('implicit', m_imp, D_imp, from_implicit(r1, Yr)[0], t1, from_implicit(r2, Yr)[0],
                    f'implicit fit on D_r (alpha={ba:g}, regularization={br:g}, random_state={a.seed}; * = {a.seed + 1})'))
    # (b) altnb: retrain = retrain-als from the original's initialisation; retrain* = from seed + 1
    rm, rrep = forget(alt, train, pairs, 'retrain-als', rule=rule)
    rs, _ = forget(ENMF(train.n_users, train.n_items, d=d, c0=c0, lam=lam, seed=a.seed + 1), train, pairs, 'retrain-als', rule=rule)
    origins.append(('altnb', alt, train, rm, rrep.time_s, rs, f'altnb retrain-als on D_r (seed {a.seed}; * = seed {a.seed + 1}), {rrep.passes} passes'))
    for origin, model, data, ref, ref_s, star, how in origins:
        sc = Scenario(users=users, D_f=pairs, D_r=D_r, test=test)
        refm = measure(ref, sc); r_ref = refm.metrics
        rbo_star = measure(star, sc, refm).metrics['rbo@10']
        cands = [('original (nothing forgotten)', model, None, None, np.nan)]
        for meth in METHODS:
            if meth == 'retrain-als' and origin == 'altnb': continue  # it is this origin's retrain
            if meth == 'retrain-als':
                t = time.perf_counter(); mm, rep = forget(model, data, pairs, meth, rule=rule); wall = time.perf_counter() - t
                setup = np.nan
            else:
                er = Eraser(model, data); setup = er.setup_s
                t = time.perf_counter(); rep = er.forget(pairs, method=meth, rule=rule); wall = time.perf_counter() - t
                mm = er.model
            cands.append((meth, mm, rep, wall, setup))
        cands.append(('retrain*', star, None, None, np.nan))
        memory = Memory(model, ref, sc)  # residual memory from this origin's model to its retrain
        for meth, mm, rep, wall, setup in cands:
            met = measure(mm, sc, refm).metrics
            met.update(memory(mm, met['loss_dr']))
            bars, checks = quality_bars(met, rbo_star), utility_checks(met, r_ref)
            ok = {c.split(' ')[0]: k for c, v, tgt, k in bars + checks}
            quality.append({'origin': origin, 'method': meth,
                            'Recall@10': met['recall@10'], 'NDCG@10': met['ndcg@10'], 'RBO@10': met['rbo@10'],
                            'residual memory': met['memory'], 'loss / retrain': met['loss_dr'] / r_ref['loss_dr'],
                            'memory bar': 'met' if ok['residual'] else 'not met', 'RBO bar': 'met' if ok['rbo@10'] else 'not met',
                            'bars': 'yes' if all(k for *_, k in bars) else 'no',
                            'utility (Recall, NDCG, loss)': 'kept' if all(k for *_, k in checks) else 'not kept',
                            'time (s)': rep.time_s if rep is not None else np.nan, 'wall (s)': wall if wall is not None else np.nan,
                            'set-up (s)': setup, 'passes': rep.passes if rep is not None else np.nan,
                            '× vs retrain': ref_s / rep.time_s if rep is not None else np.nan})
        quality.append({'origin': origin, 'method': 'retrain (reference)', 'Recall@10': r_ref['recall@10'], 'NDCG@10': r_ref['ndcg@10'],
                        'RBO@10': 1.0, 're-predict / retrain': 1.0, 'loss / retrain': 1.0, 'time (s)': ref_s, 'wall (s)': ref_s,
                        '× vs retrain': 1.0})
        notes.append(f'{origin}: retrain = {how}, {ref_s:.2f} s; retrain*\'s RBO@10 {rbo_star:.4f} (bar ≥ {rbo_star - B["rbo"]:.4f}); '
                     f'retrain\'s re-predict {r_ref["repredict"]:.4f}, loss on D_r {r_ref["loss_dr"]:,.1f} (ENMF units: implicit\'s / alpha)')
        say(notes[-1])
    qdf = pd.DataFrame(quality)
    for r in qdf.to_dict('records'): rows.append(dict(table='forgetting', **r))

    # ---- output -------------------------------------------------------------------------------------------------------
    pd.DataFrame(rows).to_csv(out / 'implicit.csv', index=False)
    gpiv = gdf[gdf.stage == 'grid'].pivot(index='regularization', columns='alpha', values='valid recall@20').reset_index()
    ref_df = gdf[gdf.stage == 'refine'][['alpha', 'regularization', 'valid recall@20', 'valid ndcg@20']]
    gpiv.columns = ['regularization \\ alpha', *[f'{c:g}' for c in gpiv.columns[1:]]]
    tune_line = ''
    if tuned_altnb is not None:
        tb = tuned_altnb.best
        tune_line = (f"altnb's `tune` (TUNE_GRID, 8 exact ALS passes per point, the same carve) picks c0 = {tb['c0']:g}, "
                     f"lam = {tb['lam']:g} (validation Recall@20 {tuned_altnb.table['recall@20'].max():.4f}"
                     + (f'; `TUNED` says c0 = {c0:g}, lam = {lam:g}, its validation Recall@20 '
                        f"{float(tuned_altnb.table[(tuned_altnb.table.c0 == c0) & (tuned_altnb.table.lam == lam)]['recall@20'].iloc[0]):.4f}"
                        if (tb['c0'], tb['lam']) != (c0, lam) and ((tuned_altnb.table.c0 == c0) & (tuned_altnb.table.lam == lam)).any()
                        else f'; the same point as `TUNED`' if (tb['c0'], tb['lam']) == (c0, lam) else '') + '). ')
    md = (f'# altnb vs implicit iALS: {label}, d = {d}, seed {a.seed}\n\n'
          f'torch {torch.__version__}, implicit {implicit.__version__} (CPU, num_threads=1, float32), one torch thread, BLAS '
          f'limited to 1, {os.cpu_count()} CPUs (1-minute load {load0:.2f} at the start, {os.getloadavg()[0]:.2f} at the end); '
          f'{time.perf_counter() - t_all:.0f} s in all. Train {train.nnz:,} pairs, test {test.nnz:,} (the dataset\'s own split); '
          f'validation = 10 % of each user\'s training pairs (`split_per_user(train, test_frac=0.1, valid_frac=0, seed={a.seed})`), '
          'the same carve for both libraries.\n\n'
          '## 1. Accuracy at the same dimension\n\n'
          f'All users with a test item, training items masked. altnb: `retrain_als` (exact ALS passes) from ENMF\'s '
          f'initialisation (seed {a.seed}) until `StoppingRule(rel_tol={a.rel_tol:g})`. implicit: `AlternatingLeastSquares(factors={d}, '
          f'iterations={a.iterations}, num_threads=1, random_state={a.seed})`, (alpha, regularization) picked by validation Recall@20 '
          f'over alpha ∈ {{{", ".join(f"{x:g}" for x in alphas)}}} × regularization ∈ {{{", ".join(f"{x:g}" for x in regs)}}}, '
          f'then refitted on the whole training data. "mapped": alpha = 1/c0, regularization = lam/c0 from altnb\'s '
          f'(c0, lam). loss_per_c0 = the ENMF loss on the training data / c0 (= implicit\'s own objective, where the mapping holds).\n\n'
          + tune_line + '\n\n' + markdown(adf) + '\n\n'
          f'**altnb\'s test Recall@20 {r_alt:.4f} vs tuned implicit\'s {r_imp:.4f}: {gap:+.2%} — '
          f'{"within" if within else "NOT within"} 3 %.**\n\n'
          'implicit\'s validation Recall@20 over the grid:\n\n' + markdown(gpiv) + '\n\n'
          + (f'Refinement around the grid\'s best (alpha = {ca:g}, regularization = {cr:g}; factors 3^±½): the best of all '
             f'{len(gdf)} points is alpha = {ba:g}, regularization = {br:g} (validation Recall@20 {best["valid recall@20"]:.4f}).\n\n'
             + markdown(ref_df) + '\n\n' if len(ref_df) else '')
          + f'## 2. Forgetting: an implicit-trained and an altnb-trained model, the same request\n\n'
          f'{len(users)} users (`choose_forgetting_users`, seed {a.seed}), each deleting ⌊n_u/2⌋ of their training items '
          f'(`pick_deletions`): {len(pairs):,} pairs. implicit\'s tuned model enters through `from_implicit(als, user_items)` '
          f'(c0 = 1/alpha = {m_imp.c0:.4g}, lam = regularization/alpha = {m_imp.lam:.4g}); the Eraser methods are '
          f'`Eraser(model, data).forget(pairs, method=..., rule=StoppingRule(rel_tol={a.rel_tol:g}))`, retrain-als = '
          f'`forget(model, data, pairs, "retrain-als")` (from the imported model\'s ENMF initialisation, not implicit\'s). '
          f'Against the origin\'s retrain (`altnb.quality`; residual memory from the origin\'s model to that retrain; '
          f'Recall@10 and NDCG@10 of the forgetting users on the test split): {describe_bars()}. time = the report\'s `time_s` (the Eraser\'s set-up excluded), wall = '
          'perf_counter around the call; retrain\'s time = its fit (implicit: `als.fit` on D_r).\n\n'
          + markdown(qdf) + '\n\n' + '\n'.join(f'* {n}' for n in notes) + '\n')
    (out / 'implicit.md').write_text(md)
    print(md)
    say(f'wrote {out}/implicit.md, implicit.csv')


if __name__ == '__main__':
    main()
