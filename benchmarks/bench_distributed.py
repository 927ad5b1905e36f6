#!/usr/bin/env python3
"""Exact ALS and AltEraser requests sharded over torch.distributed: 1 rank against 2 on this machine, measured in one run.

For each scale (synthetic data at MovieLens-1m's shape, 6,040 users x 3,706 items x 1,000,209 interactions, times the
scale): `--passes` full retrain-als passes (`altnb.distributed.sharded_pass`) from the model's initialisation on 1 rank
and on 2 ranks (gloo, one torch thread per rank), launched alternately `--repeat` times; the time of each pass (the
slowest rank's), the bytes each rank hands to the collectives per pass (halo rows, Gram matrices and scalars) and the
speed-up. Beside them, in the 1-rank process, the single-process pass (`update_rows` on users then items and the loss,
what `retrain_als` does per pass). Then `--requests` affected-only requests (`alteraser-ah-local`) of `--users` users
each (each deletes half of their items, at random) on the model those passes made: the single-process `Eraser` in this
process, a 1-rank and a 2-rank `ShardedEraser`, the same requests in the same order; wall time per request. Finally
the time of one halo transfer by all-to-all and by all-gather, and the collectives' latency and bandwidth on this
machine (the cost model's constants: `nbs/09_distributed.ipynb`).

    python benchmarks/bench_distributed.py --out benchmarks/results/distributed    # scales 1 and 10 (~10 minutes)
    python benchmarks/bench_distributed.py --smoke --out runs/ci-distributed         # tiny, seconds

Writes bench.md (the tables) and bench.json (every measurement) to --out; the synthetic data and the model are cached
under --cache (never committed).
"""
import argparse, json, os, statistics, subprocess, sys, time
from pathlib import Path

import numpy as np
import torch
import torch.distributed as dist

from altnb.alteraser import _loss_fn, update_rows
from altnb.data import synthetic
from altnb.formats import read_native, save_interactions
from altnb.distributed import (Exchange, ShardedENMF, ShardedEraser, launch, shard_of, shard_ranges, sharded_pass)
from altnb.index import RowIndex
from altnb.model import ENMF
from altnb.train import load_model, save_model
from altnb.unlearn import Eraser
import pandas as pd
from _common import markdown  # (benchmarks/_common.py: run as python benchmarks/...)

ML1M = dict(n_users=6040, n_items=3706, n_interactions=1_000_209)  # MovieLens-1m's shape


def uptime() -> str:
    "The `uptime` line (load averages over 1, 5 and 15 minutes)."
    try: return subprocess.run(['uptime'], capture_output=True, text=True).stdout.strip()
    except OSError: return 'load average: %.2f, %.2f, %.2f' % os.getloadavg()


def busy_share(seconds: float = 1.0) -> float:
    "Share of the machine's CPU time spent busy (by anyone) over the next `seconds` (/proc/stat; NaN where there is none)."
    def sample():
        f = [int(x) for x in Path('/proc/stat').read_text().split('\n')[0].split()[1:]]
        return sum(f), f[3] + f[4]  # total, idle + iowait
    try:
        (t0, i0), _, (t1, i1) = sample(), time.sleep(seconds), sample()
        return 1 - (i1 - i0) / max(t1 - t0, 1)
    except OSError: return float('nan')


def wait_for_quiet(max_wait: float, below: float = 0.25) -> float:
    "Wait (up to max_wait seconds) until the other processes leave the CPUs mostly idle; the busy share at the start."
    t = time.perf_counter()
    while (b := busy_share()) > below and time.perf_counter() - t < max_wait: time.sleep(4)
    return b


def data_at(scale: float, cache: Path, seed: int) -> Path:
    "The synthetic data at `scale` × MovieLens-1m's shape, generated once and cached as a native .npz."
    path = cache / f'synthetic-x{scale:g}-seed{seed}.npz'
    if not path.exists():
        cache.mkdir(parents=True, exist_ok=True)
        save_interactions(synthetic(**{k: int(v * scale) for k, v in ML1M.items()}, seed=seed), path)
    return path


def _sent(sm) -> dict: return dict(sm.sent)
def _minus(a: dict, b: dict) -> dict: return {k: a[k] - b.get(k, 0) for k in a}


