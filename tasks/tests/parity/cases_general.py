"""Cases for OSWorld's general.py metrics deskhand implements: exact_match,
check_include_exclude, is_in_list, literal_match, check_list, file_contains, diff_text_file,
check_direct_json_object."""

import json

from common import VALUES, WORDS, bend, pick_words

M = "general"


def case(metric, name, result, expected=None, options=None):
    c = {"metric": metric, "module": M, "name": name, "result": result, "options": options or {}}
    if expected is not None:
        c["expected"] = expected
    return c


def rule(gen, rules):
    return gen.json(rules)


def exact_match(gen):
    rng = gen.rng
    for i in range(30):
        s = " ".join(pick_words(rng, rng.randint(0, 4)))
        if rng.random() < 0.5:
            s += "\n"
        bent, how = bend(rng, s)
        yield case("exact_match", f"text vs {how}", gen.text(bent), rule(gen, {"expected": s}))
    for i in range(20):
        a, b = rng.choice(VALUES), rng.choice(VALUES)
        if rng.random() < 0.3:
            b = a
        yield case("exact_match", f"json {a!r} vs {b!r}", gen.json(a), rule(gen, {"expected": b}))
    yield case("exact_match", "missing file vs None", gen.missing(), rule(gen, {"expected": None}))
    yield case("exact_match", "missing file vs 'x'", gen.missing(), rule(gen, {"expected": "x"}))
    yield case("exact_match", "text '1' vs 1", gen.text("1"), rule(gen, {"expected": 1}))
    yield case("exact_match", "text vs list", gen.text("[1, 1]\n"), rule(gen, {"expected": [1, 1]}))
    yield case("exact_match", "empty text", gen.text(""), rule(gen, {"expected": ""}))


def check_include_exclude(gen):
    rng = gen.rng
    for i in range(30):
        words = pick_words(rng, rng.randint(0, 5))
        text = rng.choice([" ", "\n", ", "]).join(words)
        include = [w for w in pick_words(rng, rng.randint(0, 2))]
        include += [w[: rng.randint(0, len(w))] for w in words[: rng.randint(0, 2)]]
        exclude = pick_words(rng, rng.randint(0, 2))
        rules = {"include": include}
        if exclude or rng.random() < 0.5:
            rules["exclude"] = exclude
        bent, how = bend(rng, text)
        yield case("check_include_exclude", f"text ({how})", gen.text(bent), rule(gen, rules))
    for i in range(8):
        items = pick_words(rng, rng.randint(0, 3))
        rules = {"include": pick_words(rng, 1) + items[:1], "exclude": pick_words(rng, 1)}
        yield case("check_include_exclude", "json list", gen.json(items), rule(gen, rules))
    yield case("check_include_exclude", "missing", gen.missing(), rule(gen, {"include": []}))
    yield case("check_include_exclude", "json null", gen.json(None), rule(gen, {"include": []}))
    yield case("check_include_exclude", "dict keys", gen.json({"a": 1, "b": 2}),
               rule(gen, {"include": ["a"], "exclude": ["c"]}))
    yield case("check_include_exclude", "no rules at all", gen.text("anything"), rule(gen, {}))
    yield case("check_include_exclude", "empty result, empty include", gen.text(""),
               rule(gen, {"include": [""]}))
    yield case("check_include_exclude", "number, no rules", gen.json(5), rule(gen, {}))
    yield case("check_include_exclude", "number, include", gen.json(5), rule(gen, {"include": ["5"]}))
    yield case("check_include_exclude", "casing", gen.text("No LibreOffice is running"),
               rule(gen, {"include": ["no libreoffice is running"]}))


def is_in_list(gen):
    rng = gen.rng
    for i in range(20):
        items = pick_words(rng, rng.randint(0, 4))
        want = rng.choice(items + pick_words(rng, 1)) if items else rng.choice(WORDS)
        yield case("is_in_list", "list of words", gen.json(items), rule(gen, {"expected": want}))
    for i in range(10):
        text = " ".join(pick_words(rng, rng.randint(0, 4)))
        want = text[rng.randint(0, len(text)) :][: rng.randint(0, 6)] if rng.random() < 0.6 else rng.choice(WORDS)
        bent, how = bend(rng, text)
        yield case("is_in_list", f"text ({how})", gen.text(bent), rule(gen, {"expected": want}))
    for i in range(8):
        items = [rng.choice(VALUES) for _ in range(rng.randint(0, 3))]
        want = rng.choice(VALUES)
        yield case("is_in_list", f"values, {want!r}", gen.json(items), rule(gen, {"expected": want}))
    yield case("is_in_list", "missing", gen.missing(), rule(gen, {"expected": "a"}))
    yield case("is_in_list", "null", gen.json(None), rule(gen, {"expected": "a"}))
    yield case("is_in_list", "dict key", gen.json({"a": 1}), rule(gen, {"expected": "a"}))
    yield case("is_in_list", "number in text", gen.text("123"), rule(gen, {"expected": 1}))
    yield case("is_in_list", "path", gen.text("/home/user/Desktop/helloExtension"),
               rule(gen, {"expected": "/home/user/Desktop/helloExtension"}))


