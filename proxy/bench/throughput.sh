#!/usr/bin/env bash
# Throughput of one 256 MiB blob read through digestlens-proxy vs directly from the registry, in one
# run, with curl as the client (not a timed test: numbers for docs/proxy.md; the goal is >= 0.9x).
#
# Usage: proxy/bench/throughput.sh [runs]   (default 7 runs each, alternating direct/proxy; prints the
# best and the median of each route and the median of the per-run ratios: on a busy machine the
# median ratio is the fairer number; then the CPU seconds per GiB of the proxy, and of registry and
# curl on each route, which move less with the load than MiB/s do)
# Environment: PORT (registry, default 5790; the proxy listens on PORT+1), SIZE_MIB (default 256).
# Builds the proxy with `--profile proxy` (the one scripts/serve runs) and starts Debian's
# docker-registry through scripts/registry; only 127.0.0.1 is contacted.
set -euo pipefail
cd "$(dirname "$0")/../.."
runs=${1:-7}
port=${PORT:-5790}
proxy_port=$((port + 1))
size_mib=${SIZE_MIB:-256}
work=$(mktemp -d /tmp/digestlens-proxy-bench.XXXXXX)
proxy_pid=

cleanup() {
  [ -n "$proxy_pid" ] && kill "$proxy_pid" 2>/dev/null || true
  PORT=$port STATE_DIR=$work/registry scripts/registry stop >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

cargo build --quiet --profile proxy -p digestlens-proxy
PORT=$port STATE_DIR=$work/registry MODE=nocors scripts/registry start >/dev/null
registry=http://127.0.0.1:$port

head -c $((size_mib << 20)) /dev/urandom >"$work/blob"
digest=sha256:$(sha256sum "$work/blob" | cut -d' ' -f1)
upload=$(curl -sSf -X POST -o /dev/null -w '%{redirect_url}' "$registry/v2/bench/blob/blobs/uploads/")
[ -n "$upload" ] || upload=$(curl -sSf -X POST -D - -o /dev/null "$registry/v2/bench/blob/blobs/uploads/" |
  tr -d '\r' | sed -n 's/^[Ll]ocation: //p')
case $upload in /*) upload=$registry$upload ;; esac
curl -sSf -X PUT -H 'Content-Type: application/octet-stream' --data-binary @"$work/blob" \
  "$upload&digest=$digest" -o /dev/null
rm -f "$work/blob"

mkdir -p "$work/dist"
echo '<!doctype html><title>bench</title>' >"$work/dist/index.html"
target/proxy/digestlens-proxy --listen "127.0.0.1:$proxy_port" --static "$work/dist" \
  --allow-registry "127.0.0.1:$port" --plain-http "127.0.0.1:$port" 2>"$work/proxy.log" &
proxy_pid=$!
for _ in $(seq 50); do curl -sf -o /dev/null "http://127.0.0.1:$proxy_port/proxy/" && break; sleep 0.1; done

blob_url=$registry/v2/bench/blob/blobs/$digest
# Bytes per second of one full read; the body's sha256 is checked once per route.
# curl's own CPU seconds (user + system) are added to $work/curl-ROUTE by GNU time.
speed() { /usr/bin/time -a -o "$work/curl-$2" -f '%U + %S' curl -sSf -o /dev/null -w '%{speed_download}' "$1"; }
check() { [ "sha256:$(curl -sSf "$1" | sha256sum | cut -d' ' -f1)" = "$digest" ] || { echo "digest mismatch via $1" >&2; exit 1; }; }
check "$blob_url"
check "http://127.0.0.1:$proxy_port/proxy/$blob_url"

mib() { echo "$1 / 1048576" | bc -l; }
# A process's CPU time (user + system, in clock ticks) so far: less sensitive to load than MiB/s.
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
hz=$(getconf CLK_TCK)
registry_pid=$(cat "$work/registry/registry.pid")
median() { printf '%s\n' "$@" | sort -g | awk '{v[NR]=$1} END {print (NR % 2) ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2}'; }
directs=() proxies=() ratios=() proxy_ticks=0 registry_direct=0 registry_proxied=0
for i in $(seq "$runs"); do
  before=$(ticks "$registry_pid")
  d=$(speed "$blob_url" direct)
  registry_direct=$((registry_direct + $(ticks "$registry_pid") - before))
  before="$(ticks "$registry_pid") $(ticks "$proxy_pid")"
  p=$(speed "http://127.0.0.1:$proxy_port/proxy/$blob_url" proxy)
  registry_proxied=$((registry_proxied + $(ticks "$registry_pid") - ${before% *}))
  proxy_ticks=$((proxy_ticks + $(ticks "$proxy_pid") - ${before#* }))
  directs+=("$d") proxies+=("$p") ratios+=("$(echo "$p / $d" | bc -l)")
  printf 'run %d: direct %5.0f MiB/s, through proxy %5.0f MiB/s, ratio %.2f\n' "$i" "$(mib "$d")" "$(mib "$p")" "${ratios[-1]}"
done
best() { printf '%s\n' "$@" | sort -g | tail -1; }
printf '%d MiB blob, %d runs: direct best %.0f / median %.0f MiB/s; through proxy best %.0f / median %.0f MiB/s; median ratio %.2f\n' \
  "$size_mib" "$runs" "$(mib "$(best "${directs[@]}")")" "$(mib "$(median "${directs[@]}")")" \
  "$(mib "$(best "${proxies[@]}")")" "$(mib "$(median "${proxies[@]}")")" "$(median "${ratios[@]}")"
# CPU seconds per GiB read: the proxy's own cost, and what registry and curl cost on each route.
gib=$(echo "$runs * $size_mib / 1024" | bc -l)
per_gib() { echo "($1) / $gib" | bc -l; }
curl_cpu() { paste -sd+ "$work/curl-$1" | bc -l; }
printf 'CPU per GiB (user + system): proxy %.2f s; registry %.2f s direct, %.2f s through the proxy; curl %.2f s direct, %.2f s through the proxy\n' \
  "$(per_gib "$proxy_ticks / $hz")" "$(per_gib "$registry_direct / $hz")" "$(per_gib "$registry_proxied / $hz")" \
  "$(per_gib "$(curl_cpu direct)")" "$(per_gib "$(curl_cpu proxy)")"
