"""Cases for OSWorld's vscode.py metrics deskhand implements: check_json_settings and
compare_text_file (deskhand's core), check_json_keybindings, compare_config and
is_extension_installed (deskhand's vscode module)."""

import json

from common import VALUES, bend, pick_words

M = "vscode"


def case(metric, name, result, expected, options=None):
    return {"metric": metric, "module": M, "name": name, "result": result, "expected": expected,
            "options": options or {}}


SETTINGS = ["editor.wordWrapColumn", "files.autoSave", "files.exclude", "debug.focusEditorOnBreak",
            "workbench.editor.wrapTabs", "folders"]


def check_json_settings(gen):
    rng = gen.rng
    for i in range(35):
        expected = {k: rng.choice(VALUES) for k in rng.sample(SETTINGS, rng.randint(1, 3))}
        data = {k: (v if rng.random() < 0.75 else rng.choice(VALUES)) for k, v in expected.items()}
        if rng.random() < 0.3:
            data[rng.choice(SETTINGS)] = rng.choice(VALUES)
        if rng.random() < 0.15:
            data.pop(rng.choice(list(data)))
        text = json.dumps(data, indent=rng.choice([None, 2, 4]), ensure_ascii=rng.random() < 0.5)
        how = "plain"
        r = rng.random()
        if r < 0.08:
            text, how = "// settings\n" + text, "comment"
        elif r < 0.16:
            text, how = text.rstrip("}") + ",}" if text.endswith("}") else text, "trailing comma"
        elif r < 0.24:
            text, how = "\ufeff" + text, "BOM"
        elif r < 0.32:
            text, how = text.replace("\n", "\r\n") + "\r\n", "CRLF"
        yield case("check_json_settings", how, gen.file(gen.write(text, ".json")),
                   gen.json({"expected": expected}))
    yield case("check_json_settings", "missing", gen.missing(), gen.json({"expected": {"a": 1}}))
    yield case("check_json_settings", "not there", gen.file(gen.path(".json")),
               gen.json({"expected": {"a": 1}}))
    yield case("check_json_settings", "empty file", gen.file(gen.write("", ".json")),
               gen.json({"expected": {}}))
    yield case("check_json_settings", "a list, empty expected", gen.file(gen.write("[1]", ".json")),
               gen.json({"expected": {}}))
    yield case("check_json_settings", "a list", gen.file(gen.write('["a"]', ".json")),
               gen.json({"expected": {"a": 1}}))
    yield case("check_json_settings", "a string holding the key", gen.file(gen.write('"abc"', ".json")),
               gen.json({"expected": {"a": 1}}))
    yield case("check_json_settings", "NaN", gen.file(gen.write('{"a": NaN, "b": 1}', ".json")),
               gen.json({"expected": {"b": 1}}))
    yield case("check_json_settings", "duplicate keys", gen.file(gen.write('{"a": 1, "a": 2}', ".json")),
               gen.json({"expected": {"a": 2}}))
    yield case("check_json_settings", "nested equal", gen.file(gen.write('{"f": {"x": true, "y": 1.0}}', ".json")),
               gen.json({"expected": {"f": {"y": 1, "x": 1}}}))
    yield case("check_json_settings", "not UTF-8", gen.file(gen.write(b'{"a": "caf\xe9"}')),
               gen.json({"expected": {}}))


