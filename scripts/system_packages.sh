#!/usr/bin/env bash
# The Debian packages `make test` needs and this machine lacks, in one apt call: Chromium (the report's browser test)
# and Java 17 (the Spark build). `make test` runs this beside the Python packages' install (about 45 s each on a
# clean machine, 2026-12-05); a test whose package could not be installed skips and says why.
set -u
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v java >/dev/null 2>&1 || missing+=(openjdk-17-jre-headless)
[ ${#missing[@]} -eq 0 ] && exit 0
log=$(mktemp)
if (apt-get update -qq && apt-get install -y -qq "${missing[@]}") >"$log" 2>&1; then
    echo "installed with apt-get: ${missing[*]}"
else
    tail -5 "$log"
    echo "could not be installed with apt-get: ${missing[*]} (the tests that need them skip and say why)"
fi
rm -f "$log"
