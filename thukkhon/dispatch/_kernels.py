"""Compiled (numba) hot loop: exact route evaluation, insertion, and the large neighbourhood search.

Internal node numbering for a problem with n requests and K vehicles: pickups 0..n-1, deliveries
n..2n-1, start depot of vehicle k at 2n+k, end depot at 2n+K+k. A route is stored without its
depots in row k of ``R`` (length ``LEN[k]``); a *sequence* is a route with both depots, positions
0..m2-1. All functions take plain arrays so that numba can cache them to disk.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

EPS = 1e-9
BIG = 1e18
# repair operator r (mod 5) -> kind: greedy, regret-2, regret-3, regret over all routes, sequential
REPAIR_KINDS = (0, 2, 3, 1, 4)

# ---------------------------------------------------------------------------------------------
# random numbers (xorshift64*), state in a one-element uint64 array: reproducible everywhere


@njit(cache=True)
def rand_u64(state):  # type: ignore[no-untyped-def]
    x = state[0]
    x ^= x >> np.uint64(12)
    x ^= x << np.uint64(25)
    x ^= x >> np.uint64(27)
    state[0] = x
    return x * np.uint64(2685821657736338717)


@njit(cache=True)
def rand_float(state):  # type: ignore[no-untyped-def]
    return float(rand_u64(state) >> np.uint64(11)) * (1.0 / 9007199254740992.0)


@njit(cache=True)
def rand_int(state, lo, hi):  # type: ignore[no-untyped-def]
    """Uniform integer in [lo, hi)."""
    value = lo + int(rand_float(state) * (hi - lo))
    return min(value, hi - 1)


@njit(cache=True)
def insertion_sort(values, count):  # type: ignore[no-untyped-def]
    """Sort values[:count] in place (short arrays; numba's general sort is slow to compile)."""
    for t in range(1, count):
        x = values[t]
        s = t - 1
        while s >= 0 and values[s] > x:
            values[s + 1] = values[s]
            s -= 1
        values[s + 1] = x


@njit(cache=True)
def argsort_small(values, count, idx):  # type: ignore[no-untyped-def]
    """idx[:count] = indices of values[:count] in increasing order (stable insertion sort)."""
    for t in range(count):
        idx[t] = t
    for t in range(1, count):
        x = idx[t]
        s = t - 1
        while s >= 0 and values[idx[s]] > values[x]:
            idx[s + 1] = idx[s]
            s -= 1
        idx[s + 1] = x


# ---------------------------------------------------------------------------------------------
# exact evaluation of one sequence


@njit(cache=True)
def build_seq(R, LEN, k, n, K, seq):  # type: ignore[no-untyped-def]
    m = LEN[k]
    seq[0] = 2 * n + k
    for t in range(m):
        seq[t + 1] = R[k, t]
    seq[m + 1] = 2 * n + K + k
    return m + 2


@njit(cache=True)
def eval_seq(seq, m2, k, n, E, LW, S, TT, RIDE, TMAX, B, lift, posn):  # type: ignore[no-untyped-def]
    """Exact: True when start-of-service times exist for ``seq`` (time windows, ride times, duration).

    Computes the least solution of the difference constraints (earliest schedule) in ``B``: a
    forward pass with lower bounds, then lifting each pickup whose ride is too long (and the start
    when the route is too long), repeated until nothing moves. An upper bound exceeded, or no
    convergence (a positive cycle), means infeasible.
    """
    for t in range(m2):
        node = seq[t]
        lift[t] = E[node]
        if node < n:
            posn[node] = t
    for _round in range(m2 + 2):
        time = lift[0]
        if time > LW[seq[0]] + EPS:
            return False
        B[0] = time
        for t in range(1, m2):
            a = seq[t - 1]
            b = seq[t]
            time = B[t - 1] + S[a] + TT[a, b]
            if time < lift[t]:
                time = lift[t]
            if time > LW[b] + EPS:
                return False
            B[t] = time
        changed = False
        if B[m2 - 1] - B[0] > TMAX[k] + EPS:
            lift[0] = B[m2 - 1] - TMAX[k]
            changed = True
        for t in range(1, m2 - 1):
            node = seq[t]
            if n <= node < 2 * n:
                r = node - n
                p = posn[r]
                limit = RIDE[r] + S[r]
                if B[t] - B[p] > limit + EPS:
                    lift[p] = B[t] - limit
                    changed = True
        if not changed:
            return True
    return False


@njit(cache=True)
def seq_loads_ok(seq, m2, k, QL, CAP):  # type: ignore[no-untyped-def]
    l0 = 0
    l1 = 0
    l2 = 0
    for t in range(m2):
        node = seq[t]
        l0 += QL[node, 0]
        l1 += QL[node, 1]
        l2 += QL[node, 2]
        if l0 > CAP[k, 0] or l1 > CAP[k, 1] or l2 > CAP[k, 2]:
            return False
    return True


@njit(cache=True)
def update_route(k, R, LEN, n, K, E, LW, S, QL, TT, CC, RIDE, TMAX, EA, LA, LD, RC, seq, lift, posn):  # type: ignore[no-untyped-def]
    """Refresh the caches of route k: earliest schedule EA, latest times LA (windows only), load
    after each position LD, and cost RC. Returns whether the route is feasible."""
    m2 = build_seq(R, LEN, k, n, K, seq)
    feasible = eval_seq(seq, m2, k, n, E, LW, S, TT, RIDE, TMAX, EA[k], lift, posn)
    if not feasible:
        EA[k, 0] = E[seq[0]]
        for t in range(1, m2):
            a = seq[t - 1]
            EA[k, t] = max(E[seq[t]], EA[k, t - 1] + S[a] + TT[a, seq[t]])
    LA[k, m2 - 1] = LW[seq[m2 - 1]]
    for t in range(m2 - 2, -1, -1):
        a = seq[t]
        LA[k, t] = min(LW[a], LA[k, t + 1] - S[a] - TT[a, seq[t + 1]])
    LD[k, 0, 0] = 0
    LD[k, 0, 1] = 0
    LD[k, 0, 2] = 0
    cost = 0.0
    for t in range(1, m2):
        node = seq[t]
        for c in range(3):
            LD[k, t, c] = LD[k, t - 1, c] + QL[node, c]
        cost += CC[seq[t - 1], node]
    RC[k] = cost if m2 > 2 else 0.0
    return feasible


# ---------------------------------------------------------------------------------------------
# insertion of one request into one route


@njit(cache=True)
def fits(LD, k, t, r, QL, CAP):  # type: ignore[no-untyped-def]
    return (
        LD[k, t, 0] + QL[r, 0] <= CAP[k, 0]
        and LD[k, t, 1] + QL[r, 1] <= CAP[k, 1]
        and LD[k, t, 2] + QL[r, 2] <= CAP[k, 2]
    )


@njit(cache=True)
def make_candidate(seq, m2, i, j, p, d, cand):  # type: ignore[no-untyped-def]
    """cand = seq with pickup p after position i and delivery d after position j (j >= i)."""
    w = 0
    for t in range(i + 1):
        cand[w] = seq[t]
        w += 1
    cand[w] = p
    w += 1
    for t in range(i + 1, j + 1):
        cand[w] = seq[t]
        w += 1
    cand[w] = d
    w += 1
    for t in range(j + 1, m2):
        cand[w] = seq[t]
        w += 1
    return w


@njit(cache=True)
def best_insertion(
    r,
    k,
    R,
    LEN,
    LOCK,
    n,
    K,
    E,
    LW,
    S,
    QL,
    TT,
    CC,
    RIDE,
    CAP,
    TMAX,
    EA,
    LA,
    LD,  # type: ignore[no-untyped-def]
    noise,
    rng,
    seq,
    cand,
    B,
    lift,
    posn,
):
    """Cheapest feasible insertion of request r into route k: (cost, i, j) with noise added to the
    compared costs; cost BIG when none. Cheap necessary conditions prune, the exact evaluation
    decides."""
    p = r
    d = r + n
    if QL[p, 0] > CAP[k, 0] or QL[p, 1] > CAP[k, 1] or QL[p, 2] > CAP[k, 2]:
        return BIG, -1, -1
    m2 = build_seq(R, LEN, k, n, K, seq)
    size = m2 * (m2 + 1) // 2 + 1
    cbuf = np.empty(size, dtype=np.float64)
    ibuf = np.empty(size, dtype=np.int64)
    jbuf = np.empty(size, dtype=np.int64)
    count = 0
    ride = RIDE[r]
    for i in range(LOCK[k], m2 - 1):
        a = seq[i]
        if EA[k, i] > LW[p] + EPS:
            break
        tp = max(E[p], EA[k, i] + S[a] + TT[a, p])
        if tp > LW[p] + EPS:
            continue
        if not fits(LD, k, i, r, QL, CAP):
            continue
        b = seq[i + 1]
        # delivery right after the pickup
        td = max(E[d], tp + S[p] + TT[p, d])
        if td <= LW[d] + EPS and td + S[d] + TT[d, b] <= LA[k, i + 1] + EPS:
            cost = CC[a, p] + CC[p, d] + CC[d, b] - CC[a, b]
            if noise > 0.0:
                cost = max(0.0, cost + noise * (2.0 * rand_float(rng) - 1.0))
            cbuf[count] = cost
            ibuf[count] = i
            jbuf[count] = i
            count += 1
        # delivery later
        time = max(EA[k, i + 1], tp + S[p] + TT[p, b])
        if time > LA[k, i + 1] + EPS:
            continue
        # latest possible start of service at the pickup: bounds the ride from below
        latest_p = min(LW[p], LA[k, i + 1] - S[p] - TT[p, b])
        pickup_cost = CC[a, p] + CC[p, b] - CC[a, b]
        chain = TT[p, b]  # ride lower bound up to the start of service at position j
        for j in range(i + 1, m2 - 1):
            c = seq[j]
            if j > i + 1:
                prev = seq[j - 1]
                time = max(EA[k, j], time + S[prev] + TT[prev, c])
                chain += S[prev] + TT[prev, c]
                if time > LA[k, j] + EPS:
                    break
            if chain > ride + EPS or time - latest_p - S[p] > ride + EPS:
                break
            if time > LW[d] + EPS:
                break
            if not fits(LD, k, j, r, QL, CAP):
                break  # the passenger would be on board while the vehicle is full
            e = seq[j + 1]
            td = max(E[d], time + S[c] + TT[c, d])
            if td > LW[d] + EPS or chain + S[c] + TT[c, d] > ride + EPS:
                continue
            if td - latest_p - S[p] > ride + EPS:
                continue
            if td + S[d] + TT[d, e] > LA[k, j + 1] + EPS:
                continue
            cost = pickup_cost + CC[c, d] + CC[d, e] - CC[c, e]
            if noise > 0.0:
                cost = max(0.0, cost + noise * (2.0 * rand_float(rng) - 1.0))
            cbuf[count] = cost
            ibuf[count] = i
            jbuf[count] = j
            count += 1
    # exact evaluation in order of cost: the first feasible candidate is the best
    while count > 0:
        best_t = 0
        for t in range(1, count):
            if cbuf[t] < cbuf[best_t]:
                best_t = t
        i = ibuf[best_t]
        j = jbuf[best_t]
        w = make_candidate(seq, m2, i, j, p, d, cand)
        if eval_seq(cand, w, k, n, E, LW, S, TT, RIDE, TMAX, B, lift, posn):
            return cbuf[best_t], i, j
        count -= 1
        cbuf[best_t] = cbuf[count]
        ibuf[best_t] = ibuf[count]
        jbuf[best_t] = jbuf[count]
    return BIG, -1, -1


@njit(cache=True)
def apply_insertion(r, k, i, j, R, LEN, n):  # type: ignore[no-untyped-def]
    """Insert pickup r after sequence position i and delivery after position j (old numbering)."""
    m = LEN[k]
    # sequence position t corresponds to route index t-1; the pickup lands at route index i
    old = R[k, :m].copy()
    w = 0
    for t in range(i):
        R[k, w] = old[t]
        w += 1
    R[k, w] = r
    w += 1
    for t in range(i, j):
        R[k, w] = old[t]
        w += 1
    R[k, w] = r + n
    w += 1
    for t in range(j, m):
        R[k, w] = old[t]
        w += 1
    LEN[k] = m + 2


@njit(cache=True)
def all_insertions(
    r,
    k,
    R,
    LEN,
    LOCK,
    n,
    K,
    E,
    LW,
    S,
    QL,
    TT,
    CC,
    RIDE,
    CAP,
    TMAX,  # type: ignore[no-untyped-def]
    seq,
    cand,
    B,
    lift,
    posn,
    out_ij,
    out_cost,
    out_times,
):
    """Every feasible insertion of request r into route k, exhaustively and exactly (no pruning
    that relies on the triangle inequality). Fills out_ij/out_cost/out_times; returns the count."""
    m2 = build_seq(R, LEN, k, n, K, seq)
    count = 0
    p = r
    d = r + n
    for i in range(LOCK[k], m2 - 1):
        for j in range(i, m2 - 1):
            w = make_candidate(seq, m2, i, j, p, d, cand)
            if not seq_loads_ok(cand, w, k, QL, CAP):
                continue
            if not eval_seq(cand, w, k, n, E, LW, S, TT, RIDE, TMAX, B, lift, posn):
                continue
            a = seq[i]
            b = seq[i + 1]
            if i == j:
                cost = CC[a, p] + CC[p, d] + CC[d, b] - CC[a, b]
            else:
                c = seq[j]
                e = seq[j + 1]
                cost = CC[a, p] + CC[p, b] - CC[a, b] + CC[c, d] + CC[d, e] - CC[c, e]
            out_ij[count, 0] = i
            out_ij[count, 1] = j
            out_cost[count] = cost
            for t in range(w):
                out_times[count, t] = B[t]
            count += 1
    return count


# ---------------------------------------------------------------------------------------------
# repair: greedy and regret-q insertion


@njit(cache=True)
def repair(
    kind,
    noise,
    U,
    nU,
    R,
    LEN,
    LOCK,
    RO,
    n,
    K,
    E,
    LW,
    S,
    QL,
    TT,
    CC,
    RIDE,
    CAP,
    TMAX,  # type: ignore[no-untyped-def]
    EA,
    LA,
    LD,
    RC,
    rng,
    seq,
    cand,
    B,
    lift,
    posn,
    cost_buf,
    i_buf,
    j_buf,
    sorted_buf,
):
    """Insert the requests U[:nU] (kind 0: greedy; kind 2, 3: regret-q; kind 1: regret over all
    routes; kind 4: one by one in the given order). Returns how many remain unassigned; they are
    left in U[:returned]."""
    for u in range(nU):
        r = U[u]
        for k in range(K):
            c, i, j = best_insertion(
                r,
                k,
                R,
                LEN,
                LOCK,
                n,
                K,
                E,
                LW,
                S,
                QL,
                TT,
                CC,
                RIDE,
                CAP,
                TMAX,
                EA,
                LA,
                LD,
                noise,
                rng,
                seq,
                cand,
                B,
                lift,
                posn,
            )
            cost_buf[u, k] = c
            i_buf[u, k] = i
            j_buf[u, k] = j
    regret_q = K if kind == 1 else kind
    while nU > 0:
        chosen = -1
        chosen_k = -1
        chosen_key = -BIG
        chosen_tie = BIG
        for u in range(nU):
            best = BIG
            best_k = -1
            for k in range(K):
                if cost_buf[u, k] < best:
                    best = cost_buf[u, k]
                    best_k = k
            if best_k < 0:
                continue
            if kind == 4:
                # sequential: the requests in their (shuffled) order, each at its cheapest place
                chosen = u
                chosen_k = best_k
                break
            if kind == 0:
                key = -best
                tie = best
            else:
                for k in range(K):
                    sorted_buf[k] = cost_buf[u, k]
                insertion_sort(sorted_buf, K)
                key = 0.0
                for h in range(1, min(regret_q, K)):
                    key += min(sorted_buf[h], 1e9) - sorted_buf[0]
                tie = best
            if key > chosen_key + 1e-12 or (abs(key - chosen_key) <= 1e-12 and tie < chosen_tie):
                chosen_key = key
                chosen_tie = tie
                chosen = u
                chosen_k = best_k
        if chosen < 0:
            break
        r = U[chosen]
        k = chosen_k
        apply_insertion(r, k, i_buf[chosen, k], j_buf[chosen, k], R, LEN, n)
        RO[r] = k
        update_route(k, R, LEN, n, K, E, LW, S, QL, TT, CC, RIDE, TMAX, EA, LA, LD, RC, seq, lift, posn)
        # remove chosen from U (swap with last, keep buffers aligned)
        last = nU - 1
        U[chosen] = U[last]
        for kk in range(K):
            cost_buf[chosen, kk] = cost_buf[last, kk]
            i_buf[chosen, kk] = i_buf[last, kk]
            j_buf[chosen, kk] = j_buf[last, kk]
        nU -= 1
        for u in range(nU):
            c, i, j = best_insertion(
                U[u],
                k,
                R,
                LEN,
                LOCK,
                n,
                K,
                E,
                LW,
                S,
                QL,
                TT,
                CC,
                RIDE,
                CAP,
                TMAX,
                EA,
                LA,
                LD,
                noise,
                rng,
                seq,
                cand,
                B,
                lift,
                posn,
            )
            cost_buf[u, k] = c
            i_buf[u, k] = i
            j_buf[u, k] = j
    return nU


# ---------------------------------------------------------------------------------------------
# destroy operators


@njit(cache=True)
def node_positions(R, LEN, K, EA, pos_route, pos_index, node_time):  # type: ignore[no-untyped-def]
    for k in range(K):
        for t in range(LEN[k]):
            node = R[k, t]
            pos_route[node] = k
            pos_index[node] = t
            node_time[node] = EA[k, t + 1]


@njit(cache=True)
def choose_removals(
    op,
    q,
    removable,
    nrem,
    R,
    LEN,
    RO,
    n,
    K,
    TT,
    CC,
    QL,
    EA,
    rng,
    out,  # type: ignore[no-untyped-def]
    pos_route,
    pos_index,
    node_time,
    score,
    order,
    time_scale,
    dist_scale,
):
    """Pick q requests among removable[:nrem] into out; returns the count picked.
    op 0: random; 1: worst (largest saving, randomised); 2: Shaw relatedness; 3: one random route."""
    q = min(q, nrem)
    if q <= 0:
        return 0
    if op == 0:
        for t in range(nrem):
            order[t] = removable[t]
        for t in range(q):
            s = rand_int(rng, t, nrem)
            tmp = order[t]
            order[t] = order[s]
            order[s] = tmp
            out[t] = order[t]
        return q
    node_positions(R, LEN, K, EA, pos_route, pos_index, node_time)
    if op == 3:
        k = RO[removable[rand_int(rng, 0, nrem)]]
        count = 0
        for t in range(nrem):
            if RO[removable[t]] == k:
                out[count] = removable[t]
                count += 1
        return count
    if op == 1:
        for t in range(nrem):
            r = removable[t]
            k = pos_route[r]
            ip = pos_index[r]
            idl = pos_index[r + n]
            m = LEN[k]
            prev_p = R[k, ip - 1] if ip > 0 else 2 * n + k
            next_d = R[k, idl + 1] if idl + 1 < m else 2 * n + K + k
            if idl == ip + 1:
                saving = CC[prev_p, r] + CC[r, r + n] + CC[r + n, next_d] - CC[prev_p, next_d]
            else:
                next_p = R[k, ip + 1]
                prev_d = R[k, idl - 1]
                saving = (
                    CC[prev_p, r]
                    + CC[r, next_p]
                    - CC[prev_p, next_p]
                    + CC[prev_d, r + n]
                    + CC[r + n, next_d]
                    - CC[prev_d, next_d]
                )
            score[t] = -saving
        power = 3.0
    else:
        seed = removable[rand_int(rng, 0, nrem)]
        for t in range(nrem):
            r = removable[t]
            load_diff = 0.0
            for c in range(3):
                load_diff += abs(QL[r, c] - QL[seed, c])
            score[t] = (
                9.0 * (TT[r, seed] + TT[r + n, seed + n]) / dist_scale
                + 3.0
                * (abs(node_time[r] - node_time[seed]) + abs(node_time[r + n] - node_time[seed + n]))
                / time_scale
                + 2.0 * load_diff
            )
        power = 6.0
    idx = np.empty(nrem, dtype=np.int64)
    argsort_small(score, nrem, idx)
    taken = np.zeros(nrem, dtype=np.bool_)
    count = 0
    while count < q:
        y = rand_float(rng)
        remaining = nrem - count
        pick = int(remaining * y**power)
        # the pick-th not yet taken in sorted order
        seen = -1
        for t in range(nrem):
            if not taken[idx[t]]:
                seen += 1
                if seen == pick:
                    taken[idx[t]] = True
                    out[count] = removable[idx[t]]
                    count += 1
                    break
    return count


@njit(cache=True)
def remove_requests(out, count, R, LEN, RO, n, flag):  # type: ignore[no-untyped-def]
    """Take the listed requests out of their routes; flag[k] marks the routes touched."""
    for t in range(count):
        r = out[t]
        k = RO[r]
        flag[k] = True
        RO[r] = -1
        m = LEN[k]
        w = 0
        for s in range(m):
            node = R[k, s]
            if node != r and node != r + n:
                R[k, w] = node
                w += 1
        LEN[k] = w


# ---------------------------------------------------------------------------------------------
# the search


@njit(cache=True)
def total_cost(RC, RO, PEN, K, n):  # type: ignore[no-untyped-def]
    cost = 0.0
    for k in range(K):
        cost += RC[k]
    for r in range(n):
        if RO[r] < 0:
            cost += PEN[r]
    return cost


@njit(cache=True)
def roulette(weights, rng):  # type: ignore[no-untyped-def]
    total = weights.sum()
    y = rand_float(rng) * total
    acc = 0.0
    for t in range(weights.shape[0]):
        acc += weights[t]
        if y < acc:
            return t
    return weights.shape[0] - 1


@njit(cache=True)
def search(
    iterations,
    n,
    K,
    E,
    LW,
    S,
    QL,
    TT,
    CC,
    RIDE,
    CAP,
    TMAX,
    PEN,
    PIN,
    LOCK,  # type: ignore[no-untyped-def]
    R,
    LEN,
    RO,
    best_R,
    best_LEN,
    best_RO,
    weights,
    seg_score,
    seg_count,
    fparams,
    iparams,
    rng,
):
    """Run ``iterations`` steps of adaptive large neighbourhood search with simulated-annealing
    acceptance, continuing from the state in the arrays (current R/LEN/RO, best_*, operator
    weights with their segment scores, fparams = [temperature, start temperature, end temperature,
    noise, best cost, current cost], iparams = [iteration, iteration budget or 0, q min, q max,
    segment length]). With a budget the temperature follows the iteration count; without one it
    is the caller's (set from the elapsed share of the time limit). The current and best solutions
    are always feasible."""
    M = R.shape[1]
    N = 2 * n + 2 * K
    seq = np.empty(M + 2, dtype=np.int64)
    cand = np.empty(M + 2, dtype=np.int64)
    B = np.empty(M + 2, dtype=np.float64)
    lift = np.empty(M + 2, dtype=np.float64)
    posn = np.zeros(n + 1, dtype=np.int64)
    EA = np.zeros((K, M + 2), dtype=np.float64)
    LA = np.zeros((K, M + 2), dtype=np.float64)
    LD = np.zeros((K, M + 2, 3), dtype=np.int64)
    RC = np.zeros(K, dtype=np.float64)
    cR = R.copy()
    cLEN = LEN.copy()
    cRO = RO.copy()
    cEA = EA.copy()
    cLA = LA.copy()
    cLD = LD.copy()
    cRC = RC.copy()
    U = np.empty(n, dtype=np.int64)
    removable = np.empty(n, dtype=np.int64)
    out = np.empty(n, dtype=np.int64)
    order = np.empty(n, dtype=np.int64)
    score = np.empty(n, dtype=np.float64)
    pos_route = np.zeros(N, dtype=np.int64)
    pos_index = np.zeros(N, dtype=np.int64)
    node_time = np.zeros(N, dtype=np.float64)
    cost_buf = np.empty((n, K), dtype=np.float64)
    i_buf = np.empty((n, K), dtype=np.int64)
    j_buf = np.empty((n, K), dtype=np.int64)
    sorted_buf = np.empty(K, dtype=np.float64)
    flag = np.zeros(K, dtype=np.bool_)
    n_destroy = 4
    n_repair = 10
    dw = weights[:n_destroy]
    rw = weights[n_destroy:]

    dist_scale = max(TT.max(), 1e-9)
    time_scale = 1e-9
    for node in range(2 * n):
        if LW[node] < 1e17:
            time_scale = max(time_scale, LW[node])
    for k in range(K):
        update_route(k, R, LEN, n, K, E, LW, S, QL, TT, CC, RIDE, TMAX, EA, LA, LD, RC, seq, lift, posn)
    temperature = fparams[0]
    t_start = fparams[1]
    t_end = fparams[2]
    noise_amp = fparams[3]
    best_cost = fparams[4]
    cur_cost = total_cost(RC, RO, PEN, K, n)
    it = iparams[0]
    total = iparams[1]
    q_min = iparams[2]
    q_max = iparams[3]
    segment = iparams[4]

    for _step in range(iterations):
        it += 1
        if total > 0:
            # iteration budget: the cooling follows the iteration count (reproducible)
            temperature = t_start * (t_end / t_start) ** min(1.0, it / total)
        # candidate = copy of current
        cR[:, :] = R
        cLEN[:] = LEN
        cRO[:] = RO
        cEA[:, :] = EA
        cLA[:, :] = LA
        cLD[:, :, :] = LD
        cRC[:] = RC
        nrem = 0
        nU = 0
        for r in range(n):
            if cRO[r] >= 0:
                if not PIN[r]:
                    removable[nrem] = r
                    nrem += 1
            else:
                U[nU] = r
                nU += 1
        d_op = roulette(dw, rng)
        r_op = roulette(rw, rng)
        q = rand_int(rng, q_min, q_max + 1)
        count = choose_removals(
            d_op,
            q,
            removable,
            nrem,
            cR,
            cLEN,
            cRO,
            n,
            K,
            TT,
            CC,
            QL,
            cEA,
            rng,
            out,
            pos_route,
            pos_index,
            node_time,
            score,
            order,
            time_scale,
            dist_scale,
        )
        flag[:] = False
        remove_requests(out, count, cR, cLEN, cRO, n, flag)
        ok = True
        for k in range(K):
            if flag[k]:
                feasible = update_route(
                    k, cR, cLEN, n, K, E, LW, S, QL, TT, CC, RIDE, TMAX, cEA, cLA, cLD, cRC, seq, lift, posn
                )
                if not feasible:
                    ok = False  # possible only when travel times break the triangle inequality
        if not ok:
            continue
        for t in range(count):
            U[nU] = out[t]
            nU += 1
        # shuffle the unassigned so that ties do not always favour the same requests
        for t in range(nU - 1, 0, -1):
            s = rand_int(rng, 0, t + 1)
            tmp = U[t]
            U[t] = U[s]
            U[s] = tmp
        kind_index = r_op % 5
        kind = REPAIR_KINDS[kind_index]
        noise = noise_amp if r_op >= 5 else 0.0
        repair(
            kind,
            noise,
            U,
            nU,
            cR,
            cLEN,
            LOCK,
            cRO,
            n,
            K,
            E,
            LW,
            S,
            QL,
            TT,
            CC,
            RIDE,
            CAP,
            TMAX,
            cEA,
            cLA,
            cLD,
            cRC,
            rng,
            seq,
            cand,
            B,
            lift,
            posn,
            cost_buf,
            i_buf,
            j_buf,
            sorted_buf,
        )
        new_cost = total_cost(cRC, cRO, PEN, K, n)
        gained = 0.0
        accept = False
        if new_cost < cur_cost - 1e-9:
            accept = True
            gained = 9.0
        elif (
            new_cost > cur_cost + 1e-9
            and temperature > 0.0
            and rand_float(rng) < math.exp(-(new_cost - cur_cost) / temperature)
        ):
            accept = True
            gained = 5.0
        if new_cost < best_cost - 1e-9:
            gained = 33.0
            best_cost = new_cost
            best_R[:, :] = cR
            best_LEN[:] = cLEN
            best_RO[:] = cRO
        if accept:
            R[:, :] = cR
            LEN[:] = cLEN
            RO[:] = cRO
            EA[:, :] = cEA
            LA[:, :] = cLA
            LD[:, :, :] = cLD
            RC[:] = cRC
            cur_cost = new_cost
        seg_score[d_op] += gained
        seg_count[d_op] += 1.0
        seg_score[n_destroy + r_op] += gained
        seg_count[n_destroy + r_op] += 1.0
        if it % segment == 0:
            for o in range(n_destroy + n_repair):
                if seg_count[o] > 0:
                    weights[o] = max(0.05, 0.9 * weights[o] + 0.1 * seg_score[o] / seg_count[o])
                seg_score[o] = 0.0
                seg_count[o] = 0.0
    fparams[0] = temperature
    fparams[4] = best_cost
    fparams[5] = cur_cost
    iparams[0] = it
    return best_cost


@njit(cache=True)
def construct(n, K, E, LW, S, QL, TT, CC, RIDE, CAP, TMAX, LOCK, R, LEN, RO, rng, kind):  # type: ignore[no-untyped-def]
    """Insert every unassigned request (RO < 0) by regret/greedy insertion; returns the count left."""
    M = R.shape[1]
    seq = np.empty(M + 2, dtype=np.int64)
    cand = np.empty(M + 2, dtype=np.int64)
    B = np.empty(M + 2, dtype=np.float64)
    lift = np.empty(M + 2, dtype=np.float64)
    posn = np.zeros(n + 1, dtype=np.int64)
    EA = np.zeros((K, M + 2), dtype=np.float64)
    LA = np.zeros((K, M + 2), dtype=np.float64)
    LD = np.zeros((K, M + 2, 3), dtype=np.int64)
    RC = np.zeros(K, dtype=np.float64)
    for k in range(K):
        update_route(k, R, LEN, n, K, E, LW, S, QL, TT, CC, RIDE, TMAX, EA, LA, LD, RC, seq, lift, posn)
    U = np.empty(n, dtype=np.int64)
    nU = 0
    for r in range(n):
        if RO[r] < 0:
            U[nU] = r
            nU += 1
    cost_buf = np.empty((n, K), dtype=np.float64)
    i_buf = np.empty((n, K), dtype=np.int64)
    j_buf = np.empty((n, K), dtype=np.int64)
    sorted_buf = np.empty(K, dtype=np.float64)
    return repair(
        kind,
        0.0,
        U,
        nU,
        R,
        LEN,
        LOCK,
        RO,
        n,
        K,
        E,
        LW,
        S,
        QL,
        TT,
        CC,
        RIDE,
        CAP,
        TMAX,
        EA,
        LA,
        LD,
        RC,
        rng,
        seq,
        cand,
        B,
        lift,
        posn,
        cost_buf,
        i_buf,
        j_buf,
        sorted_buf,
    )


@njit(cache=True)
def eval_routes(n, K, E, LW, S, QL, TT, RIDE, CAP, TMAX, R, LEN, out_ok):  # type: ignore[no-untyped-def]
    M = R.shape[1]
    seq = np.empty(M + 2, dtype=np.int64)
    B = np.empty(M + 2, dtype=np.float64)
    lift = np.empty(M + 2, dtype=np.float64)
    posn = np.zeros(n + 1, dtype=np.int64)
    for k in range(K):
        m2 = build_seq(R, LEN, k, n, K, seq)
        seen = np.zeros(n, dtype=np.int64)
        valid = True
        for t in range(1, m2 - 1):
            node = seq[t]
            if node < n:
                seen[node] += 1
            elif seen[node - n] != 1:
                valid = False
            else:
                seen[node - n] = 2
        for r in range(n):
            if seen[r] == 1:
                valid = False
        out_ok[k] = (
            valid
            and seq_loads_ok(seq, m2, k, QL, CAP)
            and eval_seq(seq, m2, k, n, E, LW, S, TT, RIDE, TMAX, B, lift, posn)
        )
