#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""What a screen reader is told: the AT-SPI tree of the real, running app.

The app runs as a person would start it, in a demo profile of its own (settings, links and a
file keyring in a temporary folder) against the local S3 gateway (PG_TEST_S3_ENDPOINT), with a
bucket of a few files and a list of links in every state: a download link, an upload link, an
upload page, a revoked link and an expired one. This script then reads the window as an
assistive technology does, over the accessibility bus, and walks all of it: the header bar, the
list of files, the list of links, the menus of the menu buttons, and the dialogs (New Download
Link, New Download Link for a revoked file, New Upload Link, Account, Preferences, a link's
Details and QR code).

Every control (button, toggle, check box or switch, menu item, row, entry, spin button, combo
box, link) must have a name that says what it does. Failing are: no name; a toolkit class name
where a name should be (GTK 4 answers "GtkImage" for an icon-only button without a name); an
icon name; a label twice over ("_Revoke Revoke": the raw mnemonic text and the text again). A
window must be a frame or dialog, with a name. Each link row must name its file, its kind
(download link, upload link, upload page) and its state, and a working link until when it
works: "report.pdf, download link, until 1 December, active".

Output is TAP: a "not ok" line for each problem, with the node's role, current name, tooltip,
where it is (its named ancestors) and its path of child indexes in the tree; an "ok" line for a
part of the app without problems. Nodes inside the toolkit's own widgets that the app cannot
name directly in GTK 4.8 / libadwaita 1.2 are marked as such; they fail too with --strict, as
the test suite runs it (the app names them through their widgets). --dump prints the whole tree as TAP comments.

Run under a virtual X server, against the gateway; the script runs itself again inside a
session bus of its own (dbus-run-session), where the accessibility bus is started on demand
(at-spi2-core):

  PG_TEST_S3_ENDPOINT=http://127.0.0.1:PORT GSETTINGS_SCHEMA_DIR=BUILD/data \\
    xvfb-run -a -s '-screen 0 1280x800x24 -noreset' /usr/bin/python3 tests/test-a11y.py \\
    --app BUILD/src/app/presign-guard --cli BUILD/src/cli/presign-guard-cli

The system's python3 is needed for GObject introspection (python3-gi, gir1.2-atspi-2.0).
"""

import argparse
import configparser
import json
import os
import re
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback
import uuid
import warnings

# libatspi warns about things of the toolkit on the other side (GTK 4.8 offers no AT-SPI cache,
# and nodes go away while they are read): with the test suite's G_DEBUG=fatal-warnings, that
# would end this reader at random. GLib reads G_DEBUG once, when it is loaded: start again
# without the fatal flags, before loading it.
FATAL_FLAGS = ("fatal-warnings", "fatal-criticals")
if any(flag in os.environ.get("G_DEBUG", "").split(",") for flag in FATAL_FLAGS):
    os.environ["G_DEBUG"] = ",".join(flag for flag in os.environ["G_DEBUG"].split(",")
                                     if flag and flag not in FATAL_FLAGS)
    os.execv(sys.executable, [sys.executable] + sys.argv)

try:
    import gi
    gi.require_version("Atspi", "2.0")
    from gi.repository import Atspi, Gio, GLib
except (ImportError, ValueError) as missing:
    print("Bail out! no AT-SPI for Python here (%s): install python3-gi and gir1.2-atspi-2.0 and "
          "run this with the system's python3 (%s ran it)" % (missing, sys.executable))
    sys.exit(1)

# Atspi.Accessible.get_action_name and friends are deprecated for the Atspi.Action ones, which
# take the same arguments; the warning would only clutter the output.
warnings.simplefilter("ignore", DeprecationWarning)

APP_ID = "io.github.presignguard.PresignGuard"
APP_PATH = "/" + APP_ID.replace(".", "/")
SIGNER_ARN = "arn:aws:iam:::user/owner:presign"
TOTAL_SECONDS = 270
WAIT_SECONDS = 60

# The roles of controls: things a person presses, toggles, types in or picks. Labels, images,
# panels and fillers are not checked.
CONTROL_ROLES = {
    Atspi.Role.PUSH_BUTTON, Atspi.Role.PUSH_BUTTON_MENU, Atspi.Role.TOGGLE_BUTTON,
    Atspi.Role.CHECK_BOX, Atspi.Role.RADIO_BUTTON, Atspi.Role.MENU_ITEM,
    Atspi.Role.CHECK_MENU_ITEM, Atspi.Role.RADIO_MENU_ITEM, Atspi.Role.LIST_ITEM,
    Atspi.Role.TABLE_ROW, Atspi.Role.TREE_ITEM, Atspi.Role.LINK, Atspi.Role.ENTRY,
    Atspi.Role.PASSWORD_TEXT, Atspi.Role.SPIN_BUTTON, Atspi.Role.COMBO_BOX, Atspi.Role.SLIDER,
    Atspi.Role.PAGE_TAB,
}
# Editable text (AdwEntryRow's field is "text") is a control too.
TEXT_ROLES = {Atspi.Role.TEXT}
WINDOW_ROLES = {Atspi.Role.FRAME, Atspi.Role.DIALOG, Atspi.Role.WINDOW, Atspi.Role.ALERT,
                Atspi.Role.FILE_CHOOSER}
CLASS_NAME = re.compile(r"(Gtk|Adw|Gdk|Pg)[A-Z][A-Za-z0-9]*")
ICON_NAME = re.compile(r"[a-z0-9-]+-symbolic")
MNEMONIC = re.compile(r"(^|\s)_[^\W_]")
MAX_NODES = 20000


class Failure(Exception):
    """The run cannot go on: reported as "Bail out!"."""


# ---- TAP ---------------------------------------------------------------------------------

class Tap:
    def __init__(self):
        self.count = 0
        self.failed = 0
        self.todo = 0

    @staticmethod
    def clean(text):
        # A "#" would start a TAP directive; a new line would end the line.
        return " ".join(text.replace("#", "\\#").split())

    def ok(self, description):
        self.count += 1
        print("ok %d - %s" % (self.count, self.clean(description)), flush=True)

    def not_ok(self, description, todo=None):
        self.count += 1
        line = "not ok %d - %s" % (self.count, self.clean(description))
        if todo:
            line += " # TODO " + self.clean(todo)
            self.todo += 1
        else:
            self.failed += 1
        print(line, flush=True)

    def skip(self, description, reason):
        self.count += 1
        print("ok %d - %s # SKIP %s" % (self.count, self.clean(description), self.clean(reason)),
              flush=True)

    @staticmethod
    def comment(text):
        for line in str(text).splitlines() or [""]:
            print("# " + line, flush=True)


TAP = Tap()


# ---- Helpers -----------------------------------------------------------------------------

def wait_for(condition, what, seconds=WAIT_SECONDS, interval=0.2):
    """condition's first true value, or Failure after seconds."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            value = condition()
        except GLib.Error:
            # A node that went away while we looked: look again.
            value = None
        if value:
            return value
        if time.monotonic() > deadline:
            raise Failure("timed out after %d s waiting for %s" % (seconds, what))
        time.sleep(interval)


