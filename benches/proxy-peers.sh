#!/usr/bin/env bash
# The `proxy` suite of `compare` in one command: installs the peers (nginx, HAProxy)
# and the load generator (wrk) from the distribution's packages when they are missing,
# builds our proxy (target/release/proxy) and compare, and runs
# `compare proxy` with this script's arguments (e.g. --quick, --rounds 9, --self-check).
#
#   benches/proxy-peers.sh            # full run, ~5 minutes on 2 cores
#   benches/proxy-peers.sh --quick    # smoke run
#
# Report: target/compare/proxy.json (see benches/README.md, "The proxy suite").
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
for program in nginx haproxy wrk; do
  if ! command -v "$program" >/dev/null && [ ! -x "/usr/sbin/$program" ]; then
    missing+=("$program")
  fi
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=()
  if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null; then sudo=(sudo); fi
  echo "proxy-peers: installing ${missing[*]}" >&2
  install=("${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}")
  "${install[@]}" || { "${sudo[@]}" apt-get update && "${install[@]}"; }
fi

# Our proxy is built when the workspace has it; without it the suite reports the peers.
if ! cargo build --release -p examples --bin proxy; then
  echo "proxy-peers: could not build target/release/proxy; our rows will be empty" >&2
fi
exec cargo run --release -p benches --bin compare -- proxy "$@"
