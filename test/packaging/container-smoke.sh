#!/usr/bin/env bash
# container-smoke.sh: build the image from ./Dockerfile and smoke-test the running container.
#
#   test/packaging/container-smoke.sh        (from anywhere; needs dist/ built and node_modules)
#
# No Docker engine here and no image pulls: the build goes through shared/tools/container-smoke
# (podman, a local stand-in for the node:<major> base image), found beside the repository
# (../shared/tools/container-smoke) or at $CONTAINER_SMOKE. The container runs on the host
# network, so it reaches an upstream on this machine's loopback and listens on free ports here.
#
# Checks: image metadata (non-root user, ports, HEALTHCHECK), the health check passes, a request
# is proxied to the upstream, the mounted scenario injects a 507 with the contract headers, a
# WebSocket passes through, an edit of the mounted scenario is hot-reloaded, /metrics counts it,
# node is PID 1, SIGTERM drains an in-flight request and stops the container within the grace
# period with exit 0, stderr has no warnings (DEP0060 from http-proxy on Node 22). Prints timings
# and the image size.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"
tool=${CONTAINER_SMOKE:-$root/../shared/tools/container-smoke}
[[ -x $tool ]] || { echo "container-smoke.sh: $tool not found (set CONTAINER_SMOKE)" >&2; exit 2; }
export IMAGE=${IMAGE:-faultline:smoke}
GRACE_S=5
name=faultline-smoke-$$
work=$(mktemp -d)
upstream_pid=
t0=$(date +%s.%N)
elapsed() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }
fail() { echo "container-smoke.sh: FAIL: $*" >&2; [[ -f $work/podman-started ]] && podman logs "$name" 2>&1 | grep -v systemd | tail -20 >&2; exit 1; }
ok() { echo "  ok  $*"; }
cleanup() {
  [[ -f $work/podman-started ]] && podman rm -f "$name" >/dev/null 2>&1
  [[ -n $upstream_pid ]] && kill "$upstream_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

[[ -f dist/cli/main.js && -d node_modules/ws ]] || { echo "container-smoke.sh: build first (npm ci && npm run build)" >&2; exit 2; }

# --- build --------------------------------------------------------------------------------------
echo "== building $IMAGE"
if ! "$tool" >"$work/build.log" 2>&1; then tail -30 "$work/build.log" >&2; fail "image build failed"; fi
grep '^container-smoke:' "$work/build.log" || true
export CONTAINERS_CONF=${CACHE:-$HOME/.cache/container-smoke}/containers.conf
build_s=$(elapsed "$t0")
t1=$(date +%s.%N)

meta=$(podman image inspect "$IMAGE" --format '{{.Config.User}}|{{.Config.ExposedPorts}}|{{.Config.Entrypoint}}|{{.Config.Healthcheck.Test}}')
[[ $meta == node\|* ]] || fail "image user is not node: $meta"
[[ $meta == *8080/tcp* && $meta == *8081/tcp* ]] || fail "image does not expose 8080 and 8081: $meta"
[[ $meta == *'[faultline]'* ]] || fail "entrypoint is not faultline: $meta"
[[ $meta == *readyz* ]] || fail "no HEALTHCHECK on /readyz (built without --format docker?): $meta"
ok "image: user node, EXPOSE 8080 8081, ENTRYPOINT faultline, HEALTHCHECK"

# --- upstream on the host, scenario directory to mount ------------------------------------------
node test/packaging/upstream.mjs 0 >"$work/upstream.out" 2>&1 &
upstream_pid=$!
for _ in $(seq 50); do grep -q 'listening on' "$work/upstream.out" && break; sleep 0.1; done
up_port=$(sed -n 's/^listening on //p' "$work/upstream.out")
[[ -n $up_port ]] || fail "the host upstream did not start: $(cat "$work/upstream.out")"
read -r proxy_port admin_port < <(node -e "
  const net = require('net'); const ports = [];
  const next = () => { const s = net.createServer().listen(0, '127.0.0.1', () => { ports.push(s.address().port); s.close(() => ports.length < 2 ? next() : console.log(ports.join(' '))); }); };
  next();")
P=http://127.0.0.1:$proxy_port
A=http://127.0.0.1:$admin_port

mkdir -m 0755 "$work/scenarios"
scenario() { # $1 = status; the container runs as uid 1000: the files must be world-readable
  printf 'version: 1\nrules:\n  - name: smoke-%s\n    match: { method: [PUT, POST], path: /upload/** }\n    fault: { status: %s, retryAfter: 30 }\n' "$1" "$1" >"$work/scenarios/smoke.yaml.tmp"
  chmod 0644 "$work/scenarios/smoke.yaml.tmp" && mv "$work/scenarios/smoke.yaml.tmp" "$work/scenarios/smoke.yaml"
}
scenario 507

# --- run: `IMAGE serve --upstream URL`, every other setting from the environment -----------------
echo "== running $IMAGE (upstream 127.0.0.1:$up_port, proxy :$proxy_port, admin :$admin_port)"
podman run -d --name "$name" --network=host \
  -e FAULTLINE_LISTEN="127.0.0.1:$proxy_port" -e FAULTLINE_ADMIN="127.0.0.1:$admin_port" \
  -e FAULTLINE_ADMIN_TOKEN=smoke-token -e FAULTLINE_SHUTDOWN_GRACE=${GRACE_S}s \
  -v "$work/scenarios:/etc/faultline/scenarios:ro" \
  "$IMAGE" serve --upstream "http://127.0.0.1:$up_port" >/dev/null 2>"$work/run.err" || fail "podman run: $(cat "$work/run.err")"
touch "$work/podman-started"

healthy=
for _ in $(seq 100); do
  if podman healthcheck run "$name" >/dev/null 2>&1; then healthy=1; break; fi
  [[ $(podman inspect "$name" --format '{{.State.Running}}') == true ]] || fail "the container exited"
  sleep 0.2
done
[[ -n $healthy ]] || fail "health check did not pass within 20 s"
ok "health check passes ($(elapsed "$t1") s after start)"

[[ $(podman top "$name" user pid comm 2>/dev/null | awk 'NR>1 && $2==1 {print $1, $3}') == 'node node' ]] || fail "PID 1 is not node running as node: $(podman top "$name" user pid comm 2>&1)"
ok "PID 1 is node, as user node"

curl -fsS --max-time 5 -o "$work/body" -D "$work/head" "$P/status/200" || fail "proxied GET failed"
grep -qi '^via: 1.1 faultline' "$work/head" || fail "no Via: 1.1 faultline on the proxied answer"
grep -q '"path":"/status/200"' "$work/body" || fail "unexpected upstream body: $(head -c 200 "$work/body")"
ok "GET /status/200 proxied to the upstream on the host"

code=$(curl -sS --max-time 5 -o "$work/body" -D "$work/head" -w '%{http_code}' -X PUT --data-binary hello "$P/upload/smoke.txt")
[[ $code == 507 ]] || fail "PUT /upload expected 507, got $code"
grep -qi '^x-faultline-fault: smoke-507' "$work/head" || fail "no x-faultline-fault marker: $(cat "$work/head")"
grep -qi '^content-type: application/problem+json' "$work/head" || fail "507 is not problem+json"
grep -qi '^retry-after: 30' "$work/head" || fail "507 has no Retry-After: 30"
grep -qi '^cache-control: no-store' "$work/head" || fail "507 is not Cache-Control: no-store"
ok "PUT /upload/smoke.txt -> injected 507 (marker, problem+json, Retry-After, no-store)"

if metrics=$(curl -fsS --max-time 5 "$A/metrics" 2>/dev/null); then
  grep -q '^faultline_faults_injected_total{rule="smoke-507",kind="status",code="507"} 1' <<<"$metrics" \
    || grep -q '^faultline_requests_total{method="PUT",code="507",outcome="injected",protocol="http/1.1"} 1' <<<"$metrics" \
    || fail "/metrics does not count the injected 507"
  ok "/metrics on the admin listener counts the injected 507"
else
  echo "  --  /metrics not available (yet): skipped"
fi

[[ $(node test/packaging/ws-echo.mjs "ws://127.0.0.1:$proxy_port/ws") == echo:hi ]] || fail "WebSocket through the container"
ok "WebSocket upgrade passes through"

scenario 503
reloaded=
for _ in $(seq 50); do
  [[ $(curl -s --max-time 5 -o /dev/null -w '%{http_code}' -X PUT --data-binary x "$P/upload/b") == 503 ]] && { reloaded=1; break; }
  sleep 0.1
done
[[ -n $reloaded ]] || fail "an edit of the mounted scenario was not reloaded within 5 s"
ok "editing the mounted scenario hot-reloads it"


# --- SIGTERM: an in-flight request finishes, the container stops within the grace period --------
curl -sS --max-time 10 -o /dev/null -w '%{http_code}' "$P/delay/1500" >"$work/inflight" 2>&1 &
inflight=$!
sleep 0.3
t2=$(date +%s.%N)
podman kill --signal TERM "$name" >/dev/null 2>&1
exit_code=$(timeout $((GRACE_S + 5)) podman wait "$name" 2>/dev/null) || fail "not stopped $((GRACE_S + 5)) s after SIGTERM"
stop_s=$(elapsed "$t2")
wait "$inflight" || true
[[ $exit_code == 0 ]] || fail "exit code $exit_code after SIGTERM"
[[ $(cat "$work/inflight") == 200 ]] || fail "the in-flight request was not drained: $(cat "$work/inflight")"
awk -v s="$stop_s" -v g="$GRACE_S" 'BEGIN { exit !(s < g) }' || fail "took ${stop_s} s to stop (grace ${GRACE_S} s)"
ok "SIGTERM: in-flight request answered 200, exit 0 after ${stop_s} s (grace ${GRACE_S} s)"

podman logs "$name" 2>&1 >/dev/null | grep -v -e 'systemd' >"$work/stderr" || true
! grep -q 'DEP0060' "$work/stderr" || fail "DEP0060 on stderr: $(cat "$work/stderr")"
[[ ! -s $work/stderr ]] || fail "unexpected stderr: $(cat "$work/stderr")"
podman logs "$name" 2>/dev/null | grep -q '"msg":"stopped"' || fail "no 'stopped' log line"
ok "stderr is empty (no DEP0060 after plain requests and a WebSocket)"

size=$(podman image inspect "$IMAGE" --format '{{.Size}}')
base_ref=$(awk 'toupper($1)=="FROM" {print $2; exit}' Dockerfile)
node_version=$(sed -n 's/^ARG NODE_VERSION=//p' Dockerfile)
base_ref=${base_ref//\$\{NODE_VERSION\}/$node_version}
base=$(podman image inspect "$base_ref" --format '{{.Size}}' 2>/dev/null || echo 0)
echo "== image $IMAGE: $((size / 1000000)) MB with the stand-in base, of which faultline's layers $(((size - base) / 1000000)) MB (base $base_ref)"
echo "== container-smoke.sh: passed; build ${build_s} s, smoke $(elapsed "$t1") s, total $(elapsed "$t0") s"
