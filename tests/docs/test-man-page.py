#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The man page keeps step with the command line tool's own --help.

Usage: test-man-page.py MAN_PAGE   (the tool is $PG_CLI)

Every command `$PG_CLI --help` lists must have a subsection (.SS) under COMMANDS, and every long
option `$PG_CLI COMMAND --help` shows must be documented in that subsection, or under COMMON
OPTIONS when it is one of those. The other way round, every option the page documents (a .TP
item) must still exist. The global options, the sections a man page needs and the environment
variables the help names are checked too.
"""

import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import tap  # noqa: E402

REQUIRED_SECTIONS = ["NAME", "SYNOPSIS", "DESCRIPTION", "GLOBAL OPTIONS", "COMMON OPTIONS",
                     "COMMANDS", "ENVIRONMENT", "EXIT STATUS", "FILES", "SEE ALSO", "EXAMPLES"]
GLOBAL_OPTIONS = ["--help", "--version"]
OPTION = re.compile(r"(?<![\w-])(--[a-z][a-z0-9-]*)")


def plain(line):
    """A roff line as a reader sees its words: escapes for hyphens, fonts and spacing undone."""
    line = re.sub(r"\\f(\[[^]]*\]|\(..|.)", "", line)
    line = line.replace("\\-", "-").replace("\\e", "\\")
    line = re.sub(r"\\(&|:|%|/|,|\||\^)", "", line)
    line = line.replace("\\ ", " ").replace("\\~", " ")
    line = re.sub(r"\\\((..)", " ", line)
    line = re.sub(r"\\\[[^]]*\]", " ", line)
    return line


def macro_text(line):
    """The text of a macro line, quotes dropped: ".BI \\-\\-key= KEY" gives "--key= KEY"."""
    parts = line.split(None, 1)
    return plain(parts[1].replace('"', "")) if len(parts) > 1 else ""


class ManPage:
    """Sections (.SH) and subsections (.SS) of a page, as plain text, and its .TP items."""

    def __init__(self, path):
        self.sections = {}       # name -> text
        self.subsections = {}    # (section, name) -> text
        self.items = {}          # (section, subsection or None) -> [option, ...]
        section = subsection = None
        take_tag = False
        with open(path, encoding="utf-8") as page:
            for raw in page:
                raw = raw.rstrip("\n")
                if raw.startswith('.\\"') or raw.startswith("'\\\""):
                    continue
                if raw.startswith(".SH"):
                    section, subsection = macro_text(raw).strip(), None
                    self.sections.setdefault(section, "")
                    continue
                if raw.startswith(".SS"):
                    subsection = macro_text(raw).strip()
                    self.subsections.setdefault((section, subsection), "")
                    continue
                if raw.startswith(".TP"):
                    take_tag = True
                    continue
                text = macro_text(raw) if raw.startswith(".") else plain(raw)
                if take_tag:
                    take_tag = False
                    tag = text.split()
                    names = [word.split("=")[0].rstrip(",") for word in tag]
                    self.items.setdefault((section, subsection), []).extend(
                        name for name in names if name.startswith("--"))
                if section is not None:
                    self.sections[section] += text + "\n"
                if subsection is not None:
                    self.subsections[(section, subsection)] += text + "\n"

    def command(self, name):
        return self.subsections.get(("COMMANDS", name))


def run(cli, *args):
    result = subprocess.run([cli, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, timeout=60)
    return result.returncode, result.stdout


def commands_of(help_text):
    """The commands the top-level --help lists: the indented lines after "Commands:"."""
    commands = []
    listing = False
    for line in help_text.splitlines():
        if line.strip().endswith(":") and not line.startswith(" "):
            listing = line.strip() == "Commands:"
            continue
        if listing and line.startswith("  ") and line.strip():
            commands.append(line.split()[0])
    return commands


def options_of(help_text):
    """Every long option a command's --help shows (its own, the common ones and --help)."""
    options = []
    for line in help_text.splitlines():
        stripped = line.strip()
        if not stripped.startswith("-"):
            continue
        for option in OPTION.findall(stripped.split("  ")[0]):
            if option not in options:
                options.append(option)
    return options


def mentions(text, option):
    return re.search(r"(?<![\w-])" + re.escape(option) + r"(?![\w-])", text or "") is not None


def main():
    if len(sys.argv) != 2:
        print("Usage: test-man-page.py MAN_PAGE", file=sys.stderr)
        return 2
    cli = os.environ.get("PG_CLI")
    if not cli:
        print("1..0 # SKIP PG_CLI is not set")
        return 0

    page = ManPage(sys.argv[1])
    checks = []

    for name in REQUIRED_SECTIONS:
        checks.append(("section %s" % name, name in page.sections,
                       "The man page has no .SH %s." % name))

    status, top_help = run(cli, "--help")
    commands = commands_of(top_help)
    checks.append(("--help lists commands", status == 0 and len(commands) > 0,
                   "`%s --help` said (status %d):\n%s" % (cli, status, top_help)))

    global_text = page.sections.get("GLOBAL OPTIONS", "")
    for option in GLOBAL_OPTIONS + [o for o in OPTION.findall(top_help) if o not in GLOBAL_OPTIONS]:
        checks.append(("global option %s" % option, mentions(global_text, option),
                       "%s is not documented under GLOBAL OPTIONS." % option))
    status, version = run(cli, "--version")
    checks.append(("--version works", status == 0 and version.startswith("presign-guard-cli "),
                   "`--version` said (status %d): %s" % (status, version)))

    common_text = page.sections.get("COMMON OPTIONS", "")
    help_texts = [top_help]
    documented = {}
    for command in commands:
        status, text = run(cli, command, "--help")
        help_texts.append(text)
        section = page.command(command)
        checks.append(("command %s" % command, status == 0 and section is not None,
                       "`%s --help` exits %d; documented: %s"
                       % (command, status, section is not None)))
        options = options_of(text)
        documented[command] = options
        for option in options:
            ok = mentions(section, option) or mentions(common_text, option)
            checks.append(("%s %s" % (command, option), ok,
                           "%s %s is in --help but not in the man page (neither under the "
                           "command nor under COMMON OPTIONS)." % (command, option)))

    # Nothing documented that the tool no longer has.
    for (section, subsection), items in sorted(page.items.items(), key=str):
        for option in items:
            if section == "COMMANDS":
                ok = subsection in documented and option in documented[subsection]
                where = "command %s" % subsection
            elif section == "COMMON OPTIONS":
                ok = all(option in options for options in documented.values()) and \
                    len(documented) > 0
                where = "every command"
            elif section == "GLOBAL OPTIONS":
                ok = option in GLOBAL_OPTIONS or option in top_help
                where = "the tool itself"
            else:
                continue
            checks.append(("documented %s %s exists" % (subsection or section, option), ok,
                           "The man page documents %s for %s, which --help does not show."
                           % (option, where)))
    for (section, subsection) in page.subsections:
        if section == "COMMANDS":
            checks.append(("documented command %s exists" % subsection, subsection in commands,
                           "The man page documents a command %s that --help does not list."
                           % subsection))

    # The variables the help names (keys, region) are explained under ENVIRONMENT.
    environment = page.sections.get("ENVIRONMENT", "")
    variables = sorted({v for text in help_texts
                        for v in re.findall(r"\b[A-Z][A-Z0-9]*_[A-Z0-9_]+\b", text)})
    for variable in variables:
        checks.append(("environment %s" % variable, variable in environment,
                       "%s is named by --help but not under ENVIRONMENT." % variable))

    return tap.report(checks)


if __name__ == "__main__":
    sys.exit(main())
