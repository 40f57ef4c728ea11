#!/usr/bin/env bash
# Prints the JDK modules the app and its runtime jars need, to keep packaging/jlink.txt honest.
# Run after `mvn -B -DskipTests package`. jdeps would treat modular jars as modules and then insist on
# their whole module graph, so it reads copies without module-info; the JDK running jdeps must read
# the newest class files among the jars (AtlantaFX ships Java 21 ones): JDK=/path/to/jdk21+ if needed.
set -euo pipefail
cd "$(dirname "$0")/.."
jdeps="${JDK:-${JAVA_HOME:-/usr/lib/jvm/default-java}}/bin/jdeps"
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
cp target/lib/*.jar target/cost-gateway.jar "$scratch"/
for jar in "$scratch"/*.jar; do
    zip -q -d "$jar" module-info.class 'META-INF/versions/*/module-info.class' >/dev/null 2>&1 || true
done
"$jdeps" --ignore-missing-deps --print-module-deps --multi-release 17 --class-path "$scratch/*" "$scratch"/*.jar
