#!/usr/bin/env bash
# Collector failover on one machine, without Docker (docs/architecture.md "Collectors: membership and failover").
#
#   scripts/cluster.sh up N            PostgreSQL, mosquitto, the simulated fleet, one engine with the dashboard and
#                                      N collectors, each its own process and log, all on 127.0.0.1; the last line is
#                                      the dashboard's URL and an admin API token
#   scripts/cluster.sh kill collector-K    SIGKILL to collector K (its devices go to the others within a poll
#                                      interval plus the lease)
#   scripts/cluster.sh status          the processes, and the live collectors with their devices and last heartbeat
#   scripts/cluster.sh down            stops everything `up` started (logs stay in the cluster directory)
#
# Needs the Debian packages postgresql and mosquitto (the README's test command installs them) and the .NET SDK.
# Everything lives in $NETOPS_CLUSTER_DIR (default .cluster/ in the repository). NETOPS_CONFIGURATION (default Release)
# picks the build; NETOPS_NO_BUILD=1 uses the build that is there.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
DIR=${NETOPS_CLUSTER_DIR:-$ROOT/.cluster}
CONFIGURATION=${NETOPS_CONFIGURATION:-Release}
HOST_DLL=$ROOT/src/NetOps.Host/bin/$CONFIGURATION/net10.0/NetOps.Host.dll
CLI_DLL=$ROOT/src/NetOps.Cli/bin/$CONFIGURATION/net10.0/netops.dll

die() { echo "cluster.sh: $*" >&2; exit 1; }

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

pg_bin() {
  local bin
  for bin in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -rV); do
    [[ -x $bin/postgres ]] && { echo "$bin"; return; }
  done
  die "PostgreSQL is not installed: sudo apt-get install postgresql"
}

