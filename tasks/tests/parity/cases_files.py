"""Cases for deskhand's files module: check_line_number and compare_python_pure_text (OSWorld's
general.py), compare_conference_city_in_order (table.py), compare_result_files and
compare_zip_files (vscode.py)."""

import shutil
import tarfile
import zipfile

import docx
import openpyxl

from common import WORDS


def case(metric, module, name, result, expected, options=None):
    return {"metric": metric, "module": module, "name": name, "result": result, "expected": expected,
            "options": options or {}}


def line_number(gen):
    rng = gen.rng
    stamps = ["12:00:01", "23:59:60", "24:00:00", "9:05:07", "07:5:00", "00:00:00AM", "1:2:3", "10:61:00"]
    for i in range(30):
        lines = []
        for _ in range(rng.randint(0, 8)):
            lines.append(rng.choice(["CPU %user", "Linux 5.15", ""]) + " " + rng.choice(stamps + [""]))
        text = rng.choice(["\n", "\r\n"]).join(lines)
        count = sum(1 for line in lines if any(c.isdigit() for c in line))
        want = rng.choice([count, count + 1, max(count - 1, 0), len(lines)])
        want = str(want) if rng.random() < 0.7 else want
        yield case("check_line_number", "general", f"{len(lines)} lines", gen.file(gen.write(text)),
                   gen.json({"expected": want}))
    yield case("check_line_number", "general", "missing", gen.missing(), gen.json({"expected": "0"}))
    yield case("check_line_number", "general", "not a number", gen.file(gen.write("12:00:00\n")),
               gen.json({"expected": "one"}))
    yield case("check_line_number", "general", "expected 1.0", gen.file(gen.write("12:00:00\n")),
               gen.json({"expected": "1.0"}))
    yield case("check_line_number", "general", "expected a float", gen.file(gen.write("12:00:00\n")),
               gen.json({"expected": 1.9}))
    yield case("check_line_number", "general", "expected ' 1 '", gen.file(gen.write("12:00:00\n")),
               gen.json({"expected": " 1 "}))
    yield case("check_line_number", "general", "Arabic-Indic digits", gen.file(gen.write("\u0661\u0662:00:00\n")),
               gen.json({"expected": "1"}))


CODE = ["import os", "def f(x):", "    return x + 1", "\tif x:", "        pass", "print('hi')  ", "# comment", "",
        "class A:", "\t\tz = 1"]


def pure_text(gen):
    rng = gen.rng
    for i in range(30):
        body = [rng.choice(CODE) for _ in range(rng.randint(0, 6))]
        head = rng.sample(["#!/usr/bin/env python3", "# -*- coding: utf-8 -*-", "# coding=utf-8", "  # coding: x"],
                          rng.randint(0, 2))
        gold = "\n".join(body)
        other = list(body)
        r = rng.random()
        if r < 0.3:
            other = head + other
        elif r < 0.45:
            other = [line.replace("    ", "\t") for line in other]
        elif r < 0.55:
            other = [line + "   " for line in other]
        elif r < 0.65:
            other.insert(rng.randint(0, len(other)), "")
        elif r < 0.75:
            other = ["```python"] + other + ["```"]
        elif r < 0.8:
            other = [line.replace("\t", "  ") for line in other]
        text = rng.choice(["\n", "\r\n"]).join(other)
        yield case("compare_python_pure_text", "general", "code", gen.file(gen.write(text, ".py")),
                   gen.file(gen.write(gold, ".py")))
    yield case("compare_python_pure_text", "general", "missing", gen.missing(), gen.file(gen.write("x", ".py")))
    yield case("compare_python_pure_text", "general", "metadata on line 4",
               gen.file(gen.write("a\nb\nc\n#!x\n", ".py")), gen.file(gen.write("a\nb\nc\n", ".py")))
    yield case("compare_python_pure_text", "general", "metadata after code",
               gen.file(gen.write("x = 1\n# coding: utf-8\n", ".py")), gen.file(gen.write("x = 1\n", ".py")))
    yield case("compare_python_pure_text", "general", "three shebangs",
               gen.file(gen.write("#!a\n#!b\n#!c\n#!d\nx\n", ".py")), gen.file(gen.write("x\n", ".py")))
    yield case("compare_python_pure_text", "general", "form feed", gen.file(gen.write("a\x0cb", ".py")),
               gen.file(gen.write("a\nb", ".py")))
    yield case("compare_python_pure_text", "general", "not UTF-8", gen.file(gen.write(b"x = '\xe9'", ".py")),
               gen.file(gen.write(b"x = '\xe9'", ".py")))
    yield case("compare_python_pure_text", "general", "tab stops", gen.file(gen.write("ab\tc", ".py")),
               gen.file(gen.write("ab  c", ".py")))


