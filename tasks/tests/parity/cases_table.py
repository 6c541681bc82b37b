"""Cases for OSWorld's table.py metrics deskhand implements: compare_csv, and compare_table
with the rules deskhand runs (sheet_name, sheet_data, sheet_print, sheet_fuzzy, check_cell on
value), on workbooks written by openpyxl and csv files written by pandas and the csv module."""

import copy
import csv
import datetime
import io

from pathlib import Path

import openpyxl
import pandas as pd

from common import WORDS, bend, pick_words

M = "table"


def case(metric, name, result, expected, options):
    c = {"metric": metric, "module": M, "name": name, "result": result, "options": options}
    if expected is not None:
        c["expected"] = expected
    return c


# compare_csv -----------------------------------------------------------------------------------


def csv_text(rows, dialect_lineterminator="\n"):
    out = io.StringIO()
    csv.writer(out, lineterminator=dialect_lineterminator).writerows(rows)
    return out.getvalue()


def random_rows(rng, n_rows, n_cols):
    cells = WORDS + ["", "1", "2.50", "-3", "1,000", "  padded  ", "Über"]
    return [[rng.choice(cells) for _ in range(n_cols)] for _ in range(n_rows)]


def compare_csv(gen):
    rng = gen.rng
    for i in range(40):
        rows = random_rows(rng, rng.randint(0, 5), rng.randint(1, 4))
        text = csv_text(rows)
        other, how = bend(rng, text)
        if rng.random() < 0.15:
            other, how = other.rstrip("\n") + "\n\n", "extra blank line"
        if rng.random() < 0.1:
            other, how = other.rstrip("\n"), "no final newline"
        opts = {}
        if rng.random() < 0.4:
            opts["strict"] = rng.choice([False, True])
        if rng.random() < 0.4:
            opts["ignore_case"] = True
        yield case("compare_csv", how, gen.file(gen.write(other, ".csv")),
                   gen.file(gen.write(text, ".csv")), opts)
    for i in range(6):
        df = pd.DataFrame({"a": [rng.randint(0, 9) for _ in range(3)],
                           "b": [rng.choice(WORDS) for _ in range(3)],
                           "c": [rng.random() for _ in range(3)]})
        p1, p2 = gen.path(".csv"), gen.path(".csv")
        df.to_csv(p1, index=False)
        df2 = df.copy()
        if rng.random() < 0.5:
            df2.loc[1, "c"] = df2.loc[1, "c"] + 1e-9
        df2.to_csv(p2, index=False, encoding=rng.choice(["utf-8", "utf-8-sig"]))
        yield case("compare_csv", "pandas to_csv", gen.file(p2), gen.file(p1), {})
    gold = gen.write("a,b\n1,2\n", ".csv")
    yield case("compare_csv", "BOM in the result", gen.file(gen.write("\ufeffa,b\n1,2\n", ".csv")),
               gen.file(gold), {})
    yield case("compare_csv", "BOM in the result, not strict",
               gen.file(gen.write("\ufeffa,b\n1,2\n", ".csv")), gen.file(gold), {"strict": False})
    yield case("compare_csv", "BOM in both", gen.file(gen.write("\ufeffa,b\n", ".csv")),
               gen.file(gen.write("\ufeffa,b\n", ".csv")), {})
    yield case("compare_csv", "CRLF vs LF", gen.file(gen.write("a,b\r\n1,2\r\n", ".csv")),
               gen.file(gold), {})
    yield case("compare_csv", "Latin-1 vs UTF-8", gen.file(gen.write("Über,1\n", ".csv", "latin-1")),
               gen.file(gen.write("Über,1\n", ".csv")), {})
    yield case("compare_csv", "Latin-1 both", gen.file(gen.write("Über,1\n", ".csv", "latin-1")),
               gen.file(gen.write("Über,1\n", ".csv", "latin-1")), {})
    yield case("compare_csv", "BOM then not UTF-8", gen.file(gen.write(b"\xef\xbb\xbfa\xe9\n")),
               gen.file(gen.write("\u00ef\u00bb\u00bfa\u00e9\n", ".csv")), {})
    yield case("compare_csv", "UTF-16", gen.file(gen.write("a,b\n", ".csv", "utf-16")),
               gen.file(gen.write("a,b\n", ".csv")), {})
    yield case("compare_csv", "missing", gen.missing(), gen.file(gold), {})
    yield case("compare_csv", "not there", gen.file(gen.path(".csv")), gen.file(gold), {})
    yield case("compare_csv", "both empty", gen.file(gen.write("", ".csv")),
               gen.file(gen.write("", ".csv")), {})
    yield case("compare_csv", "empty vs one blank line", gen.file(gen.write("", ".csv")),
               gen.file(gen.write("\n", ".csv")), {})
    yield case("compare_csv", "several golds, the second matches", gen.file(gen.write("x\n", ".csv")),
               gen.files([gen.path(".csv"), gold, gen.write("x\n", ".csv")]), {})
    yield case("compare_csv", "several golds, none matches", gen.file(gen.write("x\n", ".csv")),
               gen.files([gold, gen.write("y\n", ".csv")]), {})
    yield case("compare_csv", "strict as a string", gen.file(gen.write(" a\n", ".csv")),
               gen.file(gen.write("a\n", ".csv")), {"strict": "false"})
    yield case("compare_csv", "sigma, case ignored", gen.file(gen.write("ΟΔΟΣ\n", ".csv")),
               gen.file(gen.write("οδος\n", ".csv")), {"ignore_case": True})


