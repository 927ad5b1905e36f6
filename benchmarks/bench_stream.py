#!/usr/bin/env python3
"""A stream of deletion requests, measured as a stream: a benchmark run on purpose (not in CI, beyond a smoke run).

A platform receives deletion requests one after another and applies each to the model it serves. For one dataset:
train the original ENMF on a per-user split's training part D_a (or reuse a saved one), draw N requests of R users
each (users at random without replacement, seeded; each user deletes half of their remaining training items, at
random) and apply them in order to one `altnb.unlearn.Eraser` (`alteraser-ah-local`), timing every `er.forget` call
with `time.perf_counter()` around it. Beside it, in the same process and in turn with it (every stream runs --repeats
times, 3 by default, the Eraser's and implicit's alternating, and the percentiles pool the rounds): the `implicit` library's ALS update of the same
requests, as a practitioner would do it (edit the CSR, `partial_fit_users` on the request's users, `partial_fit_items`
on their items; the same objective, initialised from the original's factors), one `retrain` and `retrain-als` on
the final remaining data (retrain-als once right after each round's Eraser stream, the median reported: it is the yardstick), and one combined request of every pair on the original. Quality after the stream: loss on
the final data, re-predict on every forgotten pair, Recall@10 / NDCG@10 / RBO@10 of the stream's users, and the
quality bars against the retrain (`altnb.quality.quality_bars`).

    python benchmarks/bench_stream.py                                    # synthetic at MovieLens-1m's shape, R = 1 and 8
    python benchmarks/bench_stream.py --scale 10 --users-per-request 8 --requests 30
    python benchmarks/bench_stream.py --dataset amazon-14core --data-dir ../shared/data/amazon-14core
    python benchmarks/bench_stream.py --smoke                            # tiny, seconds
    python benchmarks/bench_stream.py --replot benchmarks/results/synthetic-ml1m   # redraw a run's stream.png only

Writes stream.md (the tables), stream.csv (one row per request and method), stream.png (per-request wall time over the
stream's first round, log y, with retrain, retrain* and retrain-als on the final data and retrain-als / 100 as lines)
and the trained original (original-*.pt, reused by the next run with the same data and seed) to --out.
"""
import argparse, os, sys, time, warnings
from pathlib import Path

import matplotlib
matplotlib.use('Agg')
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import torch

from altnb.data import split_per_user, synthetic
from altnb.experiment import Memory, Scenario, load_dataset, measure, train_original, warm_up
from altnb.quality import describe_bars, quality_bars, utility_checks
from altnb.metrics import rbo_at_k
from altnb.model import user_problem
from altnb.train import load_model, save_model
try: from altnb.train import check_fingerprint  # (newer altnb: a checkpoint records its training data)
except ImportError: check_fingerprint = None
from altnb.unlearn import StoppingRule, forget
from _common import markdown, peak_rss_mb, rss_mb  # (benchmarks/_common.py: run as python benchmarks/...)

ML1M = dict(n_users=6040, n_items=3706, n_interactions=1_000_209)  # MovieLens-1m's shape
METHOD = 'alteraser-ah-local'
VARIANTS = [('Eraser', {}),  # (label, Eraser.forget options): the default, and Algorithm 1's erase pass in round 1
            ('Eraser, erase_items', {'erase_items': True})]  # (re-solves every item of the request, as implicit's update does)








def eraser_class():
    "`altnb.unlearn.Eraser`, or None when this altnb has none yet."
    try:
        from altnb.unlearn import Eraser
        return Eraser
    except ImportError:
        return None


def implicit_als():
    "`implicit.cpu.als.AlternatingLeastSquares`, or (None, why) when the optional `implicit` is not installed."
    try:
        from implicit.cpu.als import AlternatingLeastSquares
        import implicit
        return AlternatingLeastSquares, implicit.__version__
    except Exception as e:  # ImportError, or a broken binary wheel
        return None, f'{type(e).__name__}: {e}'


