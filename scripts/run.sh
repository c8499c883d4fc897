#!/bin/sh
# The README's first command after the build: create ./data/o2o.db with the demo
# chain if it does not exist, then serve the API and the console on 127.0.0.1:8080.
set -eu
cd "$(dirname "$0")/.."
mkdir -p data
if [ ! -f data/o2o.db ]; then
  echo "o2o: creating data/o2o.db with the demo chain (a few seconds)..."
  pw=${O2O_OWNER_PASSWORD:-$(od -An -N10 -tx1 /dev/urandom | tr -d ' \n')}
  O2O_OWNER_PASSWORD="$pw" ./build/o2o demo --db sqlite:data/o2o.db
  umask 077
  printf 'username: owner\npassword: %s\n' "$pw" > data/owner-login.txt
fi
if [ -f data/owner-login.txt ]; then
  echo "o2o: owner login is in data/owner-login.txt:"
  sed 's/^/  /' data/owner-login.txt
else
  echo "o2o: data/o2o.db was made elsewhere: log in with the owner password printed when it was created"
fi
listen=${O2O_LISTEN:-127.0.0.1:8080}
echo "o2o: open http://$listen/console/ and sign in as the owner (Ctrl-C stops the server)"
exec ./build/o2o serve --db sqlite:data/o2o.db --listen "$listen" --dev
