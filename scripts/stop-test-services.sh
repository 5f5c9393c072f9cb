#!/usr/bin/env bash
# stop-test-services.sh [SERVICE...] -- stop what scripts/test-services.sh started, using ONLY the PIDs
# it recorded in $TS_DIR/pids (each checked against its expected command line, so a recycled PID is
# never hit), plus leftover processes of those PIDs' sessions (e.g. Chromiums a test never closed).
# SERVICE: pg, chromedriver (default: all).  Data and logs stay in $TS_DIR.
set -uo pipefail
TS_DIR=$(realpath -m "${FERMENT_TS_DIR:-/tmp/ferment-test-services}")
log() { echo "[stop-test-services] $*" >&2; }
alive() { kill -0 "$1" 2>/dev/null && [ "$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1)" != Z ]; }
# each service was started as a session leader (setsid / pg_ctl), so what it left behind has SID == PID;
# Linux does not reuse a PID while it is still some session's ID, so these processes are ours
session_members() { ps -eo pid=,sid=,stat= | awk -v s="$1" '$2 == s && $3 !~ /^Z/ {print $1}'; }
stop_one() { # name signal timeout_s
  local f="$TS_DIR/pids/$1.pid" pid pat kids i
  [ -s "$f" ] || return 0
  IFS=$'\t' read -r pid pat < "$f"
  case "$pid" in ''|*[!0-9]*) rm -f "$f"; return 0;; esac
  if alive "$pid" && tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$pat"; then
    kill -"$2" "$pid"
    for ((i = 0; i < $3 * 20; i++)); do alive "$pid" || break; sleep 0.05; done
    alive "$pid" && { log "$1: pid $pid ignored SIG$2, sending KILL"; kill -KILL "$pid"; }
    log "$1: stopped pid $pid"
  elif alive "$pid"; then
    log "$1: pid $pid is now another program; leaving it alone"; rm -f "$f"; return 0
  fi
  for ((i = 0; i < 40; i++)); do kids=$(session_members "$pid"); [ -z "$kids" ] && break; sleep 0.05; done
  [ -z "$kids" ] || { log "$1: killing leftover processes of its session: $(echo $kids)"; kill -KILL $kids 2>/dev/null; }
  rm -f "$f"
}
[ $# -gt 0 ] || set -- chromedriver pg   # clients before servers
for s in "$@"; do
  case "$s" in
    chromedriver) stop_one chromedriver TERM 5 ;;
    pg) stop_one pg INT 30 ;;   # postmaster: SIGINT = fast shutdown
    *) log "unknown service: $s"; exit 2 ;;
  esac
done