class ImplicitStream:
    """The practitioner's update with `implicit`'s iALS: same objective as ENMF's loss / c0, started from its factors.

    implicit (0.7.3, `cpu/als.py`) minimises Σ_{u,i} c_ui (p_ui − x_uᵀy_i)² + reg(Σ‖x_u‖² + Σ‖y_i‖²), a positive's
    weight c_ui = alpha·r_ui (r = 1 here: its `user_linear_equation` adds (c − 1)·y yᵀ to YᵀY), every other pair's 1.
    ENMF's loss with uniform c_v = c0 is Σ_obs (1 − ŷ)² + c0·Σ_unobs ŷ² + λ(‖P‖² + ‖Q‖²), ŷ = (p_u ∘ h)ᵀq_v; divided
    by c0: alpha = 1/c0, reg = λ/c0, user_factors = P ∘ h, item_factors = Q (exact when h = ±1 — `fit` keeps h at
    ones — and c uniform). `partial_fit_users(ids, user_items[ids])` solves those users' rows exactly (Cholesky,
    `recalculate_user` on the cached YᵀY, then drops the cached XᵀX); `partial_fit_items` likewise for items.
    """
    def __init__(self, ALS, model, D_a, threads: int = 1):
        self.als = ALS(factors=model.d, regularization=model.lam / model.c0, alpha=1.0 / model.c0, dtype=np.float32,
                       num_threads=threads, random_state=0)
        with torch.no_grad():
            self.als.user_factors = (model.P * model.h).detach().cpu().numpy().astype(np.float32).copy()
            self.als.item_factors = model.Q.detach().cpu().numpy().astype(np.float32).copy()
        self.ui = D_a.csr.astype(np.float32).tocsr(copy=True)  # users × items, ones
        self.iu = self.ui.T.tocsr()  # items × users

    def forget(self, pairs: np.ndarray) -> tuple[float, float]:
        "Apply one request; returns (seconds editing the two CSR matrices, seconds in partial_fit_users + _items)."
        t0 = time.perf_counter()
        u, v = pairs[:, 0], pairs[:, 1]
        with warnings.catch_warnings():
            warnings.simplefilter('ignore')  # (the entries exist: no sparsity-structure change, no warning expected)
            self.ui[u, v] = 0; self.ui.eliminate_zeros()  # an explicit zero would count as a positive of weight 0
            self.iu[v, u] = 0; self.iu.eliminate_zeros()
        t1 = time.perf_counter()
        uu, vv = np.unique(u), np.unique(v)
        self.als.partial_fit_users(uu, self.ui[uu])
        self.als.partial_fit_items(vv, self.iu[vv])
        return t1 - t0, time.perf_counter() - t1

    def as_enmf(self, like):
        "An ENMF holding these factors (P = user_factors / h, Q = item_factors)."
        m = like.clone()
        with torch.no_grad():
            m.P.copy_(torch.from_numpy(self.als.user_factors).to(m.P) / m.h)
            m.Q.copy_(torch.from_numpy(self.als.item_factors).to(m.Q))
        return m


def draw_stream(D_a, test, n_requests: int, per_request: int, seed: int) -> list[np.ndarray]:
    "N requests of R distinct users each (no user twice in the stream); each deletes ⌊n_u/2⌋ of their items, at random."
    counts = D_a.user_counts
    eligible = np.flatnonzero((counts >= 2) & (test.user_counts >= 1))  # a user keeps >= 1 item and has a test item
    need = n_requests * per_request
    if need > len(eligible):
        raise ValueError(f'{n_requests} requests of {per_request} users need {need} users; only {len(eligible)} have >= 2 '
                         'training and >= 1 test interactions')
    rng = np.random.default_rng((seed, 7, per_request))
    users = rng.choice(eligible, size=need, replace=False).reshape(n_requests, per_request)
    csr, out = D_a.csr, []
    for row in users:
        us, its = [], []
        for u in row:
            own = csr.indices[csr.indptr[u]:csr.indptr[u + 1]]
            k = len(own) // 2
            us.append(np.full(k, u)); its.append(rng.choice(own, size=k, replace=False))
        p = np.stack([np.concatenate(us), np.concatenate(its)], 1).astype(np.int64)
        out.append(p[np.lexsort((p[:, 1], p[:, 0]))])
    return out


