"""Cases for deskhand's docx module (OSWorld's docs.py): compare_docx_files,
compare_docx_files_and_ignore_new_lines and compare_docx_tables, on documents written by
python-docx (which OSWorld reads them with), some with raw XML for what python-docx's API does
not write (hyperlinks, tracked insertions, page breaks, merged cells)."""

import copy

import docx
from docx.enum.text import WD_BREAK
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls

from common import WORDS

M = "docs"

SAFE = [w for w in WORDS]


def case(metric, name, result, expected, options=None):
    return {"metric": metric, "module": M, "name": name, "result": result, "expected": expected,
            "options": options or {}}


def add(d, text, rng=None):
    """A paragraph with `text` split into runs at random points (tabs and newlines kept)."""
    p = d.add_paragraph()
    if rng is None or len(text) < 2:
        p.add_run(text)
        return p
    cuts = sorted(rng.sample(range(1, len(text)), min(2, len(text) - 1)))
    last = 0
    for c in cuts + [len(text)]:
        p.add_run(text[last:c])
        last = c
    return p


def save(gen, d, suffix=".docx"):
    p = gen.path(suffix)
    d.save(p)
    return p


def doc(gen, paragraphs, rng=None, suffix=".docx"):
    d = docx.Document()
    for t in paragraphs:
        add(d, t, rng)
    return save(gen, d, suffix)


def bend_paragraphs(rng, ps):
    ps = list(ps)
    how = rng.choice(["same", "same", "upper", "space", "order", "blank", "drop", "word", "tab", "nl"])
    if not ps:
        return ps, how
    i = rng.randrange(len(ps))
    if how == "upper":
        ps[i] = ps[i].upper()
    elif how == "space":
        ps[i] = ps[i] + "  "
    elif how == "order":
        rng.shuffle(ps)
    elif how == "blank":
        ps.insert(i, rng.choice(["", " ", "\t"]))
    elif how == "drop":
        del ps[i]
    elif how == "word":
        ps[i] = ps[i] + " " + rng.choice(SAFE)
    elif how == "tab":
        ps[i] = ps[i].replace(" ", "\t", 1)
    elif how == "nl":
        ps[i] = ps[i].replace(" ", "\n", 1)
    return ps, how


def words(rng, n):
    return " ".join(rng.choice(SAFE) for _ in range(n))


OPTION_SETS = [
    {}, {"ignore_blanks": False}, {"ignore_blanks": True, "ignore_case": True, "ignore_order": True},
    {"ignore_blanks": True, "ignore_order": True, "content_only": True, "delete_empty_lines": True},
    {"content_only": True}, {"fuzzy_match": True}, {"ignore_case": True, "ignore_blanks": True},
    {"ignore_blanks": False, "fuzzy_match": True}, {"ignore_blanks": False, "ignore_case": True},
    {"ignore_blanks": "false"}, {"ignore_blanks": 0, "delete_empty_lines": 1, "ignore_order": True},
    {"ignore_blanks": False, "fuzzy_match": True, "ignore_case": True},
]


def raw_paragraph(xml):
    return parse_xml(f"<w:p {nsdecls('w', 'r')}>{xml}</w:p>")