def run(args, env, what):
    done = subprocess.run(args, env=env, capture_output=True, text=True, timeout=60, check=False)
    if done.returncode != 0:
        raise Failure("%s failed (%d): %s" % (what, done.returncode, done.stderr.strip()))
    return done.stdout


def safe(function, default=None):
    try:
        return function()
    except GLib.Error:
        return default


def role_of(node):
    return safe(node.get_role, Atspi.Role.INVALID)


def name_of(node):
    return safe(node.get_name, "") or ""


def role_name(node):
    return safe(node.get_role_name, "?") or "?"


def states_of(node):
    state_set = safe(node.get_state_set)
    return set(state_set.get_states()) if state_set else set()


def children(node):
    count = safe(node.get_child_count, 0)
    for index in range(count):
        child = safe(lambda: node.get_child_at_index(index))
        if child is not None:
            yield index, child


def action_names(node):
    count = safe(node.get_n_actions, 0) if "Action" in (safe(node.get_interfaces, []) or []) else 0
    return [safe(lambda: node.get_action_name(i), "") for i in range(count)]


def do_action(node, name):
    names = action_names(node)
    if name not in names:
        return False
    return safe(lambda: node.do_action(names.index(name)), False)


def walk(root, path=()):
    """(node, path of child indexes, ancestors) for root and all below it, depth first."""
    stack = [(root, tuple(path), ())]
    seen = 0
    while stack:
        node, node_path, ancestors = stack.pop()
        seen += 1
        if seen > MAX_NODES:
            raise Failure("more than %d nodes below %s: a loop in the tree?" % (MAX_NODES,
                                                                                name_of(root)))
        yield node, node_path, ancestors
        below = list(children(node))
        for index, child in reversed(below):
            stack.append((child, node_path + (index,), ancestors + (node,)))


def labels_below(node, limit=40):
    texts = []
    for child, _, _ in walk(node):
        if role_of(child) == Atspi.Role.LABEL and name_of(child):
            texts.append(name_of(child))
            if len(texts) >= limit:
                break
    return texts


# ---- What is wrong with a name -----------------------------------------------------------

