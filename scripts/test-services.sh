#!/usr/bin/env bash
# test-services.sh -- install (if missing) and start the real services Ferment's tests use, on 127.0.0.1:
#   pg            throwaway PostgreSQL cluster, port 55432, ICU ru-RU, fsync off, role/db "ferment"
#   chromedriver  Debian chromium + chromium-driver, port 39515
#   (packages only) LibreOffice, poppler-utils and fonts for the document tests
# Idempotent: a service recorded in $TS_DIR/pids that is alive and healthy is reused; otherwise it is
# stopped (only its recorded PID) and started afresh (PostgreSQL data is throwaway: a new cluster).
# stdout: the `export ...` lines, also written to $TS_DIR/env.sh.  stderr: progress.
# Stop with scripts/stop-test-services.sh.  Needs root when packages are missing (Debian 12).
#
# Environment: FERMENT_TS_DIR [/tmp/ferment-test-services]  (its parents must be traversable by the
# postgres user: not under /root).  FERMENT_TS_STARTED_FILE: if set, the names of the services this
# call started (not reused) are appended to it -- scripts/test.sh uses it to stop only those.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TS_DIR=$(realpath -m "${FERMENT_TS_DIR:-/tmp/ferment-test-services}")
PG_PORT=55432 PG_USER=ferment PG_PASSWORD=ferment PG_DB=ferment PG_MAX_CONNECTIONS=300
WEBDRIVER_PORT=39515 CHROMIUM=/usr/bin/chromium
PG_URL="postgres://$PG_USER:$PG_PASSWORD@127.0.0.1:$PG_PORT/$PG_DB"

log() { echo "[test-services] $*" >&2; }
die() { log "ERROR: $*"; exit 1; }
is_root() { [ "$(id -u)" = 0 ]; }
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
# pid file: "PID<TAB>text expected in /proc/PID/cmdline" (so a recycled PID is never taken for ours)
pid_alive() {
  local f="$TS_DIR/pids/$1.pid" pid pat
  [ -s "$f" ] && IFS=$'\t' read -r pid pat < "$f" && kill -0 "$pid" 2>/dev/null &&
    tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$pat"
}
record_pid() { printf '%s\t%s\n' "$2" "$3" > "$TS_DIR/pids/$1.pid"; }
started() { log "$1: started"; [ -z "${FERMENT_TS_STARTED_FILE:-}" ] || echo "$1" >> "$FERMENT_TS_STARTED_FILE"; }
# clear a dead or unhealthy earlier instance (recorded PIDs only), then insist the port is free
fresh_start() {
  "$HERE/stop-test-services.sh" "$1" >&2
  ! port_open "$2" || die "127.0.0.1:$2 ($1) is in use by a process this script did not start"
}

# ---------------------------------------------------------------- packages
PACKAGES=(postgresql chromium chromium-driver fonts-liberation fonts-dejavu-core curl)
# documents (ferment-docs tests): LibreOffice converts filled .docx to PDF, poppler's pdftotext reads
# PDFs back; the fonts are the templates' (Liberation Sans has the rouble sign) and Word's metric twins.
PACKAGES+=(libreoffice-writer-nogui libreoffice-calc-nogui poppler-utils fonts-liberation2
  fonts-crosextra-carlito fonts-crosextra-caladea)
# LATER (not needed yet): mail servers. When a feature needs them, add here e.g.
#   PACKAGES+=(dovecot-imapd dovecot-lmtpd postfix openssl)   # plus start_mail below; postfix needs
#     `echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections` first
ensure_packages() {
  local p missing=()
  for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} = 0 ] && return 0
  is_root || die "missing packages (${missing[*]}); run this script as root to install them"
  log "installing: ${missing[*]} (log: $TS_DIR/logs/apt.log)"
  # keep maintainer scripts from starting system daemons (e.g. a postgres cluster on :5432)
  local own_policy=0
  [ -e /usr/sbin/policy-rc.d ] || { printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d; chmod 755 /usr/sbin/policy-rc.d; own_policy=1; }
  local rc=0
  { apt-get -q -o DPkg::Lock::Timeout=600 update &&
    DEBIAN_FRONTEND=noninteractive apt-get -q -y -o DPkg::Lock::Timeout=600 install --no-install-recommends "${missing[@]}"
  } > "$TS_DIR/logs/apt.log" 2>&1 9>&- || rc=$?
  [ $own_policy = 0 ] || rm -f /usr/sbin/policy-rc.d
  [ $rc = 0 ] || { tail -20 "$TS_DIR/logs/apt.log" >&2; die "apt-get failed (exit $rc), see $TS_DIR/logs/apt.log"; }
}

