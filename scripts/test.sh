#!/usr/bin/env bash
# Installs what the tests need (Debian packages, only when missing) and runs every test of NetOps.
# The tests start their own servers (snmpd, snmpsimd, mosquitto, influxd, PostgreSQL, Alertmanager, an SMTP listener,
# an OpenID Connect provider on Node, Chromium) on free loopback ports.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  "chromium:/usr/bin/chromium"
  "snmpd:/usr/sbin/snmpd"
  "snmp:/usr/bin/snmpbulkwalk"
  "snmpsim:/usr/bin/snmpsimd"
  "mosquitto:/usr/sbin/mosquitto"
  "mosquitto-clients:/usr/bin/mosquitto_pub"
  "influxdb:/usr/bin/influxd"
  "docker-compose:/usr/bin/docker-compose"
  "postgresql:/usr/lib/postgresql/*/bin/postgres"
  "prometheus-alertmanager:/usr/bin/prometheus-alertmanager"
  "python3-aiosmtpd:/usr/lib/python3/dist-packages/aiosmtpd/__init__.py"
  # scripts/cluster.sh (and its test) asks the processes over HTTP with curl.
  "curl:/usr/bin/curl"
)
missing=()
for entry in "${packages[@]}"; do
  found=""
  IFS='|' read -ra paths <<<"${entry#*:}"
  for pattern in "${paths[@]}"; do
    for path in $pattern; do [ -e "$path" ] && found=1; done
  done
  [ -n "$found" ] || missing+=("${entry%%:*}")
done
# Node runs the OpenID Connect provider of the login tests (tests/oidc-provider); npm installs it once. Node may come
# from elsewhere (NodeSource, nvm): Debian's packages only when there is none on PATH.
command -v node >/dev/null || missing+=("nodejs")
[ -d tests/oidc-provider/node_modules ] || command -v npm >/dev/null || missing+=("npm")
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  # policy-rc.d keeps the packages' own daemons from starting: tests start theirs on free ports.
  printf '#!/bin/sh\nexit 101\n' | $sudo tee /usr/sbin/policy-rc.d >/dev/null && $sudo chmod +x /usr/sbin/policy-rc.d
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
  $sudo rm -f /usr/sbin/policy-rc.d
fi

command -v dotnet >/dev/null || { echo "the .NET 10 SDK is required (dotnet on PATH)" >&2; exit 1; }

# oidc-provider 9 supports Node 22 LTS and later and runs on 20 (the login tests ran on 20.20); Debian 12's nodejs is 18.
node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 20 ? 0 : 1)' \
  || echo "warning: node $(node --version) is older than 20: the OpenID Connect login tests may fail to start their provider" >&2
if [ ! -d tests/oidc-provider/node_modules ]; then
  (cd tests/oidc-provider && npm ci --no-audit --no-fund)
fi

results="$(mktemp -d)"
trap 'rm -rf "$results"' EXIT
dotnet build NetOps.sln -c Release -nologo -v:q
set +e
dotnet test NetOps.sln -c Release --no-build -nologo -m:1 \
  --logger "trx" --results-directory "$results" --logger "console;verbosity=normal" "$@"
status=$?
set -e

# One closing line for every assembly together, counted from the result files.
passed=0; failed=0; skipped=0
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -1)
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters"); f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
  n=$(sed -n 's/.* notExecuted="\([0-9]*\)".*/\1/p' <<<"$counters")
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0})); skipped=$((skipped + ${n:-0}))
done
# The failures again at the very end, where a truncated log still shows them: name and the first lines of the message.
if [ "$failed" -gt 0 ]; then
  python3 - "$results"/*.trx <<'PY'
import sys, xml.etree.ElementTree as ET
ns = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}
for path in sys.argv[1:]:
    for result in ET.parse(path).getroot().iterfind(".//t:UnitTestResult", ns):
        if result.get("outcome") != "Failed":
            continue
        message = result.findtext(".//t:ErrorInfo/t:Message", default="", namespaces=ns).strip().splitlines()
        print("FAILED " + result.get("testName", "?"))
        for line in message[:6]:
            print("    " + line[:300])
PY
fi
echo "tests: ${passed} passed, ${failed} failed, ${skipped} skipped"
if [ "$passed" -eq 0 ] && [ "$status" -eq 0 ]; then
  echo "no test ran" >&2
  exit 1
fi
exit $status
