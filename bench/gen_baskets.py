"""Writes N baskets (default 1,000,000) in the basket format of o2o mine rules,
deterministically (seed 42): 5,000 items with skewed popularity, 1 to 15 items
per basket, and 200 planted groups of 2 to 4 items bought together, so that
the file has frequent itemsets of several sizes. Usage: gen_baskets.py OUT [N]"""
import random
import sys

out, n = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 1000000
rng = random.Random(42)
items = ["sku%04d" % i for i in range(5000)]
weights = [1.0 / (i + 10) for i in range(5000)]
cum, acc = [], 0.0
for w in weights:
    acc += w
    cum.append(acc)
groups = [rng.sample(items[:800], rng.randint(2, 4)) for _ in range(200)]
with open(out, "w") as f:
    for _ in range(n):
        k = min(15, 1 + int(rng.expovariate(1 / 4.0)))
        basket = set(rng.choices(items, cum_weights=cum, k=k))
        if rng.random() < 0.3:
            g = groups[int(rng.expovariate(1 / 30.0)) % len(groups)]
            basket.update(x for x in g if rng.random() < 0.85)
        f.write(",".join(sorted(basket)) + "\n")