def name_problem(name):
    """Why name does not say what a control does, or None."""
    stripped = name.strip()
    if not stripped:
        return "no name"
    if CLASS_NAME.fullmatch(stripped):
        return "a toolkit class name instead of a name"
    if ICON_NAME.fullmatch(stripped):
        return "an icon name instead of a name"
    words = stripped.split(" ")
    for cut in range(1, len(words)):
        first, second = " ".join(words[:cut]), " ".join(words[cut:])
        if first.replace("_", "") == second:
            if "_" in first:
                return "the label's mnemonic text and the label again"
            return "the same text twice"
    if MNEMONIC.search(stripped):
        return "a mnemonic underscore in the name"
    return None


def toolkit_internal(node, ancestors):
    """Why a node is the toolkit's own and cannot be named by the app, or None."""
    role = role_of(node)
    parent = ancestors[-1] if ancestors else None
    if role == Atspi.Role.TABLE_ROW and parent is not None \
            and role_of(parent) in (Atspi.Role.TREE_TABLE, Atspi.Role.TABLE):
        return "GTK 4.8 internal: the header row of a GtkColumnView"
    if role == Atspi.Role.LIST_ITEM and any(role_of(a) == Atspi.Role.COMBO_BOX for a in ancestors):
        return "libadwaita 1.2 internal: the selected item shown inside an AdwComboRow"
    if role == Atspi.Role.PUSH_BUTTON \
            and (safe(node.get_description, "") or "") in ("Show Text", "Hide Text") \
            and any(role_of(a) in (Atspi.Role.TEXT, Atspi.Role.PASSWORD_TEXT) for a in ancestors):
        return "libadwaita 1.2 internal: the show-text button of an AdwPasswordEntryRow"
    if role == Atspi.Role.ENTRY and len(ancestors) >= 3 \
            and name_of(ancestors[-2]) == "GtkStackPage" \
            and any(name_of(grandchild) == "AdwViewSwitcherTitle"
                    for _, page in children(ancestors[-3]) for _, grandchild in children(page)):
        return ("libadwaita 1.2 internal: the search entry of AdwPreferencesWindow (in the tree "
                "even with search-enabled off)")
    return None


def describe_place(node, path, ancestors):
    """Where a node is, for a person reading the report: its named ancestors and rows."""
    places = []
    # path runs from the app down to node; ancestors from where the walk began down to node's
    # parent: the index of ancestors[depth] in its parent is path[first + depth].
    first = len(path) - len(ancestors) - 1
    for depth, ancestor in enumerate(ancestors):
        role = role_of(ancestor)
        name = name_of(ancestor)
        if role in (Atspi.Role.LIST_ITEM, Atspi.Role.TABLE_ROW):
            texts = labels_below(ancestor, 3)
            places.append("%s %d (%s)" % (role_name(ancestor), path[first + depth],
                                          " / ".join(texts) if texts else "no text"))
        elif role in (Atspi.Role.APPLICATION,):
            continue
        elif name and not name_problem(name) and role != Atspi.Role.LABEL:
            places.append("%s '%s'" % (role_name(ancestor), name))
        elif role in (Atspi.Role.LIST, Atspi.Role.TABLE, Atspi.Role.TREE_TABLE, Atspi.Role.MENU):
            places.append(role_name(ancestor))
    if len(places) > 5:
        places = places[:1] + ["…"] + places[-4:]
    return " › ".join(places) if places else "(top)"


def check_tree(root, root_path, scope, strict):
    """A TAP line for each badly named control below root; ok when there is none."""
    checked = 0
    problems = 0
    for node, path, ancestors in walk(root, root_path):
        role = role_of(node)
        node_states = states_of(node)
        if role in TEXT_ROLES and Atspi.StateType.EDITABLE not in node_states:
            continue
        if role not in CONTROL_ROLES and role not in TEXT_ROLES:
            continue
        checked += 1
        name = name_of(node)
        why = name_problem(name)
        if why is None:
            continue
        problems += 1
        tooltip = safe(node.get_description, "") or ""
        placeholder = (safe(node.get_attributes, {}) or {}).get("placeholder-text", "")
        extra = []
        if tooltip:
            extra.append("tooltip '%s'" % tooltip)
        if placeholder:
            extra.append("placeholder '%s'" % placeholder)
        if role == Atspi.Role.LIST_ITEM or role == Atspi.Role.TABLE_ROW:
            texts = labels_below(node, 4)
            if texts:
                extra.append("shows '%s'" % " / ".join(texts))
        if Atspi.StateType.FOCUSABLE not in node_states:
            extra.append("not focusable")
        description = "%s: %s named '%s' (%s)%s in %s at %s" % (
            scope, role_name(node), name, why, " [" + "; ".join(extra) + "]" if extra else "",
            describe_place(node, path, ancestors), "/" + "/".join(str(i) for i in path))
        internal = toolkit_internal(node, ancestors)
        TAP.not_ok(description, todo=None if strict or internal is None else internal)
    if problems == 0:
        TAP.ok("%s: every control is named (%d checked)" % (scope, checked))
    else:
        TAP.comment("%s: %d of %d controls badly named" % (scope, problems, checked))
    return checked