# compare_table ---------------------------------------------------------------------------------

SHEET_NAMES = ["Sheet1", "Sheet2", "Data", "Über"]


def random_table(rng):
    """A header row and a few rows; each column of one kind, sometimes with a hole."""
    n_cols = rng.randint(1, 4)
    n_rows = rng.randint(0, 5)
    kinds = [rng.choice(["int", "float", "str", "mixed", "bool", "date"]) for _ in range(n_cols)]
    header = [rng.choice(["id", "name", "price", "Total", "", "id", "Über"]) for _ in range(n_cols)]
    rows = []
    for _ in range(n_rows):
        row = []
        for k in kinds:
            if k == "int":
                v = rng.randint(-5, 100)
            elif k == "float":
                v = round(rng.uniform(-10, 10), rng.randint(0, 6))
            elif k == "str":
                v = rng.choice(WORDS + ["NA", "null", "TRUE", " lead", "trail "])
            elif k == "bool":
                v = rng.choice([True, False])
            elif k == "date":
                v = datetime.datetime(2024, rng.randint(1, 12), rng.randint(1, 28))
            else:
                v = rng.choice([1, 2.5, "3", "x", None])
            if rng.random() < 0.1:
                v = None
            row.append(v)
        rows.append(row)
    return [header] + rows


def bend_table(rng, table):
    t = copy.deepcopy(table)
    how = rng.choice(["same", "same", "same", "value", "tiny", "int-float", "text-number", "case",
                      "blank-row", "drop-row", "space"])
    cells = [(r, c) for r in range(1, len(t)) for c in range(len(t[r]))]
    if how == "blank-row":
        t.append([None] * len(t[0]))
    elif how == "drop-row" and len(t) > 1:
        t.pop()
    elif cells:
        r, c = rng.choice(cells)
        v = t[r][c]
        if how == "value":
            t[r][c] = rng.choice(WORDS + [7, 0.5, None])
        elif how == "tiny" and isinstance(v, float):
            t[r][c] = v + rng.choice([1e-6, 4e-5, 1e-3])
        elif how == "int-float" and isinstance(v, (int, float)) and not isinstance(v, bool):
            t[r][c] = float(v) if isinstance(v, int) else int(v)
        elif how == "text-number" and isinstance(v, (int, float)) and not isinstance(v, bool):
            t[r][c] = str(v)
        elif how == "case" and isinstance(v, str):
            t[r][c] = v.upper()
        elif how == "space" and isinstance(v, str):
            t[r][c] = v + " "
        else:
            how = "same"
    return t, how


