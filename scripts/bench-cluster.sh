#!/usr/bin/env bash
# The cluster benchmark (docs/src/cluster.md): one generated corpus translated by
# 1, 2 and 4 shard workers at once through a shared Redis cache, against a local server
# with a fixed latency per request; and a fully cached run with the Redis store against the
# sled store.
#   scripts/bench-cluster.sh setup DIR          generate the corpus, start Redis and the server
#   scripts/bench-cluster.sh workers DIR W      one cold run with W workers (cache emptied first)
#   scripts/bench-cluster.sh cached DIR sled|redis   one fully cached unsharded run
#   scripts/bench-cluster.sh stop DIR
# The ideal time of a cold run is requests × latency ÷ (W × concurrency per worker).
set -euo pipefail
cd "$(dirname "$0")/.."
bin="$(realpath "${TRANSALIGN_BIN:-./target/release/transalign}")"
scripts="$(pwd)/scripts"
cmd=$1 dir=$2
latency=${LATENCY:-0.1} documents=${DOCUMENTS:-48} per_document=${SENTENCES:-10}
case "$cmd" in
setup)
  mkdir -p "$dir/corpus"
  python3 - "$dir/corpus" "$documents" "$per_document" <<'PY'
import sys
out, documents, per = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
goods = ["beras", "gula", "minyak", "jagung", "kedelai", "bawang", "cabai", "telur", "daging", "ikan"]
for d in range(documents):
    with open(f"{out}/laporan{d:03}.txt", "w") as f:
        for s in range(per):
            n = d * per + s
            f.write(f"Pemerintah kota nomor {n} mengumumkan bahwa harga {goods[n % 10]} naik {n % 97} persen pada tahun {1900 + n}.\n")
    with open(f"{out}/report{d:03}.txt", "w") as f:
        f.write(f"The city government number {d * per} announced that prices rose in {1900 + d * per}.\n")
PY
  redis_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  server_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  redis-server --bind 127.0.0.1 --port "$redis_port" --save "" --appendonly no --daemonize yes \
    --pidfile "$dir/redis.pid" >/dev/null
  nohup python3 "$scripts/bench-translator.py" "$server_port" "$latency" "$dir/requests.log" \
    >/dev/null 2>&1 &
  echo $! >"$dir/server.pid"
  cat >"$dir/config.toml" <<TOML
[input]
paths = ["corpus"]
[translate]
backend = "lt"
[backends.lt]
kind = "libretranslate"
url = "http://127.0.0.1:$server_port"
batch_size = 4
concurrency = 2
[cache]
url = "redis://127.0.0.1:$redis_port/0"
[output]
formats = ["jsonl"]
TOML
  echo "$redis_port" >"$dir/redis.port"
  for _ in $(seq 50); do redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break; sleep 0.1; done
  echo "setup: $(ls "$dir/corpus" | wc -l) documents; Redis on $redis_port, server on $server_port ($latency s a request)"
  ;;
workers)
  workers=$3 port=$(cat "$dir/redis.port")
  redis-cli -p "$port" flushall >/dev/null
  rm -rf "$dir/out-$workers"
  pids=()
  for i in $(seq 0 $((workers - 1))); do
    "$bin" --quiet --config "$dir/config.toml" run --shard "$i/$workers" \
      --cache-url "redis://127.0.0.1:$port/0" --out "$dir/out-$workers/shard-$i" &
    pids+=($!)
  done
  for p in "${pids[@]}"; do wait "$p"; done
  ;;
cached)
  port=$(cat "$dir/redis.port")
  if [ "$3" = redis ]; then
    exec "$bin" --quiet --config "$dir/config.toml" run --cache-url "redis://127.0.0.1:$port/0" --out "$dir/out-cached"
  fi
  exec "$bin" --quiet --config "$dir/config.toml" run --cache-dir "$dir/sled" --out "$dir/out-cached"
  ;;
stop)
  kill "$(cat "$dir/server.pid")" 2>/dev/null || true
  kill "$(cat "$dir/redis.pid")" 2>/dev/null || true
  ;;
esac
