"""Cases for deskhand's chrome module (OSWorld's chrome.py, and general.py's match_in_list): the
URL checks built on compare_urls (tldextract with its bundled public suffix list), bookmarks,
cookies, history, shortcuts, font size, search queries, the Steam cart and compare_htmls."""

M = "chrome"

URLS = [
    "https://www.airbnb.com.sg/", "airbnb.com", "https://airbnb.com", "http://www.google.com/search?q=x",
    "https://www.google.com/search?q=y", "HTTPS://WWW.Example.co.uk/path/", "https://example.co.uk/path",
    "https://sub.example.com:8080/a", "https://sub.example.com/a", "about:blank", "chrome://settings/",
    "file:///home/user/a.html", "https://user:pw@example.com/", "https://example.com/#frag",
    "https://example.com/a;p?q=1", "192.168.0.1", "localhost:8000/x", "https://www.www.example.com/",
    "https://example.github.io/x", "https://github.io/x", "https://a.b.example.com/", "https://example.com/a/",
    "https://EXAMPLE.com/A", "https://münchen.de/", "https://xn--mnchen-3ya.de/", "",
]


def case(metric, name, result, expected, module=M):
    return {"metric": metric, "module": module, "name": name, "result": result, "expected": expected,
            "options": {}}


def active_tab(gen):
    rng = gen.rng
    for metric in ["is_expected_active_tab", "is_expected_active_tab_approximate"]:
        for i in range(35):
            a, b = rng.choice(URLS), rng.choice(URLS)
            if rng.random() < 0.3:
                b = a
            got = gen.json({"url": a, "title": "t"}) if rng.random() < 0.7 else gen.text(a)
            yield case(metric, f"{a!r} vs {b!r}", got, gen.json({"type": "url", "url": b}))
        yield case(metric, "empty info", gen.json({}), gen.json({"type": "url", "url": URLS[0]}))
        yield case(metric, "no url key", gen.json({"title": "t"}), gen.json({"type": "url", "url": URLS[0]}))
        yield case(metric, "other type", gen.json({"url": URLS[0]}), gen.json({"type": "title", "url": URLS[0]}))


def url_pattern(gen):
    rng = gen.rng
    patterns = [r"airbnb", r"^https://", r"q=\w+", r"\.co\.uk/", r"(?i)example", r"search\?q=x$", r"\d+", "/a$"]
    for i in range(35):
        url = rng.choice(URLS)
        got = gen.json({"url": url}) if rng.random() < 0.5 else gen.text(url)
        yield case("is_expected_url_pattern_match", "url", got,
                   gen.json({"expected": rng.sample(patterns, rng.randint(0, 2))}))
    yield case("is_expected_url_pattern_match", "a list", gen.json([URLS[0]]), gen.json({"expected": ["a"]}))


def search_query(gen):
    rng = gen.rng
    for i in range(30):
        url = rng.choice(URLS)
        pattern = rng.choice([r"q=x", r"search\?q=", r"^https", r"airbnb", r"(?i)WWW"])
        yield case("is_expected_search_query", "url", gen.json({"url": url}),
                   gen.json({"expect": {"pattern": pattern}}))


def installed(gen):
    rng = gen.rng
    ids = ["ext.a", "ext.b", "Ext.A", "uBlock", ""]
    for i in range(30):
        have = rng.sample(ids, rng.randint(0, 3))
        want = rng.sample(ids, rng.randint(0, 2))
        yield case("is_expected_installed_extensions", "ids", gen.json(have), gen.json({"expected": want}))


def tabs(gen):
    rng = gen.rng
    for i in range(35):
        have = rng.sample(URLS, rng.randint(0, 3))
        want = list(have)
        r = rng.random()
        if r < 0.3:
            rng.shuffle(want)
        elif r < 0.5:
            want = [u.replace("https://www.", "https://") for u in want]
        elif r < 0.65 and want:
            want[0] = rng.choice(URLS)
        elif r < 0.75:
            want = want + [rng.choice(URLS)]
        yield case("is_expected_tabs", f"{len(have)} tabs", gen.json([{"url": u, "title": "t"} for u in have]),
                   gen.json({"type": "url", "urls": want}))


def bookmarks(gen):
    rng = gen.rng
    for i in range(35):
        children = []
        for _ in range(rng.randint(0, 4)):
            if rng.random() < 0.5:
                children.append({"type": "folder", "name": rng.choice(["Liked Authors", "Work", "Zürich"]),
                                 "children": [{"type": "url", "url": rng.choice(URLS[:8]), "name": "x"}
                                              for _ in range(rng.randint(0, 2))]})
            else:
                children.append({"type": "url", "url": rng.choice(URLS[:8]), "name": "y"})
        tree = {"bookmark_bar": {"children": children, "type": "folder"}, "other": {"children": []}}
        kind = rng.choice(["bookmark_bar_folders_names", "bookmark_bar_websites_urls", "liked_authors_websites_urls"])
        if kind == "bookmark_bar_folders_names":
            rule = {"type": kind, "names": [c["name"] for c in children if c["type"] == "folder"][: rng.randint(0, 3)]}
        elif kind == "bookmark_bar_websites_urls":
            rule = {"type": kind, "urls": [c["url"] for c in children if c["type"] == "url"][: rng.randint(0, 3)]}
        else:
            urls = [rng.choice(URLS[:8]) for _ in range(rng.randint(0, 2))]
            if urls and rng.random() < 0.5:
                urls[0] = [urls[0], rng.choice(URLS[:8])]
            rule = {"type": kind, "urls": urls}
        yield case("is_expected_bookmarks", kind, gen.json(tree), gen.json(rule))
    yield case("is_expected_bookmarks", "empty", gen.json({}), gen.json({"type": "bookmark_bar_folders_names", "names": []}))


