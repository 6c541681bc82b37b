"""Cases for deskhand's a11y module (OSWorld's general.py): check_accessibility_tree, on
accessibility trees in the Ubuntu format, queried with CSS selectors and XPath."""

from xml.sax.saxutils import quoteattr, escape

M = "general"

NS = {
    "st": "https://accessibility.ubuntu.example.org/ns/state",
    "attr": "https://accessibility.ubuntu.example.org/ns/attributes",
    "cp": "https://accessibility.ubuntu.example.org/ns/component",
    "doc": "https://accessibility.ubuntu.example.org/ns/document",
    "docattr": "https://accessibility.ubuntu.example.org/ns/document/attributes",
    "txt": "https://accessibility.ubuntu.example.org/ns/text",
    "val": "https://accessibility.ubuntu.example.org/ns/value",
    "act": "https://accessibility.ubuntu.example.org/ns/action",
}

ROLES = ["frame", "panel", "push-button", "label", "text", "tool-bar", "menu-item", "page-tab",
         "entry", "section", "heading", "link"]
NAMES = ["To", "Send", "fox@someuniversity.edu", "Inbox", "Über", "", "Save As…", "OK",
         "password", "Password", "address-pill"]
TEXTS = [None, "", "hello", "Hello World", "fox@someuniversity.edu", "  spaced ", "Zürich", "42"]
CLASSES = ["address-pill", "pill-label", "btn primary", "x"]


def element(rng, depth, seen=None):
    role = rng.choice(ROLES)
    attrs = {"name": rng.choice(NAMES)}
    if rng.random() < 0.4:
        attrs["attr:class"] = rng.choice(CLASSES)
    if rng.random() < 0.3:
        attrs["attr:id"] = rng.choice(["MsgHeadersToolbar", "main", "a1"])
    if rng.random() < 0.4:
        attrs["st:showing"] = "true"
    if rng.random() < 0.2:
        attrs["st:focused"] = "true"
    if rng.random() < 0.2:
        attrs["val:value"] = rng.choice(["0.0", "12.5", "100"])
    text = rng.choice(TEXTS)
    if seen is not None:
        seen.append((role, attrs["name"], text))
    children = [element(rng, depth + 1, seen) for _ in range(rng.randint(0, 3 if depth < 3 else 0))]
    head = role + "".join(f" {k}={quoteattr(v)}" for k, v in attrs.items())
    body = (escape(text) if text else "") + "".join(children)
    return f"<{head}>{body}</{role}>" if body or rng.random() < 0.5 else f"<{head}/>"


def tree(rng, seen=None):
    xmlns = "".join(f' xmlns:{k}="{v}"' for k, v in NS.items())
    apps = "".join(f'<application name={quoteattr(app)}>{element(rng, 0, seen)}{element(rng, 0, seen)}</application>'
                   for app in rng.sample(["Thunderbird", "Chromium", "Mousepad"], rng.randint(1, 2)))
    return f"<desktop-frame{xmlns}>{apps}</desktop-frame>"


SELECTORS = [
    "label", "push-button[name=Send]", "[name=To]", "[name*=\"fox@\"]", "[name^=Pass]", "[name$=word]",
    "label[name=To]~[attr|class=\"address-pill\"]", "tool-bar[attr|id=MsgHeadersToolbar] label",
    "panel > label", "frame label", "[attr|class~=primary]", "[st|showing=true]", "[st|focused]",
    "text:not([name=\"\"])", "label:first-child", "label:last-child",
    "push-button + label", "application[name=Thunderbird] entry", "*[name=\"Über\"]",
    "label[name=To]~[attr|class=\"address-pill\"]>label[attr|class=\"pill-label\"][name*=\"fox@someuniversity.edu\"]",
    "[name|=Save]", "menu-item:only-child", "heading:empty",
    "[val|value=\"12.5\"]", "frame, panel",
    "label:nth-child(2)", "*:nth-last-child(odd)", "panel:nth-of-type(2n)", "text:contains(\"HELLO\")",
    "label:contains(zürich)",
]

# Structural functions and lxml's case-insensitive :contains(), tried alone on a hand-made tree
# (and, with SELECTORS, on the random ones).
SELECTORS_HAND = ["label:nth-child(3)", "section:nth-of-type(1)", "link:nth-last-child(1)",
                  "label:contains(\"hello\")", "label:contains(\"HeLLo\")", "label:nth-child(odd)",
                  "label:nth-child(even)", "*:nth-child(-n+2)", "label:nth-last-of-type(2)",
                  "label:nth-of-type(2n+1)", "frame > *:nth-child(3n-1)", "label:nth-child(n)",
                  "label:nth-child(-n-1)", "label:nth-child( + 2n + 1 )", "label:NTH-CHILD(2)",
                  "label:nth-child(0n+0)", "*:nth-of-type(1)", "label:nth-child(x)",
                  "label:nth-child(\"2\")", "push-button:contains(SAY)", "label:contains('')",
                  "label:contains(\"ÜBER\")", "label:contains(\"straße\")", "label:contains(Zürich)",
                  ":contains(\"ΟΔΟΣ\")", "label:contains(\"ὈΔΟΣ\")", "label:not(:nth-child(2))",
                  "label:contains(42)", "[name=42]", "label:contains(-l)", "label:nth-child(- n + 3)",
                  "label:nth-child(2N+1)", "label:nth-child(+2)", "4a", "label - link"]