def check_window_role(window, scope):
    role = role_of(window)
    name = name_of(window)
    if role in WINDOW_ROLES and name and not name_problem(name):
        TAP.ok("%s: a %s named '%s'" % (scope, role_name(window), name))
    else:
        TAP.not_ok("%s: the window is a %s named '%s'; a window must be a frame or dialog with "
                   "a name" % (scope, role_name(window), name))


def dump_tree(root, title):
    TAP.comment("---- %s" % title)
    for node, path, ancestors in walk(root):
        extra = safe(node.get_description, "") or ""
        TAP.comment("%s%s '%s'%s" % ("  " * len(ancestors), role_name(node), name_of(node),
                                     "  (tooltip '%s')" % extra if extra else ""))


# ---- The app -----------------------------------------------------------------------------

class App:
    """One run of the app in the test's profile."""

    def __init__(self, binary, env, log_path):
        self.log_path = log_path
        self.log = open(log_path, "a")
        self.process = subprocess.Popen([binary], env=env, stdin=subprocess.DEVNULL,
                                        stdout=self.log, stderr=subprocess.STDOUT,
                                        start_new_session=True)
        self.accessible = None

    @property
    def pid(self):
        return self.process.pid

    def alive(self):
        return self.process.poll() is None

    def check_alive(self):
        if not self.alive():
            raise Failure("the app ended (exit status %s); its output:\n%s"
                          % (self.process.returncode, self.log_tail()))

    def log_tail(self, lines=25):
        self.log.flush()
        try:
            with open(self.log_path, errors="replace") as log:
                return "".join(log.readlines()[-lines:])
        except OSError:
            return ""

    def find(self):
        """The app's node on the accessibility bus, found by its process id."""
        def look():
            self.check_alive()
            desktop = Atspi.get_desktop(0)
            for _, candidate in children(desktop):
                if safe(candidate.get_process_id) == self.pid:
                    return candidate
            return None

        self.accessible = wait_for(look, "the app on the accessibility bus")
        return self.accessible

    def toplevels(self):
        self.check_alive()
        return [child for _, child in children(self.accessible)]

    def main_window(self):
        for window in self.toplevels():
            if role_of(window) == Atspi.Role.FRAME and "Action" in (window.get_interfaces() or []) \
                    and any(name.startswith("win.") for name in action_names(window)):
                return window
        return None

    def activate_app_action(self, action):
        """An action of the application (app.NAME), over the session bus as any launcher does."""
        bus = Gio.bus_get_sync(Gio.BusType.SESSION, None)
        bus.call_sync(APP_ID, APP_PATH, "org.gtk.Actions", "Activate",
                      GLib.Variant("(sava{sv})", (action, [], {})), None,
                      Gio.DBusCallFlags.NONE, 10000, None)

    def stop(self):
        """app.quit; the process is killed by its id when that does not end it."""
        if self.alive():
            try:
                self.activate_app_action("quit")
            except GLib.Error:
                pass
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.log.close()


# ---- The profile -------------------------------------------------------------------------

def prepare_bucket(cli, endpoint):
    env = dict(os.environ, AWS_ACCESS_KEY_ID="OWNERKEY", AWS_SECRET_ACCESS_KEY="OWNERSECRET",
               PG_SIGNER_ACCESS_KEY_ID="PRESIGNKEY", PG_SIGNER_SECRET_ACCESS_KEY="PRESIGNSECRET")
    env.pop("AWS_SESSION_TOKEN", None)
    common = ["--endpoint", endpoint, "--path-style", "--region", "us-east-1"]
    bucket = "pg-a11y-" + uuid.uuid4().hex[:10]
    run([cli, "mb", *common, "--bucket", bucket], env, "making the bucket")
    with tempfile.NamedTemporaryFile("wb", suffix=".pdf") as body:
        body.write(b"%PDF-1.4\n% a test file\n")
        body.flush()
        for key in ("report.pdf", "old-report.pdf", "notes.txt", "folder/inside.txt"):
            run([cli, "upload", *common, "--bucket", bucket, "--key", key, body.name], env,
                "uploading " + key)
    # A file whose links are revoked for real: its link shows Restore, and a new link to it
    # offers the way out (a fresh copy, or lifting the revocation).
    run([cli, "revoke", *common, "--signer-arn", SIGNER_ARN, "--bucket", bucket,
         "--key", "old-report.pdf"], env, "revoking old-report.pdf")
    return bucket


