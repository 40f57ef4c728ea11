#!/usr/bin/env bash
# Builds the Linux packages from this checkout and proves that what they put on disk starts:
#   1. installs the Debian packages jpackage needs (fakeroot, dpkg-dev, binutils) if any is missing
#   2. mvn -B -Ppackage -DskipTests package  -> target/installer/cost-gateway (app-image) and *.deb
#   3. loads the onnxruntime and tokenizer natives left in the image (packaging/NativeCheck.java), then
#      starts the app-image launcher --headless on a free port against packaging/fake_upstream.py, waits
#      for GET /health = 200, relays one POST /v1/messages through it, stops it
#   4. checks the .deb's control data; as root (CI): apt-get installs it, runs the same check with
#      /opt/cost-gateway/bin/cost-gateway, checks the menu entry, then purges it; otherwise (or with
#      SMOKE_DEB_INSTALL=extract) unpacks it into a scratch root with dpkg-deb -x and runs the launcher there.
#      Either way the launcher must not write into its install folder.
#   5. if xvfb-run is there: starts the app-image launcher without --headless on a virtual display and
#      checks that the "Cost Gateway" window appears and the gateway answers
#   6. prints the sizes of the .deb and the app-image
# Exits non-zero on the first failure. Usage: packaging/build-and-smoke.sh [--skip-build]
set -euo pipefail

cd "$(dirname "$0")/.."
HEALTH_TIMEOUT_SECONDS=${HEALTH_TIMEOUT_SECONDS:-60}

log() { printf '[package-smoke] %s\n' "$*"; }
fail() { printf '[package-smoke] FAIL: %s\n' "$*" >&2; exit 1; }

install_build_tools() {
    local missing=()
    command -v fakeroot >/dev/null || missing+=(fakeroot)
    command -v dpkg-deb >/dev/null && command -v dpkg-shlibdeps >/dev/null || missing+=(dpkg-dev)
    command -v objcopy >/dev/null || missing+=(binutils)
    command -v curl >/dev/null || missing+=(curl)
    command -v unzip >/dev/null || missing+=(unzip)
    command -v python3 >/dev/null || missing+=(python3)
    if [ ${#missing[@]} -gt 0 ]; then
        log "installing ${missing[*]}"
        local sudo=""
        [ "$(id -u)" -eq 0 ] || sudo="sudo"
        # another apt run may hold the dpkg lock for a while: wait for it instead of failing
        $sudo apt-get -o DPkg::Lock::Timeout=300 update -qq
        DEBIAN_FRONTEND=noninteractive $sudo apt-get -o DPkg::Lock::Timeout=300 install -y -qq "${missing[@]}"
    fi
}

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# smoke_test NAME LAUNCHER: runs LAUNCHER --headless against a scratch config/data dir, checks /health
smoke_test() {
    local name=$1 launcher=$2
    [ -x "$launcher" ] || fail "$name: no launcher at $launcher"
    local scratch port upstream_port pid upstream_pid
    scratch=$(mktemp -d)
    port=$(free_port)
    upstream_port=$(free_port)
    python3 packaging/fake_upstream.py "$upstream_port" &
    upstream_pid=$!
    log "$name: starting $launcher --headless --port $port"
    # user.home points into scratch too, so what the app or its libraries cache per user (DJL and JavaFX
    # natives) stays out of ours; the launcher passes JDK_JAVA_OPTIONS to the JVM
    mkdir -p "$scratch/home"
    JDK_JAVA_OPTIONS="-Duser.home=$scratch/home" "$launcher" --headless --port "$port" --data-dir "$scratch/data" \
        --config "$scratch/config.yaml" --upstream "http://127.0.0.1:$upstream_port" \
        >"$scratch/out.log" 2>&1 &
    pid=$!

    local deadline=$((SECONDS + HEALTH_TIMEOUT_SECONDS)) status="" body=""
    while [ $SECONDS -lt $deadline ]; do
        if ! kill -0 "$pid" 2>/dev/null; then
            kill "$upstream_pid" 2>/dev/null || true
            cat "$scratch/out.log" >&2
            fail "$name: the launcher exited before serving /health"
        fi
        status=$(curl -s -o "$scratch/health.json" -w '%{http_code}' "http://127.0.0.1:$port/health" || true)
        [ "$status" = 200 ] && break
        sleep 1
    done
    if [ "$status" != 200 ]; then
        kill "$pid" "$upstream_pid" 2>/dev/null || true
        cat "$scratch/out.log" >&2
        fail "$name: GET /health did not answer 200 within ${HEALTH_TIMEOUT_SECONDS}s (last status '$status')"
    fi
    body=$(cat "$scratch/health.json")
    python3 -c 'import json,sys; json.loads(sys.argv[1])' "$body" || fail "$name: /health is not JSON: $body"
    grep -q "listening on http://127.0.0.1:$port" "$scratch/out.log" \
        || fail "$name: no 'listening on http://127.0.0.1:$port' line in the launcher output"
    [ -f "$scratch/config.yaml" ] || fail "$name: the launcher did not create the config at --config"
    log "$name: /health 200 $body"

    # the embedder exercises the onnxruntime and tokenizer natives left in the package: wait for it to load
    local embedder
    while :; do
        embedder=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("embedder",""))' \
            "$scratch/health.json")
        [ "$embedder" = loading ] && [ $SECONDS -lt $deadline ] || break
        sleep 1
        curl -s -o "$scratch/health.json" "http://127.0.0.1:$port/health" || true
    done
    case "$embedder" in
        ready) log "$name: embedder ready (onnxruntime and tokenizer natives load)" ;;
        disabled|"") log "$name: embedder disabled in this build, its natives were not exercised" ;;
        *) cat "$scratch/out.log" >&2; fail "$name: embedder is '$embedder'" ;;
    esac

    # the proxy path end to end: client -> packaged gateway -> fake upstream -> client
    local reply
    reply=$(curl -s -w '\n%{http_code}' "http://127.0.0.1:$port/v1/messages" \
        -H 'content-type: application/json' -H 'anthropic-version: 2023-06-01' -H 'x-api-key: sk-ant-smoke' \
        -d '{"model":"claude-sonnet-4-5","max_tokens":64,"messages":[{"role":"user","content":"Say hello."}]}' \
        || true)
    if [ "$(printf '%s' "$reply" | tail -n1)" != 200 ] \
            || ! printf '%s' "$reply" | grep -q 'Hello from the fake upstream.'; then
        kill "$pid" "$upstream_pid" 2>/dev/null || true
        cat "$scratch/out.log" >&2
        fail "$name: POST /v1/messages did not relay the upstream answer: $reply"
    fi
    log "$name: POST /v1/messages relayed the upstream answer"
    kill "$upstream_pid" 2>/dev/null || true
    wait "$upstream_pid" 2>/dev/null || true

    kill -TERM "$pid"
    local stop_deadline=$((SECONDS + 20))
    while kill -0 "$pid" 2>/dev/null && [ $SECONDS -lt $stop_deadline ]; do sleep 0.5; done
    if kill -0 "$pid" 2>/dev/null; then
        kill -KILL "$pid"
        fail "$name: the launcher did not stop within 20s of SIGTERM"
    fi
    local rc=0
    wait "$pid" 2>/dev/null || rc=$?
    # a signal-initiated stop is a normal stop: exit 0 (README, "Exit codes"), for every launcher
    [ "$rc" = 0 ] || { cat "$scratch/out.log" >&2; fail "$name: exit code $rc after SIGTERM, expected 0"; }
    [ ! -e "hs_err_pid$pid.log" ] || fail "$name: the JVM crashed on the way out (hs_err_pid$pid.log)"
    log "$name: stopped, exit code 0"
    rm -rf "$scratch"
}

