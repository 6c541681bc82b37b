"""Cases for deskhand's slides module: compare_pptx_files and check_slide_orientation_Portrait
(OSWorld's slides.py), on decks written by python-pptx (which OSWorld reads them with)."""

import copy
import io

from PIL import Image
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.text import PP_ALIGN
from pptx.oxml.ns import qn
from pptx.util import Emu, Pt

M = "slides"

OPTION_SETS = [
    {},
    {"examine_shape": False},
    {"examine_shape": False, "examine_alignment": False},
    {"examine_shape": False, "examine_bullets": False},
    {"examine_font_size": False, "examine_shape": False},
    {"examine_number_of_slides": False},
    {"examine_background_color": False},
    {"examine_shape": False, "examine_modify_height": True},
    {"examine_image_size": True, "examine_shape": False},
    {"examine_shape_for_shift_size": True, "examine_shape": False},
    {"examine_color_rgb": False, "examine_font_name": False, "examine_font_bold": False,
     "examine_font_italic": False, "examine_font_underline": False, "examine_strike_through": False},
    {"examine_run_count": False, "examine_shape": False},
    {"examine_shape": "false"},
]


def png():
    buf = io.BytesIO()
    Image.new("RGB", (8, 6), (200, 30, 30)).save(buf, "PNG")
    buf.seek(0)
    return buf


def base_spec(rng):
    slides = []
    for s in range(rng.randint(1, 3)):
        shapes = []
        for k in range(rng.randint(1, 3)):
            kind = rng.choice(["text", "text", "text", "pic", "table", "title"])
            shapes.append({
                "kind": kind,
                "box": [rng.randint(1, 8) * 400000, rng.randint(1, 6) * 400000,
                        rng.randint(2, 8) * 500000, rng.randint(1, 4) * 400000],
                "paras": [
                    {"runs": [{"text": rng.choice(["alpha", "beta ", " gamma", "Δelta", "x"]),
                               "bold": rng.choice([None, True, False]),
                               "italic": rng.choice([None, True]),
                               "underline": rng.choice([None, None, True, False]),
                               "size": rng.choice([None, 18, 24]),
                               "name": rng.choice([None, "Arial"]),
                               "color": rng.choice([None, "FF0000", "00FF00"]),
                               "strike": rng.choice([None, None, "sngStrike"])}
                              for _ in range(rng.randint(1, 2))],
                     "align": rng.choice([None, None, "left", "center"]),
                     "level": rng.choice([0, 0, 1]),
                     "bullet": rng.choice([None, None, "•"])}
                    for _ in range(rng.randint(1, 2))
                ],
            })
        slides.append({"shapes": shapes, "notes": rng.choice([None, "", "note one"]),
                       "bg": rng.choice([None, None, "112233"])})
    return {"slides": slides, "portrait": False}


def build(gen, spec):
    prs = Presentation()
    if spec.get("portrait"):
        prs.slide_width, prs.slide_height = Emu(6858000), Emu(9144000)
    for s in spec["slides"]:
        slide = prs.slides.add_slide(prs.slide_layouts[6 if not any(
            sh["kind"] == "title" for sh in s["shapes"]) else 5])
        if s["bg"]:
            fill = slide.background.fill
            fill.solid()
            fill.fore_color.rgb = RGBColor.from_string(s["bg"])
        for sh in s["shapes"]:
            x, y, w, h = (Emu(v) for v in sh["box"])
            if sh["kind"] == "pic":
                slide.shapes.add_picture(png(), x, y, w, h)
                continue
            if sh["kind"] == "table":
                tbl = slide.shapes.add_table(2, 2, x, y, w, h).table
                for r in range(2):
                    for c in range(2):
                        cell = tbl.cell(r, c)
                        cell.text = sh["paras"][0]["runs"][0]["text"] + str(r + c)
                        run = cell.text_frame.paragraphs[0].runs[0]
                        run.font.bold = sh["paras"][0]["runs"][0]["bold"]
                continue
            if sh["kind"] == "title":
                shape = slide.shapes.title
                if sh.get("move"):
                    shape.left, shape.top, shape.width, shape.height = x, y, w, h
            else:
                shape = slide.shapes.add_textbox(x, y, w, h)
            tf = shape.text_frame
            for i, p in enumerate(sh["paras"]):
                para = tf.paragraphs[0] if i == 0 else tf.add_paragraph()
                if p["align"]:
                    para.alignment = {"left": PP_ALIGN.LEFT, "center": PP_ALIGN.CENTER}[p["align"]]
                if p["level"]:
                    para.level = p["level"]
                if p["bullet"]:
                    pPr = para._p.get_or_add_pPr()
                    bu = pPr.makeelement(qn("a:buChar"), {"char": p["bullet"]})
                    pPr.append(bu)
                for r in p["runs"]:
                    run = para.add_run()
                    run.text = r["text"]
                    f = run.font
                    if r["bold"] is not None:
                        f.bold = r["bold"]
                    if r["italic"] is not None:
                        f.italic = r["italic"]
                    if r["underline"] is not None:
                        f.underline = r["underline"]
                    if r["size"]:
                        f.size = Pt(r["size"])
                    if r["name"]:
                        f.name = r["name"]
                    if r["color"]:
                        f.color.rgb = RGBColor.from_string(r["color"])
                    if r["strike"]:
                        run._r.get_or_add_rPr().set("strike", r["strike"])
        if s["notes"] is not None:
            slide.notes_slide.notes_text_frame.text = s["notes"]
    p = gen.path(".pptx")
    prs.save(p)
    return p


