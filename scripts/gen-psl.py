#!/usr/bin/env python3
"""Generates src/core/referrer/psl_trie.txt from the Public Suffix List.

Input: the vendored list, tests/vectors/public_suffix_list.dat (its version in
public_suffix_list.source beside it; scripts/refresh-psl.sh moves both), ICANN and private
sections both. Output: a label trie from the TLD down, one line, in punycode:

    node     := token [ "=" ] [ "{" node ( "," node )* "}" ]
    token    := [ "A".."Z" ] rest             (front coding, see below)
    label    := "*" | "~" name | name        ("~name" is an exception rule "!name")

Front coding: a token starting with an uppercase letter (labels are lowercase) stands for the
first 1 ("A") to 26 ("Z") characters of the previous sibling's label followed by the rest
("aichi,Bnjo" is "aichi,anjo"): 1.2 KB less gzip than plain labels.

"=" marks an inner label that ends a rule; a leaf always ends one, so it carries no "=".

Single-label rules ("com", "aaa", ...) are left out when nothing hangs below them, and top-level
labels carry no "=": the list's implicit "*" rule already makes every single label a public
suffix, so they would change no answer (tests/psl_list.rs checks every rule of the list against
the trie). That is 1,173 fewer entries: the trie is 4.3 KB smaller gzipped, the package 4.1 KB.

The top-level labels are ordered largest subtree first (see ser); sibling order does not matter
to the lookups.

Re-run after updating the list (scripts/refresh-psl.sh does both):
    python3 scripts/gen-psl.py > src/core/referrer/psl_trie.txt
"""
import sys

SRC = sys.argv[1] if len(sys.argv) > 1 else "tests/vectors/public_suffix_list.dat"


def ascii_label(label):
    if label == "*":
        return label
    if label.startswith("!"):
        return "~" + ascii_label(label[1:])
    label = label.lower()
    try:
        label.encode("ascii")
        return label
    except UnicodeEncodeError:
        return "xn--" + label.encode("punycode").decode("ascii")


def main():
    trie = {}
    for line in open(SRC, encoding="utf-8"):
        line = line.strip()
        if not line or line.startswith("//"):
            continue
        rule = line.split()[0]
        node = trie
        for label in reversed(rule.split(".")):
            node = node.setdefault(ascii_label(label), {})
        node["="] = True

    def ser(node, top=False):
        parts = []  # (label, the node's text after its label)
        for label in sorted(k for k in node if k != "="):
            child = node[label]
            kids = [k for k in child if k != "="]
            if top and not kids:
                continue  # a single-label rule: implied by "*"
            s = "=" if "=" in child and kids and not top else ""
            if kids:
                s += "{" + ser(child) + "}"
            parts.append((label, s))
        if top:
            # Sibling order does not matter to the lookups. Largest TLD first puts the big,
            # alike subtrees (jp, no, com, museum, it, ...) within gzip's 32 KB window of each
            # other: 0.6 KB less gzip than alphabetical order. Alphabetical below the top.
            parts.sort(key=lambda p: (-len(p[0] + p[1]), p[0]))
        out, prev = [], ""
        for label, s in parts:
            shared = 0
            while shared < min(len(prev), len(label), 26) and prev[shared] == label[shared]:
                shared += 1
            token = (chr(ord("A") + shared - 1) + label[shared:]) if shared else label
            out.append(token + s)
            prev = label
        return ",".join(out)

    sys.stdout.write(ser(trie, top=True))


main()