def app_environment(home, build_env, endpoint, bucket):
    env = dict(os.environ)
    for name in ("NO_AT_BRIDGE", "GTK_A11Y", "WAYLAND_DISPLAY", "AWS_ACCESS_KEY_ID",
                 "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE",
                 "PG_SIGNER_ACCESS_KEY_ID", "PG_SIGNER_SECRET_ACCESS_KEY"):
        env.pop(name, None)
    # GTK 4.8's accessibility implementation has criticals of its own (a node that goes away
    # while it is read); they are shown below, but must not end the app before it is read.
    env["G_DEBUG"] = ",".join(flag for flag in env.get("G_DEBUG", "").split(",")
                              if flag and flag not in FATAL_FLAGS)
    env.update(build_env)
    env.update({
        "GDK_BACKEND": "x11",
        "LANGUAGE": "C",
        "XDG_CONFIG_HOME": os.path.join(home, "config"),
        "XDG_DATA_HOME": os.path.join(home, "data"),
        "XDG_CACHE_HOME": os.path.join(home, "cache"),
        "SECRET_BACKEND": "file",
        "SECRET_FILE_TEST_PATH": os.path.join(home, "keyring"),
        "SECRET_FILE_TEST_PASSWORD": "test",
        # Settings in a key file of the profile: no desktop notifications here.
        "GSETTINGS_BACKEND": "keyfile",
        "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent",
        "AWS_CONFIG_FILE": "/nonexistent",
        # The demo profile: with no account yet, the app makes one for this server.
        "PRESIGN_GUARD_DEMO_ENDPOINT": endpoint,
        "PRESIGN_GUARD_DEMO_BUCKET": bucket,
        "PRESIGN_GUARD_DEMO_MANAGER_KEY": "OWNERKEY",
        "PRESIGN_GUARD_DEMO_MANAGER_SECRET": "OWNERSECRET",
        "PRESIGN_GUARD_DEMO_SIGNER_KEY": "PRESIGNKEY",
        "PRESIGN_GUARD_DEMO_SIGNER_SECRET": "PRESIGNSECRET",
        "PRESIGN_GUARD_DEMO_SIGNER_ARN": SIGNER_ARN,
    })
    settings = os.path.join(home, "config", "glib-2.0", "settings")
    os.makedirs(settings, exist_ok=True)
    with open(os.path.join(settings, "keyfile"), "w") as keyfile:
        keyfile.write("[%s]\nnotifications=false\n" % APP_PATH.strip("/"))
    return env


# The links of the list, as the app's link store keeps them (src/core/pg-link-store.c,
# pg-link.c), and what each row's name must say.
PAGE_FOLDER = "incoming/20261128-104200-aaaaaa/"
LINK_ROWS = [
    # title shown, kind, state, with an end date
    ("report.pdf", "download link", "active", True),
    ("contract.pdf", "upload link", "active", True),
    (PAGE_FOLDER, "upload page", "active", True),
    ("old-report.pdf", "download link", "revoked", False),
    ("notes.txt", "download link", "expired", False),
]


def write_links(home, account, bucket):
    now = int(time.time())

    def link(number, key, method="GET", state="active", signed_at=now - 3600,
             expires=3 * 86400, **extra):
        entry = {"id": "a11y-%d" % number, "account": account, "bucket": bucket, "key": key,
                 "method": method, "signed-at": signed_at, "expires": expires,
                 "access-key-id": "PRESIGNKEY", "if-none-match": method == "PUT",
                 "signer-arn": SIGNER_ARN, "state": state}
        entry.update(extra)
        return entry

    links = [
        link(1, "report.pdf", filename="report.pdf"),
        link(2, "incoming/20261128-104200-3fa9c1/contract.pdf", method="PUT",
             signed_at=now - 3700),
        link(3, PAGE_FOLDER + "upload", method="PUT", signed_at=now - 3800,
             **{"page-key": ".presign-guard/pages/a11y-page.html",
                "upload-keys": [PAGE_FOLDER + "upload", "incoming/20261128-104200-bbbbbb/upload"]}),
        link(4, "old-report.pdf", state="revoked", signed_at=now - 3900),
        link(5, "notes.txt", signed_at=now - 10 * 86400, expires=86400),
    ]
    folder = os.path.join(home, "data", "presign-guard")
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "links.json"), "w") as store:
        json.dump({"version": 1, "links": links}, store, indent=1)


def make_account(binary, env, home):
    """The demo account, made by the app itself on its first start (its keys in the keyring)."""
    accounts = os.path.join(home, "config", "presign-guard", "accounts.ini")
    app = App(binary, env, os.path.join(home, "app-first.log"))
    try:
        def account_id():
            app.check_alive()
            parser = configparser.ConfigParser(interpolation=None)
            try:
                parser.read(accounts)
            except configparser.Error:
                return None
            return parser.sections()[0] if parser.sections() else None

        account = wait_for(account_id, "the demo account in %s" % accounts)
    finally:
        app.stop()
    return account


# ---- The checks --------------------------------------------------------------------------

