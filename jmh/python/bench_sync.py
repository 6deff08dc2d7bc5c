#!/usr/bin/env python3
"""bench_sync.py -- CPython side of jmultiprocessing's SyncHarness (issue 3), same scenarios, same sizes.

Prints one JSON object: {metric: [samples...]} after 1 warm-up; stdlib only.
  rlock_contended_ops_s     2 processes x N `with rlock: v.value += 1` on Value('i', lock=False)
  event_pingpong_rt_us      parent and child hand a turn back and forth with two Events; round trip
  barrier_round_us          parent and child meet at a Barrier(2), N rounds; time per round
  start_join_ms_<method>    start()+join() of an empty target, 20 sequential processes
  idle_child_rss_kb / idle_child_private_kb   a spawn child blocked in recv() (alone with ONLY=idle)
"""
import json
import multiprocessing as mp
import os
import sys
import time

N_LOCK = int(os.environ.get('N_LOCK', 100_000))
N_PING = int(os.environ.get('N_PING', 2_000))
N_BARRIER = int(os.environ.get('N_BARRIER', 2_000))
REPS = int(os.environ.get('REPS', 5))


def locked_adder(lock, value, n, go):
    go.wait()
    for _ in range(n):
        with lock:
            value.value += 1


def ponger(e1, e2, n):
    for _ in range(n):
        e1.wait()
        e1.clear()
        e2.set()


def barrier_party(barrier, n):
    for _ in range(n):
        barrier.wait()


def noop():
    pass


def idle(conn):
    conn.recv()


def rlock_contended(ctx):
    lock = ctx.RLock()
    value = ctx.Value('i', 0, lock=False)
    go = ctx.Event()
    ps = [ctx.Process(target=locked_adder, args=(lock, value, N_LOCK, go)) for _ in range(2)]
    for p in ps:
        p.start()
    time.sleep(0.3)
    t0 = time.perf_counter()
    go.set()
    for p in ps:
        p.join()
    t1 = time.perf_counter()
    assert value.value == 2 * N_LOCK, value.value
    return 2 * N_LOCK / (t1 - t0)


def event_pingpong(ctx):
    e1, e2 = ctx.Event(), ctx.Event()
    p = ctx.Process(target=ponger, args=(e1, e2, N_PING + 100))
    p.start()
    for _ in range(100):
        e1.set(); e2.wait(); e2.clear()
    t0 = time.perf_counter()
    for _ in range(N_PING):
        e1.set(); e2.wait(); e2.clear()
    t1 = time.perf_counter()
    p.join()
    return 1e6 * (t1 - t0) / N_PING


def barrier_rounds(ctx):
    barrier = ctx.Barrier(2)
    p = ctx.Process(target=barrier_party, args=(barrier, N_BARRIER + 100))
    p.start()
    for _ in range(100):
        barrier.wait()
    t0 = time.perf_counter()
    for _ in range(N_BARRIER):
        barrier.wait()
    t1 = time.perf_counter()
    p.join()
    return 1e6 * (t1 - t0) / N_BARRIER


def start_join(ctx):
    t0 = time.perf_counter()
    for _ in range(20):
        p = ctx.Process(target=noop)
        p.start()
        p.join()
    return 1e3 * (time.perf_counter() - t0) / 20


def memory_kb(pid):
    rss = private = 0
    with open('/proc/%d/status' % pid) as fh:
        for line in fh:
            if line.startswith('VmRSS:'):
                rss = int(line.split()[1])
    with open('/proc/%d/smaps_rollup' % pid) as fh:
        for line in fh:
            if line.startswith('Private_Dirty:'):
                private = int(line.split()[1])
    return rss, private


def idle_child(ctx):
    a, b = ctx.Pipe()
    p = ctx.Process(target=idle, args=(b,))
    p.start()
    time.sleep(float(os.environ.get('IDLE_SECONDS', '1.0')))  # StartHarness also asks for a later look
    rss, private = memory_kb(p.pid)
    a.send(None)
    p.join()
    return rss, private


def main():
    results = {}
    if os.environ.get('ONLY') == 'idle':  # StartHarness: the idle child's memory only
        mem = [idle_child(mp.get_context('spawn')) for _ in range(REPS)]
        results['idle_child_rss_kb'] = [m[0] for m in mem]
        results['idle_child_private_kb'] = [m[1] for m in mem]
        print(json.dumps(results))
        return
    spawn = mp.get_context('spawn')
    fork = mp.get_context('fork')
    scenarios = [('rlock_contended_ops_s', lambda: rlock_contended(fork)),
                 ('event_pingpong_rt_us', lambda: event_pingpong(fork)),
                 ('barrier_round_us', lambda: barrier_rounds(fork))]
    for method in ('spawn', 'forkserver', 'fork'):
        scenarios.append(('start_join_ms_' + method, lambda m=method: start_join(mp.get_context(m))))
    for name, fn in scenarios:
        fn()  # warm-up
        results[name] = [fn() for _ in range(REPS)]
        print('%s done' % name, file=sys.stderr)
    mem = [idle_child(spawn) for _ in range(3)]
    results['idle_child_rss_kb'] = [m[0] for m in mem]
    results['idle_child_private_kb'] = [m[1] for m in mem]
    print(json.dumps(results))


if __name__ == '__main__':
    main()
