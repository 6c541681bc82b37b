//! The image metrics (OSWorld's gimp.py and vlc.py's `compare_images`) on images drawn here.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use deskhand_tasks::metrics::{Got, MetricError, score};
use image::{GrayImage, Luma, Rgb, RgbImage, Rgba, RgbaImage};
use serde_json::{Map, Value, json};
use std::path::{Path, PathBuf};
use std::time::Instant;

fn file(p: &Path) -> Got {
    Got::File(Some(p.to_path_buf()))
}

fn save_rgb(dir: &Path, name: &str, img: &RgbImage) -> PathBuf {
    let path = dir.join(name);
    img.save(&path).expect("save the image");
    path
}

fn save_rgba(dir: &Path, name: &str, img: &RgbaImage) -> PathBuf {
    let path = dir.join(name);
    img.save(&path).expect("save the image");
    path
}

/// A picture with structure: a gradient with a bright square.
fn picture(w: u32, h: u32) -> RgbImage {
    RgbImage::from_fn(w, h, |x, y| {
        if x > w / 4 && x < w / 2 && y > h / 4 && y < h / 2 {
            Rgb([250, 240, 10])
        } else {
            Rgb([(x * 255 / w) as u8, (y * 255 / h) as u8, 90])
        }
    })
}

fn run(metric: &str, result: Option<&Got>, expected: Option<&Got>) -> f64 {
    score(metric, result, expected, &Map::new()).expect("the metric scores")
}

#[test]
fn structure_sim_same_and_different() {
    let dir = tempfile::tempdir().expect("temp dir");
    let img = picture(64, 48);
    let a = save_rgb(dir.path(), "a.png", &img);
    let inverted = RgbImage::from_fn(64, 48, |x, y| {
        let p = img.get_pixel(x, y).0;
        Rgb([255 - p[0], 255 - p[1], 255 - p[2]])
    });
    let b = save_rgb(dir.path(), "b.png", &inverted);
    let small = save_rgb(dir.path(), "c.png", &picture(63, 48));
    for metric in ["check_structure_sim", "check_file_exists_and_structure_sim"] {
        assert_eq!(
            run(metric, Some(&file(&a)), Some(&file(&a))),
            1.0,
            "{metric}"
        );
        assert_eq!(
            run(metric, Some(&file(&a)), Some(&file(&b))),
            0.0,
            "{metric}"
        );
        // Different sizes: OSWorld does not resize here.
        assert_eq!(
            run(metric, Some(&file(&small)), Some(&file(&a))),
            0.0,
            "{metric}"
        );
        assert_eq!(run(metric, Some(&Got::File(None)), Some(&file(&a))), 0.0);
    }
}

#[test]
fn structure_sim_needs_seven_pixels() {
    let dir = tempfile::tempdir().expect("temp dir");
    let a = save_rgb(dir.path(), "a.png", &picture(40, 6));
    assert_eq!(
        run("check_structure_sim", Some(&file(&a)), Some(&file(&a))),
        0.0
    );
}

#[test]
fn compare_images_is_the_grey_ssim() {
    let dir = tempfile::tempdir().expect("temp dir");
    let a = save_rgb(dir.path(), "a.png", &picture(50, 40));
    assert!((run("compare_images", Some(&file(&a)), Some(&file(&a))) - 1.0).abs() < 1e-12);
    let flat = save_rgb(
        dir.path(),
        "b.png",
        &RgbImage::from_pixel(50, 40, Rgb([9, 9, 9])),
    );
    let s = run("compare_images", Some(&file(&a)), Some(&file(&flat)));
    assert!(s < 0.5, "{s}");
    // Below the reference base + 0.01 the score is 0.
    let mut opts = Map::new();
    opts.insert("reference_base_result".into(), json!(0.99));
    let low = score("compare_images", Some(&file(&a)), Some(&file(&flat)), &opts);
    assert_eq!(low, Ok(0.0));
    let other = save_rgb(dir.path(), "c.png", &picture(60, 40));
    assert!(matches!(
        score(
            "compare_images",
            Some(&file(&a)),
            Some(&file(&other)),
            &Map::new()
        ),
        Err(MetricError::Unsupported(_))
    ));
}

#[test]
fn mirror_is_checked_at_099() {
    let dir = tempfile::tempdir().expect("temp dir");
    let img = picture(64, 48);
    let a = save_rgb(dir.path(), "a.png", &img);
    let m = save_rgb(dir.path(), "m.png", &image::imageops::flip_horizontal(&img));
    assert_eq!(
        run("check_image_mirror", Some(&file(&a)), Some(&file(&m))),
        1.0
    );
    assert_eq!(
        run("check_image_mirror", Some(&file(&a)), Some(&file(&a))),
        0.0
    );
}

#[test]
fn palette_needs_a_palette_png() {
    let dir = tempfile::tempdir().expect("temp dir");
    let a = save_rgb(dir.path(), "a.png", &picture(32, 32));
    // An RGB PNG is not mode P, however similar.
    assert_eq!(
        run(
            "check_palette_and_structure_sim",
            Some(&file(&a)),
            Some(&file(&a))
        ),
        0.0
    );
}

