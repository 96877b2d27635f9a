#!/usr/bin/env bash
# Java 17+ for Spark (pyspark in dbt-spark's `session` mode): present, or installed from Debian
# (openjdk-17-jre-headless), as scripts/postgres.sh installs PostgreSQL.
#
#   bash scripts/java.sh        # exits 0 when `java` is 17 or newer (installing it if needed)
#
# MKPI_JAVA_INSTALL=0: never apt-get install; fail with one line instead.
set -euo pipefail

say() { echo "java.sh: $*"; }
die() {
    echo "java.sh: error: $*" >&2
    exit 1
}

java_major() {
    command -v java >/dev/null 2>&1 || return 1
    # `openjdk version "17.0.15" 2025-04-15` (or "1.8.0_..." for Java 8)
    local version
    version="$(java -version 2>&1 | sed -n 's/.*version "\([^"]*\)".*/\1/p' | head -n 1)"
    [[ -n "$version" ]] || return 1
    version="${version#1.}"
    echo "${version%%.*}"
}

major="$(java_major || echo 0)"
if ((major >= 17)); then
    exit 0
fi
[[ "${MKPI_JAVA_INSTALL:-1}" == 1 ]] || die "Java 17 or newer not found (java: ${major}); install openjdk-17-jre-headless"
command -v apt-get >/dev/null 2>&1 || die "Java 17 or newer not found and no apt-get to install it; install openjdk-17-jre-headless"
sudo=()
if [[ "$(id -u)" != 0 ]]; then
    command -v sudo >/dev/null 2>&1 || die "Java 17 not found; installing it needs root or sudo"
    sudo=(sudo -n)
fi
say "installing Java 17 (apt-get install openjdk-17-jre-headless)"
log="$(mktemp)"
# the JRE's postinst needs the man folder that slim images leave out
mkdir -p /usr/share/man/man1 2>/dev/null || true
if ! { "${sudo[@]}" apt-get update -qq &&
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends openjdk-17-jre-headless; } >"$log" 2>&1; then
    cat "$log" >&2
    die "apt-get install openjdk-17-jre-headless failed (output above)"
fi
rm -f "$log"
hash -r
major="$(java_major || echo 0)"
((major >= 17)) || die "installed openjdk-17-jre-headless but java is still ${major} (check update-alternatives)"
say "java $major ready"