def get_original(D_a, a, out: Path, label: str, device):
    "The trained original: --model PATH (loaded; trained and saved there when missing), else cached under --out."
    path = Path(a.model) if a.model else out / f'original-{"smoke" if a.smoke else "x".join(map(str, D_a.shape))}-nnz{D_a.nnz}-seed{a.seed}.pt'
    if path.exists():
        m = load_model(path, device)
        meta = getattr(m, 'meta', {}) or {}
        why = None if (m.n_users, m.n_items) == D_a.shape else f'it is {m.n_users}x{m.n_items}'
        if why is None and (meta.get('data') or {}).get('fingerprint') and check_fingerprint is not None:
            try: check_fingerprint(m, D_a)  # saved with its training data: the data's fingerprint must match
            except ValueError as e: why = str(e)
        elif why is None and meta.get('nnz') != D_a.nnz: why = f'it records {meta.get("nnz")} training pairs, not {D_a.nnz}'
        if why is None:
            print(f'original: loaded {path} (trained in {meta.get("train_s", float("nan")):.1f} s, {meta.get("stop", "?")})',
                  file=sys.stderr)
            return m, path, float(meta.get('train_s', float('nan'))), True
        if a.model: sys.exit(f'--model {path} is not a model of this data ({why})')
        print(f'{path} is of other data ({why}): training anew', file=sys.stderr)
    print(f'original: training on {D_a.nnz:,} pairs ...', file=sys.stderr, flush=True)
    t = time.perf_counter()
    m, trace, why = train_original(D_a, StoppingRule(), a.seed, device)
    train_s = time.perf_counter() - t
    save_model(m, path, D_a, label=label, seed=a.seed, nnz=int(D_a.nnz), train_s=train_s, stop=why, epochs=len(trace))
    print(f'original: {train_s:.1f} s, {len(trace)} epochs ({why}); saved {path}', file=sys.stderr)
    return m, path, train_s, False


def warm_up_stream(Eraser, ALS, device):
    "Run every code path of the stream once on tiny data, untimed (as `altnb.experiment.warm_up` does for `forget`)."
    warm_up(device, ['retrain', 'retrain*', 'retrain-als', METHOD])
    sp = split_per_user(synthetic(n_users=80, n_items=60, n_interactions=1500, seed=1), seed=0)
    m, _, _ = train_original(sp.train, StoppingRule(max_passes=2), 0, device, d=8)
    reqs = draw_stream(sp.train, sp.test, 3, 2, 0)
    if Eraser is not None:
        for _, opts in VARIANTS:
            er = Eraser(m, sp.train, device=device)
            for p in reqs: er.forget(pairs=p, method=METHOD, **opts)
            er.loss()
    if ALS is not None:
        im = ImplicitStream(ALS, m, sp.train)
        for p in reqs: im.forget(p)