def pass_job(rank: int, ranks: int, spec: dict) -> dict:
    "One rank: its share of the model's initialisation, then `passes` timed sharded passes (and, on 1 rank, the single-process ones)."
    data = read_native(spec['data'])
    start = ENMF(data.n_users, data.n_items, d=spec['d'], seed=0)
    t = time.perf_counter()
    shard = shard_of(data, rank, *shard_ranges(data, ranks, spec['d']))
    sm = ShardedENMF.from_model(start, shard, how=spec['how'])
    out = dict(rank=rank, setup_s=time.perf_counter() - t, passes=[], plain=[],
               users=sm.user.stop - sm.user.start, items=sm.item.stop - sm.item.start, nnz_user_view=len(sm.user.index.data),
               nnz_item_view=sm.nnz, halo_items=len(sm.user.halo), halo_users=len(sm.item.halo))
    for p in range(spec['passes']):
        dist.barrier(); s0, t = _sent(sm), time.perf_counter()
        loss = sharded_pass(sm)
        out['passes'].append(dict(time_s=time.perf_counter() - t, loss=loss, sent=_minus(_sent(sm), s0)))
    out['how'] = {k: ex.how for k, ex in sm.exchange.items()}  # ('auto': after the first pass's trial)
    out['trial'] = {k: ex.trial for k, ex in sm.exchange.items()}
    if ranks == 1 and spec['plain']:  # the single-process pass on the same start, same process
        m, ix = start.clone(), RowIndex(data)
        L = _loss_fn(m, ix)
        for p in range(spec['passes']):
            t = time.perf_counter()
            update_rows(m, ix, 'user', None); update_rows(m, ix, 'item', None); loss = L()
            out['plain'].append(dict(time_s=time.perf_counter() - t, loss=loss))
    if ranks == 1: out['row_matmul_s'] = row_matmul_seconds(len(sm.user.halo) + len(sm.item.halo), spec['d'])
    whole = sm.gather()
    if rank == 0 and spec.get('save'): save_model(whole, spec['save'], data)
    if rank == 0 and whole is not None: out['factors'] = {'P': whole.P.detach().clone(), 'Q': whole.Q.detach().clone()}
    out['transfer'] = transfer_times(sm, shard) if ranks > 1 else {}
    return out


def row_matmul_seconds(n: int, d: int, reps: int = 5) -> float:
    "Seconds per row of an (n, d) @ (d, d) product: the unit of a pass's per-row d×d work (rotations, Gram shares)."
    X, V, ts = torch.randn(n, d), torch.linalg.qr(torch.randn(d, d))[0], []
    for _ in range(reps):
        t = time.perf_counter(); X @ V; ts.append(time.perf_counter() - t)
    return statistics.median(ts) / n


def transfer_times(sm, shard, reps: int = 5) -> dict:
    "Seconds and bytes per halo transfer of the users' view (the items' rows), by all-to-all and by all-gather."
    out = {}
    for how in ('all_to_all', 'all_gather'):
        ex = Exchange(sm.user.halo, shard.items, how)
        ts = []
        for _ in range(reps):
            dist.barrier(); t = time.perf_counter()
            sent = ex(sm.item.X, sm.user.Y)
            dist.barrier(); ts.append(time.perf_counter() - t)
        out[how] = dict(time_s=statistics.median(ts), bytes=sent)
    # the collectives' constants: a 1-float all-reduce (latency) and a 4 MB all-reduce (bandwidth)
    for name, n in (('latency', 1), ('bandwidth', 1 << 20)):
        x, ts = torch.zeros(n), []
        for _ in range(reps * 4):
            dist.barrier(); t = time.perf_counter(); dist.all_reduce(x); ts.append(time.perf_counter() - t)
        out[name] = dict(time_s=statistics.median(ts), bytes=4 * n)
    return out


