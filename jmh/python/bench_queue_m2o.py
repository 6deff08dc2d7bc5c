#!/usr/bin/env python3
"""CPython's multiprocessing.Queue with several producer processes and the main process consuming.

bench_mp.py (../shared/anchors/python) measures the queue with one producer only; this is its case 2 with N
producers, timed the same way: from releasing the (already started, ready) producers until the main process has
get() all items. One warm-up rep, then --reps reps; prints "TRIALS <msgs/s> ..." for DataPathHarness.

    python3 jmh/python/bench_queue_m2o.py --producers 4 --reps 3 [--n 200000]
"""
import argparse
import multiprocessing as mp
import time


def producer(q, n, ready, go):
    ready.set()
    go.wait()
    put = q.put
    for i in range(n):
        put(i)


def run(ctx, producers, n):
    q = ctx.Queue()
    go = ctx.Event()
    readies = []
    procs = []
    per = n // producers
    for _ in range(producers):
        ready = ctx.Event()
        p = ctx.Process(target=producer, args=(q, per, ready, go))
        p.start()
        readies.append(ready)
        procs.append(p)
    for ready in readies:
        ready.wait()
    get = q.get
    total = per * producers
    t0 = time.perf_counter()
    go.set()
    s = 0
    for _ in range(total):
        s += get()
    t1 = time.perf_counter()
    if s != producers * (per * (per - 1) // 2):
        raise RuntimeError('queue checksum mismatch')
    for p in procs:
        p.join(60)
        if p.exitcode != 0:
            raise RuntimeError('producer ended with %s' % p.exitcode)
    q.close()
    q.join_thread()
    return total / (t1 - t0)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--producers', type=int, default=4)
    ap.add_argument('--reps', type=int, default=3)
    ap.add_argument('--n', type=int, default=200_000)
    args = ap.parse_args()
    ctx = mp.get_context('fork')
    run(ctx, args.producers, args.n)  # warm-up rep
    rates = [run(ctx, args.producers, args.n) for _ in range(args.reps)]
    print('TRIALS ' + ' '.join('%.1f' % r for r in rates), flush=True)


if __name__ == '__main__':
    main()
