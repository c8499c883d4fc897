"""Prints N clickstream events in the Taobao UserBehavior layout (user, item,
category, behaviour, epoch seconds): deterministic (splitmix64 from a seed),
N/10 users, 80% views, 10% carts, 5% favourites, 5% purchases over ten days.
Usage: gen_events.py N [SEED]"""
import sys

n = int(sys.argv[1])
state = int(sys.argv[2]) if len(sys.argv) > 2 else 42


def nxt():
    global state
    state = (state + 0x9E3779B97F4A7C15) & 0xFFFFFFFFFFFFFFFF
    z = state
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & 0xFFFFFFFFFFFFFFFF
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & 0xFFFFFFFFFFFFFFFF
    return z ^ (z >> 31)


out = sys.stdout
users = max(1, n // 10)
for i in range(n):
    u = nxt() % users
    k = nxt() % 100
    b = "pv" if k < 80 else "cart" if k < 90 else "fav" if k < 95 else "buy"
    out.write("%d,%d,%d,%s,%d\n" % (u, nxt() % 50000, k % 40, b, 1700000000 + i * 864000 // n))
