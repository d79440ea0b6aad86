#!/usr/bin/env bash
# Installs what the tests need (Debian packages) when it is missing. Run as root, or install by hand.
set -euo pipefail
need=()
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
command -v redis-cli >/dev/null 2>&1 || need+=(redis-tools)
command -v redis-benchmark >/dev/null 2>&1 || need+=(redis-tools)
# Sentinel failover tests (tests/Codis.IntegrationTests/Dashboard/DashboardHaTests.cs) run /usr/bin/redis-sentinel
# (they fall back to redis-server --sentinel when it is absent).
[ -x /usr/bin/redis-sentinel ] || need+=(redis-sentinel)
# etcd 3.4 for the etcd coordinator and jodis tests (EtcdProcess); etcdctl enables auth in them.
[ -x /usr/bin/etcd ] || need+=(etcd-server)
[ -x /usr/bin/etcdctl ] || need+=(etcd-client)
# ZooKeeper 3.8 for the zookeeper coordinator tests (tests/Codis.TestSupport/ZooKeeperProcess.cs runs
# /usr/share/java/zookeeper.jar with java; the package pulls in a JRE). slf4j-simple gives its log a binding.
[ -f /usr/share/java/zookeeper.jar ] || need+=(zookeeper)
command -v java >/dev/null 2>&1 || need+=(default-jre-headless)
[ -f /usr/share/java/slf4j-simple.jar ] || need+=(libslf4j-java)
# The browser test of codis-fe (tests/Codis.IntegrationTests/Fe/FeBrowserTests.cs) drives Debian's headless
# Chromium with playwright-core (installed from npm by the test project's build; node and npm must be present).
[ -x /usr/bin/chromium ] || need+=(chromium)
command -v node >/dev/null 2>&1 || need+=(nodejs)
command -v npm >/dev/null 2>&1 || need+=(npm)
if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi
# Unique package names.
mapfile -t pkgs < <(printf '%s\n' "${need[@]}" | sort -u)
if [ "$(id -u)" -ne 0 ]; then
  echo "The tests need these Debian packages, which are missing: ${pkgs[*]}" >&2
  echo "Install them with: sudo apt-get install -y ${pkgs[*]}" >&2
  exit 1
fi
echo "installing test prerequisites: ${pkgs[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq "${pkgs[@]}" >/dev/null
# The Debian package starts a system redis-server on port 6379; the tests start their own on free
# ports and do not need it.
# etcd-server may start a system etcd on 2379 likewise; the tests run their own (EtcdProcess) on free
# ports and neither use nor disturb it.
# The zookeeper package may start a system ZooKeeper on port 2181 (where an init system runs it); the tests
# start their own on free ports with their own data directories and neither use nor stop it.