def literal_match(gen):
    rng = gen.rng
    for i in range(25):
        a, b = rng.choice(VALUES), rng.choice(VALUES)
        if rng.random() < 0.3:
            b = a
        opts = {}
        if rng.random() < 0.5:
            opts["ignore_case"] = rng.choice([True, False])
        ra = gen.json(a) if rng.random() < 0.7 else gen.text(str(a))
        yield case("literal_match", f"str {a!r} vs {b!r}", ra, gen.json(b), opts)
    for i in range(20):
        a = pick_words(rng, rng.randint(0, 3))
        b = [bend(rng, w)[0] for w in a] if rng.random() < 0.6 else pick_words(rng, len(a))
        if rng.random() < 0.2:
            b = b + ["extra"]
        opts = {"type": "list"}
        if rng.random() < 0.6:
            opts["ignore_case"] = True
        yield case("literal_match", "lists", gen.json(a), gen.json(b), opts)
    yield case("literal_match", "list vs text", gen.text("['a']"), gen.json(["a"]), {"type": "list"})
    yield case("literal_match", "mixed list", gen.json([1, "1", None]), gen.json(["1", 1, "None"]),
               {"type": "list"})
    yield case("literal_match", "str of a list", gen.json(["a", 1]), gen.text("['a', 1]"))
    yield case("literal_match", "str of a dict", gen.json({"k": "it's"}), gen.text("{'k': \"it's\"}"))
    yield case("literal_match", "missing vs 'None'", gen.missing(), gen.text("None"))
    yield case("literal_match", "float", gen.json(2.0), gen.text("2.0"))
    yield case("literal_match", "negative zero", gen.json(-0.0), gen.text("-0.0"))
    yield case("literal_match", "0.1 + 0.2", gen.json(0.1 + 0.2), gen.text("0.30000000000000004"))
    yield case("literal_match", "u64 max", gen.json(2**64 - 1), gen.text(str(2**64 - 1)))
    yield case("literal_match", "i64 min", gen.json(-2**63), gen.text(str(-2**63)))
    yield case("literal_match", "repr escapes", gen.json(["\xa0\ufeff\x85\ue000\U0010fffd"]),
               gen.text(str(["\xa0\ufeff\x85\ue000\U0010fffd"])))
    yield case("literal_match", "control char", gen.json(["a\x01b"]), gen.text("['a\\x01b']"))
    yield case("literal_match", "unicode repr", gen.json(["é\u200b"]), gen.text("['é\u200b']"))
    yield case("literal_match", "big float", gen.json(1e16), gen.text("1e+16"))
    yield case("literal_match", "sigma", gen.text("ΟΔΟΣ"), gen.text("οδος"), {"ignore_case": True})
    yield case("literal_match", "dotted I", gen.text("İ"), gen.text("i̇"), {"ignore_case": True})


def lines_file(gen, rng, lines, ending=None):
    ending = ending or rng.choice(["\n", "\n", "\r\n", "\r"])
    text = ending.join(lines)
    if lines and rng.random() < 0.7:
        text += ending
    if rng.random() < 0.1:
        text = "\ufeff" + text
    return gen.write(text)


PATTERNS = [
    "alpha", "^alpha", "alpha$", r"\balpha\b", "(?i)beta", r"\d+", r"^\s*$", ".+", "ΣΟΦΟΣ",
    "日本", r"it's", r"a\.b\*c", r"\(paren\)", r"\$dollar", r"x(?!\.msf)", r"^x$", "tab\there",
    r"\bvlc\.desktop\b", "naïve", "[$]dollar", r"GAMMA\Z", "e$",
]


