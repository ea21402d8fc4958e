#!/usr/bin/env bash
# compose-check.sh [--up]: check the docker-compose example without a Docker engine.
#
#   test/packaging/compose-check.sh         validate: docker-compose config (Debian's 1.29, through
#                                           shared/tools/compose-check), the scenario directory
#                                           (faultline validate), prometheus.yml (promtool, if
#                                           installed)
#   test/packaging/compose-check.sh --up    also run `app` and `faultline` for real: docker-compose
#                                           against podman's Docker-compatible API socket, with the
#                                           image container-smoke.sh built ($IMAGE, tagged
#                                           faultline:local). Prometheus is left out: no image
#                                           can be pulled here.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"
dir=examples/compose
file=$dir/docker-compose.yml
t0=$(date +%s.%N)
elapsed() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }
fail() { echo "compose-check.sh: FAIL: $*" >&2; exit 1; }
ok() { echo "  ok  $*"; }

tool=${COMPOSE_CHECK:-$root/../shared/tools/compose-check}
if [[ -x $tool ]]; then "$tool" "$file" >/dev/null || fail "$file does not validate"
else (cd "$dir" && docker-compose -f docker-compose.yml config -q) || fail "$file does not validate"; fi
ok "$file validates (docker-compose $(docker-compose version --short 2>/dev/null))"

[[ -f dist/cli/main.js ]] || { echo "compose-check.sh: build first (npm run build)" >&2; exit 2; }
node dist/cli/main.js validate "$dir/scenarios" >/dev/null || fail "$dir/scenarios: $(node dist/cli/main.js validate "$dir/scenarios" 2>&1)"
ok "$dir/scenarios validates"

if command -v promtool >/dev/null; then
  promtool check config "$dir/prometheus.yml" >/dev/null 2>&1 || fail "$(promtool check config "$dir/prometheus.yml" 2>&1)"
  ok "$dir/prometheus.yml passes promtool check config"
else
  echo "  --  promtool not installed: prometheus.yml not checked"
fi

if [[ ${1:-} != --up ]]; then
  echo "== compose-check.sh: passed in $(elapsed "$t0") s"
  exit 0
fi

# --- --up: the sidecar running for real ---------------------------------------------------------
export CONTAINERS_CONF=${CACHE:-$HOME/.cache/container-smoke}/containers.conf
[[ -f $CONTAINERS_CONF ]] || fail "no $CONTAINERS_CONF: run test/packaging/container-smoke.sh first"
IMAGE=${IMAGE:-faultline:smoke}
podman image exists "$IMAGE" || fail "no image $IMAGE: run test/packaging/container-smoke.sh first"
podman tag "$IMAGE" faultline:local

work=$(mktemp -d)
project=flcompose$$
service_pid=
export DOCKER_HOST=unix://$work/podman.sock
compose() { (cd "$dir" && timeout 120 docker-compose -p "$project" "$@"); }
cleanup() {
  compose down --timeout 15 >/dev/null 2>&1 || true
  [[ -n $service_pid ]] && kill "$service_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
podman system service --time=0 "$DOCKER_HOST" >"$work/service.log" 2>&1 &
service_pid=$!
for _ in $(seq 50); do [[ -S $work/podman.sock ]] && break; sleep 0.1; done

read -r FAULTLINE_PORT FAULTLINE_ADMIN_PORT < <(node -e "
  const net = require('net'); const ports = [];
  const next = () => { const s = net.createServer().listen(0, '127.0.0.1', () => { ports.push(s.address().port); s.close(() => ports.length < 2 ? next() : console.log(ports.join(' '))); }); };
  next();")
export FAULTLINE_PORT FAULTLINE_ADMIN_PORT FAULTLINE_ADMIN_TOKEN=compose-check-token
P=http://127.0.0.1:$FAULTLINE_PORT
A=http://127.0.0.1:$FAULTLINE_ADMIN_PORT

compose up -d --no-build app >"$work/up.log" 2>&1 || fail "compose up app: $(cat "$work/up.log")"
# No systemd here, so podman never runs health checks by itself: run the app's until it passes,
# then `depends_on: condition: service_healthy` lets faultline start.
app=$(podman ps --filter "label=com.docker.compose.project=$project" --filter "label=com.docker.compose.service=app" --format '{{.Names}}' 2>/dev/null | head -1)
for _ in $(seq 50); do podman healthcheck run "$app" >/dev/null 2>&1 && break; sleep 0.2; done
compose up -d --no-build faultline >>"$work/up.log" 2>&1 || fail "compose up faultline: $(cat "$work/up.log")"
fl=$(podman ps --filter "label=com.docker.compose.project=$project" --filter "label=com.docker.compose.service=faultline" --format '{{.Names}}' 2>/dev/null | head -1)
for _ in $(seq 50); do podman healthcheck run "$fl" >/dev/null 2>&1 && break; sleep 0.2; done
podman healthcheck run "$fl" >/dev/null 2>&1 || fail "faultline is not healthy: $(compose logs --tail 20 faultline 2>&1)"
ok "app and faultline up, faultline healthy"

[[ $(curl -s --max-time 5 -o /dev/null -w '%{http_code}' "$P/status/200") == 200 ]] || fail "GET through the sidecar"
ok "GET $P/status/200 -> faultline -> app:3000"

uploads() { for _ in $(seq 20); do curl -s --max-time 5 -o /dev/null -w '%{http_code}\n' -X PUT --data-binary x "$P/upload/a"; done | sort | uniq -c | xargs; }
split=$(uploads)
[[ $split == *507* && $split == *201* ]] || fail "20 uploads: expected some 507 and some 201, got $split"
ok "20 uploads through the sidecar: $split"
curl -fsS --max-time 5 "$A/metrics" | grep -q '^faultline_requests_total{method="PUT",code="507",outcome="injected",protocol="http/1.1"}' || fail "/metrics on the published admin port"
ok "/metrics on 127.0.0.1:$FAULTLINE_ADMIN_PORT counts the injected 507s"

# Switch the fault off and on with the admin CLI inside the container (when it has the commands).
if podman exec "$fl" faultline rules >"$work/rules" 2>&1; then
  grep -q uploads-507 "$work/rules" || fail "faultline rules does not list uploads-507: $(cat "$work/rules")"
  podman exec "$fl" faultline disable uploads-507 >/dev/null 2>&1 || fail "faultline disable uploads-507"
  split=$(uploads)
  [[ $split != *507* ]] || fail "uploads-507 disabled, still got $split"
  podman exec "$fl" faultline enable uploads-507 >/dev/null 2>&1 || fail "faultline enable uploads-507"
  split=$(uploads)
  [[ $split == *507* ]] || fail "uploads-507 enabled again, got $split"
  ok "faultline disable/enable uploads-507 inside the container switch the fault live"
else
  echo "  --  faultline rules not available in the image (yet): $(head -1 "$work/rules")"
fi

t1=$(date +%s.%N)
compose stop --timeout 15 faultline >/dev/null 2>&1 || fail "compose stop faultline"
[[ $(podman inspect "$fl" --format '{{.State.ExitCode}}' 2>/dev/null) == 0 ]] || fail "faultline did not exit 0 on stop"
ok "docker-compose stop: faultline exited 0 after $(elapsed "$t1") s"
echo "== compose-check.sh --up: passed in $(elapsed "$t0") s"