# PostgreSQL refuses to run as root: as root its tools run as user postgres.
as_postgres() {
  if [[ $(id -u) == 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

alive() { [[ -f $1 ]] && kill -0 "$(cat "$1")" 2>/dev/null; }

# The settings every NetOps process of the cluster shares.
common_args() {
  local pg="Host=127.0.0.1;Port=$(cat "$DIR/ports/postgres");Username=postgres;Database=netops"
  echo --Inventory:Directory "$ROOT/config/inventory" --Inventory:SecretsFile "$DIR/secrets.yaml" \
    --Database:Provider PostgreSQL --Database:ConnectionString "$pg" --State:LeaseConnectionString "$pg" \
    --Mqtt:Embedded false --Mqtt:Host 127.0.0.1 --Mqtt:Port "$(cat "$DIR/ports/mosquitto")" \
    --Mqtt:Username netops --Mqtt:Credential mqtt-cluster --Mqtt:SharedGroup collectors
}

start_netops() {
  local name=$1; shift
  local port; port=$(free_port)
  echo "$port" > "$DIR/ports/$name"
  mkdir -p "$DIR/data/$name" "$DIR/logs/$name"
  # shellcheck disable=SC2046 # the common arguments contain no spaces
  # From the build output: appsettings.json (logging, defaults) is read from the working directory.
  (cd "$(dirname "$HOST_DLL")" && exec setsid nohup dotnet "$HOST_DLL" --urls "http://127.0.0.1:$port" $(common_args) \
    --Storage:DataDirectory "$DIR/data/$name" --Serilog:WriteTo:1:Args:path "$DIR/logs/$name/netops-.log" "$@" \
    > "$DIR/logs/$name.log" 2>&1 < /dev/null) &
  echo $! > "$DIR/pids/$name"
}

wait_healthy() {
  local name=$1 deadline=$((SECONDS + 120))
  until curl -fs -o /dev/null "http://127.0.0.1:$(cat "$DIR/ports/$name")/healthz"; do
    alive "$DIR/pids/$name" || die "$name exited; see $DIR/logs/$name.log"
    (( SECONDS < deadline )) || die "$name not healthy after 120 s; see $DIR/logs/$name.log"
    sleep 0.5
  done
}

start_collector() {
  local k=$1
  # Each collector receives traps on its own port: a device may send them to any collector.
  local traps; traps=$(free_port)
  echo "$traps" > "$DIR/ports/collector-$k-traps"
  start_netops "collector-$k" --NetOps:Roles collector --Collector:Name "collector-$k" --Mqtt:ClientId "netops-ingest-collector-$k" \
    --Traps:Enabled true --Traps:Endpoint "127.0.0.1:$traps"
}

up() {
  local n=${1:-}
  [[ $n =~ ^[1-9][0-9]?$ ]] || die "usage: scripts/cluster.sh up N (1 to 99 collectors)"
  if [[ -d $DIR/pids ]]; then
    for pid in "$DIR"/pids/*; do
      alive "$pid" && die "already up ($(basename "$pid") runs); scripts/cluster.sh down first"
    done
  fi
  command -v mosquitto > /dev/null || die "mosquitto is not installed: sudo apt-get install mosquitto"
  command -v dotnet > /dev/null || die "the .NET SDK is not installed (dotnet)"
  local bin; bin=$(pg_bin)

  if [[ ${NETOPS_NO_BUILD:-} != 1 ]]; then
    echo "building NetOps ($CONFIGURATION)..."
    dotnet build -c "$CONFIGURATION" -v quiet -nologo "$ROOT/src/NetOps.Host" > "$ROOT/.cluster-build.log" 2>&1 \
      || die "build failed; see $ROOT/.cluster-build.log"
    dotnet build -c "$CONFIGURATION" -v quiet -nologo "$ROOT/src/NetOps.Cli" >> "$ROOT/.cluster-build.log" 2>&1 \
      || die "build failed; see $ROOT/.cluster-build.log"
    rm -f "$ROOT/.cluster-build.log"
  fi
  [[ -f $HOST_DLL && -f $CLI_DLL ]] || die "no $CONFIGURATION build of NetOps.Host and NetOps.Cli"

  rm -rf "$DIR"
  mkdir -p "$DIR/pids" "$DIR/ports" "$DIR/logs" "$DIR/data" "$DIR/postgres" "$DIR/mosquitto"
  chmod 755 "$DIR" "$DIR/postgres" "$DIR/mosquitto"

  # PostgreSQL: trust on 127.0.0.1 only (a try-out; compose's PostgreSQL has a password), socket in its directory.
  local pg_port; pg_port=$(free_port)
  echo "$pg_port" > "$DIR/ports/postgres"
  [[ $(id -u) == 0 ]] && chown postgres:postgres "$DIR/postgres"
  as_postgres "$bin/initdb" -D "$DIR/postgres/data" -U postgres --auth=trust --no-sync > "$DIR/logs/initdb.log" 2>&1 \
    || die "initdb failed; see $DIR/logs/initdb.log"
  as_postgres "$bin/pg_ctl" -D "$DIR/postgres/data" -l "$DIR/postgres/postgres.log" -w \
    -o "-p $pg_port -k $DIR/postgres -c listen_addresses=127.0.0.1" start > /dev/null \
    || die "PostgreSQL did not start; see $DIR/postgres/postgres.log"
  as_postgres "$bin/psql" -h 127.0.0.1 -p "$pg_port" -U postgres -qc "CREATE DATABASE netops" > /dev/null

  # mosquitto: no anonymous client; one account for the cluster's processes and the simulated nodes.
  local mqtt_password; mqtt_password=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
  mosquitto_passwd -b -c "$DIR/mosquitto/passwd" netops "$mqtt_password"
  chmod 644 "$DIR/mosquitto/passwd"
  local mqtt_port; mqtt_port=$(free_port)
  echo "$mqtt_port" > "$DIR/ports/mosquitto"
  printf '%s\n' "listener $mqtt_port 127.0.0.1" "allow_anonymous false" "password_file $DIR/mosquitto/passwd" \
    "persistence false" "log_dest stderr" > "$DIR/mosquitto/mosquitto.conf"
  setsid nohup mosquitto -c "$DIR/mosquitto/mosquitto.conf" > "$DIR/logs/mosquitto.log" 2>&1 < /dev/null &
  echo $! > "$DIR/pids/mosquitto"

  { cat "$ROOT/config/secrets.demo.yaml"; echo "mqtt-cluster: $mqtt_password"; } > "$DIR/secrets.yaml"
  chmod 600 "$DIR/secrets.yaml"

  # The engine (with the dashboard and alerting) first: it migrates the database and makes the first admin.
  start_netops engine --NetOps:Roles engine,web,alerting --State:Name engine
  wait_healthy engine
  start_netops simulator --NetOps:Roles simulator
  for k in $(seq 1 "$n"); do start_collector "$k"; done
  wait_healthy simulator
  for k in $(seq 1 "$n"); do wait_healthy "collector-$k"; done

  local token
  token=$(Database__Provider=PostgreSQL Database__ConnectionString="Host=127.0.0.1;Port=$pg_port;Username=postgres;Database=netops" \
    dotnet "$CLI_DLL" tokens create cluster-sh --user admin --expires 7) || die "could not create an API token for admin"
  echo "$token" > "$DIR/token"
  chmod 600 "$DIR/token"
  echo "NetOps: engine, simulator and $n collectors on 127.0.0.1; logs in $DIR/logs; the admin's first password in $DIR/data/engine/initial-admin-password"
  echo "http://127.0.0.1:$(cat "$DIR/ports/engine")/ $token"
}

kill_collector() {
  local name=${1:-}
  [[ $name =~ ^collector-[0-9]+$ ]] || die "usage: scripts/cluster.sh kill collector-K"
  alive "$DIR/pids/$name" || die "$name is not running"
  kill -KILL "$(cat "$DIR/pids/$name")"
  echo "$name killed (SIGKILL); its devices go to the others within a poll interval plus the lease"
}

status() {
  [[ -d $DIR/pids ]] || die "not up"
  local file
  for file in "$DIR"/pids/*; do
    if alive "$file"; then echo "$(basename "$file"): running (pid $(cat "$file"))"; else echo "$(basename "$file"): stopped"; fi
  done
  [[ -f $DIR/token ]] || return 0
  curl -fsS -H "Authorization: Bearer $(cat "$DIR/token")" "http://127.0.0.1:$(cat "$DIR/ports/engine")/api/collectors" \
    > "$DIR/collectors.json" || { echo "the engine does not answer /api/collectors"; return 0; }
  python3 - "$DIR/collectors.json" <<'EOF'
import json, sys
from datetime import datetime
with open(sys.argv[1]) as f:
    answer = json.load(f)
now = datetime.fromisoformat(answer["now"].replace("Z", "+00:00"))
print("membership in %s: %d live collector(s)" % (answer["store"], len(answer["collectors"])))
for c in answer["collectors"]:
    ago = (now - datetime.fromisoformat(c["heartbeatAt"].replace("Z", "+00:00"))).total_seconds()
    print("  %-14s %4d devices  heartbeat %4.1f s ago  %s" % (c["name"], len(c["devices"]), ago, c["process"]))
EOF
}

down() {
  [[ -d $DIR/pids ]] || { echo "not up"; return 0; }
  local file
  for file in "$DIR"/pids/*; do
    alive "$file" && kill -TERM "$(cat "$file")" 2>/dev/null || true
  done
  local deadline=$((SECONDS + 15))
  for file in "$DIR"/pids/*; do
    while alive "$file" && (( SECONDS < deadline )); do sleep 0.2; done
    alive "$file" && kill -KILL "$(cat "$file")" 2>/dev/null || true
  done
  if [[ -f $DIR/postgres/data/postmaster.pid ]]; then
    as_postgres "$(pg_bin)/pg_ctl" -D "$DIR/postgres/data" -m fast -w stop > /dev/null || true
  fi
  rm -rf "$DIR/pids" "$DIR/token"
  echo "stopped; logs stay in $DIR/logs"
}

case ${1:-} in
  up) up "${2:-}" ;;
  kill) kill_collector "${2:-}" ;;
  status) status ;;
  down) down ;;
  *) die "usage: scripts/cluster.sh up N | kill collector-K | status | down" ;;
esac
