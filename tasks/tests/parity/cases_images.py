"""Cases for deskhand's images module: OSWorld's gimp.py image metrics and vlc.py's
compare_images, on images drawn with Pillow and numpy (PNG mostly, some JPEG)."""

import numpy as np
from PIL import Image, ImageDraw, ImageFilter


def case(metric, module, name, result, expected=None, options=None):
    c = {"metric": metric, "module": module, "name": name, "result": result, "options": options or {}}
    if expected is not None:
        c["expected"] = expected
    return c


def scene(rng, w, h, mode="RGB"):
    """A picture with shapes on a background, so SSIM has structure to compare."""
    bg = tuple(rng.randrange(256) for _ in range(3))
    img = Image.new("RGB", (w, h), bg)
    d = ImageDraw.Draw(img)
    for _ in range(rng.randint(1, 6)):
        x0, y0 = rng.randrange(w), rng.randrange(h)
        x1, y1 = min(w, x0 + rng.randint(2, max(2, w))), min(h, y0 + rng.randint(2, max(2, h)))
        fill = tuple(rng.randrange(256) for _ in range(3))
        if rng.random() < 0.5:
            d.rectangle([x0, y0, x1, y1], fill=fill)
        else:
            d.ellipse([x0, y0, x1, y1], fill=fill)
    return img.convert(mode) if mode != "RGB" else img


def noisy(rng, img, amount):
    a = np.array(img).astype(np.int16)
    seed = rng.randrange(1 << 30)
    noise = np.random.default_rng(seed).integers(-amount, amount + 1, size=a.shape)
    return Image.fromarray(np.clip(a + noise, 0, 255).astype(np.uint8), img.mode)


def save(gen, img, suffix=".png", **kw):
    p = gen.path(suffix)
    img.save(p, **kw)
    return p


def variant(rng, img):
    """Something between the same image and a different one."""
    if img.mode == "P":
        out, how = variant(rng, img.convert("RGB"))
        return (out.convert("P") if rng.random() < 0.5 else out), how
    r = rng.random()
    if r < 0.25:
        return img.copy(), "same"
    if r < 0.5:
        return noisy(rng, img, rng.choice([2, 10, 30, 60])), "noise"
    if r < 0.7:
        return img.filter(ImageFilter.GaussianBlur(rng.choice([0.5, 1, 3]))), "blur"
    if r < 0.85:
        return img.transpose(Image.FLIP_LEFT_RIGHT), "mirrored"
    return scene(rng, img.width, img.height, img.mode), "other"


def ssim_pairs(gen, metric, module, options=None, n=30, modes=("RGB",)):
    rng = gen.rng
    for i in range(n):
        w, h = rng.randint(7, 90), rng.randint(7, 90)
        mode = rng.choice(modes)
        a = scene(rng, w, h, mode)
        b, how = variant(rng, a)
        suffix = ".jpg" if rng.random() < 0.15 and mode in ("RGB", "L") else ".png"
        yield case(metric, module, f"{how} {w}x{h} {mode}{suffix}", gen.file(save(gen, a, suffix)),
                   gen.file(save(gen, b, ".png")), options)


def edges(gen, metric, module, options=None):
    rng = gen.rng
    a = scene(rng, 40, 30)
    pa = gen.file(save(gen, a))
    yield case(metric, module, "missing result", gen.missing(), pa, options)
    yield case(metric, module, "missing expected", pa, gen.missing(), options)
    yield case(metric, module, "not an image", gen.file(gen.write("hello", ".png")), pa, options)
    yield case(metric, module, "6 pixels high", gen.file(save(gen, scene(rng, 40, 6))),
               gen.file(save(gen, scene(rng, 40, 6))), options)
    yield case(metric, module, "different sizes", pa, gen.file(save(gen, a.resize((41, 30)))), options)
    yield case(metric, module, "RGBA vs RGB", gen.file(save(gen, a.convert("RGBA"))), pa, options)
    yield case(metric, module, "L vs RGB", gen.file(save(gen, a.convert("L"))), pa, options)
    yield case(metric, module, "palette vs RGB", gen.file(save(gen, a.convert("P"))), pa, options)
    yield case(metric, module, "palette vs palette", gen.file(save(gen, a.convert("P"))),
               gen.file(save(gen, a.convert("P"))), options)