def find_links_list(window):
    """The list of links: the list whose items show the links' file names."""
    titles = {row[0] for row in LINK_ROWS}
    for node, path, _ in walk(window):
        if role_of(node) != Atspi.Role.LIST:
            continue
        items = [(index, child) for index, child in children(node)
                 if role_of(child) == Atspi.Role.LIST_ITEM]
        shown = set()
        for _, item in items:
            shown.update(set(labels_below(item, 6)) & titles)
        if shown == titles:
            return node, path
    return None


def find_files_list(window):
    for node, path, _ in walk(window):
        if role_of(node) == Atspi.Role.LIST and any(
                role_of(child) == Atspi.Role.TABLE_ROW and "report.pdf" in labels_below(child, 4)
                for _, child in children(node)):
            return node, path
    return None


def check_link_rows(links_list):
    found = {}
    for index, item in children(links_list):
        if role_of(item) != Atspi.Role.LIST_ITEM:
            continue
        texts = labels_below(item, 8)
        for row in LINK_ROWS:
            if row[0] in texts:
                found[row[0]] = (index, item, texts)
    for title, kind, state, dated in LINK_ROWS:
        if title not in found:
            TAP.not_ok("link row of %s: not in the list of links" % title)
            continue
        index, item, texts = found[title]
        name = name_of(item)
        lower = name.lower()
        missing = [what for what, present in (
            ("the file name '%s'" % title, title.lower() in lower),
            ("the kind '%s'" % kind, kind in lower),
            ("the state '%s'" % state, state in lower),
            ("until when it works", not dated or "until" in lower),
        ) if not present]
        if missing:
            inner = [name_of(child) for _, child in children(item) if name_of(child)]
            TAP.not_ok("link row of %s (list item %d): named '%s', which lacks %s [the row shows "
                       "'%s'%s]" % (title, index, name, ", ".join(missing), " / ".join(texts),
                                    "; its child is named '%s'" % inner[0] if inner else ""))
        else:
            TAP.ok("link row of %s: named '%s'" % (title, name))


def new_toplevels(app, before, what, seconds=15):
    def appeared():
        fresh = [window for window in app.toplevels()
                 if not any(window == old for old in before)]
        # GTK's tooltip window comes and goes: not a window of the app's own.
        return [window for window in fresh if name_of(window) != "GtkTooltipWindow"]

    return wait_for(appeared, what, seconds)


def close_window(app, window, what):
    if not do_action(window, "window.close"):
        TAP.comment("%s: no window.close action; left open" % what)
        return
    try:
        wait_for(lambda: not any(w == window for w in app.toplevels()), "%s to close" % what, 10)
    except Failure as failure:
        TAP.comment(str(failure))


def check_dialog(app, scope, open_it, strict, dump, settle=None):
    """Opens a window with open_it(), checks it, closes it."""
    before = app.toplevels()
    try:
        if open_it() is False:
            TAP.skip(scope, "could not be opened through AT-SPI")
            return
        windows = new_toplevels(app, before, scope)
    except Failure as failure:
        TAP.skip(scope, str(failure))
        return
    for window in windows:
        time.sleep(0.5)
        if settle is not None:
            try:
                wait_for(lambda: settle(window), "%s to settle" % scope, 15)
            except Failure as failure:
                TAP.comment(str(failure))
        safe(app.accessible.clear_cache)
        if dump:
            dump_tree(window, scope)
        window_path = next((index for index, child in children(app.accessible)
                            if child == window), 0)
        check_window_role(window, scope)
        check_tree(window, (window_path,), scope, strict)
    for window in windows:
        close_window(app, window, scope)


def menu_toggles(window):
    """The buttons of the menu buttons (GtkMenuButton: a button inside a button)."""
    toggles = []
    for node, path, ancestors in walk(window):
        if role_of(node) in (Atspi.Role.PUSH_BUTTON, Atspi.Role.TOGGLE_BUTTON) and ancestors \
                and role_of(ancestors[-1]) in (Atspi.Role.PUSH_BUTTON, Atspi.Role.TOGGLE_BUTTON,
                                               Atspi.Role.PUSH_BUTTON_MENU) \
                and "click" in action_names(node):
            toggles.append((node, ancestors[-1], path, ancestors))
    return toggles