XPATHS = [
    "//label", "//*[@name='To']", "//application[@name='Thunderbird']//*[contains(text(), 'fox') or contains(@name, 'fox')]",
    "//*[contains(@name, 'password') or contains(@name, 'Password')]", "//text[@st:focused='true']",
    "//push-button[@name='Send']/..", "//*[@attr:class='address-pill']/label", "//panel[1]",
    "//*[starts-with(@name, 'Save')]", "//*[normalize-space(text())='spaced']", "//*[text()='42']",
    "count(//label)", "//*[@val:value > 10]", "//entry[last()]", "//*[string-length(@name) = 0]",
    "/desktop-frame/application", "//label/text()", "//*[@name='Über']",
]


def rule(rng):
    r = {}
    if rng.random() < 0.55:
        r["selectors"] = rng.sample(SELECTORS, rng.choice([1, 1, 1, 2]))
    else:
        r["xpath"] = rng.choice(XPATHS)
    if rng.random() < 0.6:
        r["text"] = rng.choice([t for t in TEXTS if t is not None] + ["Hello", "hallo"])
        r["exact"] = rng.choice([True, False, True, 1, 0])
    return r


def cases(gen):
    rng = gen.rng
    for i in range(80):
        rules = [rule(rng) for _ in range(rng.randint(1, 2))]
        yield {"metric": "check_accessibility_tree", "module": M, "name": "random tree",
               "result": gen.text(tree(rng)), "expected": gen.json(rules), "options": {}}
    # Rules aimed at what the tree holds, so that texts are compared, not only missed.
    for i in range(50):
        seen = []
        xml = tree(rng, seen)
        rules = []
        for _ in range(rng.randint(1, 2)):
            role, name, text = rng.choice(seen)
            r = rng.choice([{"xpath": f"//{role}[@name={quoteattr(name)}]"},
                            {"selectors": [f"{role}[name={quoteattr(name)}]"]},
                            {"selectors": [role]}, {"xpath": f"//*[@name={quoteattr(name)}]"}])
            if rng.random() < 0.8:
                want = text if text is not None and rng.random() < 0.6 else rng.choice(TEXTS[1:] + ["Hello"])
                r["text"] = want
                r["exact"] = rng.random() < 0.5
            rules.append(r)
        yield {"metric": "check_accessibility_tree", "module": M, "name": "aimed rules",
               "result": gen.text(xml), "expected": gen.json(rules), "options": {}}
    fixed = tree(rng)
    xmlns = "".join(f' xmlns:{k}="{v}"' for k, v in NS.items())
    hand = (f'<desktop-frame{xmlns}><application name="Mousepad"><frame name="f">'
            '<section name="s1"/><label name="l1"><text name="">Hel</text>lo</label>'
            '<label name="l2">other</label><label name="l3"><push-button name="b">say HeLLo</push-button></label><link name="k"/>'
            '<label name="l4">ÜBER STRASSE</label><label name="l5">ZÜRICH</label><label name="l6">ΟΔΟΣ</label>'
            '</frame></application></desktop-frame>')
    for s in SELECTORS_HAND:
        yield {"metric": "check_accessibility_tree", "module": M, "name": f"selector {s}",
               "result": gen.text(hand), "expected": gen.json([{"selectors": [s]}]), "options": {}}
    for s in SELECTORS:
        yield {"metric": "check_accessibility_tree", "module": M, "name": f"selector {s}",
               "result": gen.text(fixed), "expected": gen.json([{"selectors": [s]}]), "options": {}}
    for x in XPATHS:
        yield {"metric": "check_accessibility_tree", "module": M, "name": f"xpath {x}",
               "result": gen.text(fixed), "expected": gen.json([{"xpath": x, "text": "hello", "exact": False}]),
               "options": {}}
    yield {"metric": "check_accessibility_tree", "module": M, "name": "no rules",
           "result": gen.text(fixed), "expected": gen.json([]), "options": {}}
    yield {"metric": "check_accessibility_tree", "module": M, "name": "bad XML",
           "result": gen.text("<a>"), "expected": gen.json([]), "options": {}}
    yield {"metric": "check_accessibility_tree", "module": M, "name": "text without exact",
           "result": gen.text(fixed), "expected": gen.json([{"xpath": "//*", "text": "x"}]), "options": {}}
    yield {"metric": "check_accessibility_tree", "module": M, "name": "neither xpath nor selectors",
           "result": gen.text(fixed), "expected": gen.json([{"text": "x"}]), "options": {}}
