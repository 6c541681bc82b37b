"""Cases for deskhand's records module (OSWorld's general.py): check_csv, check_json (JSON and
YAML) and run_sqlite3."""

import csv
import io
import json
import sqlite3

import yaml

from common import VALUES, WORDS

M = "general"


def case(metric, name, result, expected, options=None):
    return {"metric": metric, "module": M, "name": name, "result": result, "expected": expected,
            "options": options or {}}


COLUMNS = ["name", "Email", "age", "city", ""]
CELLS = ["Ada", "ada@x.org", "36", "36.0", "", "Zürich", " padded", "None", "true", "1,2"]


def check_csv(gen):
    rng = gen.rng
    for i in range(35):
        cols = rng.sample(COLUMNS, rng.randint(1, 3))
        rows = [[rng.choice(CELLS) for _ in cols] for _ in range(rng.randint(0, 4))]
        if rows and rng.random() < 0.15:
            rows[0] = rows[0][:-1]  # a short row: the rest is None
        if rows and rng.random() < 0.1:
            rows[-1] = rows[-1] + ["extra"]  # a long row: the rest under None
        out = io.StringIO()
        w = csv.writer(out, lineterminator=rng.choice(["\n", "\r\n"]))
        w.writerow(cols)
        w.writerows(rows)
        text = out.getvalue()
        if rng.random() < 0.1:
            text = "\ufeff" + text
        records = []
        for _ in range(rng.randint(0, 2)):
            if rows and rng.random() < 0.6:
                row = rng.choice(rows)
                keys = rng.sample(range(min(len(cols), len(row))), rng.randint(0, min(len(cols), len(row))))
                records.append({cols[k]: row[k] for k in keys})
            else:
                records.append({rng.choice(cols + ["missing"]): rng.choice(CELLS + [None])})
        rules = {"expect": records}
        if rng.random() < 0.4:
            rules["unexpect"] = [{rng.choice(cols): rng.choice(CELLS)}]
        yield case("check_csv", f"{len(rows)} rows", gen.file(gen.write(text, ".csv")), gen.json(rules))
    yield case("check_csv", "missing", gen.missing(), gen.json({"expect": []}))
    yield case("check_csv", "empty file", gen.file(gen.write("", ".csv")), gen.json({"expect": []}))
    yield case("check_csv", "empty file, expect one", gen.file(gen.write("", ".csv")),
               gen.json({"expect": [{}]}))
    yield case("check_csv", "header only, expect {}", gen.file(gen.write("a,b\n", ".csv")),
               gen.json({"expect": [{}]}))
    yield case("check_csv", "BOM in the first column", gen.file(gen.write("\ufeffa,b\n1,2\n", ".csv")),
               gen.json({"expect": [{"a": "1"}]}))
    yield case("check_csv", "number vs text", gen.file(gen.write("a\n1\n", ".csv")),
               gen.json({"expect": [{"a": 1}]}))
    yield case("check_csv", "short row is None", gen.file(gen.write("a,b\n1\n", ".csv")),
               gen.json({"expect": [{"b": None}]}))
    yield case("check_csv", "quoted newline", gen.file(gen.write('a,b\n"x\ny",2\n', ".csv")),
               gen.json({"expect": [{"a": "x\ny"}]}))
    yield case("check_csv", "no rules", gen.file(gen.write("a\n1\n", ".csv")), gen.json({}))


KEYS = ["a", "b", "list", "nested", "0"]


def random_doc(rng, depth=0):
    doc = {}
    for k in rng.sample(KEYS, rng.randint(0, 4)):
        if depth < 2 and rng.random() < 0.25:
            doc[k] = random_doc(rng, depth + 1)
        elif rng.random() < 0.15:
            doc[k] = [rng.choice(VALUES[:16]) for _ in range(rng.randint(0, 3))]
        else:
            doc[k] = rng.choice(VALUES[:16])
    return doc


def value_rule(rng, value):
    method = rng.choice(["eq", "eq", "ne", "lt", "gt", "ge", "le", "re", "re.I", "approx:0.5",
                         "str_list_eq", "str_set_eq", "range.te", "range.et", "bogus"])
    if method.startswith("re"):
        ref = rng.choice(["^a", "1", "true", "^$", "."])
    elif method.startswith("str_"):
        ref = rng.choice([["a", "b"], ["1"], [str(value)]])
    elif method.startswith("range"):
        ref = [0, 2]
    elif method.startswith("approx"):
        ref = rng.choice([1, 2.5, 0])
    else:
        ref = value if rng.random() < 0.5 else rng.choice(VALUES[:16])
    return {"method": method, "ref": ref}