CITIES = ["Scottsdale", "Atlanta", "Lake Tahoe", "Stateline", "Banff", "Alberta's Rockies", "Alberta\u2019s Rockies",
          "Beijing", "Hong Kong", "Zürich"]


def conference(gen):
    rng = gen.rng
    for i in range(30):
        n = rng.randint(0, 6)
        actual = [rng.choice(CITIES) for _ in range(n)]
        expected = []
        for c in actual:
            r = rng.random()
            if r < 0.5:
                expected.append(c[: rng.randint(1, len(c))])
            elif r < 0.7:
                expected.append([rng.choice(CITIES), c])
            else:
                expected.append(rng.choice(CITIES))
        if rng.random() < 0.2:
            expected.append("Extra")
        if rng.random() < 0.15 and expected:
            expected.pop()
        wb = openpyxl.Workbook()
        ws = wb.active
        ws.append(["Year", "Name", "City"])
        for j, c in enumerate(actual):
            ws.append([2000 + j, "Conf", c])
        if rng.random() < 0.2:
            ws.append([2030, "Conf", rng.choice([None, 5])])
        p = gen.path(".xlsx")
        wb.save(p)
        yield case("compare_conference_city_in_order", "table", f"{n} cities", gen.file(p),
                   gen.json({"expected": expected}))


def result_files(gen):
    rng = gen.rng
    texts = ["42", "42.0", "42.00001", "The answer is 42", " 42\n", "abc", "", "4.2e1", "nan", "inf", "-0", "1_000"]
    for i in range(35):
        a, b = rng.choice(texts), rng.choice(texts)
        yield case("compare_result_files", "vscode", f"{a!r} vs {b!r}", gen.file(gen.write(a)), gen.file(gen.write(b)))
    yield case("compare_result_files", "vscode", "missing", gen.missing(), gen.file(gen.write("1")))


def zip_files(gen):
    rng = gen.rng
    for i in range(30):
        entries = {rng.choice(["a.txt", "dir/b.txt", "Zürich.txt", "dir/"]): rng.choice(WORDS).encode()
                   for _ in range(rng.randint(0, 3))}
        other = dict(entries)
        r = rng.random()
        if r < 0.2 and other:
            other[rng.choice(list(other))] = b"changed"
        elif r < 0.3:
            other["extra.txt"] = b"x"
        elif r < 0.4 and other:
            other.pop(rng.choice(list(other)))
        paths = []
        for content in [other, entries]:
            p = gen.path(".zip")
            with zipfile.ZipFile(p, "w", rng.choice([zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED])) as z:
                for name, data in content.items():
                    z.writestr(name, b"" if name.endswith("/") else data)
            paths.append(p)
        yield case("compare_zip_files", "vscode", f"{len(entries)} entries", gen.file(paths[0]), gen.file(paths[1]))
    gold = gen.path(".zip")
    with zipfile.ZipFile(gold, "w") as z:
        z.writestr("a.txt", b"a")
    yield case("compare_zip_files", "vscode", "missing", gen.missing(), gen.file(gold))
    yield case("compare_zip_files", "vscode", "not a zip", gen.file(gen.write("junk", ".zip")), gen.file(gold))


def write_archive(gen, rng, files, fmt):
    root = gen.path("")
    root.mkdir()
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        with open(root / name, "w", encoding="utf-8", newline="") as f:
            f.write(text)
    base = gen.path("")
    return shutil.make_archive(str(base), fmt, root)


