#!/bin/sh
# Mechanical checks of the conventions (docs/STYLE.md): banned functions,
# layering of includes, no // comments, a header comment in every file.
set -u
cd "$(dirname "$0")/.."
bad=0
report() { echo "checksrc: $1"; bad=1; }

out=$(grep -nE '\b(strcpy|strcat|sprintf|vsprintf|strtok|atoi|atol|gets|strncpy)\s*\(' src --include='*.c' --include='*.h' -r || true)
[ -n "$out" ] && report "banned functions:
$out"
# the layout: ranks of folders, handlers, table ownership, no include cycle (src/ranks)
python3 scripts/layers.py || bad=1
out=$(grep -nE '#include *"(api|domain|http|analytics|app|pay|ship|reports)/' src/db/*.[ch] src/core/*.[ch] src/net/*.[ch] || true)
[ -n "$out" ] && report "db/, core/ or net/ include upper layers:
$out"
out=$(grep -nE '\bdb_(exec|prepare|query|step|bind|scalar)|#include *[<"]h2o\.h|#include *"(api|http|db)/' src/reports/render.[ch] src/reports/mail.[ch] src/reports/chart_png.[ch] || true)
[ -n "$out" ] && report "the report renderers call the SQL layer or include HTTP:
$out"
# background work is started in one place: app/ (the infrastructure's own worker
# threads, the event loops, the storage's writers, worker queues and parallel
# computations, are started inside core/, db/, http/ and analytics/)
out=$(grep -nE '\b(pthread_create|ticker_start)\s*\(' -r src --include='*.c' | grep -vE '^src/(app|core|db|http|analytics)/' || true)
[ -n "$out" ] && report "threads started outside app/:
$out"
# one file, one concept: none grows past 1,200 lines (split it along its tables or jobs)
out=$(find src tests scripts bench docs web Makefile README.md -type f \( -name '*.[ch]' -o -name '*.py' -o -name '*.sh' \
      -o -name '*.js' -o -name '*.md' -o -name '*.sql' -o -name Makefile \) -exec wc -l {} + 2>/dev/null \
      | awk '$2 != "total" && $1 > 1200 {print $2 ": " $1 " lines"}')
[ -n "$out" ] && report "files over 1,200 lines:
$out"
out=$(grep -nE '^\s*//|[;{}]\s*//' -r src --include='*.c' --include='*.h' || true)
[ -n "$out" ] && report "// comments:
$out"
for f in $(find src -name '*.[ch]'); do
  head -n 3 "$f" | grep -q '^/\*' || report "$f has no header comment"
done
# every header compiles on its own
cflags="-std=c11 -D_GNU_SOURCE -DH2O_USE_LIBUV=0 -Isrc $(pkg-config --cflags libh2o-evloop jansson sqlite3 libpq libsodium 2>/dev/null)"
for h in $(find src -name '*.h'); do
  echo "#include \"${h#src/}\"" | cc $cflags -Wall -Werror -fsyntax-only -x c - 2>/dev/null || report "$h does not compile on its own"
done
[ $bad -eq 0 ] && echo "checksrc: ok"
exit $bad