def compare_text_file(gen):
    rng = gen.rng
    for i in range(40):
        lines = [" ".join(pick_words(rng, rng.randint(0, 4))) for _ in range(rng.randint(0, 5))]
        text = "\n".join(lines) + ("\n" if rng.random() < 0.6 else "")
        other, how = bend(rng, text)
        if rng.random() < 0.2:
            other, how = "  " + other.replace(" ", "  \t") + "\n\n", "blanks"
        opts = {}
        if rng.random() < 0.5:
            opts["ignore_blanks"] = True
        if rng.random() < 0.4:
            opts["ignore_case"] = True
        # written untranslated: a CRLF stays CRLF on disk
        yield case("compare_text_file", how, gen.file(gen.write(other)), gen.file(gen.write(text)), opts)
    yield case("compare_text_file", "missing", gen.missing(), gen.file(gen.write("a")))
    yield case("compare_text_file", "not there", gen.file(gen.path(".txt")), gen.file(gen.write("a")))
    yield case("compare_text_file", "both empty", gen.file(gen.write("")), gen.file(gen.write("")))
    yield case("compare_text_file", "CRLF vs LF", gen.file(gen.write("a\r\nb\r\n")), gen.file(gen.write("a\nb\n")))
    yield case("compare_text_file", "CR vs LF", gen.file(gen.write("a\rb")), gen.file(gen.write("a\nb")))
    yield case("compare_text_file", "BOM", gen.file(gen.write("\ufeffa")), gen.file(gen.write("a")))
    yield case("compare_text_file", "BOM, blanks ignored", gen.file(gen.write("\ufeffa")),
               gen.file(gen.write("a")), {"ignore_blanks": True})
    yield case("compare_text_file", "nbsp, blanks ignored", gen.file(gen.write("a\u00a0 b")),
               gen.file(gen.write("a b")), {"ignore_blanks": True})
    yield case("compare_text_file", "form feed, blanks ignored", gen.file(gen.write("a\x0c\x0cb")),
               gen.file(gen.write("a b")), {"ignore_blanks": True})
    yield case("compare_text_file", "\\x1f, blanks ignored", gen.file(gen.write("a\x1fb ")),
               gen.file(gen.write("a b")), {"ignore_blanks": True})
    yield case("compare_text_file", "sharp s, case ignored", gen.file(gen.write("STRASSE")),
               gen.file(gen.write("straße")), {"ignore_case": True})
    yield case("compare_text_file", "option as a string", gen.file(gen.write("A")),
               gen.file(gen.write("a")), {"ignore_case": "false"})
    yield case("compare_text_file", "not UTF-8", gen.file(gen.write(b"caf\xe9")),
               gen.file(gen.write(b"caf\xe9")))


BINDINGS = [
    {"key": "ctrl+f", "command": "-list.find", "when": "listFocus && listSupportsFind"},
    {"key": "ctrl+k ctrl+c", "command": "editor.action.addCommentLine"},
    {"key": "ctrl+f", "command": "-list.find"},
    {"key": "ctrl+f", "command": "-list.find", "when": "listFocus && listSupportsFind", "args": 1},
]


def check_json_keybindings(gen):
    rng = gen.rng
    for i in range(35):
        items = rng.sample(BINDINGS, rng.randint(0, 3))
        text = json.dumps(items, indent=rng.choice([None, 4]))
        how = "plain"
        r = rng.random()
        if r < 0.25:
            text, how = "// Place your key bindings in this file\n" + text, "comment line"
        elif r < 0.32:
            text, how = "// one\n// two\n" + text, "two comment lines"
        elif r < 0.4:
            text, how = text.rstrip("]") + ",]" if text.endswith("]") else text, "trailing comma"
        elif r < 0.45:
            text, how = json.dumps({"k": items}), "an object"
        elif r < 0.5:
            text, how = "\ufeff" + text, "BOM"
        want = rng.choice(BINDINGS)
        yield case("check_json_keybindings", how, gen.file(gen.write(text, ".json")), gen.json({"expected": want}))
    yield case("check_json_keybindings", "missing", gen.missing(), gen.json({"expected": BINDINGS[0]}))
    yield case("check_json_keybindings", "empty list", gen.file(gen.write("[]", ".json")),
               gen.json({"expected": BINDINGS[0]}))
    yield case("check_json_keybindings", "key order", gen.file(gen.write(
        '[{"when": "listFocus && listSupportsFind", "command": "-list.find", "key": "ctrl+f"}]', ".json")),
        gen.json({"expected": BINDINGS[0]}))
    yield case("check_json_keybindings", "first line is the list", gen.file(gen.write(
        '[\n{"key": "ctrl+f", "command": "-list.find"}]', ".json")), gen.json({"expected": BINDINGS[2]}))


def compare_config(gen):
    rng = gen.rng
    for i in range(30):
        want = rng.choice(["project", "Project", "project\n", "", "日本語", " project"])
        text, how = bend(rng, want)
        yield case("compare_config", how, gen.file(gen.write(text)), gen.json({"expected": want}))
    yield case("compare_config", "missing", gen.missing(), gen.json({"expected": "project"}))
    yield case("compare_config", "CRLF", gen.file(gen.write("a\r\nb")), gen.json({"expected": "a\nb"}))


def is_extension_installed(gen):
    rng = gen.rng
    outputs = ["mattn.lisp\n", "ms-python.python\nmattn.lisp\n", "", "MATTN.LISP", "mattn.lisp-extra"]
    for i in range(30):
        out = rng.choice(outputs)
        kind = rng.choice(["contain", "not_contain", "contain", "other"])
        want = rng.choice(["mattn.lisp", "ms-python.python", "lisp", ""])
        yield case("is_extension_installed", f"{kind}", gen.text(out), gen.json({"type": kind, "expected": want}))


def cases(gen):
    yield from check_json_settings(gen)
    yield from compare_text_file(gen)
    yield from check_json_keybindings(gen)
    yield from compare_config(gen)
    yield from is_extension_installed(gen)
