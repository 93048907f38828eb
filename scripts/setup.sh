#!/usr/bin/env bash
# Sets up a fresh Linux checkout: system packages the tests use (when root with apt), pnpm,
# dependencies (native builds included) and the compiled apps.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
[ -x /usr/sbin/sshd ] || need+=(openssh-server)
# The PostgreSQL store tests start a throwaway server from Debian's binaries (packages/testkit).
compgen -G '/usr/lib/postgresql/*/bin/postgres' >/dev/null || need+=(postgresql)
# The browser tests drive Debian's Chromium at exactly this path (never a downloaded browser).
if [ -d test/browser ] && [ ! -x /usr/bin/chromium ]; then need+=(chromium); fi
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "setup: installing ${need[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null 2>&1 \
      || { apt-get update -qq && apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null; }
  else
    echo "setup: note: ${need[*]} missing; install them (e.g. sudo apt-get install ${need[*]}) for the SSH, PostgreSQL and browser tests" >&2
  fi
fi

if ! command -v pnpm >/dev/null || ! pnpm --version | grep -q '^10\.'; then
  echo "setup: installing pnpm 10"
  npm install -g pnpm@10.34.9 >/dev/null
fi
pnpm install --frozen-lockfile
pnpm build