def cookies_history(gen):
    rng = gen.rng
    hosts = [".google.com", "www.airbnb.com", "accounts.google.com", ".example.co.uk", "localhost"]
    for i in range(30):
        rows = [[rng.randint(1, 99), rng.choice(hosts), "name", "value"] for _ in range(rng.randint(0, 3))]
        domains = rng.sample(["google.com", "airbnb.com", "example.co.uk", ".google.com", "amazon.com"], rng.randint(0, 2))
        yield case("is_cookie_deleted", f"{len(rows)} cookies", gen.json(rows),
                   gen.json({"type": "domains", "domains": domains}))
    for i in range(30):
        rows = [[rng.choice(URLS[:10]), "title", 1] for _ in range(rng.randint(0, 3))]
        keywords = rng.sample(["airbnb", "google", "search", "example", "x"], rng.randint(0, 2))
        yield case("check_history_deleted", f"{len(rows)} visits", gen.json(rows),
                   gen.json({"type": "keywords", "keywords": keywords}))


def shortcuts_fonts_cart(gen):
    rng = gen.rng
    for i in range(30):
        files = {}
        for _ in range(rng.randint(0, 2)):
            name = rng.choice(["Google", "Airbnb", "Zürich", "Google Chrome"])
            files[f"/home/user/Desktop/{name}.desktop"] = (
                f"[Desktop Entry]\nName={name}\nExec=chromium --app={rng.choice(URLS[:3])}\n"
                + rng.choice(["", "Type=Application\n"]))
        kind = rng.choice(["name", "exec", "name"])
        rule = {"type": kind, "name": rng.choice(["Google", "Airbnb", "Zürich"])} if kind == "name" else \
            {"type": kind, "exec": f"chromium --app={rng.choice(URLS[:3])}"}
        yield case("is_shortcut_on_desktop", kind, gen.json(files), gen.json(rule))
    for i in range(30):
        size = rng.choice([12, 16, 20, 24, 16.0, 15.5])
        rule = rng.choice([{"type": "value", "value": rng.choice([16, 20, 24])},
                           {"type": "range", "min": rng.choice([12, 16]), "max": rng.choice([20, 24])}])
        yield case("check_font_size", f"{size}", gen.json({"default_font_size": size}), gen.json(rule))
    for i in range(30):
        content = "<div>" + " ".join(rng.sample(["Portal 2", "Hades", "Celeste", "Zürich Sim", "Add to Cart"], 3)) + "</div>"
        items = rng.sample(["Portal 2", "Hades", "Celeste", "portal 2", "Stardew"], rng.randint(0, 2))
        yield case("is_added_to_steam_cart", "cart", gen.json({"content": content, "url": URLS[0]}),
                   gen.json({"items": items}))


def in_list(gen):
    rng = gen.rng
    for i in range(30):
        choices = rng.sample(["a", "b", "Zürich", "1", "", "vlc.desktop"], rng.randint(0, 3))
        want = rng.choice(["a", "b", "Zürich", "1", "", "c"])
        got = gen.text(want) if rng.random() < 0.7 else gen.json(rng.choice([1, ["a"], None]))
        yield case("match_in_list", "value", got, gen.json({"expected": choices}), module="general")
    yield case("match_in_list", "substring of text expected", gen.text("a"), gen.json({"expected": "abc"}),
               module="general")


HTML = ["<html><body><p>Hello</p></body></html>", "<html><body><p>Hello </p></body></html>",
        "<html><body><p class='x'>Hello</p></body></html>", "<html><body><p>Hallo</p></body></html>",
        "<html><body><table><tr><td sdnum='1033;0;0.00'>1</td></tr></table></body></html>",
        "<html><body><table><tr><td sdnum='1031;0;0.00'>1</td></tr></table></body></html>",
        "<html><body><table><tr><td sdnum='1031;0;0.00' sdval='1'>1</td></tr></table></body></html>",
        "<html><body><p>Hello</p><p>Extra</p></body></html>", "<p>Hello</p>", "", "<html><body>\n<p>Hello</p>\n</body></html>"]


def htmls(gen):
    rng = gen.rng
    pages = [h for h in HTML if h]
    for i in range(35):
        a, b = rng.choice(pages), rng.choice(pages)
        opts = {"ignore_sdnum": True} if rng.random() < 0.4 else {}
        c = case("compare_htmls", f"html {HTML.index(a)} vs {HTML.index(b)}", gen.file(gen.write(a, ".html")), gen.file(gen.write(b, ".html")))
        c["options"] = opts
        yield c
    # zip() over the two documents' nodes stops at the shorter: an empty file matches anything.
    yield case("compare_htmls", "a page vs an empty file", gen.file(gen.write(HTML[0], ".html")),
               gen.file(gen.write("", ".html")))
    yield case("compare_htmls", "an empty file vs a page", gen.file(gen.write("", ".html")),
               gen.file(gen.write(HTML[0], ".html")))
    yield case("compare_htmls", "a cell outside a table",
               gen.file(gen.write("<html><body><td sdnum='1033;0;0.00'>1</td></body></html>", ".html")),
               gen.file(gen.write("<html><body><td sdnum='1031;0;0.00'>1</td></body></html>", ".html")))
    yield case("compare_htmls", "missing", gen.missing(), gen.file(gen.write(HTML[0], ".html")))


def cases(gen):
    yield from active_tab(gen)
    yield from url_pattern(gen)
    yield from search_query(gen)
    yield from installed(gen)
    yield from tabs(gen)
    yield from bookmarks(gen)
    yield from cookies_history(gen)
    yield from shortcuts_fonts_cart(gen)
    yield from in_list(gen)
    yield from htmls(gen)