def check_list(gen):
    rng = gen.rng
    for i in range(35):
        lines = [" ".join(pick_words(rng, rng.randint(0, 3))) for _ in range(rng.randint(0, 5))]
        path = lines_file(gen, rng, lines)
        rules = {}
        if rng.random() < 0.85:
            rules["expect"] = rng.sample(PATTERNS, rng.randint(0, 3))
        if rng.random() < 0.4:
            rules["unexpect"] = rng.sample(PATTERNS, rng.randint(1, 2))
        yield case("check_list", f"{len(lines)} lines", gen.file(path), rule(gen, rules))
    yield case("check_list", "missing", gen.missing(), rule(gen, {"expect": ["a"]}))
    yield case("check_list", "not there", gen.file(gen.path(".txt")), rule(gen, {"expect": ["a"]}))
    yield case("check_list", "empty file, no rules", gen.file(gen.write("")), rule(gen, {}))
    yield case("check_list", "empty file, unexpect .+", gen.file(gen.write("")),
               rule(gen, {"unexpect": [".+"]}))
    yield case("check_list", "blank line, unexpect .+", gen.file(gen.write("\n")),
               rule(gen, {"unexpect": [".+"]}))
    yield case("check_list", "pattern across lines", gen.file(gen.write("a\nb\n")),
               rule(gen, {"expect": ["a\nb"]}))
    yield case("check_list", "dollar before newline", gen.file(gen.write("done\nnext")),
               rule(gen, {"expect": ["done$"]}))
    yield case("check_list", "CR only", gen.file(gen.write("one\rtwo\r")),
               rule(gen, {"expect": ["^two$"]}))
    # Python's re where other engines differ: braces, inline flags, classes, Unicode.
    text = "alpha Beta\nx{2} a{ {}\n[:alpha:]\n\u0663 digits_\u00e9\naab aa\nend"
    regex_file = gen.write(text)
    for pattern in ["a{", "x{2}", "x\\{2\\}", "{}", "(?i)beta", "a(?i)b", "[[:alpha:]]", "^[[:alpha:]]+$",
                    r"\d", r"^\w+ \w+$", r"(?P<n>a)(?P=n)", r"(?<=a)b", r"(?<!x)aa\b", r"\Aalpha",
                    r"^end\Z", r"\bBeta\b", r"[^\W\d_]+", r"\x41", r"\u00e9", r"(a|b)*c", r"\N{DIGIT ONE}",
                    r"a++", r"(?x) a l p h a", r"[\]]", r"[a-]", r"\0"]:
        yield case("check_list", f"pattern {pattern!r}", gen.file(regex_file), rule(gen, {"expect": [pattern]}))
    yield case("check_list", "not UTF-8", gen.file(gen.write(b"caf\xe9\n")),
               rule(gen, {"expect": ["caf"]}))
    yield case("check_list", "not UTF-8, no rules", gen.file(gen.write(b"caf\xe9\n")), rule(gen, {}))


def file_contains(gen):
    rng = gen.rng
    for i in range(30):
        words = pick_words(rng, rng.randint(0, 6))
        text = rng.choice([" ", "\n", "\r\n", "\t"]).join(words)
        wanted = [w for w in words if rng.random() < 0.5] + pick_words(rng, rng.randint(0, 1))
        if rng.random() < 0.2:
            wanted.append("\r\n")
        if rng.random() < 0.1:
            text = "\ufeff" + text
        yield case("file_contains", f"{len(wanted)} wanted", gen.file(gen.write(text)),
                   rule(gen, {"expected": wanted}))
    yield case("file_contains", "missing", gen.missing(), rule(gen, {"expected": ["a"]}))
    yield case("file_contains", "not there", gen.file(gen.path(".txt")), rule(gen, {"expected": []}))
    yield case("file_contains", "empty, nothing wanted", gen.file(gen.write("")), rule(gen, {"expected": []}))
    yield case("file_contains", "empty string wanted", gen.file(gen.write("")), rule(gen, {"expected": [""]}))
    yield case("file_contains", "CRLF wanted", gen.file(gen.write("a\r\nb")), rule(gen, {"expected": ["a\r\nb"]}))
    yield case("file_contains", "LF of CRLF", gen.file(gen.write("a\r\nb")), rule(gen, {"expected": ["a\nb"]}))
    yield case("file_contains", "not UTF-8", gen.file(gen.write(b"Ping caf\xe9")), rule(gen, {"expected": ["Ping"]}))
    yield case("file_contains", "speedtest", gen.file(gen.write("Ping: 10 ms\nDownload: 1\nUpload: 2\n")),
               rule(gen, {"expected": ["Ping", "Download", "Upload"]}))


def diff_text_file(gen):
    rng = gen.rng
    for i in range(35):
        lines = [" ".join(pick_words(rng, rng.randint(0, 3))) for _ in range(rng.randint(0, 8))]
        other = list(lines)
        for _ in range(rng.randint(0, 3)):
            op = rng.choice(["del", "ins", "mod", "swap"])
            if op == "del" and other:
                del other[rng.randrange(len(other))]
            elif op == "ins":
                other.insert(rng.randint(0, len(other)), rng.choice(WORDS))
            elif op == "mod" and other:
                j = rng.randrange(len(other))
                other[j] = bend(rng, other[j])[0]
            elif op == "swap" and len(other) > 1:
                j = rng.randrange(len(other) - 1)
                other[j], other[j + 1] = other[j + 1], other[j]
        a = lines_file(gen, rng, other)
        b = lines_file(gen, rng, lines)
        yield case("diff_text_file", f"{len(lines)} lines", gen.file(a), gen.file(b))
    big = [f"line {rng.randint(0, 30)}" for _ in range(300)]
    big2 = [l if rng.random() < 0.8 else "changed" for l in big]
    yield case("diff_text_file", "300 repetitive lines (autojunk)", gen.file(lines_file(gen, rng, big2, "\n")),
               gen.file(lines_file(gen, rng, big, "\n")))
    yield case("diff_text_file", "missing", gen.missing(), gen.file(gen.write("a\n")))
    yield case("diff_text_file", "both empty", gen.file(gen.write("")), gen.file(gen.write("")))
    yield case("diff_text_file", "one empty", gen.file(gen.write("")), gen.file(gen.write("a\n")))
    yield case("diff_text_file", "form feed splits", gen.file(gen.write("a\x0cb")), gen.file(gen.write("a\nb")))
    yield case("diff_text_file", "BOM", gen.file(gen.write("\ufeffa\nb\n")), gen.file(gen.write("a\nb\n")))


