#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The documentation's links lead somewhere, and the README stays short.

Usage: test-doc-links.py SOURCE_ROOT

Every relative link and image in README.md, CONTRIBUTING.md and docs/*.md must name a file or
folder of the tree, and a #fragment a heading of the document it points at. README.md is at
most 200 lines and shows the two set-up commands on its first screen.
"""

import glob
import os
import re
import sys
import unicodedata

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import tap  # noqa: E402

README_MAX_LINES = 200
FIRST_SCREEN = 40
SETUP_COMMANDS = [
    ".ci/install-deps && meson setup build && meson compile -C build demo",
    ".ci/install-deps && meson setup build && meson test -C build --print-errorlogs",
]

# [text](target "title") and ![alt](target); <img src="target">, <a href="target">.
MARKDOWN_LINK = re.compile(r"!?\[(?:[^\]\\]|\\.)*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
HTML_LINK = re.compile(r"<(?:img|a)\b[^>]*?\b(?:src|href)=\"([^\"]+)\"", re.IGNORECASE)
FENCE = re.compile(r"^\s*(```|~~~)")
HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")


def prose_lines(path):
    """The lines of a Markdown file outside fenced code blocks, with inline code blanked."""
    inside = False
    with open(path, encoding="utf-8") as text:
        for number, line in enumerate(text, 1):
            if FENCE.match(line):
                inside = not inside
                continue
            if not inside:
                yield number, re.sub(r"`[^`]*`", "``", line.rstrip("\n"))


def slug(heading):
    """The anchor a Markdown renderer (GitHub's rules) gives a heading."""
    text = re.sub(r"`|\*\*|__|\[|\]\([^)]*\)", "", heading).strip().lower()
    kept = []
    for char in text:
        category = unicodedata.category(char)
        if char in " -_" or category[0] in "LN" or category == "Mn":
            kept.append("-" if char == " " else char)
    return "".join(kept)


def anchors(path):
    found = set()
    seen = {}
    for _, line in prose_lines(path):
        match = HEADING.match(line)
        if match:
            base = slug(match.group(2))
            count = seen.get(base, 0)
            seen[base] = count + 1
            found.add(base if count == 0 else "%s-%d" % (base, count))
    return found


def links(path):
    for number, line in prose_lines(path):
        for pattern in (MARKDOWN_LINK, HTML_LINK):
            for match in pattern.finditer(line):
                yield number, match.group(1)


def external(target):
    return re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", target) is not None


def main():
    if len(sys.argv) != 2:
        print("Usage: test-doc-links.py SOURCE_ROOT", file=sys.stderr)
        return 2
    root = os.path.abspath(sys.argv[1])
    documents = [os.path.join(root, "README.md"), os.path.join(root, "CONTRIBUTING.md")]
    documents += sorted(glob.glob(os.path.join(root, "docs", "*.md")))
    checks = []

    for document in documents:
        name = os.path.relpath(document, root)
        if not os.path.isfile(document):
            checks.append(("%s exists" % name, False, "%s is missing." % name))
            continue
        broken = []
        count = 0
        for number, target in links(document):
            if external(target):
                continue
            count += 1
            path, _, fragment = target.partition("#")
            destination = document if path == "" else \
                os.path.normpath(os.path.join(os.path.dirname(document), path))
            if not destination.startswith(root + os.sep) and destination != root:
                broken.append("%s:%d: %s leaves the tree" % (name, number, target))
            elif not os.path.exists(destination):
                broken.append("%s:%d: %s does not exist" % (name, number, target))
            elif fragment and destination.endswith(".md") and \
                    fragment.lower() not in anchors(destination):
                broken.append("%s:%d: %s names no heading of %s"
                              % (name, number, target, os.path.relpath(destination, root)))
        checks.append(("%s: %d relative links lead somewhere" % (name, count), not broken,
                       "\n".join(broken)))

    readme = os.path.join(root, "README.md")
    if os.path.isfile(readme):
        with open(readme, encoding="utf-8") as text:
            lines = text.read().splitlines()
        checks.append(("README.md has at most %d lines" % README_MAX_LINES,
                       len(lines) <= README_MAX_LINES,
                       "README.md has %d lines; move the details into docs/." % len(lines)))
        first_screen = lines[:FIRST_SCREEN]
        for command in SETUP_COMMANDS:
            checks.append(("README.md shows `%s` on its first screen" % command,
                           command in first_screen,
                           "Not found as a line of its own in the first %d lines."
                           % FIRST_SCREEN))

    return tap.report(checks)


if __name__ == "__main__":
    sys.exit(main())