# ---------------------------------------------------------------- PostgreSQL
as_pg() { if is_root; then runuser -u postgres -- "$@"; else "$@"; fi; }   # initdb refuses root
pg_super() { psql -h "$TS_DIR/pg" -p "$PG_PORT" -U postgres -d postgres -v ON_ERROR_STOP=1 -qAt "$@"; }
start_pg() {
  local D="$TS_DIR/pg" PGBIN
  PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)   # not on PATH on Debian
  [ -x "$PGBIN/initdb" ] || die "pg: no /usr/lib/postgresql/*/bin/initdb"
  if pid_alive pg && pg_super -c 'select 1' >/dev/null 2>&1; then
    log "pg: reusing running cluster (pid $(cut -f1 "$TS_DIR/pids/pg.pid"))"
  else
    fresh_start pg "$PG_PORT"
    rm -rf "$D"; mkdir -p "$D"; chmod 700 "$D"; is_root && chown postgres:postgres "$D"
    # local (unix socket in $D): trust, for setup as postgres; TCP: password (scram) only
    as_pg "$PGBIN/initdb" -D "$D/data" -U postgres --auth-local=trust --auth-host=scram-sha-256 -E UTF8 \
      --locale=C.UTF-8 --locale-provider=icu --icu-locale=ru-RU --no-sync > "$TS_DIR/logs/initdb.log" 2>&1 \
      || die "pg: initdb failed, see $TS_DIR/logs/initdb.log"
    cat >> "$D/data/postgresql.conf" <<CONF
# throwaway test cluster: speed over durability
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = '$D'
max_connections = $PG_MAX_CONNECTIONS
fsync = off
synchronous_commit = off
full_page_writes = off
wal_level = minimal
max_wal_senders = 0
CONF
    : > "$TS_DIR/logs/postgres.log"; is_root && chown postgres "$TS_DIR/logs/postgres.log"
    as_pg "$PGBIN/pg_ctl" -D "$D/data" -l "$TS_DIR/logs/postgres.log" -w -t 60 start > "$TS_DIR/logs/pg_ctl.log" 2>&1 9>&- \
      || die "pg: start failed, see $TS_DIR/logs/postgres.log"
    record_pid pg "$(head -1 "$D/data/postmaster.pid")" "$D/data"   # postmaster: session leader
    started pg
  fi
  [ "$(pg_super -c "select count(*) from pg_roles where rolname = '$PG_USER'")" = 1 ] ||
    pg_super -c "CREATE ROLE $PG_USER LOGIN CREATEDB PASSWORD '$PG_PASSWORD'"
  [ "$(pg_super -c "select count(*) from pg_database where datname = '$PG_DB'")" = 1 ] ||
    pg_super -c "CREATE DATABASE $PG_DB OWNER $PG_USER"
  psql "$PG_URL" -qAtc 'select 1' >/dev/null || die "pg: password login to $PG_URL failed"
  log "pg: ready at $PG_URL"
}

# ---------------------------------------------------------------- chromedriver
webdriver_ready() { curl -sf --max-time 2 "http://127.0.0.1:$WEBDRIVER_PORT/status" 2>/dev/null | grep -q '"ready": *true'; }
start_chromedriver() {
  [ -x "$CHROMIUM" ] || die "chromedriver: $CHROMIUM missing"
  if pid_alive chromedriver && webdriver_ready; then
    log "chromedriver: reusing (pid $(cut -f1 "$TS_DIR/pids/chromedriver.pid"))"; return 0; fi
  fresh_start chromedriver "$WEBDRIVER_PORT"
  # own session (setsid): stop-test-services.sh also kills Chromiums that tests left open.
  # chromedriver accepts local connections only by default.
  setsid chromedriver --port="$WEBDRIVER_PORT" --log-path="$TS_DIR/logs/chromedriver.log" \
    > "$TS_DIR/logs/chromedriver.stdout" 2>&1 < /dev/null 9>&- &
  record_pid chromedriver $! "chromedriver --port=$WEBDRIVER_PORT"
  local i; for ((i = 0; i < 200; i++)); do webdriver_ready && break; sleep 0.05; done
  webdriver_ready || die "chromedriver: not ready after 10 s, see $TS_DIR/logs/chromedriver.log"
  started chromedriver
}

# LATER: start_mail (Dovecot + Postfix from their own config dirs) would go here.

# ---------------------------------------------------------------- main
mkdir -p "$TS_DIR/pids" "$TS_DIR/logs"; chmod 755 "$TS_DIR"
exec 9> "$TS_DIR/lock"; flock -w 600 9 || die "another test-services.sh holds $TS_DIR/lock"
cd /   # runuser'd tools complain when they cannot enter the caller's cwd
ensure_packages
start_pg
start_chromedriver
cat > "$TS_DIR/env.sh.tmp" <<ENV
export FERMENT_TEST_PG_URL='$PG_URL'
export FERMENT_TEST_WEBDRIVER='http://127.0.0.1:$WEBDRIVER_PORT'
export FERMENT_TEST_CHROMIUM='$CHROMIUM'
ENV
mv "$TS_DIR/env.sh.tmp" "$TS_DIR/env.sh"
cat "$TS_DIR/env.sh"
log "all services ready (env: $TS_DIR/env.sh)"
