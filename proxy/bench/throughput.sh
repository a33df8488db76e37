#!/usr/bin/env bash
# Throughput of one 256 MiB blob read directly from the registry, through digestlens-proxy, and
# through the cheapest user-space relay there is (proxy/bench/floor_relay.py: 1 MiB copies, no HTTP),
# in one run, with curl as the client (not a timed test: numbers for docs/proxy.md; the goal is
# proxy/direct >= 0.9x). The floor relay tells what the proxy costs apart from what any third process
# on the same cores costs.
#
# Usage: proxy/bench/throughput.sh [runs]   (default 7 runs; each run reads the blob once per route,
# the routes taking turns in a rotating order; prints the best and the median of each route and the
# median of the per-run ratios to direct: on a busy machine the median ratio is the fairer number; then
# the CPU seconds per GiB of proxy and floor relay, and of registry and curl on each route, which move
# less with the load than MiB/s do)
# Environment: PORT (registry, default 5790; the proxy listens on PORT+1, the floor relay on PORT+2),
# SIZE_MIB (default 256).
# Builds the proxy with `--profile proxy` (the one scripts/serve runs) and starts Debian's
# docker-registry through scripts/registry; only 127.0.0.1 is contacted.
set -euo pipefail
cd "$(dirname "$0")/../.."
runs=${1:-7}
port=${PORT:-5790}
proxy_port=$((port + 1))
floor_port=$((port + 2))
size_mib=${SIZE_MIB:-256}
work=$(mktemp -d /tmp/digestlens-proxy-bench.XXXXXX)
proxy_pid= floor_pid=

cleanup() {
  [ -n "$proxy_pid" ] && kill "$proxy_pid" 2>/dev/null || true
  [ -n "$floor_pid" ] && kill "$floor_pid" 2>/dev/null || true
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
python3 proxy/bench/floor_relay.py "$floor_port" "$port" &
floor_pid=$!
for _ in $(seq 50); do
  curl -sf -o /dev/null "http://127.0.0.1:$proxy_port/proxy/" &&
    curl -sf -o /dev/null "http://127.0.0.1:$floor_port/v2/" && break
  sleep 0.1
done

blob_path=/v2/bench/blob/blobs/$digest
declare -A url=(
  [direct]=$registry$blob_path
  [proxy]=http://127.0.0.1:$proxy_port/proxy/$registry$blob_path
  [floor]=http://127.0.0.1:$floor_port$blob_path
)
routes=(direct proxy floor)
# Bytes per second of one full read; the body's sha256 is checked once per route.
# curl's own CPU seconds (user + system) are added to $work/curl-ROUTE by GNU time.
speed() { /usr/bin/time -a -o "$work/curl-$1" -f '%U + %S' curl -sSf -o /dev/null -w '%{speed_download}' "${url[$1]}"; }
for route in "${routes[@]}"; do
  [ "sha256:$(curl -sSf "${url[$route]}" | sha256sum | cut -d' ' -f1)" = "$digest" ] ||
    { echo "digest mismatch via ${url[$route]}" >&2; exit 1; }
done

mib() { echo "$1 / 1048576" | bc -l; }
# A process's CPU time (user + system, in clock ticks) so far: less sensitive to load than MiB/s.
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
hz=$(getconf CLK_TCK)
registry_pid=$(cat "$work/registry/registry.pid")
declare -A relay_pid=([proxy]=$proxy_pid [floor]=$floor_pid)
median() { printf '%s\n' "$@" | sort -g | awk '{v[NR]=$1} END {print (NR % 2) ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2}'; }
best() { printf '%s\n' "$@" | sort -g | tail -1; }
declare -A speeds=() ratios=() relay_ticks=([proxy]=0 [floor]=0) registry_ticks=([direct]=0 [proxy]=0 [floor]=0)
for i in $(seq "$runs"); do
  declare -A got=()
  for k in 0 1 2; do
    route=${routes[$(((i + k) % 3))]}
    before=$(ticks "$registry_pid")
    [ "$route" = direct ] || relay_before=$(ticks "${relay_pid[$route]}")
    got[$route]=$(speed "$route")
    registry_ticks[$route]=$((registry_ticks[$route] + $(ticks "$registry_pid") - before))
    [ "$route" = direct ] ||
      relay_ticks[$route]=$((relay_ticks[$route] + $(ticks "${relay_pid[$route]}") - relay_before))
  done
  for route in "${routes[@]}"; do speeds[$route]+=" ${got[$route]}"; done
  for route in proxy floor; do ratios[$route]+=" $(echo "${got[$route]} / ${got[direct]}" | bc -l)"; done
  printf 'run %d: direct %5.0f, through the proxy %5.0f, through the floor relay %5.0f MiB/s; ratios %.2f and %.2f\n' "$i" \
    "$(mib "${got[direct]}")" "$(mib "${got[proxy]}")" "$(mib "${got[floor]}")" \
    "$(echo "${got[proxy]} / ${got[direct]}" | bc -l)" "$(echo "${got[floor]} / ${got[direct]}" | bc -l)"
done
summary() {
  # shellcheck disable=SC2086 # the lists are space-separated numbers
  printf '%s best %.0f / median %.0f MiB/s' "$1" "$(mib "$(best ${speeds[$2]})")" "$(mib "$(median ${speeds[$2]})")"
}
# shellcheck disable=SC2086
printf '%d MiB blob, %d runs: %s; %s; %s\nmedian ratio to direct: proxy %.2f, floor relay %.2f\n' "$size_mib" "$runs" \
  "$(summary direct direct)" "$(summary 'through the proxy' proxy)" "$(summary 'through the floor relay' floor)" \
  "$(median ${ratios[proxy]})" "$(median ${ratios[floor]})"
# CPU seconds per GiB read: the relays' own cost, and what registry and curl cost on each route.
gib=$(echo "$runs * $size_mib / 1024" | bc -l)
per_gib() { echo "($1) / $gib" | bc -l; }
curl_cpu() { paste -sd+ "$work/curl-$1" | bc -l; }
printf 'CPU per GiB (user + system): proxy %.2f s, floor relay %.2f s; registry %.2f / %.2f / %.2f s and curl %.2f / %.2f / %.2f s (direct / proxy / floor)\n' \
  "$(per_gib "${relay_ticks[proxy]} / $hz")" "$(per_gib "${relay_ticks[floor]} / $hz")" \
  "$(per_gib "${registry_ticks[direct]} / $hz")" "$(per_gib "${registry_ticks[proxy]} / $hz")" \
  "$(per_gib "${registry_ticks[floor]} / $hz")" \
  "$(per_gib "$(curl_cpu direct)")" "$(per_gib "$(curl_cpu proxy)")" "$(per_gib "$(curl_cpu floor)")"
