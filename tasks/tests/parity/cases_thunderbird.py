"""Cases for deskhand's thunderbird module (OSWorld's thunderbird.py): check_thunderbird_prefs,
check_thunderbird_filter and check_thunderbird_folder."""

import json

M = "thunderbird"

PREFS = ["mail.spam.manualMark", "mailnews.start_page.enabled", "mail.identity.id1.fullName",
         "mail.server.server1.check_new_mail", "browser.display.foreground_color",
         "mail.compose.default_to_paragraph", "app.update.auto", "weird\\\"key"]
VALUES = [True, False, 0, 1, 2, 600, -1, 1.5, "", "x", "Ada Lovelace", "#000000", "with \"quote\"",
          "Zürich", "true"]


def pref_line(rng, key, value):
    v = json.dumps(value, ensure_ascii=rng.random() < 0.5)
    line = f'user_pref("{key}", {v});'
    r = rng.random()
    if r < 0.1:
        line = "  " + line + "  "
    elif r < 0.15:
        line = line.replace(", ", ",")  # no space: the pattern needs one
    elif r < 0.2:
        line = line.rstrip(";")
    return line


def rule_for(rng, value):
    method = rng.choice(["eq", "eq", "ne", "re", "gt", "lt", "approx:1", "str_list_eq", "bogus"])
    if method == "re":
        ref = rng.choice(["^A", "x", "Lovelace$", "."])
    elif method == "str_list_eq":
        ref = rng.choice([["a", "b"], [str(value)]])
    elif method.startswith("approx"):
        ref = 600
    else:
        ref = value if rng.random() < 0.6 else rng.choice(VALUES)
    return {"method": method, "ref": ref}


def prefs(gen):
    rng = gen.rng
    for i in range(40):
        lines = ["// Mozilla User Preferences", ""]
        present = {}
        for _ in range(rng.randint(0, 6)):
            key, value = rng.choice(PREFS), rng.choice(VALUES)
            present[key] = value
            lines.append(pref_line(rng, key, value))
        rules = {}
        keys = list(present) + [rng.choice(PREFS)]
        if rng.random() < 0.9:
            rules["expect"] = {k: rule_for(rng, present.get(k)) for k in rng.sample(keys, rng.randint(0, min(2, len(keys))))}
        if rng.random() < 0.4:
            rules["unexpect"] = {k: rule_for(rng, present.get(k)) for k in rng.sample(keys, 1)}
        text = rng.choice(["\n", "\r\n"]).join(lines) + "\n"
        yield {"metric": "check_thunderbird_prefs", "module": M, "name": f"{len(present)} prefs",
               "result": gen.file(gen.write(text, ".js")), "expected": gen.json(rules), "options": {}}
    yield {"metric": "check_thunderbird_prefs", "module": M, "name": "missing", "result": gen.missing(),
           "expected": gen.json({"expect": {}}), "options": {}}
    yield {"metric": "check_thunderbird_prefs", "module": M, "name": "value not JSON",
           "result": gen.file(gen.write('user_pref("a", True);\n', ".js")),
           "expected": gen.json({"expect": {}}), "options": {}}
    yield {"metric": "check_thunderbird_prefs", "module": M, "name": "last line wins",
           "result": gen.file(gen.write('user_pref("a", 1);\nuser_pref("a", 2);\n', ".js")),
           "expected": gen.json({"expect": {"a": {"method": "eq", "ref": 2}}}), "options": {}}
    yield {"metric": "check_thunderbird_prefs", "module": M, "name": "key in both",
           "result": gen.file(gen.write('user_pref("a", 1);\n', ".js")),
           "expected": gen.json({"expect": {"a": {"method": "eq", "ref": 1}},
                                 "unexpect": {"a": {"method": "eq", "ref": 1}}}), "options": {}}


FILTER_FIELDS = {
    "name": ["Spam", "From Ada", "Zürich", 'say "hi"'],
    "enabled": ["yes", "no"],
    "type": ["17", "1", "48"],
    "action": ["Move to folder", "Mark read", "Delete"],
    "actionValue": ["mailbox://nobody@Local%20Folders/Spam", "imap://x/INBOX"],
}
CONDITIONS = ['AND (subject,contains,spam)', 'OR (from,is,"ada@x.org")', 'ALL',
              'AND (subject,contains,spam) AND (body,doesn\'t contain,ham)', 'AND (age in days,is greater than,3)']


