#!/usr/bin/env bash
# Writes the secrets of the compose stack (docker-compose.yml) into ./secrets/, each file mode 600, the directory 700.
# docs/deployment.md says what each one is for. An existing file is kept (delete it to make a new one), so the script
# can run again after adding a field node without changing the passwords already handed out.
#
#   scripts/make-secrets.sh [MQTT_USER ...]
#
# MQTT_USER: the field nodes, sensors and cameras that log in to mosquitto, by their inventory id (the ACL,
# deploy/mosquitto/acl, lets each publish only under its own id). Default: the node ids in config/inventory.
# MQTT_TLS_NAMES: the names field nodes reach the broker by, for its certificate
# (default "DNS:$(hostname -f),DNS:localhost,IP:127.0.0.1").
#
# Each container reads its secret files as its own user, and compose mounts them with their owner and mode from here:
# run as root (sudo) and the script gives each file to the user of the container that reads it; otherwise it prints
# the chown commands to run.
set -euo pipefail

cd "$(dirname "$0")/.."
umask 077
mkdir -p secrets/nodes
chmod 700 secrets secrets/nodes

random() { head -c 32 /dev/urandom | base64 | tr -d '/+=\n' | head -c 40; }

secret() {
  local file="secrets/$1"
  if [ ! -s "$file" ]; then
    random > "$file"
    echo "made    $file"
  fi
  chmod 600 "$file"
}

# Third-party images read these through their *_FILE variables (or Grafana's $__file{}).
secret influx-password
secret influx-token
secret postgres-password
secret grafana-admin-password
# Grafana's own copy of the token: another container user reads it.
if [ ! -s secrets/grafana-influx-token ]; then cp secrets/influx-token secrets/grafana-influx-token; fi
chmod 600 secrets/grafana-influx-token

# One MQTT user per NetOps process kind, and one for the broker's healthcheck.
for user in host collector collectors engine web health; do secret "mqtt-$user"; done
printf -- '-u netops-health\n-P %s\n' "$(cat secrets/mqtt-health)" > secrets/mosquitto_sub
chmod 600 secrets/mosquitto_sub

# The credential store of every NetOps container (Inventory:SecretsFile): the InfluxDB token, the PostgreSQL password
# (State:LeasePasswordCredential), the embedded broker's password of the all-in-one, and the SNMP communities the
# inventory names. The demo's communities are random too: the simulator answers with whatever this file says.
if [ ! -s secrets/netops.yaml ]; then
  {
    echo "# NetOps credential store for the compose stack, made by scripts/make-secrets.sh. name: value"
    echo "influx-token: $(cat secrets/influx-token)"
    echo "postgres-password: $(cat secrets/postgres-password)"
    echo "mqtt-demo: $(random)"
    for name in $(grep -rhoE 'credential: *[a-z0-9-]+' config/inventory | sed 's/credential: *//' | sort -u); do
      echo "$name: $(random)"
    done
  } > secrets/netops.yaml
  echo "made    secrets/netops.yaml"
fi
chmod 600 secrets/netops.yaml

# Field users: the arguments, or every node of the inventory.
if [ "$#" -gt 0 ]; then
  field_users=("$@")
else
  mapfile -t field_users < <(grep -rhoE '^ *- id: *[A-Za-z0-9._-]+' config/inventory/mogli.yaml | sed 's/.*id: *//' | sort -u)
fi
for user in "${field_users[@]}"; do
  case "$user" in
    *[!A-Za-z0-9._-]* | "" | netops-*) echo "skipped MQTT user '$user': an id is [A-Za-z0-9._-], and netops-* is NetOps's own" >&2; continue ;;
  esac
  secret "nodes/$user"
done

# mosquitto's password file: salted hashes of every user above, remade on each run.
if command -v mosquitto_passwd > /dev/null; then
  : > secrets/mosquitto-passwd
  chmod 600 secrets/mosquitto-passwd
  for user in host collector collectors engine web health; do
    mosquitto_passwd -b secrets/mosquitto-passwd "netops-$user" "$(cat "secrets/mqtt-$user")"
  done
  for file in secrets/nodes/*; do
    [ -e "$file" ] || continue
    mosquitto_passwd -b secrets/mosquitto-passwd "$(basename "$file")" "$(cat "$file")"
  done
  echo "made    secrets/mosquitto-passwd"
else
  echo "mosquitto_passwd is not installed (Debian: apt-get install mosquitto). Without it, make the password file with" >&2
  echo "  docker run --rm -v \"\$PWD/secrets:/s\" eclipse-mosquitto:2 mosquitto_passwd -b /s/mosquitto-passwd USER PASSWORD" >&2
  echo "for netops-host, netops-collector, netops-collectors, netops-engine, netops-web, netops-health (secrets/mqtt-*) and each secrets/nodes/*." >&2
fi

# The broker's TLS certificate for field nodes, from a throwaway CA. Replace the three files with your own CA's to keep
# the nodes' trust across re-installs; the nodes need secrets/mqtt-tls-ca.
if [ ! -s secrets/mqtt-tls-cert ]; then
  names="${MQTT_TLS_NAMES:-DNS:$(hostname -f),DNS:localhost,IP:127.0.0.1}"
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  openssl req -x509 -newkey rsa:3072 -nodes -subj /CN=netops-mqtt-ca -days 825 \
    -keyout "$work/ca.key" -out secrets/mqtt-tls-ca 2> /dev/null
  openssl req -newkey rsa:3072 -nodes -subj /CN=netops-mqtt -keyout secrets/mqtt-tls-key -out "$work/broker.csr" 2> /dev/null
  printf 'subjectAltName=%s\nextendedKeyUsage=serverAuth\n' "$names" > "$work/broker.ext"
  openssl x509 -req -in "$work/broker.csr" -CA secrets/mqtt-tls-ca -CAkey "$work/ca.key" -CAserial "$work/ca.srl" -CAcreateserial \
    -days 825 -extfile "$work/broker.ext" -out secrets/mqtt-tls-cert 2> /dev/null
  echo "made    secrets/mqtt-tls-{ca,cert,key} for $names (the CA's key is not kept)"
fi
chmod 600 secrets/mqtt-tls-ca secrets/mqtt-tls-cert secrets/mqtt-tls-key

# Who reads what inside the containers: mosquitto (1883), Grafana (472), NetOps (the aspnet image's app user, 1654).
# PostgreSQL, InfluxDB and the healthchecks read theirs as root.
owners=(
  "1883:secrets/mosquitto-passwd secrets/mqtt-tls-ca secrets/mqtt-tls-cert secrets/mqtt-tls-key"
  "472:secrets/grafana-admin-password secrets/grafana-influx-token"
  "1654:secrets/netops.yaml secrets/mqtt-host secrets/mqtt-collector secrets/mqtt-collectors secrets/mqtt-engine secrets/mqtt-web"
)
for entry in "${owners[@]}"; do
  uid="${entry%%:*}"
  files="${entry#*:}"
  if [ "$(id -u)" = 0 ]; then
    # shellcheck disable=SC2086 # a list of file names without spaces
    chown "$uid:$uid" $files 2> /dev/null || true
  else
    echo "to do as root: chown $uid:$uid $files"
  fi
done
