# Installs the Debian packages the tests use, when they are missing (as root); otherwise says what to install.
# Usage: source scripts/prereqs.sh; ensure_packages cmd:package ...; ensure_module_package package
apt_install() {
  if [ -z "${PREREQS_APT_UPDATED:-}" ]; then
    apt-get update -qq >/dev/null 2>&1 || true
    export PREREQS_APT_UPDATED=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null || {
    echo "could not install: $*" >&2; return 1; }
}

# A package known missing (e.g. a Python module): installed as root, else named.
ensure_module_package() {
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing Debian packages: $*"
    apt_install "$@"
  else
    echo "missing; install these Debian packages first: sudo apt-get install $*" >&2
    return 1
  fi
}

ensure_packages() {
  local missing=() pair cmd pkg
  for pair in "$@"; do
    cmd=${pair%%:*}; pkg=${pair##*:}
    command -v "$cmd" >/dev/null 2>&1 || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing Debian packages: ${missing[*]}"
    apt_install "${missing[@]}"
  else
    echo "missing programs; install these Debian packages first: sudo apt-get install ${missing[*]}" >&2
    return 1
  fi
}