def filters(gen):
    rng = gen.rng
    for i in range(35):
        lines = ['version="9"', 'logging="no"']
        made = []
        for _ in range(rng.randint(0, 3)):
            f = {k: rng.choice(v) for k, v in FILTER_FIELDS.items()}
            cond = rng.choice(CONDITIONS)
            for k in ["name", "enabled", "type", "action", "actionValue"]:
                if k == "actionValue" and rng.random() < 0.3:
                    continue
                val = f[k].replace("\\", "\\\\").replace('"', '\\"')
                lines.append(f'{k}="{val}"')
            lines.append(f'condition="{cond.replace(chr(34), chr(92) + chr(34))}"')
            made.append(f)
        text = "\n".join(lines) + ("\n" if rng.random() < 0.85 else "")
        rules = {"expect": []}
        for _ in range(rng.randint(0, 2)):
            if made and rng.random() < 0.6:
                f = rng.choice(made)
                keys = rng.sample(list(f), rng.randint(1, 3))
                rules["expect"].append({k: f[k] for k in keys})
            else:
                k = rng.choice(list(FILTER_FIELDS))
                rules["expect"].append({k: rng.choice(FILTER_FIELDS[k])})
        if rng.random() < 0.3:
            k = rng.choice(list(FILTER_FIELDS))
            rules["unexpect"] = [{k: rng.choice(FILTER_FIELDS[k])}]
        if rng.random() < 0.2:
            rules["expect"].append({"condition": ["AND (subject,contains,spam)"]})
        yield {"metric": "check_thunderbird_filter", "module": M, "name": f"{len(made)} filters",
               "result": gen.file(gen.write(text, ".dat")), "expected": gen.json(rules), "options": {}}
    yield {"metric": "check_thunderbird_filter", "module": M, "name": "missing", "result": gen.missing(),
           "expected": gen.json({"expect": []}), "options": {}}
    yield {"metric": "check_thunderbird_filter", "module": M, "name": "empty file",
           "result": gen.file(gen.write("", ".dat")), "expected": gen.json({"expect": [{}]}), "options": {}}


MAIL = ("From - Mon Jan  1 00:00:00 2024\nX-Mozilla-Status: {status}\nX-Mozilla-Keys: {keys}\n"
        "MIME-Version: 1.0\nSubject: {subject}\n\nbody {subject}\n")


def mbox(rng):
    parts = []
    for _ in range(rng.randint(0, 3)):
        parts.append(MAIL.format(status=rng.choice(["0001", "0008", "0000"]), keys=rng.choice(["", "$label1"]),
                                 subject=rng.choice(["hi", "report", "Zürich"])))
    text = "".join(parts)
    if rng.random() < 0.2:
        text = text.replace("From - ", "FROM - ")
    if rng.random() < 0.15:
        text = rng.choice(["", "\n", "   \n"])
    return text


def folder(gen):
    rng = gen.rng
    for i in range(30):
        n = rng.randint(1, 2)
        results = [gen.write(mbox(rng), "") for _ in range(n)]
        golds = [gen.write(mbox(rng), "") if rng.random() < 0.6 else results[j] for j in range(n)]
        opts = {}
        for k in ["remove_deleted", "remove_duplicate", "ignore_status", "ignore_keys"]:
            if rng.random() < 0.3:
                opts[k] = rng.choice([True, False])
        if n == 1 and rng.random() < 0.5:
            r, e = gen.file(results[0]), gen.file(golds[0])
        else:
            r, e = gen.files(results), gen.files(golds)
        yield {"metric": "check_thunderbird_folder", "module": M, "name": f"{n} folders", "result": r,
               "expected": e, "options": opts}
    gold = gen.write("", "")
    yield {"metric": "check_thunderbird_folder", "module": M, "name": "missing", "result": gen.missing(),
           "expected": gen.file(gold), "options": {}}
    yield {"metric": "check_thunderbird_folder", "module": M, "name": "one of two missing",
           "result": gen.files([gold, None]), "expected": gen.files([gold, gold]), "options": {}}
    yield {"metric": "check_thunderbird_folder", "module": M, "name": "lists of different lengths",
           "result": gen.files([gold]), "expected": gen.files([gold, gen.write("x", "")]), "options": {}}


def cases(gen):
    yield from prefs(gen)
    yield from filters(gen)
    yield from folder(gen)