#[test]
fn image_list_rgba_compares_alpha_only() {
    let dir = tempfile::tempdir().expect("temp dir");
    let px = |c: [u8; 4]| RgbaImage::from_pixel(8, 8, Rgba(c));
    let a = save_rgba(dir.path(), "a.png", &px([1, 2, 3, 255]));
    let b = save_rgba(dir.path(), "b.png", &px([200, 2, 3, 255]));
    let c = save_rgba(dir.path(), "c.png", &px([1, 2, 3, 254]));
    let list = |ps: &[&PathBuf]| Got::Files(ps.iter().map(|p| Some((*p).clone())).collect());
    // ImageChops.difference(...).getbbox() looks at alpha only: other colours, same alpha pass.
    assert_eq!(
        run("compare_image_list", Some(&list(&[&b])), Some(&list(&[&a]))),
        1.0
    );
    assert_eq!(
        run("compare_image_list", Some(&list(&[&c])), Some(&list(&[&a]))),
        0.0
    );
    let rgb_a = save_rgb(
        dir.path(),
        "d.png",
        &RgbImage::from_pixel(8, 8, Rgb([1, 2, 3])),
    );
    let rgb_b = save_rgb(
        dir.path(),
        "e.png",
        &RgbImage::from_pixel(8, 8, Rgb([1, 2, 4])),
    );
    assert_eq!(
        run(
            "compare_image_list",
            Some(&list(&[&rgb_a, &rgb_a])),
            Some(&list(&[&rgb_a, &rgb_b]))
        ),
        0.0
    );
    assert_eq!(
        run(
            "compare_image_list",
            Some(&list(&[&rgb_a])),
            Some(&list(&[&rgb_a]))
        ),
        1.0
    );
}

#[test]
fn image_size_with_and_without_transparency() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut img = RgbaImage::from_pixel(30, 20, Rgba([0, 0, 0, 0]));
    for y in 5..10 {
        for x in 2..12 {
            img.put_pixel(x, y, Rgba([9, 9, 9, 255]));
        }
    }
    let p = save_rgba(dir.path(), "a.png", &img);
    let s = |r: Value| run("check_image_size", Some(&file(&p)), Some(&Got::Json(r)));
    assert_eq!(s(json!({"width": 30, "height": 20})), 1.0);
    assert_eq!(
        s(json!({"width": 10, "height": 5, "ignore_transparent": true})),
        1.0
    );
    assert_eq!(s(json!({"width": 30.0})), 1.0);
    assert_eq!(s(json!({"width": "30"})), 0.0);
    assert_eq!(s(json!({"width": 29})), 0.0);
}

#[test]
fn file_size_below_max() {
    let dir = tempfile::tempdir().expect("temp dir");
    let p = dir.path().join("a.png");
    std::fs::write(&p, [0u8; 100]).expect("write");
    let s = |m: Value| {
        run(
            "check_image_file_size",
            Some(&file(&p)),
            Some(&Got::Json(json!({ "max_size": m }))),
        )
    };
    assert_eq!(s(json!(101)), 1.0);
    assert_eq!(s(json!(100)), 0.0);
}

#[test]
fn triangle_textbox_green() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut img = RgbImage::from_pixel(40, 40, Rgb([255, 255, 255]));
    for y in 18..22 {
        for x in 18..22 {
            img.put_pixel(x, y, Rgb([255, 220, 0]));
        }
    }
    // A third colour: OSWorld takes the second *least* common colour.
    img.put_pixel(0, 0, Rgb([0, 0, 200]));
    let p = save_rgb(dir.path(), "t.png", &img);
    assert_eq!(run("check_triangle_position", Some(&file(&p)), None), 1.0);
    let off = image::imageops::crop_imm(&img, 0, 0, 30, 30).to_image();
    let off = save_rgb(dir.path(), "o.png", &off);
    assert_eq!(run("check_triangle_position", Some(&file(&off)), None), 0.0);

    let mut text = GrayImage::from_pixel(100, 20, Luma([255]));
    text.put_pixel(4, 10, Luma([0]));
    let t = dir.path().join("x.png");
    text.save(&t).expect("save");
    assert_eq!(run("check_textbox_on_leftside", Some(&file(&t)), None), 1.0);
    text.put_pixel(4, 10, Luma([128]));
    text.save(&t).expect("save");
    assert_eq!(run("check_textbox_on_leftside", Some(&file(&t)), None), 0.0);

    let tgt = save_rgb(
        dir.path(),
        "g.png",
        &RgbImage::from_pixel(5, 5, Rgb([1, 1, 1])),
    );
    let green = save_rgb(
        dir.path(),
        "h.png",
        &RgbImage::from_pixel(5, 5, Rgb([0, 9, 0])),
    );
    let red = save_rgb(
        dir.path(),
        "r.png",
        &RgbImage::from_pixel(5, 5, Rgb([9, 9, 0])),
    );
    let g = |s: &PathBuf| run("check_green_background", Some(&file(s)), Some(&file(&tgt)));
    assert_eq!(g(&green), 1.0);
    assert_eq!(g(&red), 0.0);
}

/// Times the SSIM metrics on a 1080p image (printed with --no-capture).
#[test]
fn ssim_on_1080p_is_timed() {
    let dir = tempfile::tempdir().expect("temp dir");
    let a = save_rgb(dir.path(), "a.png", &picture(1920, 1080));
    for metric in [
        "check_structure_sim",
        "compare_images",
        "check_image_mirror",
        "check_textbox_on_leftside",
    ] {
        let start = Instant::now();
        let s = score(metric, Some(&file(&a)), Some(&file(&a)), &Map::new());
        println!("{metric} on 1920x1080: {:?} ({s:?})", start.elapsed());
    }
}