def structure(gen):
    for metric in ["check_structure_sim", "check_file_exists_and_structure_sim", "check_image_mirror",
                   "check_palette_and_structure_sim"]:
        yield from ssim_pairs(gen, metric, "gimp", modes=("RGB", "RGBA", "L", "P"))
        yield from edges(gen, metric, "gimp")


def images_vlc(gen):
    rng = gen.rng
    for i in range(30):
        opts = {} if rng.random() < 0.5 else {"reference_base_result": rng.choice([0.11, 0.54, 0.9, 0.0])}
        for c in ssim_pairs(gen, "compare_images", "vlc", opts, n=1, modes=("RGB", "L", "RGBA")):
            yield c
    a = scene(rng, 30, 30)
    yield case("compare_images", "vlc", "missing", gen.missing(), gen.file(save(gen, a)))
    yield case("compare_images", "vlc", "6 wide", gen.file(save(gen, scene(rng, 6, 30))),
               gen.file(save(gen, scene(rng, 6, 30))))


def image_list(gen):
    rng = gen.rng
    for i in range(30):
        k = rng.randint(1, 3)
        preds, golds = [], []
        for _ in range(k):
            mode = rng.choice(["RGB", "RGBA", "L", "LA"])
            g = scene(rng, rng.randint(1, 40), rng.randint(1, 40), mode)
            r = rng.random()
            if r < 0.5:
                p = g.copy()
            elif r < 0.7:
                p = g.convert(rng.choice(["RGB", "RGBA", "L"]))
            else:
                p = noisy(rng, g, 3)
            preds.append(save(gen, p))
            golds.append(save(gen, g))
        yield case("compare_image_list", "gimp", f"{k} images", gen.files(preds), gen.files(golds))
    a = save(gen, scene(rng, 10, 10))
    yield case("compare_image_list", "gimp", "one path each", gen.file(a), gen.file(a))
    yield case("compare_image_list", "gimp", "missing one", gen.files([a, None]), gen.files([a, a]))
    rgba = scene(rng, 10, 10, "RGBA")
    arr = np.array(rgba)
    arr[..., 0] ^= 0xFF
    yield case("compare_image_list", "gimp", "RGBA with other colours, same alpha",
               gen.files([save(gen, Image.fromarray(arr, "RGBA"))]), gen.files([save(gen, rgba)]))


def sizes(gen):
    rng = gen.rng
    for i in range(30):
        w, h = rng.randint(1, 60), rng.randint(1, 60)
        mode = rng.choice(["RGB", "RGBA", "LA", "L"])
        img = Image.new(mode, (w, h), 0 if mode in ("RGBA", "LA") else 128)
        if mode in ("RGBA", "LA") and rng.random() < 0.8:
            x0, y0 = rng.randrange(w), rng.randrange(h)
            box = [x0, y0, rng.randint(x0, w - 1), rng.randint(y0, h - 1)]
            ImageDraw.Draw(img).rectangle(box, fill=(200, 255) if mode == "LA" else (200, 10, 10, 255))
        kw = {}
        if mode == "RGB" and rng.random() < 0.3:
            kw["transparency"] = (128, 128, 128)
        p = save(gen, img, **kw)
        rule = {}
        if rng.random() < 0.8:
            rule["width"] = rng.choice([w, w - 1, float(w), None, str(w)])
        if rng.random() < 0.8:
            rule["height"] = rng.choice([h, h + 1, float(h), None])
        if rng.random() < 0.6:
            rule["ignore_transparent"] = rng.choice([True, False, "false", 0])
        yield case("check_image_size", "gimp", f"{mode} {w}x{h} {kw}", gen.file(p), gen.json(rule))
    yield case("check_image_size", "gimp", "missing", gen.missing(), gen.json({"width": 1}))
    for i in range(20):
        data = bytes(rng.randrange(256) for _ in range(rng.randint(0, 3000)))
        p = gen.write(data, ".png")
        limit = rng.choice([len(data), len(data) + 1, len(data) - 1, 500000, 1.5 * len(data), True])
        yield case("check_image_file_size", "gimp", f"{len(data)} bytes < {limit}", gen.file(p),
                   gen.json({"max_size": limit}))
    yield case("check_image_file_size", "gimp", "missing", gen.missing(), gen.json({"max_size": 10}))