def key_path(rng, doc):
    path = []
    value = doc
    for _ in range(rng.randint(1, 3)):
        if isinstance(value, dict) and value and rng.random() < 0.85:
            k = rng.choice(list(value))
        elif isinstance(value, list) and value and rng.random() < 0.7:
            k = rng.randrange(len(value))
        else:
            k = rng.choice(KEYS + [0, 5])
        path.append(k)
        try:
            value = value[k]
        except (KeyError, IndexError, TypeError):
            break
    return path, value


def check_json(gen):
    rng = gen.rng
    for i in range(45):
        doc = random_doc(rng)
        is_yaml = rng.random() < 0.35
        if is_yaml:
            text = yaml.safe_dump(doc, allow_unicode=rng.random() < 0.5,
                                  default_flow_style=rng.choice([None, True, False]))
        else:
            text = json.dumps(doc, indent=rng.choice([None, 2]))
        rules = {}
        for part in ["expect", "unexpect"]:
            if rng.random() < (0.9 if part == "expect" else 0.4):
                items = []
                for _ in range(rng.randint(1, 2)):
                    path, value = key_path(rng, doc)
                    items.append({"key": path, **value_rule(rng, value)})
                rules[part] = items
        opts = {"is_yaml": True} if is_yaml else {}
        yield case("check_json", "yaml" if is_yaml else "json",
                   gen.file(gen.write(text, ".yaml" if is_yaml else ".json")), gen.json(rules), opts)
    yaml_texts = [
        ("yes/no/on/off", "a: yes\nb: off\nc: 'yes'\n", [{"key": ["a"], "method": "eq", "ref": True}]),
        ("octal and hex", "a: 010\nb: 0x1f\nc: 0o17\n", [{"key": ["a"], "method": "eq", "ref": 8}]),
        ("0o is a string in YAML 1.1", "c: 0o17\n", [{"key": ["c"], "method": "eq", "ref": "0o17"}]),
        ("sexagesimal", "a: 1:30\n", [{"key": ["a"], "method": "eq", "ref": 90}]),
        ("floats", "a: 1e3\nb: .5\nc: 1.0e+3\n", [{"key": ["c"], "method": "eq", "ref": 1000}]),
        ("1e3 is a string", "a: 1e3\n", [{"key": ["a"], "method": "eq", "ref": "1e3"}]),
        ("null spellings", "a: ~\nb: null\nc: Null\nd:\n", [{"key": ["d"], "method": "eq", "ref": None}]),
        ("dates", "a: 2024-01-02\n", [{"key": ["a"], "method": "re", "ref": "2024"}]),
        ("anchors and merge", "base: &b {x: 1}\nd:\n  <<: *b\n  y: 2\n", [{"key": ["d", "x"], "method": "eq", "ref": 1}]),
        ("list index", "a: [x, y]\n", [{"key": ["a", 1], "method": "eq", "ref": "y"}]),
        ("string index", "a: xyz\n", [{"key": ["a", 0], "method": "eq", "ref": "x"}]),
        ("empty document", "", [{"key": ["a"], "method": "eq", "ref": 1}]),
        ("only a comment", "# nothing\n", []),
        ("bad YAML", "a: [\n", []),
        ("tabs", "a:\t1\n", [{"key": ["a"], "method": "eq", "ref": 1}]),
        ("block scalar", "a: |\n  one\n  two\n", [{"key": ["a"], "method": "eq", "ref": "one\ntwo\n"}]),
        ("quoted unicode", 'a: "caf\\u00e9"\n', [{"key": ["a"], "method": "eq", "ref": "café"}]),
        ("TRUE", "a: TRUE\nb: True\nc: tRUE\n", [{"key": ["c"], "method": "eq", "ref": "tRUE"}]),
    ]
    for name, text, expect in yaml_texts:
        yield case("check_json", f"YAML {name}", gen.file(gen.write(text, ".yaml")),
                   gen.json({"expect": expect}), {"is_yaml": True})
    yield case("check_json", "missing", gen.missing(), gen.json({"expect": []}))
    yield case("check_json", "not there", gen.file(gen.path(".json")), gen.json({"expect": []}))
    yield case("check_json", "not JSON", gen.file(gen.write("{", ".json")), gen.json({"expect": []}))
    yield case("check_json", "NaN", gen.file(gen.write('{"a": NaN, "b": 1}', ".json")),
               gen.json({"expect": [{"key": ["b"], "method": "eq", "ref": 1}]}))
    consts = gen.write('{"a": NaN, "b": Infinity, "c": -Infinity, "d": "NaN", "e": [NaN, 2]}', ".json")
    for key, method, ref in [("a", "eq", 1), ("a", "ne", 1), ("a", "approx:1", 1), ("a", "re", "N"),
                             ("d", "eq", "NaN"), ("e", "eq", 1), ("b", "ne", None), ("c", "eq", None),
                             ("a", "lt", 1), ("a", "ge", 1), ("b", "gt", 1e300), ("c", "le", False),
                             ("b", "lt", "x"), ("a", "range.ee", [0, 1]), ("b", "range.te", [0, True])]:
        yield case("check_json", f"constants: {key} {method} {ref!r}", gen.file(consts),
                   gen.json({"expect": [{"key": [key], "method": method, "ref": ref}]}))
        yield case("check_json", f"constants: unexpect {key} {method} {ref!r}", gen.file(consts),
                   gen.json({"unexpect": [{"key": [key], "method": method, "ref": ref}]}))
    ydoc = gen.write("a: .nan\nb: .inf\nc: -.Inf\nd: .NaN\n", ".yaml")
    for key, method, ref in [("a", "eq", None), ("a", "ne", None), ("b", "gt", 1e300), ("c", "lt", 0),
                             ("d", "ge", 0), ("b", "eq", None), ("a", "approx:1", 0)]:
        yield {"metric": "check_json", "module": "general", "name": f"yaml constants: {key} {method} {ref!r}",
               "result": gen.file(ydoc), "expected": gen.json({"expect": [{"key": [key], "method": method, "ref": ref}]}),
               "options": {"is_yaml": True}}
    yield case("check_json", "-NaN", gen.file(gen.write('{"a": -NaN}', ".json")), gen.json({"expect": []}))
    yield case("check_json", "nan", gen.file(gen.write('{"a": nan}', ".json")), gen.json({"expect": []}))
    yield case("check_json", "BOM", gen.file(gen.write('\ufeff{"a": 1}', ".json")),
               gen.json({"expect": [{"key": ["a"], "method": "eq", "ref": 1}]}))
    yield case("check_json", "unexpect on a missing key", gen.file(gen.write('{"a": 1}', ".json")),
               gen.json({"unexpect": [{"key": ["z"], "method": "eq", "ref": None}]}))
    yield case("check_json", "re on a number", gen.file(gen.write('{"a": 1}', ".json")),
               gen.json({"expect": [{"key": ["a"], "method": "re", "ref": "1"}]}))
    yield case("check_json", "null document", gen.file(gen.write("null", ".json")),
               gen.json({"expect": [{"key": [], "method": "eq", "ref": None}]}))


