# shellcheck shell=bash
# The Debian package mirror this machine's apt configuration uses (sourced by scripts/setup).
#
#   debian_mirror [SOURCES_LIST [SOURCES_PARTS_DIR]]
#
# prints the URI of the first enabled `deb` entry that serves a Debian archive suite (a
# codename such as bookworm or an alias such as unstable, also with -updates or -backports; not
# -security, which is another archive), in apt's order: SOURCES_LIST (one-line format), then
# the *.list (one-line) and *.sources (deb822) files of SOURCES_PARTS_DIR in name order.
# `mirror+file:` URIs are resolved to the first mirror their list names. Prints nothing and
# returns 1 when no such entry exists (e.g. on Ubuntu, whose mirrors carry no Debian suites).
# Run directly (`bash scripts/debian_mirror.sh`), it prints the mirror of this machine.

DEBIAN_SUITES="oldoldstable oldstable stable testing unstable sid experimental
  buzz rex bo hamm slink potato woody sarge etch lenny squeeze wheezy jessie stretch buster
  bullseye bookworm trixie forky duke"

# Whether $1 names a suite of Debian's main archive.
_debian_suite() {
  local base=${1%/}
  base=${base%-updates}
  base=${base%-proposed-updates}
  base=${base%-backports-sloppy}
  base=${base%-backports}
  case " $(echo $DEBIAN_SUITES) $(_distro_info_codenames) " in
    *" $base "*) return 0 ;;
  esac
  return 1
}

# Codenames from distro-info-data, where installed (knows releases named after this script).
_distro_info_codenames() {
  local csv=${DEBIAN_DISTRO_INFO:-/usr/share/distro-info/debian.csv}
  [ -r "$csv" ] && awk -F, 'NR > 1 && $3 != "" { printf "%s ", $3 }' "$csv"
  return 0
}

# A URI debootstrap can fetch from, or nothing: `mirror+file:` lists are resolved.
_usable_uri() {
  local uri=$1 list line
  case $uri in
    mirror+file:*)
      list=${uri#mirror+file:}
      list=/${list#"${list%%[!/]*}"} # file:///x and file:/x both name /x
      [ -r "$list" ] || return 1
      while read -r line _; do
        case $line in "" | "#"*) continue ;; esac
        _usable_uri "$line" && return 0
      done <"$list"
      return 1
      ;;
    http://* | https://* | ftp://* | file:/*) echo "${uri%/}" ;;
    *) return 1 ;;
  esac
}

# One-line format: `deb [options] URI SUITE [COMPONENT...]`.
_mirror_from_list() {
  local - file=$1 line uri suite
  set -f # no globbing of the words of a line
  [ -r "$file" ] || return 1
  while IFS= read -r line || [ -n "$line" ]; do
    line=${line%%#*}
    line=$(echo "$line" | sed -e 's/\[[^]]*\]//')
    set -- $line
    [ "${1:-}" = deb ] && [ $# -ge 3 ] || continue
    uri=$2 suite=$3
    _debian_suite "$suite" && _usable_uri "$uri" && return 0
  done <"$file"
  return 1
}

# deb822 format: stanzas of `Field: value` lines separated by blank lines.
_mirror_from_sources() {
  local - stanza
  set -f
  [ -r "$1" ] || return 1
  # One stanza per line, fields joined by a tab (continuation lines folded into their field).
  while IFS= read -r stanza; do
    local types="" uris="" suites="" enabled=yes field value uri suite
    while IFS= read -r field; do
      value=${field#*:}
      value=$(echo $value)
      case $(echo "${field%%:*}" | tr '[:upper:]' '[:lower:]') in
        types) types=$value ;;
        uris) uris=$value ;;
        suites) suites=$value ;;
        enabled) enabled=$(echo "$value" | tr '[:upper:]' '[:lower:]') ;;
      esac
    done < <(printf '%s\n' "$stanza" | tr '\t' '\n')
    case " $types " in *" deb "*) ;; *) continue ;; esac
    case $enabled in no | false | off | 0) continue ;; esac
    for suite in $suites; do
      _debian_suite "$suite" || continue
      for uri in $uris; do
        _usable_uri "$uri" && return 0
      done
    done
  done < <(awk '
    /^[ \t]*#/ { next }
    /^[ \t]*$/ { if (s != "") print s; s = ""; next }
    /^[ \t]/ { sub(/^[ \t]+/, " "); s = s $0; next }
    { s = (s == "" ? $0 : s "\t" $0) }
    END { if (s != "") print s }
  ' "$1")
  return 1
}

debian_mirror() {
  local list=${1:-/etc/apt/sources.list} parts=${2:-/etc/apt/sources.list.d} file
  _mirror_from_list "$list" && return 0
  [ -d "$parts" ] || return 1
  for file in "$parts"/*; do
    case $file in
      *.list) _mirror_from_list "$file" && return 0 ;;
      *.sources) _mirror_from_sources "$file" && return 0 ;;
    esac
  done
  return 1
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -euo pipefail
  debian_mirror "$@"
fi