def pct(x, q): return float(np.percentile(x, q)) if len(x) else float('nan')


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--dataset', default='synthetic', help='synthetic (ML-1m shape x --scale) or any altnb.data name/path')
    p.add_argument('--data-dir', default=None, help='folder with the dataset files')
    p.add_argument('--scale', type=float, default=1.0, help='synthetic only: multiply users, items and interactions (10: 60,400 x 37,060 x 10M)')
    p.add_argument('--requests', type=int, default=100, help='requests in the stream (N)')
    p.add_argument('--users-per-request', default='1,8', help='users per request (R), comma-separated: one stream each')
    p.add_argument('--seed', type=int, default=0, help='split, original and stream seed')
    p.add_argument('--device', default=None, help='cpu or cuda (default: CUDA when available)')
    p.add_argument('--threads', type=int, default=1, help='torch, BLAS and implicit threads (default 1, as `altnb run`)')
    p.add_argument('--model', default=None, help='a saved original (altnb.train.save_model) to reuse; trained and saved there when missing')
    p.add_argument('--out', default='runs/bench-stream', help='output folder (tables, CSV, PNG, cached original)')
    p.add_argument('--no-implicit', action='store_true', help="skip the `implicit` library's ALS column")
    p.add_argument('--no-retrain-star', action='store_true', help="skip retrain* (a second retrain, seed + 1: the RBO bar's reference)")
    p.add_argument('--no-erase-items', action='store_true', help='skip the second Eraser stream (erase_items=True: '
                   "round 1 also re-solves every item of the request, as implicit's partial_fit_items does)")
    p.add_argument('--repeats', type=int, default=3, help='run every stream this many times, the Eraser\'s and implicit\'s in turn; '
                   'percentiles pool requests 2..N of every round (--smoke: 1)')
    p.add_argument('--als-runs', type=int, default=None, help='time retrain-als this many times and report the median (its time is the '
                   'yardstick; default: --repeats): one run right after each round\'s Eraser stream, so that it meets the machine as that stream did')
    p.add_argument('--smoke', action='store_true', help='tiny synthetic data, 10 requests: checks the script runs')
    p.add_argument('--replot', metavar='DIR', default=None, help="redraw DIR/stream.png from that run's stream.csv and stream.md, and stop")
    a = p.parse_args(argv)
    if a.replot: return replot(Path(a.replot), a.threads or 1)
    if a.threads: torch.set_num_threads(a.threads)
    Rs = [int(s) for s in str(a.users_per_request).split(',') if s]
    N = a.requests
    data_kw = {}
    if a.dataset == 'synthetic':
        data_kw = {k: int(v * a.scale) for k, v in ML1M.items()}
        if a.smoke: data_kw, N, a.repeats = dict(n_users=300, n_items=200, n_interactions=6000), min(N, 10), 1
    n_als = max(1, a.repeats if a.als_runs is None else a.als_runs)
    label = f'synthetic {data_kw["n_users"]:,}x{data_kw["n_items"]:,}x{data_kw["n_interactions"]:,}' if data_kw else a.dataset
    out = Path(a.out); out.mkdir(parents=True, exist_ok=True)
    dev = a.device or ('cuda' if torch.cuda.is_available() else 'cpu')
    sync = torch.cuda.synchronize if str(dev).startswith('cuda') else (lambda: None)
    Eraser = eraser_class()
    if Eraser is None: sys.exit('altnb.unlearn has no Eraser yet: this benchmark measures it (see the module docstring)')
    ALS, implicit_note = (None, 'skipped (--no-implicit)') if a.no_implicit else implicit_als()
    if ALS is not None: implicit_note = f'implicit {implicit_note}'
    else: print(f'implicit ALS column skipped: {implicit_note}', file=sys.stderr)
    try:  # after implicit's import: it loads its own BLAS, which a limit set before would not reach
        import scipy.linalg  # noqa: F401  (SciPy's BLAS loaded now, for the same reason)
        from threadpoolctl import threadpool_limits  # (comes with implicit) the BLAS that NumPy, SciPy and implicit call
        blas_limit = threadpool_limits(a.threads or None)
    except ImportError:
        blas_limit = None

    t_all, load0 = time.perf_counter(), os.getloadavg()[0]
    data = load_dataset(a.dataset, a.data_dir, **data_kw)
    split = split_per_user(data, seed=a.seed)
    D_a, test = split.train, split.test
    original, model_path, train_s, cached = get_original(D_a, a, out, label, dev)
    if ALS is not None:
        h1 = bool(torch.allclose(original.h.abs(), torch.ones_like(original.h)))
        cu = bool(torch.allclose(original.c, torch.full_like(original.c, original.c0)))
        if not (h1 and cu):
            implicit_note += (' (mapping approximate: ' + ('h != ±1 ' if not h1 else '') + ('c not uniform' if not cu else '') + ')')
    warm_up_stream(Eraser, ALS, dev)

    per_req, timing, quality, notes, als_runs = [], [], [], [], {}
    for R in Rs:
        t_R = time.perf_counter()
        reqs = draw_stream(D_a, test, N, R, a.seed)
        all_pairs = np.concatenate(reqs)
        all_pairs = all_pairs[np.lexsort((all_pairs[:, 1], all_pairs[:, 0]))]
        users = np.unique(all_pairs[:, 0])
        D_r = D_a.remove(all_pairs[:, 0], all_pairs[:, 1])
        mask = D_r.add(split.valid.users, split.valid.items)  # masked in the rankings: the users' remaining training-portion items

        # --- the Eraser's stream (and, unless --no-erase-items, a second one with erase_items=True), then implicit's
        # ALS update of the same requests; the whole round --repeats times, so that both see the machine alike -------
        streams, m_impl, diff_first, models = {}, None, np.nan, {}  # label -> dict(model, setup_s, setup_wall, rss, peak, loss) (first round)
        als = []  # the report of each retrain-als on the final data: one right after each round's Eraser stream
        def run_als():  # (the model is the same every run: the first one's is kept, for the quality table)
            print(f'R={R}: retrain-als on {len(all_pairs):,} pairs ...', file=sys.stderr, flush=True)
            sync(); t = time.perf_counter()
            m_, r_ = forget(original, D_a, all_pairs, 'retrain-als', seed=a.seed)
            sync(); r_.wall = time.perf_counter() - t
            if not als: models['retrain-als'] = m_
            als.append(r_)
        for rep_i in range(a.repeats):
            for label_, opts in VARIANTS[:1 if a.no_erase_items else None]:
                rss0 = rss_mb(); sync()
                t = time.perf_counter(); er = Eraser(original, D_a, device=dev); sync(); setup_wall = time.perf_counter() - t
                for k, pairs in enumerate(reqs):
                    sync(); t = time.perf_counter()
                    rep = er.forget(pairs=pairs, method=METHOD, **opts)
                    sync(); wall = time.perf_counter() - t
                    touched = getattr(rep, 'rows_touched', None) or {}
                    per_req.append(dict(users_per_request=R, repeat=rep_i, request=k + 1, method=label_, wall_s=wall, time_s=rep.time_s,
                                        rep_wall_s=getattr(rep, 'wall_s', np.nan), n_pairs=len(pairs), n_forget=rep.n_forget,
                                        passes=rep.passes, stop_reason=rep.stop_reason,
                                        users_solved=touched.get('users', np.nan), items_solved=touched.get('items', np.nan)))
                if rep_i == 0:
                    st = dict(rss=rss_mb() - rss0, peak=peak_rss_mb(), model=er.model.clone(), setup=[], setup_wall=[])
                    if er.data.nnz != D_r.nnz: notes.append(f'R={R}, {label_}: er.data has {er.data.nnz} pairs, expected {D_r.nnz}')
                    st['loss'] = float(er.loss())
                    streams[label_] = st
                elif not torch.equal(er.model.P, streams[label_]['model'].P):
                    notes.append(f'R={R}, {label_}: round {rep_i + 1} ended with another model than round 1')
                streams[label_]['setup'].append(float(er.setup_s)); streams[label_]['setup_wall'].append(setup_wall)
                del er
                if label_ == VARIANTS[0][0] and len(als) < n_als: run_als()  # the yardstick within a second of the stream it measures
            if ALS is not None:
                im = ImplicitStream(ALS, original, D_a, threads=a.threads or 0)
                for k, pairs in enumerate(reqs):
                    t = time.perf_counter()
                    edit_s, fit_s = im.forget(pairs)
                    wall = time.perf_counter() - t
                    if k == 0 and rep_i == 0:  # implicit's user solve vs ENMF's exact one on the same Q and data: the mapping, checked
                        uu = np.unique(pairs[:, 0])
                        with torch.no_grad():
                            x_enmf = user_problem(original, D_a.remove(pairs[:, 0], pairs[:, 1]), uu).solve().cpu()
                        x = torch.from_numpy(im.als.user_factors[uu]) / original.h.detach().cpu()
                        diff_first = float((x - x_enmf).norm() / x_enmf.norm())
                    per_req.append(dict(users_per_request=R, repeat=rep_i, request=k + 1, method='implicit-als', wall_s=wall,
                                        time_s=edit_s + fit_s, csr_edit_s=edit_s, partial_fit_s=fit_s, n_pairs=len(pairs),
                                        users_solved=len(np.unique(pairs[:, 0])), items_solved=len(np.unique(pairs[:, 1]))))
                if rep_i == 0: m_impl = im.as_enmf(original)
                del im
        while len(als) < n_als: run_als()
        for st in streams.values(): st['setup_s'], st['setup_wall'] = float(np.median(st['setup'])), float(np.median(st['setup_wall']))

        # --- one combined request on the original, and the retrains on the final data ------------------------------
        reps = {'retrain-als': als[0]}  # (its time: the median of the runs)
        als_runs[R] = [r_.time_s for r_ in als]
        reps['retrain-als'].time_s = float(np.median(als_runs[R]))
        for m in [METHOD, *([] if a.no_retrain_star else ['retrain*']), 'retrain']:
            print(f'R={R}: {m} on {len(all_pairs):,} pairs ...', file=sys.stderr, flush=True)
            sync(); t = time.perf_counter()
            models[m], reps[m] = forget(original, D_a, all_pairs, m, seed=a.seed)
            sync(); reps[m].wall = time.perf_counter() - t

        # --- quality after the stream -------------------------------------------------------------------------------
        sc = Scenario(users=users, D_f=all_pairs, D_r=D_r, test=test, mask=mask)
        ref = measure(models['retrain'], sc); r_ref, top_ref = ref.metrics, ref.top
        top_comb = measure(models[METHOD], sc, ref).top
        cands = [('original', original), *[(lb.replace('Eraser', 'Eraser stream'), st['model']) for lb, st in streams.items()], ('combined request', models[METHOD]),
                 *([('implicit stream', m_impl)] if m_impl is not None else []), ('retrain-als', models['retrain-als']),
                 *([('retrain*', models['retrain*'])] if 'retrain*' in models else []), ('retrain', models['retrain'])]
        mets, memory = {}, Memory(original, models['retrain'], sc)  # residual memory against the retrain on the final data
        for name, mod in cands:
            met, top, _ = (dict(r_ref), top_ref, None) if name == 'retrain' else measure(mod, sc, ref)
            met['rbo@10_vs_combined'] = float(rbo_at_k(top, top_comb, 10))
            met.update(memory(mod, met['loss_dr']))
            mets[name] = met
        rbo_star = mets['retrain*']['rbo@10'] if 'retrain*' in mets else None
        for name, _ in cands:
            met = mets[name]
            bars = quality_bars(met, rbo_star) if name != 'retrain' else []
            checks = utility_checks(met, r_ref) if name != 'retrain' else []
            failed = [c.split(' ')[0] for c, v, tgt, ok in bars if not ok]
            short = [c.split(' ')[0] for c, v, tgt, ok in checks if not ok]
            quality.append({'R': R, 'model': name, 'loss on D_r': f'{met["loss_dr"]:,.0f}', 'loss / retrain': met['loss_dr'] / r_ref['loss_dr'],
                            're-predict': met['repredict'], 'residual memory': met['memory'],
                            'Recall@10': met['recall@10'], 'NDCG@10': met['ndcg@10'], 'RBO@10 vs retrain': met['rbo@10'],
                            'RBO@10 vs combined': met['rbo@10_vs_combined'],
                            'bars': '—' if name == 'retrain' else ('all met' if not failed else 'fails ' + ', '.join(failed)),
                            'utility': '—' if name == 'retrain' else ('all met' if not short else 'misses ' + ', '.join(short))})

        # --- timing rows ------------------------------------------------------------------------------------------
        t_ret, t_als = reps['retrain'].time_s, reps['retrain-als'].time_s
        for meth, setup in [*[(lb, st['setup_s']) for lb, st in streams.items()], *([('implicit-als', np.nan)] if ALS is not None else [])]:
            mine = [r for r in per_req if r['users_per_request'] == R and r['method'] == meth]
            first = np.array([r['wall_s'] for r in mine if r['request'] == 1])  # (one per round)
            rest = np.array([r['wall_s'] for r in mine if r['request'] > 1])  # requests 2..N of every round, pooled
            total = np.median([sum(r['wall_s'] for r in mine if r['repeat'] == i) for i in range(a.repeats)])
            row = {'R': R, 'method': meth if meth != 'implicit-als' else 'implicit ALS (partial_fit)',
                   'set-up (s)': setup, 'first (ms)': np.median(first) * 1e3, 'p50 (ms)': pct(rest, 50) * 1e3, 'p95 (ms)': pct(rest, 95) * 1e3,
                   'max (ms)': rest.max() * 1e3 if len(rest) else np.nan, 'stream total (s)': total,
                   '× vs retrain': t_ret / pct(rest, 50), '× vs retrain-als': t_als / pct(rest, 50)}
            if meth in streams: row['peak RSS (MB)'], row['RSS growth (MB)'] = streams[meth]['peak'], streams[meth]['rss']
            timing.append(row)
        for meth in ['retrain-als', 'retrain', *(['retrain*'] if 'retrain*' in reps else [])]:
            once = f'median of {n_als} runs' if meth == 'retrain-als' and n_als > 1 else 'once'
            timing.append({'R': R, 'method': f'{meth} ({once}, final data)', 'p50 (ms)': reps[meth].time_s * 1e3,
                           'stream total (s)': reps[meth].time_s * N, '× vs retrain': t_ret / reps[meth].time_s,
                           '× vs retrain-als': t_als / reps[meth].time_s})
        timing.append({'R': R, 'method': f'{METHOD} (one combined request)', 'p50 (ms)': reps[METHOD].time_s * 1e3,
                       '× vs retrain': t_ret / reps[METHOD].time_s, '× vs retrain-als': t_als / reps[METHOD].time_s,
                       'peak RSS (MB)': peak_rss_mb()})
        lead = VARIANTS[0][0]  # each round's p50 of the first Eraser stream against the retrain-als run right after it
        per_round = [(pct(np.array([r['wall_s'] for r in per_req if r['users_per_request'] == R and r['method'] == lead
                                    and r['repeat'] == i and r['request'] > 1]), 50), als_runs[R][i]) for i in range(min(a.repeats, len(als_runs[R])))]
        notes.append(f'R={R}: {len(all_pairs):,} pairs from {len(users):,} users ({len(all_pairs) / N:.0f} per request on average), '
                     f'final data {D_r.nnz:,} pairs; '
                     + (f'{lead} p50 and retrain-als round by round: ' + ', '.join(f'{p * 1e3:.2f} ms vs {t * 1e3:.0f} ms ({t / p:.0f}×)'
                                                                                  for p, t in per_round) + '; ' if a.repeats > 1 else '')
                     + ''.join(f'{lb}: set-up {st["setup_s"] * 1e3:.1f} ms (er.setup_s; the constructor\'s wall time '
                               f'{st["setup_wall"] * 1e3:.1f} ms), er.loss() after the stream {st["loss"]:,.1f}; ' for lb, st in streams.items())
                     + f'combined request '
                     f'{reps[METHOD].time_s * 1e3:.1f} ms ({reps[METHOD].passes} passes, {reps[METHOD].stop_reason}); '
                     + (f'implicit\'s rows of request 1\'s users vs ENMF\'s exact solve of the same rows on the same Q and '
                        f'data (`user_problem(...).solve()`): relative difference {diff_first:.1e}; ' if ALS is not None else '')
                     + f'{time.perf_counter() - t_R:.0f} s for this R')
        print(notes[-1], file=sys.stderr, flush=True)

    # --- output ---------------------------------------------------------------------------------------------------
    pr = pd.DataFrame(per_req)
    pr.to_csv(out / 'stream.csv', index=False)
    tcols = ['R', 'method', 'set-up (s)', 'first (ms)', 'p50 (ms)', 'p95 (ms)', 'max (ms)', 'stream total (s)',
             '× vs retrain', '× vs retrain-als', 'peak RSS (MB)', 'RSS growth (MB)']
    tdf = pd.DataFrame(timing).reindex(columns=tcols)
    qdf = pd.DataFrame(quality)
    threads = f'{torch.get_num_threads()} torch thread(s)' + (f', BLAS limited to {a.threads}' if blas_limit is not None else '')
    md = (f'# A stream of deletion requests: {label}, seed {a.seed}\n\n'
          f'torch {torch.__version__}, device {dev}, {threads}, {os.cpu_count()} CPUs (1-minute load average '
          f'{load0:.2f} at the start, {os.getloadavg()[0]:.2f} at the end); {implicit_note}'
          + (f' with num_threads={a.threads}' if ALS is not None else '') + '. '
          f'{N} requests of R users each (users drawn without replacement, each deleting ⌊n_u/2⌋ of their training items), '
          f'applied in order. The original ({D_a.nnz:,} training pairs of a per-user split) was '
          + (f'loaded from `{model_path}` (trained in {train_s:.1f} s)' if cached else f'trained in {train_s:.1f} s') + '.\n\n'
          '## Time per request\n\n'
          f'Wall time of each call (`time.perf_counter()` around `er.forget(pairs=..., method="{METHOD}")`; "Eraser, erase_items": '
          'a second Eraser, `erase_items=True`, whose first round also re-solves every item of the request, as implicit\'s '
          'update does; or around the CSR '
          'edit + `partial_fit_users` + `partial_fit_items` for implicit). '
          + (f'Each stream ran {a.repeats} times, the Eraser\'s and implicit\'s in turn (one round: each Eraser stream, then '
             f'implicit\'s), so that both met the machine alike: p50/p95/max pool requests 2..{N} of every round, first = '
             'the median of request 1, stream total = the median per round; the plot shows round 1. '
             if a.repeats > 1 else f'first = request 1, p50/p95/max over requests 2..{N}. ')
          + f'set-up = `er.setup_s` (the median over rounds), paid once per dataset and model (not in any request). retrain / retrain*: one run '
          f'(`forget(original, D_a, every pair, method)`, report.time_s) on the final data, in the p50 column; retrain-als: '
          f'the median of {n_als} such runs, one right after each round\'s Eraser stream (' + '; '.join(f'R={r}: ' + ', '.join(f'{x * 1e3:.0f}' for x in v) + ' ms'
                                                    for r, v in als_runs.items()) + '), in the p50 '
          'column; "stream total" for them = N such runs (retraining after every request). The last row per R: every pair '
          'of the stream as one request on the original. peak RSS = process peak after the stream; RSS growth = resident '
          'memory added by the Eraser and its stream.\n\n' + markdown(tdf) + '\n\n'
          '## Quality after the stream\n\n'
          f'Stream\'s users (R × N), their test split; rankings mask the remaining training and validation items. '
          f'Against the retrain on the final data ({describe_bars()}; `altnb.quality`), residual memory measured from the '
          'original before the stream to that retrain (one seed). "implicit stream" = implicit\'s factors after its '
          'stream, put back into an ENMF (same objective).\n\n'
          + markdown(qdf) + '\n\n' + '\n'.join(f'* {n}' for n in notes) + '\n')
    (out / 'stream.md').write_text(md)
    print(md)
    plot_stream(pr, tdf, out, f'A stream of {N} deletion requests — {label}', a.threads)
    print(f'wrote {out}/stream.md, stream.csv, stream.png ({time.perf_counter() - t_all:.0f} s)', file=sys.stderr)