def printed(v):
    """A cell as LibreOffice prints it into csv (roughly: enough for sheet_print cases)."""
    if v is None:
        return ""
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, datetime.datetime):
        return v.strftime("%m/%d/%y")
    return str(v)


def write_book(gen, sheets, with_csv=False):
    """Writes an xlsx of {name: table}; with_csv also writes `<stem>-<sheet>.csv` beside it."""
    path = gen.path(".xlsx")
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, table in sheets.items():
        ws = wb.create_sheet(name)
        for row in table:
            ws.append(row)
    wb.save(path)
    if with_csv:
        for name, table in sheets.items():
            text = csv_text([[printed(v) for v in row] for row in table])
            with open(path.with_name(f"{path.stem}-{name}.csv"), "w", encoding="utf-8", newline="") as f:
                f.write(text)
    return path


def random_book(rng):
    names = rng.sample(SHEET_NAMES, rng.randint(1, 2))
    return {n: random_table(rng) for n in names}


def bend_book(rng, book):
    book = {n: t for n, t in book.items()}
    how = []
    for n in list(book):
        book[n], h = bend_table(rng, book[n])
        how.append(h)
    r = rng.random()
    if r < 0.08:
        book["Extra"] = [["x"]]
        how.append("extra sheet")
    elif r < 0.14 and len(book) > 1:
        book = dict(reversed(list(book.items())))
        how.append("sheets swapped")
    elif r < 0.2:
        first = next(iter(book))
        book = {("Renamed" if n == first else n): t for n, t in book.items()}
        how.append("sheet renamed")
    return book, "/".join(how)


def sheet_refs(rng, gold):
    first = next(iter(gold))
    return rng.choice([(0, "EI0"), ("RI0", "EI0"), (f"RN{first}", f"EN{first}"), ("RI5", "EI0"),
                       ("RNnope", "EI0"), ("RI0", "RI0")])


def fuzzy_rule(rng):
    r = {"range": [rng.choice(["A1:B3", "A2:D6", "B2", "$A$1:$A$1"])],
         "type": rng.choice(["exact_match", "includes", "included_by", "fuzzy_match"])}
    if r["type"] == "fuzzy_match" and rng.random() < 0.5:
        r["threshold"] = rng.choice([50, 85, 99])
    if rng.random() < 0.3:
        r["ignore_case"] = True
    if rng.random() < 0.2:
        r["trim_leadings"] = " +"
    if rng.random() < 0.2:
        r["trim_trailings"] = " 0."
    if rng.random() < 0.2:
        r["ignore_chars"] = " ()"
    if rng.random() < 0.2:
        r["normalization"] = [["Rd", "Road"], ["1", "one"]]
    return r


def cell_rule(rng, table):
    r, c = rng.randint(1, 6), rng.randint(1, 4)
    coordinate = f"{'ABCD'[c - 1]}{r}"
    v = table[r - 1][c - 1] if r - 1 < len(table) and c - 1 < len(table[r - 1]) else None
    if isinstance(v, datetime.datetime) or isinstance(v, bool):
        v = None
    ref = v if rng.random() < 0.6 else rng.choice([1, 2.5, "x", "id", 0])
    method = rng.choice(["eq", "eq", "ne", "lt", "ge", "approx:0.01", "re", "re.I", "str_list_eq",
                         "str_set_eq", "range.te"])
    if method.startswith("re"):
        ref = rng.choice(["^[a-z]", r"\d", "ALPHA", "^$", "."])
    elif method.startswith("approx"):
        ref = v if isinstance(v, (int, float)) else 2.5
    elif method.startswith("str_"):
        ref = rng.choice([["a", "b"], [str(v)], ["id"]])
    elif method.startswith("range"):
        ref = [0, 50]
    return {"type": "check_cell", "sheet_idx": rng.choice([0, "RI0"]), "coordinate": coordinate,
            "props": {"value": {"method": method, "ref": ref}}}