def quirks(gen):
    """Documents whose text python-docx reads in its own way."""
    out = {}
    d = docx.Document()
    d.add_paragraph("before")
    d.element.body.insert(1, raw_paragraph(
        '<w:hyperlink r:id="rId99"><w:r><w:t>link</w:t></w:r></w:hyperlink><w:r><w:t xml:space="preserve"> text</w:t></w:r>'))
    out["hyperlink"] = save(gen, d)
    d = docx.Document()
    d.add_paragraph("before")
    d.element.body.insert(1, raw_paragraph(
        '<w:r><w:t>kept</w:t></w:r><w:ins w:id="1" w:author="a"><w:r><w:t>inserted</w:t></w:r></w:ins>'))
    out["insertion"] = save(gen, d)
    d = docx.Document()
    p = d.add_paragraph("page")
    p.add_run().add_break(WD_BREAK.PAGE)
    p.add_run("break")
    out["page break"] = save(gen, d)
    d = docx.Document()
    p = d.add_paragraph("line")
    p.add_run().add_break(WD_BREAK.LINE)
    p.add_run("break")
    out["line break"] = save(gen, d)
    d = docx.Document()
    d.add_paragraph("outside")
    t = d.add_table(rows=1, cols=1)
    t.cell(0, 0).text = "inside"
    out["table"] = save(gen, d)
    d = docx.Document()
    d.element.body.insert(0, raw_paragraph(
        '<w:r><w:t>a</w:t><w:tab/><w:t>b</w:t><w:noBreakHyphen/><w:t>c</w:t><w:cr/><w:t>&amp;&lt;</w:t></w:r>'))
    out["inner content"] = save(gen, d)
    return out


def compare(gen):
    rng = gen.rng
    for i in range(60):
        gold = [words(rng, rng.randint(1, 5)) for _ in range(rng.randint(0, 4))]
        pred, how = bend_paragraphs(rng, gold)
        options = OPTION_SETS[i % len(OPTION_SETS)]
        yield case("compare_docx_files", f"{how}, {sorted(options)}", gen.file(doc(gen, pred, rng)),
                   gen.file(doc(gen, gold)), options)
    g = doc(gen, ["Hello World", "second"])
    q = quirks(gen)
    texts = {
        "hyperlink": ["before", "link text"],
        "insertion": ["before", "kept"],
        "page break": ["pagebreak"],
        "line break": ["line\nbreak"],
        "table": ["outside"],
        "inner content": ["a\tb-c\n&<"],
    }
    for name, p in q.items():
        for options in [{}, {"ignore_blanks": False}]:
            yield case("compare_docx_files", f"{name}, {options}", gen.file(p),
                       gen.file(doc(gen, texts[name])), options)
            yield case("compare_docx_files", f"{name} vs wrong, {options}", gen.file(p),
                       gen.file(doc(gen, [t + "x" for t in texts[name]])), options)
    yield case("compare_docx_files", "missing result", gen.missing(), gen.file(g))
    yield case("compare_docx_files", "missing expected", gen.file(g), gen.missing())
    yield case("compare_docx_files", "not a docx", gen.file(gen.write("junk", ".docx")), gen.file(g))
    yield case("compare_docx_files", "a docx named .txt", gen.file(doc(gen, ["Hello World", "second"], suffix=".txt")),
               gen.file(g))
    yield case("compare_docx_files", "upper-case suffix", gen.file(doc(gen, ["Hello World", "second"], suffix=".DOCX")),
               gen.file(g))
    yield case("compare_docx_files", "same file", gen.file(g), gen.file(g), {"ignore_blanks": False})
    yield case("compare_docx_files", "both empty, fuzzy per paragraph", gen.file(doc(gen, [])),
               gen.file(doc(gen, [])), {"ignore_blanks": False, "fuzzy_match": True})
    yield case("compare_docx_files", "unicode case", gen.file(doc(gen, ["ΣΟΦΟΣ İstanbul STRASSE"])),
               gen.file(doc(gen, ["σοφος i̇stanbul strasse"])), {"ignore_case": True})
    yield case("compare_docx_files", "nbsp is a blank", gen.file(doc(gen, ["a\u00a0b"])),
               gen.file(doc(gen, ["a b"])), {})
    yield case("compare_docx_files", "spaces at the ends", gen.file(doc(gen, ["  a b  ", ""])),
               gen.file(doc(gen, ["a b"])), {})