def check_direct_json_object(gen):
    rng = gen.rng
    keys = ["a", "b", "modelList", "zip", "locationName"]
    for i in range(30):
        expected = {k: rng.choice(VALUES) for k in rng.sample(keys, rng.randint(1, 3))}
        result = {k: (v if rng.random() < 0.7 else rng.choice(VALUES)) for k, v in expected.items()}
        if rng.random() < 0.3:
            result[rng.choice(keys)] = rng.choice(VALUES)
        if rng.random() < 0.3:
            desc = gen.text(json.dumps(result, ensure_ascii=rng.random() < 0.5))
        else:
            desc = gen.json(result)
        yield case("check_direct_json_object", "plain", desc, rule(gen, {"expected": expected}))
    for i in range(15):
        words = ["iphone-15", "iphone-14", "Zürich", "next week", "50000"]
        expected = {}
        result = {}
        for k in rng.sample(keys, rng.randint(1, 2)):
            if rng.random() < 0.5:
                expected[k] = rng.sample(words, rng.randint(1, 2))
            else:
                expected[k] = rng.choice(words)[: rng.randint(1, 6)]
            result[k] = rng.choice(
                [rng.choice(words), rng.sample(words, rng.randint(0, 3)), None, 5, {"Zürich": 1}]
            )
        yield case("check_direct_json_object", "expect_in_result", gen.json(result),
                   rule(gen, {"expected": expected, "expect_in_result": True}))
    yield case("check_direct_json_object", "ignore_list_order beside expected",
               gen.json({"modelList": ["b", "a"]}),
               rule(gen, {"expected": {"modelList": ["a", "b"]}, "ignore_list_order": True}))
    yield case("check_direct_json_object", "ignore_list_order beside, same order",
               gen.json({"modelList": ["a", "b"]}),
               rule(gen, {"expected": {"modelList": ["a", "b"]}, "ignore_list_order": True}))
    yield case("check_direct_json_object", "ignore_list_order inside expected",
               gen.json({"modelList": ["b", "a"]}),
               rule(gen, {"expected": {"modelList": ["a", "b"], "ignore_list_order": True}}))
    yield case("check_direct_json_object", "single quotes", gen.text(" {'a': 'x'}\n"),
               rule(gen, {"expected": {"a": "x"}}))
    yield case("check_direct_json_object", "apostrophe in a value", gen.text('{"a": "it\'s"}'),
               rule(gen, {"expected": {"a": "it's"}}))
    yield case("check_direct_json_object", "not JSON", gen.text("nope"), rule(gen, {"expected": {"a": 1}}))
    yield case("check_direct_json_object", "JSON list", gen.text("[1]"), rule(gen, {"expected": {"a": 1}}))
    yield case("check_direct_json_object", "JSON null", gen.text("null"), rule(gen, {"expected": {"a": 1}}))
    yield case("check_direct_json_object", "NaN elsewhere", gen.text('{"a": 1, "b": NaN}'),
               rule(gen, {"expected": {"a": 1}}))
    yield case("check_direct_json_object", "missing", gen.missing(), rule(gen, {"expected": {"a": 1}}))
    yield case("check_direct_json_object", "evaluation failed", gen.json({"a": "__EVALUATION_FAILED__"}),
               rule(gen, {"expected": {"a": "__EVALUATION_FAILED__"}}))
    yield case("check_direct_json_object", "missing key vs None", gen.json({}),
               rule(gen, {"expected": {"a": None}}))
    yield case("check_direct_json_object", "empty expected", gen.json({"a": 1}), rule(gen, {"expected": {}}))
    yield case("check_direct_json_object", "1 vs True", gen.json({"a": True}), rule(gen, {"expected": {"a": 1}}))


def cases(gen):
    for metric in [exact_match, check_include_exclude, is_in_list, literal_match, check_list,
                   file_contains, diff_text_file, check_direct_json_object]:
        yield from metric(gen)
