"""Cases for deskhand's system module (OSWorld's basic_os.py): check_gnome_favorite_apps,
is_utc_0, check_moved_jpgs, is_in_vm_clickboard."""

M = "basic_os"

APPS = ["thunderbird.desktop", "vim.desktop", "google-chrome.desktop", "org.gnome.Nautilus.desktop",
        "libreoffice-writer.desktop", "it's.desktop"]


def case(metric, name, result, expected=None):
    c = {"metric": metric, "module": M, "name": name, "result": result, "options": {}}
    if expected is not None:
        c["expected"] = expected
    return c


def favorite_apps(gen):
    rng = gen.rng
    for i in range(30):
        apps = rng.sample(APPS, rng.randint(0, 4))
        if apps and rng.random() < 0.15:
            apps.append(apps[0])  # a duplicate
        text = repr(apps) if rng.random() < 0.7 else "[" + ", ".join(f'"{a}"' for a in apps) + "]"
        if rng.random() < 0.5:
            text += "\n"
        if rng.random() < 0.1:
            text = "  " + text
        expected = list(apps)
        r = rng.random()
        if r < 0.3:
            rng.shuffle(expected)
        elif r < 0.5 and expected:
            expected.pop()
        elif r < 0.6:
            expected.append(rng.choice(APPS))
        yield case("check_gnome_favorite_apps", f"{len(apps)} apps", gen.text(text),
                   gen.json({"expected": expected}))
    for text in ["@as []", "[]", "['a.desktop',]", "('a.desktop',)", "['a.desktop'] # c", "{'a.desktop'}",
                 "['a.desktop'\n, 'b.desktop']", "'a.desktop'", "", "['a' 'b']", "[\"a\\x2edesktop\"]",
                 "[r'a.desktop']", "[u'a.desktop']", "[1, 2]", "['a.desktop', ...]"]:
        yield case("check_gnome_favorite_apps", f"literal {text!r}", gen.text(text),
                   gen.json({"expected": ["a.desktop"] if "b" not in text else ["a.desktop", "b.desktop"]}))


TIMEDATECTL = """               Local time: Thu 2024-01-25 12:56:06 {abbr}
           Universal time: Thu 2024-01-25 12:56:06 UTC
                 RTC time: Thu 2024-01-25 12:56:05
                Time zone: {zone} ({abbr}, {offset})
System clock synchronized: yes
              NTP service: inactive
          RTC in local TZ: no
"""


def utc(gen):
    rng = gen.rng
    zones = [("Etc/UTC", "UTC", "+0000"), ("Atlantic/Faroe", "WET", "+0000"), ("Europe/Paris", "CET", "+0100"),
             ("America/New_York", "EST", "-0500"), ("Asia/Kolkata", "IST", "+0530")]
    for i in range(30):
        zone, abbr, offset = rng.choice(zones)
        text = TIMEDATECTL.format(zone=zone, abbr=abbr, offset=offset)
        how = "plain"
        r = rng.random()
        if r < 0.15:
            text, how = text.replace("\n", "\r\n"), "CRLF"
        elif r < 0.25:
            text, how = "\n".join(text.split("\n")[1:]), "first line dropped"
        elif r < 0.3:
            text, how = text.replace("+0000)", "+0000) "), "trailing space"
        yield case("is_utc_0", f"{zone} {how}", gen.text(text))
    yield case("is_utc_0", "empty", gen.text(""))
    yield case("is_utc_0", "three lines", gen.text("a\nb\nc"))
    yield case("is_utc_0", "four lines", gen.text("a\nb\nc\n(UTC, +0000)"))


def moved_jpgs(gen):
    rng = gen.rng
    names = ["emnlp2023.jpg", "hk_group_photo.jpg", "a.JPG", "b.png", "Zürich.jpg", ""]
    for i in range(30):
        present = rng.sample(names, rng.randint(0, 4))
        expected = list(present)
        r = rng.random()
        if r < 0.3:
            rng.shuffle(expected)
        elif r < 0.5 and expected:
            expected.pop()
        elif r < 0.6:
            expected.append(rng.choice(names))
        if present and rng.random() < 0.1:
            present.append(present[0])
        tree = {"name": "cpjpg", "type": "directory",
                "children": [{"name": n, "type": "file"} for n in present]}
        yield case("check_moved_jpgs", f"{len(present)} files", gen.json(tree), gen.json({"expected": expected}))
    yield case("check_moved_jpgs", "no children key", gen.json({"name": "d"}), gen.json({"expected": []}))
    yield case("check_moved_jpgs", "missing", gen.missing(), gen.json({"expected": []}))


def clipboard(gen):
    rng = gen.rng
    outputs = ["/home/user/Data3/List3/secret.docx", "secret.docx\n", "", "a b c", "Zürich", "SECRET.DOCX"]
    for i in range(30):
        out = rng.choice(outputs) + rng.choice(["", "\n", " extra"])
        if rng.random() < 0.5:
            want = rng.choice(outputs + ["secret", "/home/user"])
        else:
            want = rng.sample(outputs + ["secret"], rng.randint(0, 2))
        yield case("is_in_vm_clickboard", "clipboard", gen.json({"expected": want}), gen.text(out))
    yield case("is_in_vm_clickboard", "empty list", gen.json({"expected": []}), gen.text(""))


def cases(gen):
    yield from favorite_apps(gen)
    yield from utc(gen)
    yield from moved_jpgs(gen)
    yield from clipboard(gen)