def positions(gen):
    rng = gen.rng
    for i in range(30):
        w, h = rng.randint(20, 120), rng.randint(20, 120)
        img = Image.new(rng.choice(["RGB", "RGBA"]), (w, h), (255, 255, 255))
        d = ImageDraw.Draw(img)
        cx, cy = rng.choice([(w / 2, h / 2), (rng.uniform(0, w), rng.uniform(0, h))])
        s = rng.uniform(3, min(w, h) / 2)
        d.polygon([(cx, cy - s), (cx - s, cy + s), (cx + s, cy + s)], fill=(255, 220, 0))
        if rng.random() < 0.5:
            d.rectangle([0, 0, rng.randint(1, 5), rng.randint(1, 5)], fill=(0, 0, 200))
        yield case("check_triangle_position", "gimp", f"{w}x{h} at {cx:.0f},{cy:.0f}", gen.file(save(gen, img)))
    yield case("check_triangle_position", "gimp", "one colour",
               gen.file(save(gen, Image.new("RGB", (10, 10), (1, 2, 3)))))
    yield case("check_triangle_position", "gimp", "missing", gen.missing())
    for i in range(30):
        w, h = rng.randint(10, 200), rng.randint(5, 80)
        img = Image.new("RGB", (w, h), "white")
        d = ImageDraw.Draw(img)
        if rng.random() < 0.9:
            x = rng.choice([0, 1, int(w * 0.05), int(w * 0.05) + 1, rng.randrange(w)])
            d.rectangle([x, rng.randrange(h), min(w - 1, x + 5), h - 1], fill=rng.choice(["black", (120, 130, 140)]))
        img = img.convert(rng.choice(["RGB", "L", "RGBA"]))
        yield case("check_textbox_on_leftside", "gimp", f"{w}x{h} {img.mode}", gen.file(save(gen, img)))
    yield case("check_textbox_on_leftside", "gimp", "missing", gen.missing())


def green(gen):
    rng = gen.rng
    for i in range(30):
        n = rng.randint(2, 30)
        w, h = (n, n) if rng.random() < 0.7 else (rng.randint(2, 30), rng.randint(2, 30))
        tgt = Image.new("RGB", (w, h), (0, 0, 0))
        d = ImageDraw.Draw(tgt)
        d.rectangle([0, 0, rng.randrange(w), rng.randrange(h)], fill=(255, 255, 255))
        src = Image.new("RGB", (w, h), rng.choice([(10, 200, 10), (200, 200, 10), (10, 200, 200)]))
        if rng.random() < 0.3:
            ImageDraw.Draw(src).point((rng.randrange(w), rng.randrange(h)), fill=(255, 0, 0))
        mode = rng.choice(["RGB", "RGB", "RGBA", "L"])
        yield case("check_green_background", "gimp", f"{w}x{h} {mode}", gen.file(save(gen, src.convert(mode))),
                   gen.file(save(gen, tgt)))
    yield case("check_green_background", "gimp", "missing", gen.missing(), gen.missing())


def cases(gen):
    yield from structure(gen)
    yield from images_vlc(gen)
    yield from image_list(gen)
    yield from sizes(gen)
    yield from positions(gen)
    yield from green(gen)
