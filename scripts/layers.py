#!/usr/bin/env python3
"""The layout's rules (src/ranks), checked by make check:
  1. every folder of src/ is in src/ranks; a file includes only headers of its own
     folder or of a folder of lower rank; handler files (api_*.c and handlers.h, and
     the handler toolkit api/) may also include http/ and api/ headers, and only they
     (and app/) include a handlers.h;
  2. only handler files include http/; jansson and h2o only handler files and the
     folders src/ranks marks json (protocol adapters, renderers, the command line);
     handlers never call the SQL layer;
  3. no include cycle between modules (a module: NAME.c with NAME.h);
  4. SQL writes a table only in the folder that owns it (or, where src/ranks says
     so, a folder above it: the demo loader's bulk seeding), and reads another
     folder's table only when src/ranks lets it (a lower folder's).
Prints what breaks a rule; exit status 1 if anything does.
Usage: layers.py [SRC]   (default: the project's src/)"""
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SRC = os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else os.path.join(ROOT, "src")  # a tree to check
bad = []


def report(msg):
    bad.append(msg)


def load_ranks():
    ranks, owns, reads, writes, json = {}, {}, {}, {}, {}
    for line in open(os.path.join(SRC, "ranks")):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        name, _, rest = line.partition(":")
        name = name.strip()
        ranks[name] = len(ranks)
        owns[name], reads[name], writes[name] = set(), set(), set()
        for part in rest.split(";"):
            key, _, words = part.strip().partition(" ")
            if key == "owns":
                owns[name].update(words.split())
            elif key == "reads":
                reads[name].update(words.split())
            elif key == "writes":
                writes[name].update(words.split())
            elif key == "json":
                json[name] = set(words.split())  # empty: every file of the folder
            elif key:
                report("src/ranks: %s: unknown clause '%s'" % (name, key))
    return ranks, owns, reads, writes, json


def sources():
    for folder in sorted(os.listdir(SRC)):
        d = os.path.join(SRC, folder)
        if not os.path.isdir(d):
            continue
        for f in sorted(os.listdir(d)):
            if f.endswith((".c", ".h")):
                yield folder, f, os.path.join(d, f)


def is_handler(folder, f):
    """Handler files: a context's api_*.c and its handlers.h, and the handler toolkit api/."""
    return folder == "api" or f.startswith("api_") or f == "handlers.h"


def module_of(path):
    """NAME.c and NAME.h are one module; a folder's NAME_int.h belongs to module NAME."""
    mod = os.path.splitext(path)[0]
    return mod[:-4] if mod.endswith("_int") and os.path.exists(os.path.join(SRC, mod[:-4] + ".c")) else mod


def strip_comments(text):
    return re.sub(r"/\*.*?\*/", " ", text, flags=re.S)


def main():
    ranks, owns, reads, writes, json = load_ranks()
    owner = {}
    for folder, tables in owns.items():
        for t in tables:
            if t in owner:
                report("src/ranks: table %s owned by %s and %s" % (t, owner[t], folder))
            owner[t] = folder
    modules = {}
    for folder, f, path in sources():
        rel = "%s/%s" % (folder, f)
        if folder not in ranks:
            report("%s: folder %s is not in src/ranks" % (rel, folder))
            continue
        text = open(path).read()
        code = strip_comments(text)
        handler = is_handler(folder, f)
        mod = module_of("%s/%s" % (folder, f))
        deps = modules.setdefault(mod, set())
        for n, line in enumerate(text.split("\n"), 1):
            m = re.match(r'\s*#\s*include\s*([<"])([^>"]+)[>"]', line)
            if not m:
                continue
            target = m.group(2)
            if m.group(1) == "<":
                if target in ("jansson.h", "h2o.h") and not handler and not (
                        folder in json and (not json[folder] or f in json[folder])):
                    report("%s:%d: only handlers (and the folders src/ranks marks json) include <%s>" %
                           (rel, n, target))
                continue
            tf = target.split("/", 1)[0] if "/" in target else folder
            if os.path.basename(target) == "handlers.h" and not handler and folder != "app":
                report("%s:%d: only handler files include %s" % (rel, n, target))
            if "/" in target:
                deps.add(module_of(target))
            if tf == folder:
                continue
            if tf not in ranks:
                report("%s:%d: %s is in no folder of src/ranks" % (rel, n, target))
            elif tf in ("http", "api") and handler:
                continue
            elif tf in ("http", "api") and folder not in ("http", "api", "app"):
                report("%s:%d: only handler files include %s" % (rel, n, target))
            elif ranks[tf] > ranks[folder]:
                report("%s:%d: %s (rank %d) includes %s of a higher rank (%d)" %
                       (rel, n, folder, ranks[folder], target, ranks[tf]))
        if handler and folder != "api" and re.search(r"\bdb_(exec|prepare|query|step|bind|scalar)", code):
            report("%s: a handler calls the SQL layer" % rel)
        if f.endswith(".c") and folder not in ("db",):
            check_sql(rel, folder, code, owner, reads, writes, ranks)
    check_cycles(modules)
    for b in bad:
        print("layers: " + b)
    return 1 if bad else 0


def literals(code):
    """The string literals of a C file, joined as the compiler would join a statement's."""
    return " ".join(m.group(1) for m in re.finditer(r'"((?:[^"\\\n]|\\.)*)"', code))


def check_sql(rel, folder, code, owner, reads, writes, ranks):
    sql = literals(code)
    for m in re.finditer(r"\b(INSERT INTO|UPDATE|DELETE FROM|FROM|JOIN)\s+([a-z_][a-z_0-9]*)", sql):
        verb, table = m.group(1), m.group(2)
        if table not in owner:
            continue
        o = owner[table]
        if o == folder:
            continue
        if verb in ("INSERT INTO", "UPDATE", "DELETE FROM"):
            if table not in writes.get(folder, ()):
                report("%s: writes %s, a table of %s" % (rel, table, o))
            elif ranks[o] > ranks[folder]:
                report("%s: writes %s of %s, a folder of higher rank" % (rel, table, o))
        elif table not in reads.get(folder, ()):
            report("%s: reads %s, a table of %s, not listed in its reads (src/ranks)" % (rel, table, o))
        elif ranks[o] > ranks[folder]:
            report("%s: reads %s of %s, a folder of higher rank" % (rel, table, o))


def check_cycles(modules):
    """A cycle of modules that call one another. A module with no .c (an interface:
    types and declarations) calls nothing, so its own includes make no edge."""
    code = {m for m in modules if os.path.exists(os.path.join(SRC, m + ".c"))}
    state, stack = {}, []

    def visit(m):
        state[m] = 1
        stack.append(m)
        for d in sorted(modules.get(m, ()) if m in code else ()):
            if d == m or d not in modules:
                continue
            if state.get(d) == 1:
                report("include cycle: " + " -> ".join(stack[stack.index(d):] + [d]))
            elif d not in state:
                visit(d)
        stack.pop()
        state[m] = 2

    for m in sorted(modules):
        if m not in state:
            visit(m)


if __name__ == "__main__":
    sys.exit(main())
