#!/bin/sh
# kg-init installer: checks for Node.js >= 20 and npx, then runs kg-init.
#
#   curl -fsSL https://raw.githubusercontent.com/aaronsb/kg-init/main/install.sh | sh
#   curl -fsSL https://raw.githubusercontent.com/aaronsb/kg-init/main/install.sh | sh -s -- --yes --gpu=amd-host
#
# Every argument goes to kg-init untouched (see `kg-init --help`).
#
# Environment:
#   KG_INIT_VERSION  npm version or dist-tag of kg-init to run (default: latest)
#   KG_INIT_PACKAGE  a local kg-init tarball (.tgz) or directory to run instead of
#                    the registry's, for air-gapped installs
#
# Exit status: kg-init's own (0 done, 1 failure, 2 usage, 3 mode blocked,
# 130 cancelled); 1 when Node.js or npx is missing or too old; 2 when
# KG_INIT_VERSION or KG_INIT_PACKAGE is unusable.
#
# Everything runs from main(), called on the last line: when this script is
# piped into sh, the shell has then read all of it before anything runs, so
# nothing started here can swallow the rest of the script from stdin.

set -eu

MIN_NODE_MAJOR=20

say() {
  printf 'kg-init: %s\n' "$1" >&2
}

# die MESSAGE HINT [STATUS]: the problem and what to do next, then exit.
die() {
  say "$1"
  printf '  %s\n' "$2" >&2
  exit "${3:-1}"
}

check_node() {
  if ! command -v node >/dev/null 2>&1; then
    die "Node.js ${MIN_NODE_MAJOR} or newer is required, and 'node' was not found on PATH." \
      "Install it from https://nodejs.org/ (or with a version manager: nvm install 22), then run this again."
  fi
  node_version=$(node --version 2>/dev/null || true)
  node_version=${node_version#v}
  node_major=${node_version%%.*}
  case $node_major in
    '' | *[!0-9]*)
      die "could not read the Node.js version ('node --version' printed '${node_version}')." \
        "Check that 'node' on PATH is Node.js ${MIN_NODE_MAJOR} or newer (https://nodejs.org/)."
      ;;
  esac
  if [ "$node_major" -lt "$MIN_NODE_MAJOR" ]; then
    die "Node.js ${MIN_NODE_MAJOR} or newer is required; 'node' on PATH is v${node_version}." \
      "Upgrade from https://nodejs.org/ (or with a version manager: nvm install 22), then run this again."
  fi
  if ! command -v npx >/dev/null 2>&1; then
    die "npx was not found on PATH (it ships with npm)." \
      "Install npm (Debian/Ubuntu: sudo apt install npm) or Node.js from https://nodejs.org/, then run this again."
  fi
}

# The package spec npx runs: the registry's kg-init at KG_INIT_VERSION, or the
# local tarball/directory in KG_INIT_PACKAGE (made absolute, so npm reads it as
# a path and never as a registry name).
package_spec() {
  if [ -n "${KG_INIT_PACKAGE:-}" ]; then
    if [ ! -e "$KG_INIT_PACKAGE" ]; then
      die "KG_INIT_PACKAGE=${KG_INIT_PACKAGE}: no such file or directory." \
        "Point it at a kg-init tarball (npm pack) or an unpacked package directory." 2
    fi
    case $KG_INIT_PACKAGE in
      /*) spec=$KG_INIT_PACKAGE ;;
      *) spec=$(pwd)/$KG_INIT_PACKAGE ;;
    esac
    return
  fi
  version=${KG_INIT_VERSION:-latest}
  # A version (0.1.0, 0.2.0-rc.1) or a dist-tag (latest, next): nothing a
  # shell or npm could read as more than that.
  case $version in
    -* | *[!0-9A-Za-z._+-]*)
      die "invalid KG_INIT_VERSION '${version}': expected a version such as 0.1.0 or a tag such as latest." \
        "Unset it to run the latest release." 2
      ;;
  esac
  spec=kg-init@$version
}

# Headless runs (--yes) never read the terminal; everything else may start
# the wizard, which needs one.
is_headless() {
  for arg in "$@"; do
    case $arg in
      --) return 1 ;;
      --yes | -y) return 0 ;;
    esac
  done
  return 1
}

# run_kg_init HEADLESS ARGS...: replaces this shell with npx, so kg-init's
# exit status is the installer's.
run_kg_init() {
  headless=$1
  shift
  if [ -n "${KG_INIT_PACKAGE:-}" ]; then
    set -- --yes --package "$spec" kg-init "$@"
  else
    set -- --yes "$spec" "$@"
  fi
  # Piped into sh, stdin is this script, not the user: give the wizard the
  # terminal when there is one. Without one, kg-init itself says to use --yes.
  if [ ! -t 0 ] && [ "$headless" = no ] && (: </dev/tty) 2>/dev/null; then
    exec npx "$@" </dev/tty
  fi
  exec npx "$@"
}

main() {
  check_node
  package_spec
  if is_headless "$@"; then
    run_kg_init yes "$@"
  else
    run_kg_init no "$@"
  fi
}

main "$@"
