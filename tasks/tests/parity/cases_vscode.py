"""Cases for OSWorld's vscode.py metrics deskhand implements: check_json_settings and
compare_text_file."""

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


def cases(gen):
    yield from check_json_settings(gen)
    yield from compare_text_file(gen)