def check_menus(app, window, strict, dump):
    """Opens each menu button's menu in the window, checks the menu, closes it again."""
    opened = 0
    for toggle, menu_button, path, ancestors in menu_toggles(window):
        label = name_of(toggle) if not name_problem(name_of(toggle)) else \
            (safe(toggle.get_description, "") or "unnamed menu button")
        rows = [a for a in ancestors if role_of(a) in (Atspi.Role.LIST_ITEM, Atspi.Role.TABLE_ROW)]
        if rows:
            texts = labels_below(rows[-1], 1)
            label += "' in the row of '%s" % (texts[0] if texts else "?")

        def popover():
            for _, child in children(menu_button):
                if role_of(child) in (Atspi.Role.MENU, Atspi.Role.POPUP_MENU, Atspi.Role.WINDOW,
                                      Atspi.Role.PANEL) and child != toggle:
                    return child
            return None

        if popover() is not None or not do_action(toggle, "click"):
            continue
        try:
            menu = wait_for(popover, "the menu of %s" % label, 3)
        except Failure:
            # A menu button on a page that is not shown: its menu cannot pop up.
            continue
        time.sleep(0.3)
        opened += 1
        scope = "menu of '%s'" % label
        if dump:
            dump_tree(menu, scope)
        check_tree(menu, path[:-1] + (next(i for i, c in children(menu_button) if c == menu),),
                   scope, strict)
        do_action(toggle, "click")
        try:
            wait_for(lambda: popover() is None, "the menu of %s to close" % label, 5)
        except Failure as failure:
            TAP.comment(str(failure))
    if opened == 0:
        TAP.skip("menus of the main window", "no menu button opened a menu")


def select_file(files_list, name):
    for index, row in children(files_list):
        if role_of(row) == Atspi.Role.TABLE_ROW and name in labels_below(row, 4):
            return safe(lambda: files_list.select_child(index), False)
    return False


def row_button(links_list, title, words):
    """A button of the link row of title whose name or tooltip has one of words."""
    for _, item in children(links_list):
        if title not in labels_below(item, 8):
            continue
        for node, _, _ in walk(item):
            if role_of(node) not in (Atspi.Role.PUSH_BUTTON, Atspi.Role.TOGGLE_BUTTON):
                continue
            text = (name_of(node) + " " + (safe(node.get_description, "") or "")).lower()
            if any(word in text for word in words) and "click" in action_names(node):
                return node
    return None


def has_button(window, words):
    for node, _, _ in walk(window):
        text = (name_of(node) + " " + (safe(node.get_description, "") or "")).lower()
        if role_of(node) == Atspi.Role.PUSH_BUTTON and any(word in text for word in words):
            return True
    return False


TAP_LINE = re.compile(r"(ok|not ok)\b|1\.\.\d|#|Bail out!")


