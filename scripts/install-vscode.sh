#!/usr/bin/env bash
# Installs a real VS Code (code-server, from the npm registry) into the git-ignored cache
# .vscode-test/code-server, for the end-to-end tests (npm run test:e2e) and `npm start`.
# Idempotent: a complete install leaves a stamp file and the next run returns in seconds.
# How and why each step exists: docs/testing.md ("The real VS Code").
# One line per step on the terminal; the commands' own output goes to .vscode-test/install.log.
#
# Why code-server and not @vscode/test-electron: these machines reach only the npm registry
# and Debian's packages, and test-electron downloads a VS Code build at test time.
#
# Why 4.100.3: it is VS Code 1.100, the newest code-server whose server runs on Node 20 (the
# Node this project and CI use, see package.json engines); later releases need Node 22/24.
# Our engines.vscode is ^1.90.0, so 1.100 is a real host for the extension.
#
# Usage: bash scripts/install-vscode.sh        (as root when Debian packages are missing)
#        KPR_VSCODE_FORCE=1 bash scripts/install-vscode.sh   (rebuild the cache from scratch)
set -euo pipefail

CODE_SERVER_VERSION=4.100.3
APT_PACKAGES=(libkrb5-dev ripgrep chromium)

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="$ROOT/.vscode-test/code-server"
PKG="$CACHE/node_modules/code-server"
VSCODE="$PKG/lib/vscode"
NODE_ABI="$(node -p 'process.versions.modules')"
STAMP="$CACHE/.kpr-install-complete"
STAMP_CONTENT="code-server@$CODE_SERVER_VERSION node-abi=$NODE_ABI $(uname -m)"
START=$SECONDS
LOG="$ROOT/.vscode-test/install.log"
mkdir -p "$ROOT/.vscode-test"
: > "$LOG"

say() { printf '[install-vscode %3ds] %s\n' "$((SECONDS - START))" "$*"; }
die() { printf '[install-vscode] ERROR: %s (details: %s)\n' "$*" "$LOG" >&2; exit 1; }
# One line on the terminal, the command's output in the log; on failure, the log's tail.
run() {
  say "\$ $*"
  printf '\n$ %s\n' "$*" >> "$LOG"
  if ! "$@" >> "$LOG" 2>&1; then
    tail -n 30 "$LOG" >&2
    die "failed: $*"
  fi
}

