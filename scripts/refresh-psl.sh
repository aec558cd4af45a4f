#!/usr/bin/env bash
# Moves the vendored Public Suffix List to a newer one and regenerates the embedded trie:
#   scripts/refresh-psl.sh            the list of Debian's `publicsuffix` package (installed or
#                                     upgraded here with apt-get)
#   scripts/refresh-psl.sh FILE       a list you downloaded from https://publicsuffix.org/list/
# Then run `make test` (tests/psl_list.rs checks the trie against the new list) and commit
# tests/vectors/public_suffix_list.{dat,source} and src/core/referrer/psl_trie.txt together.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ $# -ge 1 ]; then
  src=$1
  origin="the file $(basename "$src"), taken on $(date -u +%Y-%m-%d)"
else
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq publicsuffix >/dev/null
  src=/usr/share/publicsuffix/public_suffix_list.dat
  origin="Debian's \`publicsuffix\` package $(dpkg-query -W -f='${Version}' publicsuffix)"
fi
cp "$src" tests/vectors/public_suffix_list.dat
cat > tests/vectors/public_suffix_list.source <<TXT
The Public Suffix List in public_suffix_list.dat (Mozilla Public License 2.0, https://publicsuffix.org/),
as $origin.
src/core/referrer/psl_trie.txt is generated from this file (scripts/gen-psl.py), and
tests/psl_list.rs checks the trie against it. To move to a newer list: scripts/refresh-psl.sh.
TXT
python3 scripts/gen-psl.py tests/vectors/public_suffix_list.dat > src/core/referrer/psl_trie.txt
echo "refresh-psl: list and trie updated from $origin; run make test"
