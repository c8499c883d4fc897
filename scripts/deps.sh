#!/bin/sh
# Installs the Debian packages o2o needs, if any are missing.
# Usage: deps.sh build|test|bench. As root it runs apt-get; otherwise it prints the command.
set -eu
profile=${1:-build}
pkgs="build-essential pkg-config libh2o-evloop-dev libssl-dev libjansson-dev libsqlite3-dev libpq-dev libsodium-dev libcurl4-openssl-dev libqrencode-dev libxlsxwriter-dev zlib1g-dev liblzma-dev librsvg2-dev fonts-wqy-microhei tzdata"
case "$profile" in
  test)  pkgs="$pkgs libcmocka-dev python3 python3-cryptography python3-selenium postgresql chromium chromium-driver zbar-tools clang libclang-rt-14-dev" ;;
  bench) pkgs="$pkgs wrk python3 curl" ;;
esac
missing=""
for p in $pkgs; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ]; then
  echo "o2o: installing missing packages:$missing"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends $missing >/dev/null
else
  echo "o2o: missing packages:$missing"
  echo "run: sudo apt-get install -y$missing"
  exit 1
fi