# window_check LAUNCHER: runs inside xvfb-run (see below); succeeds once the window is mapped and /health is 200
window_check() {
    local launcher=$1 scratch port pid status="" deadline
    scratch=$(mktemp -d)
    mkdir -p "$scratch/home"
    port=$(free_port)
    JDK_JAVA_OPTIONS="-Duser.home=$scratch/home" "$launcher" --port "$port" --data-dir "$scratch/data" \
        --config "$scratch/config.yaml" --upstream "http://127.0.0.1:$(free_port)" >"$scratch/out.log" 2>&1 &
    pid=$!
    deadline=$((SECONDS + HEALTH_TIMEOUT_SECONDS))
    local window=no
    while [ $SECONDS -lt $deadline ]; do
        kill -0 "$pid" 2>/dev/null || break
        status=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/health" || true)
        xwininfo -root -tree 2>/dev/null | grep -q '"Cost Gateway"' && window=yes
        [ "$status" = 200 ] && [ $window = yes ] && break
        sleep 1
    done
    local alive=no
    kill -0 "$pid" 2>/dev/null && alive=yes
    if [ $window = yes ]; then
        # informational: the window icon comes from Stage.getIcons (src/main/resources/dev/costgateway/app/icons)
        if xprop -name "Cost Gateway" _NET_WM_ICON 2>/dev/null | grep -q '_NET_WM_ICON(CARDINAL)'; then
            log "window: has the app icon"
        else
            log "window: has no icon of its own (Stage.getIcons is empty)"
        fi
    fi
    kill -TERM "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    if [ "$status" != 200 ] || [ $window != yes ] || [ $alive != yes ]; then
        cat "$scratch/out.log" >&2
        echo "window: $window, /health: '$status', running: $alive" >&2
        rm -rf "$scratch"
        return 1
    fi
    rm -rf "$scratch"
}

if [ "${1:-}" = "--window-check" ]; then
    window_check "$2"
    exit
fi

install_build_tools

if [ "${1:-}" != "--skip-build" ]; then
    log "building: mvn -B -Ppackage -DskipTests package"
    mvn -B -q -Ppackage -DskipTests package
fi