def plot_stream(pr: pd.DataFrame, tdf: pd.DataFrame, out: Path, title: str, threads: int = 1) -> None:
    "stream.png: each request's wall time over the stream (round 1), with the retrains on the final data as lines."
    Rs = sorted(pr.users_per_request.unique())
    fig, axes = plt.subplots(1, len(Rs), figsize=(6.5 * len(Rs), 4.2), squeeze=False)
    colors = {'Eraser': '#e377c2', 'Eraser, erase_items': '#9467bd', 'implicit-als': '#ff7f0e'}
    for ax, R in zip(axes[0], Rs):
        g = pr[(pr.users_per_request == R) & (pr.repeat == 0)]  # (the first round)
        for meth, gm in g.groupby('method', sort=False):
            ax.plot(gm['request'], gm['wall_s'], marker='.', ms=4, lw=1, color=colors.get(meth),
                    label=f'{meth} ({METHOD})' if meth != 'implicit-als' else f'implicit ALS (partial_fit, {threads} thread)')
        for _, r in tdf[(tdf.R == R) & tdf.method.str.contains('final data')].iterrows():  # retrain, retrain*, retrain-als
            name, how = r['method'].split(' ')[0], r['method'].split('(')[1].split(',')[0]
            ax.axhline(r['p50 (ms)'] / 1e3, ls='--', lw=1, color={'retrain': '#1f77b4', 'retrain-als': '#2ca02c'}.get(name, '#17becf'),
                       label=f'{name} on the final data ({how})')
            if name == 'retrain-als':  # the yardstick: a request a hundredth of it
                ax.axhline(r['p50 (ms)'] / 1e5, ls=':', lw=1, color='#2ca02c', label='retrain-als / 100')
        ax.set(yscale='log', xlabel='request', ylabel='wall time per request (s)', title=f'{R} user(s) per request')
        ax.grid(True, which='both', alpha=.3); ax.legend(fontsize=7)
    fig.suptitle(title, fontsize=10)
    fig.tight_layout(); fig.savefig(out / 'stream.png', dpi=120)


def replot(out: Path, threads: int = 1) -> None:
    "Redraw stream.png from a run's stream.csv and the time table of its stream.md (no benchmark run)."
    md = (out / 'stream.md').read_text()
    rows = [l for l in md.split('## Time per request')[1].split('## Quality')[0].splitlines() if l.startswith('| ')]
    head = [c.strip() for c in rows[0].strip('|').split('|')]
    tdf = pd.DataFrame([[c.strip() for c in l.strip('|').split('|')] for l in rows[1:]], columns=head)
    tdf['R'] = tdf['R'].astype(int)
    tdf['p50 (ms)'] = pd.to_numeric(tdf['p50 (ms)'], errors='coerce')
    title = md.splitlines()[0].lstrip('# ').replace('A stream of deletion requests: ', '')
    n = int(pd.read_csv(out / 'stream.csv')['request'].max())
    plot_stream(pd.read_csv(out / 'stream.csv'), tdf, out, f'A stream of {n} deletion requests — {title.rsplit(", seed", 1)[0]}', threads)


if __name__ == '__main__':
    main()
