#!/bin/sh
# Installs the Debian packages o2o needs, if any are missing, and the npm packages
# of package-lock.json (npm ci) when node_modules/ is missing or older than the lock.
# Usage: deps.sh build|test|bench. As root it runs apt-get; otherwise it prints the command.
set -eu
profile=${1:-build}
pkgs="build-essential pkg-config libh2o-evloop-dev libssl-dev libjansson-dev libsqlite3-dev libpq-dev libsodium-dev libcurl4-openssl-dev libqrencode-dev libxlsxwriter-dev zlib1g-dev liblzma-dev librsvg2-dev fonts-wqy-microhei tzdata curl jq"
case "$profile" in
  test)  pkgs="$pkgs libcmocka-dev python3 python3-cryptography python3-selenium postgresql dovecot-imapd chromium chromium-driver zbar-tools clang libclang-rt-14-dev" ;;
  bench) pkgs="$pkgs wrk python3 curl python3-selenium chromium chromium-driver" ;;
esac
# node and npm: Debian's nodejs and npm, unless a node with its npm is there already
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  pkgs="$pkgs nodejs npm"
fi
missing=""
for p in $pkgs; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
npm_packages() {
  # the pinned npm packages (the lock decides every version); nothing else is fetched later
  cd "$(dirname "$0")/.."
  if [ -f package-lock.json ] && { [ ! -f node_modules/.package-lock.json ] ||
       [ package-lock.json -nt node_modules/.package-lock.json ]; }; then
    echo "o2o: fetching the npm packages of package-lock.json"
    npm ci --no-audit --no-fund --loglevel=error >/dev/null || exit 1
  fi
}
if [ -z "$missing" ]; then
  npm_packages
  exit 0
fi
if [ "$(id -u)" = 0 ]; then
  echo "o2o: installing missing packages:$missing"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends $missing >/dev/null
  npm_packages
else
  echo "o2o: missing packages:$missing"
  echo "run: sudo apt-get install -y$missing"
  exit 1
fi