def mutate(rng, spec):
    spec = copy.deepcopy(spec)
    slide = rng.choice(spec["slides"])
    sh = rng.choice(slide["shapes"])
    para = rng.choice(sh["paras"])
    run = rng.choice(para["runs"])
    what = rng.choice(["text", "move", "resize", "bold", "italic", "underline", "size", "name",
                       "color", "strike", "align", "level", "bullet", "notes", "bg", "slide",
                       "drop", "none", "none", "tiny"])
    if what == "text":
        run["text"] = run["text"] + "!"
    elif what == "move":
        sh["box"][0] += 300000
        sh["move"] = True
    elif what == "resize":
        sh["box"][3] += 300000
        sh["move"] = True
    elif what == "tiny":
        sh["box"][2] += 1000
        sh["move"] = True
    elif what == "bold":
        run["bold"] = {None: True, True: False, False: None}[run["bold"]]
    elif what == "italic":
        run["italic"] = {None: True, True: False, False: None}[run["italic"]]
    elif what == "underline":
        run["underline"] = {None: True, True: False, False: None}[run["underline"]]
    elif what == "size":
        run["size"] = 30
    elif what == "name":
        run["name"] = "Courier New"
    elif what == "color":
        run["color"] = "0000FF"
    elif what == "strike":
        run["strike"] = None if run["strike"] else "sngStrike"
    elif what == "align":
        para["align"] = {None: "center", "left": None, "center": "left"}[para["align"]]
    elif what == "level":
        para["level"] = 2
    elif what == "bullet":
        para["bullet"] = None if para["bullet"] else "-"
    elif what == "notes":
        slide["notes"] = "changed"
    elif what == "bg":
        slide["bg"] = "445566" if slide["bg"] != "445566" else None
    elif what == "slide":
        spec["slides"].append(copy.deepcopy(slide))
    elif what == "drop" and len(slide["shapes"]) > 1:
        slide["shapes"].remove(sh)
    return what, spec


def compare(gen):
    rng = gen.rng
    for i in range(60):
        gold = base_spec(rng)
        what, pred = mutate(rng, gold)
        options = rng.choice(OPTION_SETS)
        yield {"metric": "compare_pptx_files", "module": M, "name": f"{what} with {options}",
               "result": gen.file(build(gen, pred)), "expected": gen.file(build(gen, gold)),
               "options": options}
    gold = build(gen, base_spec(rng))
    yield {"metric": "compare_pptx_files", "module": M, "name": "same file", "result": gen.file(gold),
           "expected": gen.file(gold), "options": {}}
    yield {"metric": "compare_pptx_files", "module": M, "name": "not a deck",
           "result": gen.file(gen.write("junk", ".pptx")), "expected": gen.file(gold), "options": {}}


def orientation(gen):
    rng = gen.rng
    for portrait in [True, False]:
        spec = base_spec(rng)
        spec["portrait"] = portrait
        yield {"metric": "check_slide_orientation_Portrait", "module": M, "name": f"portrait={portrait}",
               "result": gen.file(build(gen, spec)), "options": {}}


def cases(gen):
    yield from compare(gen)
    yield from orientation(gen)
    yield from registry(gen)
    yield from fills(gen)
    yield from transitions(gen)