def ignore_new_lines(gen):
    rng = gen.rng
    metric = "compare_docx_files_and_ignore_new_lines"
    for i in range(30):
        gold = [words(rng, rng.randint(1, 4)) for _ in range(rng.randint(0, 4))]
        pred, how = bend_paragraphs(rng, gold)
        options = [{}, {"ignore_blanks": False}, {"ignore_blanks": True}][i % 3]
        yield case(metric, f"{how}, {options}", gen.file(doc(gen, pred, rng)), gen.file(doc(gen, gold)), options)
    g = doc(gen, ["a", "b"])
    yield case(metric, "empty paragraphs dropped", gen.file(doc(gen, ["", "a", "", "b", ""])), gen.file(g),
               {"ignore_blanks": False})
    yield case(metric, "a blank paragraph kept", gen.file(doc(gen, [" ", "a", "b"])), gen.file(g),
               {"ignore_blanks": False})
    yield case(metric, "missing", gen.missing(), gen.file(g))
    yield case(metric, "odt", gen.file(gen.write("x", ".odt")), gen.file(gen.write("x", ".odt")))
    yield case(metric, "not a docx", gen.file(gen.write("junk", ".docx")), gen.file(g))


def table_doc(gen, rows, merges=(), extra_tables=0, paragraph=None):
    d = docx.Document()
    if paragraph:
        d.add_paragraph(paragraph)
    ncols = max((len(r) for r in rows), default=0)
    if rows and ncols:
        t = d.add_table(rows=len(rows), cols=ncols)
        for i, r in enumerate(rows):
            for j, v in enumerate(r):
                t.cell(i, j).text = v
        for (a, b) in merges:
            t.cell(*a).merge(t.cell(*b))
    for _ in range(extra_tables):
        d.add_table(rows=1, cols=1).cell(0, 0).text = "x"
    return save(gen, d)


def tables(gen):
    rng = gen.rng
    metric = "compare_docx_tables"
    for i in range(40):
        nr, nc = rng.randint(1, 3), rng.randint(1, 3)
        gold = [[rng.choice(SAFE) for _ in range(nc)] for _ in range(nr)]
        pred = copy.deepcopy(gold)
        how = rng.choice(["same", "same", "cell", "space", "row", "col", "case", "merge", "table", "para"])
        merges, extra, para = (), 0, None
        if how == "cell":
            pred[rng.randrange(nr)][rng.randrange(nc)] = rng.choice(SAFE)
        elif how == "space":
            pred[rng.randrange(nr)][rng.randrange(nc)] += rng.choice([" ", "\n", "\t"])
        elif how == "row":
            pred.append([rng.choice(SAFE) for _ in range(nc)])
        elif how == "col":
            pred = [r + ["x"] for r in pred]
        elif how == "case":
            pred[0][0] = pred[0][0].upper()
        elif how == "merge" and nc > 1:
            merges = [((0, 0), (0, 1))]
        elif how == "merge" and nr > 1:
            merges = [((0, 0), (1, 0))]
        elif how == "table":
            extra = 1
        elif how == "para":
            para = "text"
        yield case(metric, f"{nr}x{nc}, {how}", gen.file(table_doc(gen, pred, merges, extra, para)),
                   gen.file(table_doc(gen, gold)))
    g = table_doc(gen, [["a", "b"], ["c", "d"]])
    yield case(metric, "merged both", gen.file(table_doc(gen, [["a", "b"], ["c", "d"]], [((0, 0), (1, 1))])),
               gen.file(table_doc(gen, [["a", "b"], ["c", "d"]], [((0, 0), (1, 1))])))
    yield case(metric, "merged row vs gold", gen.file(table_doc(gen, [["a", "b"], ["c", "d"]], [((0, 0), (0, 1))])),
               gen.file(table_doc(gen, [["a b", "a b"], ["c", "d"]])))
    yield case(metric, "no tables", gen.file(doc(gen, ["a"])), gen.file(doc(gen, ["b"])))
    yield case(metric, "missing", gen.missing(), gen.file(g))
    yield case(metric, "not a docx", gen.file(gen.write("junk", ".docx")), gen.file(g))
    yield case(metric, "same", gen.file(g), gen.file(g))


def cases(gen):
    yield from compare(gen)
    yield from ignore_new_lines(gen)
    yield from tables(gen)
