"""Pieces the case generators share: tricky strings and ways to bend them."""

# Words with what trips comparisons up: case, unicode (final sigma, dotted I, sharp s),
# whitespace of several kinds, quotes, numbers as text, Python's None/True spelled out.
WORDS = [
    "alpha", "Beta", "GAMMA", "γάμμα", "ΣΟΦΟΣ", "İstanbul", "straße", "日本語", "naïve",
    "x", "42", "1.0", "True", "None", "null", "it's", '"quoted"', "back\\slash",
    "tab\there", "nbsp\u00a0space", "emoji 🎉", "vlc.desktop", "/home/user/Desktop",
    "%user", "a.b*c", "(paren)", "[br]", "$dollar",
]

# Values as a getter's JSON may hold them: numbers vs strings vs booleans, nested.
VALUES = [
    0, 1, 1.0, 2.5, -3, 10**12, True, False, None, "", "1", "1.0", "true", "True", "a",
    "Zürich", [], [1, 2], [2, 1], [1.0, 2.0], ["a", "b"], ["b", "a"], {}, {"k": 1},
    {"k": 1.0}, {"k": [1, 2]}, {"a": 1, "b": 2},
]


def pick_words(rng, n):
    return [rng.choice(WORDS) for _ in range(n)]


def bend(rng, s):
    """`s` or a near miss of it: case changed, whitespace added or dropped, a BOM, CRLF."""
    how = rng.choice(
        ["same", "same", "upper", "lower", "strip", "nl", "space", "tab", "crlf", "bom", "drop"]
    )
    if how == "upper":
        return s.upper(), how
    if how == "lower":
        return s.lower(), how
    if how == "strip":
        return s.strip(), how
    if how == "nl":
        return s + "\n", how
    if how == "space":
        return " " + s, how
    if how == "tab":
        return s.replace(" ", "\t"), how
    if how == "crlf":
        return s.replace("\n", "\r\n"), how
    if how == "bom":
        return "\ufeff" + s, how
    if how == "drop" and s:
        i = rng.randrange(len(s))
        return s[:i] + s[i + 1 :], how
    return s, "same"