def compare_table(gen):
    rng = gen.rng
    for i in range(150):
        gold = random_book(rng)
        result, how = bend_book(rng, gold)
        want_print = rng.random() < 0.3
        rules = []
        for kind in rng.sample(["sheet_name", "sheet_data", "sheet_data", "sheet_print", "sheet_fuzzy",
                                "check_cell"], rng.randint(1, 3)):
            if kind == "sheet_name":
                rules.append({"type": "sheet_name"})
            elif kind == "sheet_data":
                a, b = sheet_refs(rng, gold)
                r = {"type": "sheet_data", "sheet_idx0": a, "sheet_idx1": b}
                if rng.random() < 0.3:
                    r["precision"] = rng.choice([0, 2, 6])
                rules.append(r)
            elif kind == "sheet_print":
                first = next(iter(gold))
                r = {"type": "sheet_print", "sheet_idx0": f"RN{first}", "sheet_idx1": f"EN{first}"}
                if rng.random() < 0.3:
                    r["ignore_case"] = True
                rules.append(r)
                want_print = True
            elif kind == "sheet_fuzzy":
                a, b = sheet_refs(rng, gold)
                rules.append({"type": "sheet_fuzzy", "sheet_idx0": a, "sheet_idx1": b,
                              "rules": [fuzzy_rule(rng) for _ in range(rng.randint(1, 2))]})
            else:
                rules.append(cell_rule(rng, next(iter(result.values()))))
        rp = write_book(gen, result, want_print)
        ep = write_book(gen, gold, want_print)
        yield case("compare_table", f"{how}: {', '.join(r['type'] for r in rules)}", gen.file(rp),
                   gen.file(ep), {"rules": rules})
    for i in range(40):
        table = random_table(rng)
        rp = write_book(gen, {"Sheet1": table})
        yield case("compare_table", "check_cell alone", gen.file(rp), None,
                   {"rules": [cell_rule(rng, table) for _ in range(rng.randint(1, 2))]})
    # Edge cases.
    g = {"Sheet1": [["a", "b"], [1, 2.5], [3, None]]}
    gp = write_book(gen, g, True)
    data = {"rules": [{"type": "sheet_data", "sheet_idx0": 0, "sheet_idx1": "EI0"}]}
    yield case("compare_table", "missing result", gen.missing(), gen.file(gp), data)
    yield case("compare_table", "result not there", gen.file(gen.path(".xlsx")), gen.file(gp), data)
    yield case("compare_table", "result not a workbook", gen.file(gen.write("junk", ".xlsx")), gen.file(gp), data)
    yield case("compare_table", "same", gen.file(write_book(gen, g)), gen.file(gp), data)
    yield case("compare_table", "csv result (openpyxl refuses csv)",
               gen.file(gen.write("a,b\n1,2.5\n3,\n", ".csv")), gen.file(gp), data)
    yield case("compare_table", "empty sheets", gen.file(write_book(gen, {"Sheet1": []})),
               gen.file(write_book(gen, {"Sheet1": []})), data)
    yield case("compare_table", "empty vs header only", gen.file(write_book(gen, {"Sheet1": []})),
               gen.file(write_book(gen, {"Sheet1": [["a"]]})), data)
    yield case("compare_table", "leading empty row", gen.file(write_book(gen, {"Sheet1": [[None, None]] + g["Sheet1"]})),
               gen.file(gp), data)
    yield case("compare_table", "empty string cell", gen.file(write_book(gen, {"Sheet1": [["a", "b"], ["", 2.5]]})),
               gen.file(write_book(gen, {"Sheet1": [["a", "b"], [None, 2.5]]})), data)
    yield case("compare_table", "unicode sheet name", gen.file(write_book(gen, {"Über": g["Sheet1"]})),
               gen.file(write_book(gen, {"Über": g["Sheet1"]})),
               {"rules": [{"type": "sheet_data", "sheet_idx0": "RNÜber", "sheet_idx1": "ENÜber"}]})
    yield case("compare_table", "sheet_print, csv missing on the result side",
               gen.file(write_book(gen, g)), gen.file(gp),
               {"rules": [{"type": "sheet_print", "sheet_idx0": "RNSheet1", "sheet_idx1": "ENSheet1"}]})
    bom = write_book(gen, g)
    with open(bom.with_name(f"{bom.stem}-Sheet1.csv"), "w", encoding="utf-8-sig", newline="") as f:
        f.write(csv_text([[printed(v) for v in row] for row in g["Sheet1"]]))
    yield case("compare_table", "sheet_print, BOM in the result's csv", gen.file(bom), gen.file(gp),
               {"rules": [{"type": "sheet_print", "sheet_idx0": "RNSheet1", "sheet_idx1": "ENSheet1"}]})
    yield case("compare_table", "check_cell on a missing sheet", gen.file(gp), None,
               {"rules": [{"type": "check_cell", "sheet_idx": "RNnope", "coordinate": "A1",
                           "props": {"value": {"method": "eq", "ref": "a"}}}]})
    yield case("compare_table", "check_cell, empty cell vs None", gen.file(gp), None,
               {"rules": [{"type": "check_cell", "sheet_idx": 0, "coordinate": "B3",
                           "props": {"value": {"method": "eq", "ref": None}}}]})
    yield case("compare_table", "check_cell, int read as float", gen.file(gp), None,
               {"rules": [{"type": "check_cell", "sheet_idx": 0, "coordinate": "A2",
                           "props": {"value": {"method": "eq", "ref": 1}}}]})
    odd = write_book(gen, {"Sheet1": [["a", "b", "c"], ["=1+1", True, "#N/A"], [0.1 + 0.2, -0.0, 1e-7]]})
    for coordinate, ref in [("A2", 2), ("A2", "=1+1"), ("B2", True), ("B2", None), ("C2", "#N/A"),
                            ("A3", 0.3), ("B3", 0), ("C3", 1e-7), ("D9", None)]:
        yield case("compare_table", f"check_cell {coordinate} eq {ref!r} (formula, bool, text)",
                   gen.file(odd), None,
                   {"rules": [{"type": "check_cell", "sheet_idx": 0, "coordinate": coordinate,
                               "props": {"value": {"method": "eq", "ref": ref}}}]})
    yield case("compare_table", "sheet_data, formula without a cached value", gen.file(odd),
               gen.file(write_book(gen, {"Sheet1": [["a", "b", "c"], [None, True, "#N/A"],
                                                    [0.1 + 0.2, -0.0, 1e-7]]})), data)
    yield case("compare_table", "sheet_data, 0.30000000000000004 vs 0.3", gen.file(odd),
               gen.file(write_book(gen, {"Sheet1": [["a", "b", "c"], ["=1+1", True, "#N/A"],
                                                    [0.3, 0, 1e-7]]})), data)
    halves = lambda x: {"Sheet1": [["v"], [x]]}  # noqa: E731
    for a, b, p in [(0.125, 0.12, 2), (0.135, 0.14, 2), (2.5, 2, 0), (3.5, 4, 0), (1.00005, 1.0, 4)]:
        yield case("compare_table", f"rounding {a} vs {b} at {p}", gen.file(write_book(gen, halves(a))),
                   gen.file(write_book(gen, halves(b))),
                   {"rules": [{"type": "sheet_data", "sheet_idx0": 0, "sheet_idx1": "EI0", "precision": p}]})
    fuzzy = {"type": "sheet_fuzzy", "sheet_idx0": "RNSheet1", "sheet_idx1": "ENSheet1"}
    yield case("compare_table", "sheet_fuzzy, ranges in one string", gen.file(gp), gen.file(gp),
               {"rules": [{**fuzzy, "rules": [{"range": "A1:B2 A3", "type": "exact_match"}]}]})
    yield case("compare_table", "sheet_fuzzy, two ranges in one list item", gen.file(gp), gen.file(gp),
               {"rules": [{**fuzzy, "rules": [{"range": ["A1:B2 A3"], "type": "exact_match"}]}]})
    yield case("compare_table", "sheet_fuzzy, reversed range", gen.file(gp), gen.file(gp),
               {"rules": [{**fuzzy, "rules": [{"range": ["B3:A1"], "type": "exact_match"}]}]})
    yield case("compare_table", "no rules", gen.file(gp), gen.file(gp), {"rules": []})


FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "table"


def libreoffice_books(gen):
    """Workbooks LibreOffice wrote (tests/fixtures/table): cached formula values, dates, styles."""
    rng = gen.rng
    books = ["sales.xlsx", "sales_gold.xlsx", "sales_twin.xlsx", "sales_wrong.xlsx"]
    for a in books:
        for b in books:
            ra, rb = FIXTURES / a, FIXTURES / b
            for rules in (
                [{"type": "sheet_data", "sheet_idx0": "RI0", "sheet_idx1": "EI0"}],
                [{"type": "sheet_data", "sheet_idx0": 0, "sheet_idx1": "EI0", "precision": 2}],
                [{"type": "sheet_name"}],
                [{"type": "sheet_print", "sheet_idx0": "RI0", "sheet_idx1": "EI0"}],
                [{"type": "sheet_fuzzy", "sheet_idx0": "RI0", "sheet_idx1": "EI0",
                  "rules": [{"range": ["A1:D4"], "type": rng.choice(["exact_match", "fuzzy_match"])}]}],
            ):
                yield case("compare_table", f"LibreOffice {a} vs {b}: {rules[0]['type']}", gen.file(ra),
                           gen.file(rb), {"rules": rules})
    book = openpyxl.load_workbook(FIXTURES / "book.xlsx", data_only=True)
    for ws in book:
        for row in ws.iter_rows(min_row=1, max_row=4, max_col=5):
            for cell in row:
                v = cell.value
                if isinstance(v, datetime.datetime):
                    v = None
                for ref, method in [(v, "eq"), (rng.choice([1, "Total", 0.5, None]), "eq"), (v, "ne")]:
                    if isinstance(v, (int, float)) and rng.random() < 0.5:
                        ref, method = v, "approx:0.001"
                    yield case("compare_table", f"LibreOffice book.xlsx {ws.title}!{cell.coordinate} {method} {ref!r}",
                               gen.file(FIXTURES / "book.xlsx"), None,
                               {"rules": [{"type": "check_cell", "sheet_idx": f"RN{ws.title}",
                                           "coordinate": cell.coordinate,
                                           "props": {"value": {"method": method, "ref": ref}}}]})