def draw_requests(data, n: int, per: int, seed: int) -> list:
    "n requests of `per` distinct users each (no user twice); each deletes ⌊n_u/2⌋ of their items, at random."
    rng = np.random.default_rng(seed)
    users = rng.choice(np.flatnonzero(data.user_counts >= 2), n * per, replace=False).reshape(n, per)
    out = []
    for row in users:
        p = [np.stack([np.full(len(its) // 2, u), rng.choice(its, len(its) // 2, replace=False)], 1)
             for u in row for its in [data.items_of(u)]]
        out.append(np.concatenate(p).astype(np.int64))
    return out


def request_job(rank: int, ranks: int, spec: dict) -> dict:
    "One rank of a `ShardedEraser`: the requests in order, each timed (rank 0's report)."
    data, model = read_native(spec['data']), load_model(spec['model'])
    t = time.perf_counter()
    er = ShardedEraser(ShardedENMF.from_model(model, shard_of(data, rank, *shard_ranges(data, ranks, model.d))))
    out = dict(setup_s=time.perf_counter() - t, requests=[])
    for pairs in spec['requests']:
        dist.barrier(); s0 = _sent(er.model)
        rep = er.forget(pairs if rank == 0 else None, method='alteraser-ah-local')
        sent = _minus(_sent(er.model), s0)
        if rank == 0: out['requests'].append(dict(wall_s=rep.wall_s, time_s=rep.time_s, rounds=rep.passes, solved=rep.rows_touched,
                                                  reason=rep.stop_reason, sent=sent))
        else: out['requests'].append(dict(sent=sent))
    whole = er.model.gather()
    if whole is not None: out['factors'] = {'P': whole.P.detach().clone(), 'Q': whole.Q.detach().clone()}
    return out


def single_requests(spec: dict) -> dict:
    "The same requests on the single-process `Eraser`, in this process."
    data, model = read_native(spec['data']), load_model(spec['model'])
    er, out = Eraser(model, data), dict(requests=[])
    out['setup_s'] = er.setup_s
    for pairs in spec['requests']:
        rep = er.forget(pairs, method='alteraser-ah-local')
        out['requests'].append(dict(wall_s=rep.wall_s, time_s=rep.time_s, rounds=rep.passes, solved=rep.rows_touched, reason=rep.stop_reason))
    out['factors'] = {'P': er.model.P.detach().clone(), 'Q': er.model.Q.detach().clone()}
    return out


def rel(a, b) -> float: return float((a - b).norm() / b.norm())


def run_scale(scale: float, a, cache: Path) -> dict:
    path = data_at(scale, cache, a.seed)
    data = read_native(path)
    model_path = cache / f'model-x{scale:g}-seed{a.seed}-d{a.d}-passes{a.passes}.pt'
    hist = lambda c: np.stack(np.unique(c, return_counts=True), 1).tolist()  # [[degree, how many rows], ...]
    res = dict(scale=scale, n_users=data.n_users, n_items=data.n_items, nnz=len(data), d=a.d, uptime_before=uptime(), runs=[],
               user_degrees=hist(data.user_counts), item_degrees=hist(data.item_counts))
    spec = dict(data=str(path), d=a.d, passes=a.passes, how=a.how, plain=True, save=str(model_path))
    for rep in range(a.repeat):  # 1 rank, 2 ranks, 1 rank, 2 ranks, ...: a change of load hits both
        for R in a.ranks:
            busy = wait_for_quiet(a.wait_quiet)
            outs = launch(pass_job, R, dict(spec, plain=rep == 0, save=str(model_path) if R == 1 and rep == 0 else None))
            for o in outs: o.pop('factors', None) if o['rank'] else None
            res['runs'].append(dict(ranks=R, repeat=rep, out=outs, busy_before=busy))
            print(f'  x{scale:g}: {R} rank(s), run {rep + 1} (CPUs {busy:.0%} busy before): passes ' +
                  ', '.join(f'{max(o["passes"][p]["time_s"] for o in outs):.2f}' for p in range(a.passes)) + ' s', flush=True)
    f = {R: next(r['out'][0]['factors'] for r in res['runs'] if r['ranks'] == R and 'factors' in r['out'][0]) for R in a.ranks}
    res['factors_vs_1_rank'] = {R: max(rel(f[R]['P'], f[1]['P']), rel(f[R]['Q'], f[1]['Q'])) for R in a.ranks}
    for r in res['runs']:
        for o in r['out']: o.pop('factors', None)
    requests = draw_requests(data, a.requests, a.users, a.seed)
    rspec = dict(data=str(path), model=str(model_path), requests=requests)
    res['requests_busy_before'] = [wait_for_quiet(a.wait_quiet)]
    res['requests'] = {'single': single_requests(rspec)}
    for R in a.ranks:
        res['requests_busy_before'].append(wait_for_quiet(a.wait_quiet))
        res['requests'][R] = launch(request_job, R, rspec)
    fs = res['requests']['single'].pop('factors')
    res['request_factors_vs_single'] = {}
    for R in a.ranks:
        fr = res['requests'][R][0].pop('factors')
        res['request_factors_vs_single'][R] = max(rel(fr['P'], fs['P']), rel(fr['Q'], fs['Q']))
    res['n_request_pairs'] = [len(p) for p in requests]
    res['uptime_after'] = uptime()
    return res


def tables(results: list, a) -> str:
    rows, req_rows, tr_rows = [], [], []
    for res in results:
        one = one_best = None
        for R in a.ranks:
            runs = [r for r in res['runs'] if r['ranks'] == R]
            per_pass = [max(o['passes'][p]['time_s'] for o in r['out']) for r in runs for p in range(1, a.passes)]  # (pass 1 warms up)
            t = statistics.median(per_pass)
            one = t if R == 1 else one
            o0 = runs[0]['out']
            sent = [statistics.mean(sum(p['sent'].values()) for p in o['passes']) for o in o0]
            halo = [statistics.mean(p['sent']['halo'] for p in o['passes']) for o in o0]
            plain = [p['time_s'] for p in o0[0]['plain'][1:]] if R == 1 else []
            best = min(per_pass); one_best = best if R == 1 else one_best
            rows.append(dict(scale=f'x{res["scale"]:g}', ranks=R, halo_by='/'.join(sorted(set(o0[0]['how'].values()))) if R > 1 else '—', pass_s=t,
                             min_s=best, max_s=max(per_pass), speedup=one / t, speedup_of_min=one_best / best,
                             busy_before=max(r['busy_before'] for r in runs),
                             single_process_pass_s=statistics.median(plain) if plain else float('nan'),
                             MB_sent_per_rank_per_pass=max(sent) / 1e6, of_which_halo_MB=max(halo) / 1e6,
                             loss_after=o0[0]['passes'][-1]['loss'], factors_vs_1_rank=res['factors_vs_1_rank'][R]))
        single = res['requests']['single']['requests']
        ws = [q['wall_s'] for q in single]
        req_rows.append(dict(scale=f'x{res["scale"]:g}', run='Eraser (single process)', p50_ms=1e3 * statistics.median(ws),
                             max_ms=1e3 * max(ws), vs_single=1.0, rounds=statistics.median(q['rounds'] for q in single),
                             rows_solved=statistics.median(sum(q['solved'].values()) for q in single), KB_sent_per_rank=0.0,
                             factors_vs_single=0.0))
        for R in a.ranks:
            outs = res['requests'][R]
            qs = outs[0]['requests']
            w = [q['wall_s'] for q in qs]
            kb = max(statistics.mean(sum(q['sent'].values()) for q in o['requests']) for o in outs) / 1e3
            req_rows.append(dict(scale=f'x{res["scale"]:g}', run=f'ShardedEraser, {R} rank(s)', p50_ms=1e3 * statistics.median(w),
                                 max_ms=1e3 * max(w), vs_single=statistics.median(w) / statistics.median(ws),
                                 rounds=statistics.median(q['rounds'] for q in qs),
                                 rows_solved=statistics.median(sum(q['solved'].values()) for q in qs), KB_sent_per_rank=kb,
                                 factors_vs_single=res['request_factors_vs_single'][R]))
        for r in res['runs']:
            if r['ranks'] > 1 and r['repeat'] == 0:
                tr = r['out'][0]['transfer']
                for k, v in tr.items():
                    tr_rows.append(dict(scale=f'x{res["scale"]:g}', what=k, ms=1e3 * v['time_s'], MB=v['bytes'] / 1e6,
                                        MB_per_s=v['bytes'] / 1e6 / v['time_s']))
    return (markdown(pd.DataFrame(rows)), markdown(pd.DataFrame(req_rows)), markdown(pd.DataFrame(tr_rows)))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--scales', default='1,10', help='comma-separated multiples of MovieLens-1m\'s shape')
    ap.add_argument('--ranks', default='1,2', help='comma-separated rank counts (1 first: the speed-up is against it)')
    ap.add_argument('--passes', type=int, default=4, help='timed retrain-als passes per run (the first is reported apart)')
    ap.add_argument('--repeat', type=int, default=2, help='launches per rank count, alternated')
    ap.add_argument('--requests', type=int, default=5, help='affected-only requests per scale')
    ap.add_argument('--users', type=int, default=64, help='users per request')
    ap.add_argument('--d', type=int, default=64, help='embedding dimension')
    ap.add_argument('--how', default='auto', help="halo transfers: 'auto', 'all_to_all' or 'all_gather'")
    ap.add_argument('--wait-quiet', type=float, default=120, help='before each launch, wait up to this many seconds for the '
                    'CPUs to be under 25%% busy (other processes); the busy share is recorded either way')
    ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('--cache', default='runs/bench-distributed', help='where the synthetic data and the model are cached')
    ap.add_argument('--out', default='runs/bench-distributed', help='where bench.md and bench.json go')
    ap.add_argument('--smoke', action='store_true', help='tiny: seconds (CI)')
    a = ap.parse_args(argv)
    if a.smoke: a.scales, a.passes, a.repeat, a.requests, a.users, a.d, a.wait_quiet = '0.05', 2, 1, 2, 8, 16, 0
    a.ranks = [int(r) for r in a.ranks.split(',')]
    if a.ranks[0] != 1: raise SystemExit('--ranks must start with 1 (the speed-ups are against it)')
    torch.set_num_threads(1)
    out, cache = Path(a.out), Path(a.cache)
    out.mkdir(parents=True, exist_ok=True)
    load0, up0, t_all = os.getloadavg()[0], uptime(), time.perf_counter()
    busy = load0 > 0.7
    print(up0 + ('  — the machine is busy: timings are noisy' if busy else ''), flush=True)
    results = [run_scale(float(s), a, cache) for s in a.scales.split(',')]
    up1 = uptime()
    passes, reqs, transfers = tables(results, a)
    head = (f'# Sharded exact ALS and AltEraser requests: 1 rank against {max(a.ranks)} on one machine\n\n'
            f'torch {torch.__version__}, gloo, one torch thread per rank, {os.cpu_count()} CPUs, niceness {os.nice(0)} (the ranks inherit it); d = {a.d}. '
            f'`uptime` before: `{up0}`; after: `{up1}`.'
            + (' **The machine was busy at the start (1-minute load > 0.7): the timings are noisy.**' if busy else '')
            + f' {a.repeat} launches per rank count, alternated; {a.passes} passes each; total {time.perf_counter() - t_all:.0f} s.\n\n')
    md = (head + '## Full passes (retrain-als)\n\npass_s: median over every launch of the slowest rank\'s time per pass, passes 2..'
          f'{a.passes} (pass 1 warms up); speedup = 1-rank pass_s / pass_s; single_process_pass_s: `update_rows` on users, then '
          'items, then the loss on one process (no sharding code), same start; speedup_of_min: the same with each rank count\'s '
          'fastest pass; busy_before: the largest share of the CPUs other processes kept busy just before a launch; MB sent per rank per pass: what the rank hands '
          'to the collectives (halo rows; all-reduces counted as a ring sends them, 2(R-1)/R of their size), the largest rank; '
          'factors_vs_1_rank: relative difference of the gathered factors after the last pass (float32).\n\n' + passes +
          f'\n\n## Affected-only requests (alteraser-ah-local), {a.requests} requests of {a.users} users\n\nWall time of each '
          '`forget` call (rank 0: the collectives make every rank wait for the slowest); vs_single = p50 / the single-process '
          'p50; factors_vs_single: relative difference from the single-process Eraser after all requests (float32).\n\n' + reqs +
          '\n\n## One halo transfer, and the collectives\' constants (2 ranks)\n\n' + transfers + '\n')
    (out / 'bench.md').write_text(md)
    (out / 'bench.json').write_text(json.dumps(dict(args=vars(a), uptime_before=up0, uptime_after=up1, results=results),
                                               indent=1, default=str))
    print(md)


if __name__ == '__main__':
    main()