def run_in_session(dbus_run_session):
    """This script again, inside a session bus of its own (dbus-run-session), where the
    accessibility bus is started on demand. The daemons the bus starts write to its output
    ("SpiRegistry daemon is running…"): lines that are not TAP become TAP comments here."""
    command = [dbus_run_session, "--", sys.executable, os.path.abspath(__file__),
               *sys.argv[1:], "--in-session"]
    try:
        child = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                 start_new_session=True)
    except OSError as error:
        print("Bail out! cannot start %s: %s" % (dbus_run_session, error))
        return 1
    deadline = time.monotonic() + TOTAL_SECONDS + 30
    pending = b""
    ended_at = None
    with child.stdout:
        while True:
            now = time.monotonic()
            if child.poll() is not None and ended_at is None:
                ended_at = now
            # A daemon of the session may hold the pipe a moment after the test ended.
            if now > deadline or (ended_at is not None and now > ended_at + 5):
                break
            ready, _, _ = select.select([child.stdout], [], [], 0.5)
            if not ready:
                continue
            chunk = os.read(child.stdout.fileno(), 65536)
            if not chunk:
                break
            pending += chunk
            *lines, pending = pending.split(b"\n")
            for raw in lines:
                line = raw.decode("utf-8", "replace")
                print(line if TAP_LINE.match(line) else "# " + line, flush=True)
    if pending:
        line = pending.decode("utf-8", "replace")
        print(line if TAP_LINE.match(line) else "# " + line, flush=True)
    if child.poll() is None:
        print("Bail out! the test did not end within %d s" % (TOTAL_SECONDS + 30), flush=True)
        os.killpg(child.pid, signal.SIGKILL)
        child.wait()
        return 1
    return child.returncode


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--app", required=True, help="the presign-guard program")
    parser.add_argument("--cli", default=os.environ.get("PG_CLI", "presign-guard-cli"),
                        help="presign-guard-cli, for the bucket (default: PG_CLI)")
    parser.add_argument("--dbus-run-session", default="dbus-run-session",
                        help="the program that gives the test a session bus of its own")
    parser.add_argument("--strict", action="store_true",
                        help="toolkit-internal nodes fail as well")
    parser.add_argument("--dump", action="store_true", help="print the trees as TAP comments")
    parser.add_argument("--keep", action="store_true", help="keep the profile folder")
    parser.add_argument("--in-session", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()

    endpoint = os.environ.get("PG_TEST_S3_ENDPOINT")
    if not endpoint:
        print("Bail out! PG_TEST_S3_ENDPOINT is not set (run this through tests/with-s3-server.sh)")
        return 1
    if not os.environ.get("DISPLAY"):
        print("Bail out! needs an X display: xvfb-run -a -s '-noreset' %s" % " ".join(sys.argv))
        return 1
    if not args.in_session:
        return run_in_session(args.dbus_run_session)

    # Everything is bounded: the whole run, each wait, each call on the accessibility bus.
    def out_of_time(signum, frame):
        raise Failure("the test took longer than %d s" % TOTAL_SECONDS)

    signal.signal(signal.SIGALRM, out_of_time)
    signal.alarm(TOTAL_SECONDS)
    Atspi.set_timeout(10000, 30000)

    home = tempfile.mkdtemp(prefix="pg-test-a11y-")
    build_env = {name: os.environ[name] for name in ("GSETTINGS_SCHEMA_DIR",
                                                      "PRESIGN_GUARD_LOCALEDIR")
                 if name in os.environ}
    app = None
    started = time.monotonic()
    try:
        bucket = prepare_bucket(args.cli, endpoint)
        env = app_environment(home, build_env, endpoint, bucket)
        account = make_account(args.app, env, home)
        write_links(home, account, bucket)
        TAP.comment("bucket %s, account %s, profile %s" % (bucket, account, home))

        app = App(args.app, env, os.path.join(home, "app.log"))
        app.find()
        window = wait_for(app.main_window, "the main window")
        TAP.comment("the app is on the accessibility bus as '%s', window '%s'"
                    % (name_of(app.accessible), name_of(window)))
        window_path = (next(i for i, child in children(app.accessible) if child == window),)
        links = wait_for(lambda: find_links_list(window), "the list of links with its %d rows"
                         % len(LINK_ROWS))
        files = wait_for(lambda: find_files_list(window), "the list of files")
        safe(app.accessible.clear_cache)

        # The main window as it is, with the list of files and the list of links.
        if args.dump:
            dump_tree(window, "main window")
        check_window_role(window, "main window")
        check_tree(window, window_path, "main window", args.strict)
        links = find_links_list(window) or links
        check_link_rows(links[0])

        # The menus of its menu buttons.
        check_menus(app, window, args.strict, args.dump)

        # Its dialogs, opened through the window's own actions (GTK lists a widget's actions
        # as its AT-SPI actions) and the application's.
        check_dialog(app, "New Upload Link dialog",
                     lambda: do_action(window, "win.new-upload-link"), args.strict, args.dump)
        files = find_files_list(window) or files
        check_dialog(app, "New Download Link dialog",
                     lambda: select_file(files[0], "report.pdf")
                     and do_action(window, "win.new-download-link"), args.strict, args.dump)
        # For a revoked file, the dialog offers a fresh copy or lifting the revocation.
        files = find_files_list(window) or files
        check_dialog(app, "New Download Link dialog for a revoked file",
                     lambda: select_file(files[0], "old-report.pdf")
                     and do_action(window, "win.new-download-link"), args.strict, args.dump,
                     settle=lambda dialog: has_button(dialog, ("copy", "lift", "revocation")))
        check_dialog(app, "Account dialog", lambda: do_action(window, "win.edit-account"),
                     args.strict, args.dump)
        check_dialog(app, "Preferences window", lambda: app.activate_app_action("preferences"),
                     args.strict, args.dump)
        links = find_links_list(window) or links
        for scope, words in (("link Details", ("details",)), ("QR code", ("qr",))):
            button = row_button(links[0], "report.pdf", words)
            check_dialog(app, scope + " of report.pdf",
                         lambda: button is not None and do_action(button, "click"),
                         args.strict, args.dump)

        app.check_alive()
        criticals = [line for line in app.log_tail(200).splitlines()
                     if "CRITICAL" in line or "WARNING" in line]
        for line in criticals[:10]:
            TAP.comment("app: " + line)
    except Failure as failure:
        print("Bail out! %s" % TAP.clean(str(failure).splitlines()[0]), flush=True)
        TAP.comment(str(failure))
        if app is not None:
            TAP.comment("the app's last lines:\n" + app.log_tail())
        return 1
    except Exception:
        print("Bail out! the test itself failed", flush=True)
        TAP.comment(traceback.format_exc())
        return 1
    finally:
        signal.alarm(0)
        if app is not None:
            app.stop()
        if args.keep:
            TAP.comment("profile kept in " + home)
        else:
            shutil.rmtree(home, ignore_errors=True)

    print("1..%d" % TAP.count)
    TAP.comment("%d problems, %d in toolkit widgets (TODO), in %.0f s"
                % (TAP.failed, TAP.todo, time.monotonic() - started))
    return 1 if TAP.failed else 0


if __name__ == "__main__":
    sys.exit(main())