def merged(gen):
    """check_cell's merge prop: a cell covered by a merged range but not its first cell."""
    rng = gen.rng
    for i in range(30):
        wb = openpyxl.Workbook()
        ws = wb.active
        ws.title = "Sheet1"
        for r in range(1, 5):
            ws.append([f"{r}{c}" for c in "ABCD"])
        ranges = rng.sample(["A1:B2", "C1:C3", "B3:D3", "D4:D4", "A4:B4"], rng.randint(0, 2))
        for rg in ranges:
            try:
                ws.merge_cells(rg)
            except ValueError:
                pass
        p = gen.path(".xlsx")
        wb.save(p)
        coordinate = f"{rng.choice('ABCD')}{rng.randint(1, 4)}"
        props = {"merge": {"method": "eq", "ref": rng.choice([True, False])}}
        if rng.random() < 0.3:
            props["value"] = {"method": "eq", "ref": rng.choice([None, "1A", f"{coordinate[1]}{coordinate[0]}"])}
        yield case("compare_table", f"merge at {coordinate} in {ranges}", gen.file(p), None,
                   {"rules": [{"type": "check_cell", "sheet_idx": 0, "coordinate": coordinate, "props": props}]})


def cases(gen):
    yield from compare_csv(gen)
    yield from compare_table(gen)
    yield from merged(gen)
    yield from libreoffice_books(gen)