def check_sqlite(gen):
    rng = gen.rng
    queries = [
        "SELECT COUNT(*) FROM t", "SELECT COUNT(*) FROM t WHERE v > 2", "SELECT MAX(v) FROM t",
        "SELECT v FROM t WHERE name = 'a'", "SELECT name FROM t LIMIT 1", "SELECT SUM(v) FROM t",
        "SELECT v FROM t WHERE 0", "SELECT NULL", "SELECT 0.5", "SELECT '3'", "SELECT 'x'",
        "SELECT COUNT(*) > 1 FROM t", "SELECT * FROM nope", "SELECT x'00'", "SELECT -1",
    ]
    for i in range(30):
        p = gen.path(".db")
        con = sqlite3.connect(p)
        con.execute("CREATE TABLE t (name TEXT, v REAL)")
        for _ in range(rng.randint(0, 5)):
            con.execute("INSERT INTO t VALUES (?, ?)", (rng.choice(["a", "b", "c"]), rng.choice([0, 1, 2.5, 3, None])))
        con.commit()
        con.close()
        yield case("run_sqlite3", "query", gen.file(p), gen.json({"sql": rng.choice(queries)}))
    yield case("run_sqlite3", "missing", gen.missing(), gen.json({"sql": "SELECT 1"}))
    yield case("run_sqlite3", "not a database", gen.file(gen.write("junk", ".db")), gen.json({"sql": "SELECT 1"}))
    junk = gen.write("junk" * 2000, ".db")
    for sql in ["SELECT 2 + 3", "SELECT 'x'", "SELECT NULL", "SELECT count(*) + 1 FROM sqlite_master",
                "SELECT 1 FROM t", "PRAGMA user_version", "SELECT 1 WHERE 0"]:
        yield case("run_sqlite3", "not a database: " + sql, gen.file(junk), gen.json({"sql": sql}))


def cases(gen):
    yield from check_csv(gen)
    yield from check_json(gen)
    yield from check_sqlite(gen)
