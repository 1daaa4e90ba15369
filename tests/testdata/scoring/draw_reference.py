#!/usr/bin/env python3
"""Reference implementation of the xinyong 双随机 draw (algorithm "xinyong-draw/1").

Written from the steps in src/scoring/README.md ("The draw, step by step"), independently of the C++
code, so that anyone can re-run a published draw from its seed, its population and its task. The C++
test DrawTest.MatchesThePythonReference checks that both give the same draw for the example below.

Usage: python3 draw_reference.py   (prints the example draw)
"""
import hashlib

MASK = 2**64 - 1


class SplitMix64:
    def __init__(self, seed):
        self.state = seed & MASK

    def next(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & MASK
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        return z ^ (z >> 31)

    def below(self, n):
        r = (2**64) % n
        x = self.next()
        while x > MASK - r:
            x = self.next()
        return x % n


def sm3_hex(text):
    return hashlib.new("sm3", text.encode()).hexdigest()


def draw(population, ratios, inspectors, department, seed):
    """population: {id: class}; ratios: [(class, ratio in 1/10000, min, max or -1)];
    inspectors: [(id, [conflict subject ids], [conflict departments])]."""
    ids = sorted(population)
    digest = sm3_hex("".join(f"{i}\n" for i in ids))
    rng = SplitMix64(seed)
    assignments = []
    for cls, ratio, lo, hi in ratios:
        m = sorted(i for i in ids if population[i] == cls)
        n = len(m)
        k = (ratio * n + 9999) // 10000
        k = max(k, lo)
        if hi >= 0:
            k = min(k, hi)
        k = min(k, n)
        for i in range(k):
            j = i + rng.below(n - i)
            m[i], m[j] = m[j], m[i]
        assignments += [(s, cls) for s in sorted(m[:k])]
    pool = sorted((x for x in inspectors if department not in x[2]), key=lambda x: x[0])
    for i in range(len(pool) - 1):
        j = i + rng.below(len(pool) - i)
        pool[i], pool[j] = pool[j], pool[i]
    load = [0] * len(pool)
    out = []
    for subject, cls in assignments:
        chosen = []
        for _ in range(2):
            best = None
            for p, (pid, conflicts, _) in enumerate(pool):
                if p in chosen or subject in conflicts:
                    continue
                if best is None or load[p] < load[best]:
                    best = p
            if best is None:
                raise RuntimeError(f"subject {subject}: no two conflict-free inspectors")
            chosen.append(best)
            load[best] += 1
        out.append((subject, cls, pool[chosen[0]][0], pool[chosen[1]][0]))
    return digest, out


if __name__ == "__main__":
    population = {i: ("A" if i <= 20 else "B" if i <= 32 else "C" if i <= 38 else "D")
                  for i in range(1, 41)}
    ratios = [("A", 500, 1, -1), ("B", 2000, 0, -1), ("C", 6000, 0, -1), ("D", 10000, 0, -1)]
    inspectors = [("I01", [], []), ("I02", [], []), ("I03", [39], []), ("I04", [], []),
                  ("I05", [], ["DEPT"]), ("I06", [33, 34], [])]
    digest, rows = draw(population, ratios, inspectors, "DEPT", 20250630)
    print(digest)
    for row in rows:
        print(*row)