XCU = ('<?xml version="1.0" encoding="UTF-8"?>\n<oor:items xmlns:oor="http://openoffice.org/2001/registry" '
       'xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n{}</oor:items>\n')


def registry(gen):
    presenter = '<item oor:path="/org.openoffice.Office.Impress/Misc/Start"><prop oor:name="EnablePresenterScreen" oor:op="fuse">{}</prop></item>\n'
    for body in ["<value>false</value>", "<value>FALSE</value>", "<value>true</value>", "<value/>", "", None]:
        items = presenter.format(body) if body is not None else ""
        yield {"metric": "check_presenter_console_disable", "module": M, "name": f"presenter {body}",
               "result": gen.file(gen.write(XCU.format(items), ".xcu")), "options": {}}
    yield {"metric": "check_presenter_console_disable", "module": M, "name": "not xml",
           "result": gen.file(gen.write("<oops", ".xcu")), "options": {}}
    save = '<item oor:path="/org.openoffice.Office.Common/Save/Document"><prop oor:name="{}" oor:op="fuse"><value>{}</value></prop></item>\n'
    for name, value, minutes in [("AutoSaveTimeIntervall", "3", 3), ("AutoSaveTimeIntervall", "10", 3),
                                 ("AutoSaveTimeIntervall", " 3 ", 3), ("AutoSave", "3", 3),
                                 ("AutoSaveTimeIntervall", "3", 3.0), ("AutoSaveTimeIntervall", "3", "3")]:
        yield {"metric": "check_auto_saving_time", "module": M, "name": f"{name}={value!r} vs {minutes!r}",
               "result": gen.file(gen.write(XCU.format(save.format(name, value)), ".xcu")),
               "expected": gen.json({"minutes": minutes}), "options": {}}


def raw_pptx(gen, members):
    import zipfile
    p = gen.path(".pptx")
    with zipfile.ZipFile(p, "w") as z:
        for name, body in members.items():
            z.writestr(name, body)
    return p


NS = ('xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
      'xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main"')


def transitions(gen):
    for trans, kind, idx in [("<p:transition><p:dissolve/></p:transition>", "dissolve", 0),
                             ("<p:transition><p:fade/></p:transition>", "dissolve", 0),
                             ("", "dissolve", 0),
                             ("<p:transition><p:dissolve/></p:transition>", "dissolve", 1)]:
        slide = f'<p:sld {NS}><p:cSld><p:spTree/></p:cSld>{trans}</p:sld>'
        yield {"metric": "check_transition", "module": M, "name": f"{trans} {kind} {idx}",
               "result": gen.file(raw_pptx(gen, {"ppt/slides/slide1.xml": slide})),
               "expected": gen.json({"slide_idx": idx, "transition_type": kind}), "options": {}}
    for colors, want in [(["000000", "FF0000", "000000"], "red"), (["000000", "0000FF", "000000"], "red"),
                         (["000000", "0000FF", "000000"], "blue"), (["FF0000", "00FF00", "1"], "green"),
                         (["000000", "101010", "FFFFFF"], "black"), (["000000", "FFFFFF", "0"], "purple")]:
        fills = "".join(f'<a:solidFill><a:srgbClr val="{c}"/></a:solidFill>' for c in colors)
        master = f'<p:sldMaster {NS}><p:cSld><p:spTree/></p:cSld><p:txStyles>{fills}</p:txStyles></p:sldMaster>'
        yield {"metric": "check_page_number_colors", "module": M, "name": f"{colors} {want}",
               "result": gen.file(raw_pptx(gen, {"ppt/slideMasters/slideMaster1.xml": master})),
               "expected": gen.json({"color": want}), "options": {}}


def fills(gen):
    rng = gen.rng
    for i in range(8):
        spec = base_spec(rng)
        for s in spec["slides"]:
            s["bg"] = rng.choice([None, "112233", "FF0000", "00FF80"])
        rules = {"rgb": rng.choice([[255, 0, 0], [0, 0, 0], [17, 34, 51]])}
        if i % 3 == 0:
            rules["original_rgb"] = [17, 34, 51]
        yield {"metric": "evaluate_presentation_fill_to_rgb_distance", "module": M, "name": f"fill {rules}",
               "result": gen.file(build(gen, spec)), "expected": gen.json(rules), "options": {}}
