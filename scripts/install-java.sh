#!/bin/sh
# Java 17+ and Maven 3.8+ for the embedded Kafka (workers/broker): nothing when both are there;
# installed with apt-get where there is one (Debian/Ubuntu, sudo when not root); otherwise one line
# saying what to install, and exit 1. Called by `make java` (and so by `make setup`, `make demo`, `make test`).
set -u

need=""
if command -v java >/dev/null 2>&1; then
	version=$(java -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')
	major=${version%%.*}
	if [ -z "$major" ] || [ "$major" -lt 17 ] 2>/dev/null; then
		need="openjdk-17-jre-headless"
	fi
else
	need="openjdk-17-jre-headless"
fi
command -v mvn >/dev/null 2>&1 || need="${need:+$need }maven"
[ -z "$need" ] && exit 0

fail() {
	echo "newsflow: the embedded Kafka needs Java 17+ and Maven 3.8+ on PATH; $1" >&2
	exit 1
}

command -v apt-get >/dev/null 2>&1 \
	|| fail "install them with your package manager (missing: $need; e.g. brew install openjdk@17 maven), then rerun make"
SUDO=""
if [ "$(id -u)" != 0 ]; then
	command -v sudo >/dev/null 2>&1 || fail "run as root or install sudo, or install them yourself: apt-get install $need"
	SUDO=sudo
fi
echo "installing $need with apt-get for the embedded Kafka"
# shellcheck disable=SC2086  # $need is a word list
{ $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $need >/dev/null; } \
	|| fail "apt-get install $need failed (see above); install them and rerun make"
command -v java >/dev/null 2>&1 && command -v mvn >/dev/null 2>&1 \
	|| fail "apt-get installed $need but java or mvn is still not on PATH; fix PATH and rerun make"
