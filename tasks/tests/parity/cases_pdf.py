"""Cases for deskhand's pdf module: compare_pdfs (OSWorld's chrome.py) and check_pdf_pages
(pdf.py), on PDFs written by PyMuPDF (which OSWorld also reads them with)."""

import fitz

from common import WORDS

M = "chrome"


def pdf(gen, pages):
    """A PDF with one page per text (lines at 14 pt spacing, Helvetica)."""
    p = gen.path(".pdf")
    doc = fitz.open()
    for text in pages:
        page = doc.new_page()
        if text:
            page.insert_text((72, 72), text, fontsize=11)
    doc.save(p)
    doc.close()
    return p


def words(rng, n):
    return " ".join(w for w in rng.sample(WORDS[:14], n) if w.isascii())


def compare(gen):
    rng = gen.rng
    for i in range(30):
        gold = [words(rng, rng.randint(1, 5)) for _ in range(rng.randint(1, 2))]
        pred = list(gold)
        r = rng.random()
        if r < 0.3:
            pred[0] = words(rng, rng.randint(1, 5))
        elif r < 0.4:
            pred = pred + ["extra page"]
        elif r < 0.5:
            pred[0] = pred[0].upper()
        yield {"metric": "compare_pdfs", "module": M, "name": "one line a page",
               "result": gen.file(pdf(gen, pred)), "expected": gen.file(pdf(gen, gold)), "options": {}}
    g = pdf(gen, ["Hello World"])
    yield {"metric": "compare_pdfs", "module": M, "name": "missing result", "result": gen.missing(),
           "expected": gen.file(g), "options": {}}
    yield {"metric": "compare_pdfs", "module": M, "name": "missing result, empty gold", "result": gen.missing(),
           "expected": gen.file(pdf(gen, [""])), "options": {}}
    yield {"metric": "compare_pdfs", "module": M, "name": "not a PDF", "result": gen.file(gen.write("junk", ".pdf")),
           "expected": gen.file(g), "options": {}}
    yield {"metric": "compare_pdfs", "module": M, "name": "two lines", "result": gen.file(pdf(gen, ["a b\nc d"])),
           "expected": gen.file(pdf(gen, ["a b c d"])), "options": {}}
    yield {"metric": "compare_pdfs", "module": M, "name": "lists", "result": gen.files([pdf(gen, ["x"]), g]),
           "expected": gen.files([pdf(gen, ["x"]), g]), "options": {}}
    yield {"metric": "compare_pdfs", "module": M, "name": "lists, shorter result", "result": gen.files([g]),
           "expected": gen.files([g, g]), "options": {}}


def pages(gen):
    rng = gen.rng
    for i in range(30):
        n = rng.randint(1, 4)  # PyMuPDF refuses to save a PDF without pages
        relation = rng.choice(["eq", "ne", "lt", "le", "gt", "ge"])
        ref = rng.choice([0, 1, 2, 3, 2.0, 2.5])
        result = gen.file(pdf(gen, [rng.choice(["page", ""]) for _ in range(n)]))
        yield {"metric": "check_pdf_pages", "module": "pdf", "name": f"{n} pages {relation} {ref}",
               "result": result, "expected": gen.json({"relation": relation, "ref_value": ref}), "options": {}}
    yield {"metric": "check_pdf_pages", "module": "pdf", "name": "missing", "result": gen.missing(),
           "expected": gen.json({"relation": "eq", "ref_value": 1}), "options": {}}
    yield {"metric": "check_pdf_pages", "module": "pdf", "name": "not a PDF",
           "result": gen.file(gen.write("junk", ".pdf")), "expected": gen.json({"relation": "eq", "ref_value": 1}),
           "options": {}}
    yield {"metric": "check_pdf_pages", "module": "pdf", "name": "unknown relation",
           "result": gen.file(pdf(gen, ["a"])), "expected": gen.json({"relation": "approx", "ref_value": 1}),
           "options": {}}


def cases(gen):
    yield from compare(gen)
    yield from pages(gen)