app_image=target/installer/cost-gateway
shopt -s nullglob
debs=(target/installer/cost-gateway_*.deb)
shopt -u nullglob
[ -d "$app_image" ] || fail "no app-image at $app_image"
[ ${#debs[@]} -eq 1 ] || fail "expected one target/installer/cost-gateway_*.deb, found ${#debs[@]}"
deb=${debs[0]}

# the image must hold only this platform's natives (packaging/package.xml strips the others)
foreign=$(unzip -Z1 "$app_image"/lib/app/lib/onnxruntime-*.jar | grep -E '^ai/onnxruntime/native/.+/.' \
    | grep -v '^ai/onnxruntime/native/linux-x64/' || true)
[ -z "$foreign" ] || fail "onnxruntime jar still carries foreign natives: $foreign"

# ... and those natives load: tokenizer and onnxruntime session on the bundled model, from the image's jars
java_cmd=java
[ -n "${JAVA_HOME:-}" ] && java_cmd="$JAVA_HOME/bin/java"
native_home=$(mktemp -d)
"$java_cmd" -Duser.home="$native_home" -Dai.djl.offline=true -Dorg.slf4j.simpleLogger.defaultLogLevel=error \
    -cp "$app_image/lib/app/lib/*" packaging/NativeCheck.java \
    || fail "the onnxruntime or tokenizer natives left in the app-image do not load"
rm -rf "$native_home"

smoke_test app-image "$app_image/bin/cost-gateway"

log "checking $deb"
control=$(dpkg-deb -f "$deb")
printf '%s\n' "$control" | grep -q '^Package: cost-gateway$' || fail ".deb package name is not cost-gateway"
depends=$(dpkg-deb -f "$deb" Depends)
# one package name per line, without version constraints
depends_names=$(printf '%s' "$depends" | tr ',|' '\n\n' | sed 's/^ *//; s/[ (].*//' | sort -u)
for needed in libgtk-3-0 libgl1 libstdc++6 libc6 xdg-utils; do
    printf '%s\n' "$depends_names" | grep -qxF "$needed" || fail ".deb does not depend on $needed"
done
for unneeded in libasound2 libgif7 default-jre openjdk-17-jre; do
    printf '%s\n' "$depends_names" | grep -qxF "$unneeded" \
        && fail ".deb depends on $unneeded, which the app does not need"
done
# run_installed NAME ROOT: smoke-tests ROOT/opt/cost-gateway and checks the launcher wrote nothing there
run_installed() {
    local name=$1 root=${2%/} listing
    listing=$(find "$root/opt/cost-gateway" | sort)
    smoke_test "$name" "$root/opt/cost-gateway/bin/cost-gateway"
    [ "$(find "$root/opt/cost-gateway" | sort)" = "$listing" ] \
        || fail "$name: the launcher wrote into its install folder: $(diff <(printf '%s\n' "$listing") \
            <(find "$root/opt/cost-gateway" | sort) || true)"
}

# Real installation (apt-get install, maintainer scripts included, then purge) when running as root on a
# machine without cost-gateway installed, which is the CI case; otherwise, or with SMOKE_DEB_INSTALL=extract,
# the .deb is only unpacked into a scratch root and run from there.
if [ "$(id -u)" -eq 0 ] && [ "${SMOKE_DEB_INSTALL:-auto}" != extract ] && ! dpkg -s cost-gateway >/dev/null 2>&1
then
    purge_package() {
        DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 purge -y -qq cost-gateway >/dev/null
    }
    trap purge_package EXIT
    log "deb: apt-get install $deb"
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends \
        "$(realpath "$deb")" >/dev/null || fail "apt-get install of $deb failed"
    [ -f /usr/share/applications/cost-gateway-cost-gateway.desktop ] \
        || fail "deb: no menu entry in /usr/share/applications after installing"
    run_installed deb /
    purge_package
    trap - EXIT
    [ ! -e /opt/cost-gateway ] || fail "deb: /opt/cost-gateway is still there after apt-get purge"
    [ ! -e /usr/share/applications/cost-gateway-cost-gateway.desktop ] \
        || fail "deb: the menu entry is still there after apt-get purge"
    log "deb: installed, ran and purged"
else
    deb_root=$(mktemp -d)
    dpkg-deb -x "$deb" "$deb_root"
    [ -f "$deb_root/opt/cost-gateway/lib/cost-gateway-cost-gateway.desktop" ] || fail ".deb has no desktop entry"
    run_installed deb-extracted "$deb_root"
    rm -rf "$deb_root"
fi

if command -v xvfb-run >/dev/null && command -v xwininfo >/dev/null; then
    log "window: starting $app_image/bin/cost-gateway on a virtual display"
    xvfb-run -a -s "-screen 0 1280x800x24" "$0" --window-check "$app_image/bin/cost-gateway" \
        || fail "window: the app-image launcher did not open its window and serve /health"
    log "window: the 'Cost Gateway' window opened and /health answered 200"
else
    log "window: skipped (needs xvfb-run from xvfb and xwininfo from x11-utils)"
fi

log "Depends: $depends"
log "sizes: .deb $(du -h "$deb" | cut -f1) ($(stat -c %s "$deb") bytes), app-image $(du -sh "$app_image" | cut -f1)"
log "OK"