def archive(gen):
    rng = gen.rng
    for i in range(30):
        names = rng.sample(["a.txt", "b.txt", "notes.md", "Zürich.txt", "sub/c.txt"], rng.randint(1, 3))
        gold = {n: " ".join(rng.sample(WORDS, 3)) + rng.choice(["", "\n"]) for n in names}
        pred = dict(gold)
        r = rng.random()
        if r < 0.25:
            n = rng.choice(names)
            pred[n] = pred[n].upper()
        elif r < 0.35:
            pred["extra.txt"] = "x"
        elif r < 0.45:
            n = rng.choice(names)
            pred[n] = "  " + pred[n].replace(" ", "\t") + "\n"
        fmt = rng.choice(["zip", "tar", "gztar"])
        opts = {}
        if rng.random() < 0.3:
            opts["ignore_blanks"] = True
        if rng.random() < 0.3:
            opts["ignore_case"] = True
        if rng.random() < 0.15:
            opts["file_type"] = "text"
        if any(n.startswith("sub/") for n in names):
            # Only inside the folder: beside files, OSWorld opens the folder as a file (below).
            opts["file_path"] = "sub"
        yield case("compare_archive", "chrome", f"{fmt}, {len(names)} files",
                   gen.file(write_archive(gen, rng, pred, fmt)), gen.file(write_archive(gen, rng, gold, fmt)), opts)
    g = write_archive(gen, rng, {"a.txt": "a"}, "zip")
    yield case("compare_archive", "chrome", "missing", gen.missing(), gen.file(g))
    yield case("compare_archive", "chrome", "a folder among the files",
               gen.file(write_archive(gen, rng, {"a.txt": "a", "sub/b.txt": "b"}, "zip")),
               gen.file(write_archive(gen, rng, {"a.txt": "a", "sub/b.txt": "b"}, "zip")))
    yield case("compare_archive", "chrome", "empty archives", gen.file(write_archive(gen, rng, {}, "zip")),
               gen.file(write_archive(gen, rng, {}, "zip")))
    yield case("compare_archive", "chrome", "csv files", gen.file(write_archive(gen, rng, {"a.csv": "\ufeffx,y\n"}, "zip")),
               gen.file(write_archive(gen, rng, {"a.csv": "x,y\n"}, "zip")), {"file_type": "csv"})


def place_math(gen):
    rng = gen.rng
    answers = ["1/2", "0.5", "3", "x^2", "√2", "π", "12", "-4"]
    for i in range(30):
        d = docx.Document()
        n = rng.choice([3, 3, 3, 2, 4])
        words = [rng.choice(answers + ["1 /2", "05", "Pi"]) for _ in range(n)]
        layout = rng.choice(["lines", "one", "blank lines"])
        if layout == "one":
            d.add_paragraph(" ".join(words))
        else:
            for w in words:
                d.add_paragraph(w)
                if layout == "blank lines":
                    d.add_paragraph("")
        p = gen.path(".docx")
        d.save(p)
        yield case("fuzzy_place_math", "general", f"{n} answers, {layout}", gen.file(p),
                   gen.json({"expected": rng.sample(answers, rng.randint(1, 4))}))
    yield case("fuzzy_place_math", "general", "missing", gen.missing(), gen.json({"expected": ["1"]}))


TEST_BODIES = [
    ("true", "def test():\n    return True\n"),
    ("false", "def test():\n    return False\n"),
    ("half", "def test():\n    return 0.5\n"),
    ("two", "def test():\n    return 2\n"),
    ("negative", "def test():\n    return -1\n"),
    ("string", "def test():\n    return 'x'\n"),
    ("empty string", "def test():\n    return ''\n"),
    ("None", "def test():\n    pass\n"),
    ("raises", "def test():\n    raise ValueError('no')\n"),
    ("syntax error", "def test(:\n"),
    ("no test function", "def other():\n    return True\n"),
    ("not callable", "test = 1\n"),
    ("imports the agent's file", "import solution\ndef test():\n    return solution.add(2, 3) == 5\n"),
    ("reads a file beside it", "def test():\n    return open('data.txt').read() == 'ok'\n"),
    ("exit", "import sys\ndef test():\n    sys.exit(1)\n"),
    ("prints", "def test():\n    print('noise')\n    return True\n"),
    ("nan", "def test():\n    return float('nan')\n"),
    ("list", "def test():\n    return [0]\n"),
]


def python_tests(gen):
    rng = gen.rng
    for name, body in TEST_BODIES:
        d = gen.path("")
        d.mkdir()
        with open(d / "solution.py", "w") as f:
            f.write(rng.choice(["def add(a, b):\n    return a + b\n", "def add(a, b):\n    return a - b\n"]))
        with open(d / "data.txt", "w") as f:
            f.write(rng.choice(["ok", "no"]))
        with open(d / "test_suite.py", "w") as f:
            f.write(body)
        opts = {} if rng.random() < 0.8 else {"test_function_name": "test"}
        yield case("check_python_file_by_test_suite", "vscode", f"test {name}", gen.file(d / "solution.py"),
                   gen.file(d / "test_suite.py"), opts)
    d = gen.path("")
    d.mkdir()
    with open(d / "t.py", "w") as f:
        f.write("def check():\n    return True\n")
    yield case("check_python_file_by_test_suite", "vscode", "another function name", gen.file(d / "t.py"),
               gen.file(d / "t.py"), {"test_function_name": "check"})


def cases(gen):
    yield from python_tests(gen)
    yield from place_math(gen)
    yield from archive(gen)
    yield from line_number(gen)
    yield from pure_text(gen)
    yield from conference(gen)
    yield from result_files(gen)
    yield from zip_files(gen)