# --- 1. Debian packages -------------------------------------------------------------------
declare -A WHY=(
  [libkrb5-dev]="VS Code's server has a native module (kerberos) built against it"
  [ripgrep]="VS Code's search runs rg; its installer would download one"
  [chromium]="the browser the end-to-end tests drive (Playwright)"
)
missing=()
for p in "${APT_PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done
if ((${#missing[@]})); then
  say "Debian packages to install (system-wide, with apt-get):"
  for p in "${missing[@]}"; do say "  $p: ${WHY[$p]}"; done
  if [[ $(id -u) -ne 0 ]]; then
    echo "[install-vscode] this needs root; run:  sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
    echo "[install-vscode] then run this again (npm start / npm test do)." >&2
    exit 1
  fi
  say "running apt-get as root now (output: $LOG)"
  run apt-get update -q
  export DEBIAN_FRONTEND=noninteractive
  run apt-get install -y -q --no-install-recommends "${missing[@]}"
else
  say "Debian packages present: ${APT_PACKAGES[*]}"
fi
command -v rg >/dev/null || die "rg not found after installing ripgrep"
[[ -x /usr/bin/chromium ]] || die "/usr/bin/chromium not found after installing chromium"

# --- 2. code-server, cached ---------------------------------------------------------------
# The native modules below are built for one Node ABI; the stamp records it, so a Node
# upgrade triggers a rebuild instead of a crash at start.
native_files() {
  echo "$CACHE/node_modules/argon2/lib/binding/napi-v3/argon2.node"
  echo "$VSCODE/node_modules/kerberos/build/Release/kerberos.node"
  echo "$VSCODE/node_modules/@vscode/spdlog/build/Release/spdlog.node"
  echo "$VSCODE/node_modules/native-watchdog/build/Release/watchdog.node"
  echo "$VSCODE/node_modules/node-pty/build/Release/pty.node"
}
cache_complete() {
  [[ -f "$STAMP" && "$(cat "$STAMP")" == "$STAMP_CONTENT" ]] || return 1
  local f
  for f in $(native_files) "$VSCODE/node_modules/@vscode/ripgrep/bin/rg" "$PKG/out/node/entry.js"; do
    [[ -e "$f" ]] || return 1
  done
}

if [[ -z "${KPR_VSCODE_FORCE:-}" ]] && cache_complete; then
  say "code-server@$CODE_SERVER_VERSION already installed in $CACHE (stamp: $STAMP_CONTENT)"
  say "done"
  exit 0
fi

if [[ -n "${KPR_VSCODE_FORCE:-}" || ( -f "$STAMP" && "$(cat "$STAMP")" != "$STAMP_CONTENT" ) ]]; then
  say "removing old cache $CACHE"
  rm -rf "$CACHE"
fi
rm -f "$STAMP"
mkdir -p "$CACHE"
cd "$CACHE"
# A package.json of its own keeps npm from walking up into the project's package.json.
[[ -f package.json ]] || echo '{ "name": "kpr-vscode-cache", "private": true }' > package.json

# code-server's own postinstall refuses to run as root under npm 11 and downloads ripgrep,
# so its scripts are skipped and the steps it would do are done by hand below.
if [[ "$(node -p "try{require('./node_modules/code-server/package.json').version}catch{''}")" != "$CODE_SERVER_VERSION" ]]; then
  run npm install --no-audit --no-fund --ignore-scripts --save-exact "code-server@$CODE_SERVER_VERSION"
else
  say "code-server@$CODE_SERVER_VERSION package already unpacked"
fi

# argon2 (password hashing in code-server's own server) is a native module.
run npm rebuild argon2 --build-from-source

# VS Code's server dependencies.
cd "$VSCODE"
run npm install --omit=dev --no-audit --no-fund --ignore-scripts
# node-pty's post-install step exits non-zero *after* it has built pty.node (it then runs
# `npx node-gyp` for compile_commands.json, which npm 11 refuses), so the exit code is reported
# but not trusted; the .node files are checked below. Its long error output goes to a log.
REBUILD_LOG="$CACHE/native-rebuild.log"
say "\$ npm rebuild kerberos @vscode/spdlog native-watchdog node-pty @vscode/deviceid  (output: $REBUILD_LOG)"
if ! npm rebuild kerberos @vscode/spdlog native-watchdog node-pty @vscode/deviceid > "$REBUILD_LOG" 2>&1; then
  # Expected (node-pty's post-install, see docs/testing.md): the built files decide.
  echo "npm rebuild exited non-zero; checking the built .node files instead" >> "$LOG"
fi
bad=0
for f in $(native_files); do
  if [[ -f "$f" ]]; then echo "ok  ${f#"$CACHE/"}" >> "$LOG"; else say "MISSING ${f#"$CACHE/"}"; bad=1; fi
done
if ((bad)); then
  tail -n 60 "$REBUILD_LOG" >&2
  die "native modules missing (see above and $REBUILD_LOG); rerun with KPR_VSCODE_FORCE=1 after fixing"
fi
# ...and that each one loads in this Node (a file built for another ABI would not).
(cd "$CACHE" && node -e "require('argon2')") || die "argon2 does not load"
for m in kerberos @vscode/spdlog native-watchdog node-pty; do
  node -e "require('$m')" || die "$m does not load in $(node --version)"
done
say "native modules built and load in node $(node --version)"

# code-server loads VS Code's modules from node_modules.asar (the desktop build's layout).
run ln -sfn node_modules node_modules.asar
# @vscode/ripgrep's postinstall would download rg; use Debian's.
run mkdir -p node_modules/@vscode/ripgrep/bin
run cp -f "$(command -v rg)" node_modules/@vscode/ripgrep/bin/rg

# Built-in extensions' runtime dependencies (TypeScript/JSON language features, git, ...).
cd "$VSCODE/extensions"
run npm install --omit=dev --no-audit --no-fund --ignore-scripts

# --config: without it code-server writes ~/.config/code-server/config.yaml.
printf 'auth: none\nbind-addr: 127.0.0.1:0\ncert: false\n' > "$CACHE/config.yaml"
version="$(node "$PKG/out/node/entry.js" --config "$CACHE/config.yaml" --version)" || die "code-server does not start"
echo "$STAMP_CONTENT" > "$STAMP"
say "installed: code-server $version"
say "binary: $CACHE/node_modules/.bin/code-server"
say "done"
