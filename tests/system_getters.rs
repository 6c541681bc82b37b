//! The system getters of issue 14 on real private displays, through `deskhand eval` of small
//! OSWorld-format tasks: `vm_screen_size`, `vm_window_size` (a Tk window of a known size and
//! class), `vm_terminal_output` (a real xterm), `vm_wallpaper` (set with gsettings in the
//! task's session), `default_video_player` (xdg-mime in the task's HOME),
//! `content_from_vm_file` (an xlsx LibreOffice made) and `vscode_config` (a real Tk app that
//! acts on ctrl+shift+p, a command name and Enter as VS Code's command palette does). Each
//! getter's value is checked by the score of a metric comparing it with the right value, and
//! by a twin task whose expectation is wrong (or whose setup is missing) scoring 0.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use serde_json::{Value, json};
use std::path::Path;
use support::deskhand;

/// A Tk window with `WM_CLASS` `sizer`/`Sizer` and a client area of 321×234.
const SIZER: &str =
    "import tkinter as t; r = t.Tk(className='Sizer'); r.geometry('321x234'); r.mainloop()";

/// A Tk window standing in for VS Code's command palette: ctrl+shift+p opens a prompt, the
/// typed command name and Enter write it to ~/OpenProject.txt.
const PALETTE: &str = "import os, tkinter as t\nr = t.Tk(className='Code')\nr.title('Visual Studio Code')\nr.geometry('400x200')\ne = t.Entry(r)\ne.pack()\ndef palette(_):\n    e.delete(0, 'end')\n    e.focus_set()\ndef run(_):\n    with open(os.path.expanduser('~/OpenProject.txt'), 'w') as f:\n        f.write(e.get())\nr.bind_all('<Control-Shift-P>', palette)\nr.bind_all('<Control-Shift-p>', palette)\ne.bind('<Return>', run)\nr.after(100, lambda: (r.focus_force(), e.focus_set()))\nr.mainloop()\n";

fn task(suite: &Path, id: &str, config: Value, evaluator: Value) {
    let dir = suite.join(id);
    std::fs::create_dir_all(&dir).unwrap();
    let t = json!({
        "id": id, "snapshot": "os", "instruction": "Nothing: the getter reads the setup's state.",
        "source": "deskhand tests", "related_apps": ["os"], "config": config, "evaluator": evaluator,
    });
    std::fs::write(dir.join("task.json"), t.to_string()).unwrap();
}

fn launch(cmd: &[&str]) -> Value {
    json!({"type": "launch", "parameters": {"command": cmd}})
}

fn execute(cmd: &str) -> Value {
    json!({"type": "execute", "parameters": {"command": cmd, "shell": true}})
}

fn rule(v: Value) -> Value {
    json!({"type": "rule", "rules": v})
}

/// Runs the suite and returns each task's (score, error, run directory) by id.
fn eval(suite: &Path, out: &Path) -> std::collections::BTreeMap<String, (f64, Value, String)> {
    let o = deskhand()
        .arg("eval")
        .arg(suite)
        .args([
            "--policy", "none", "--screen", "1024x768", "-j", "2", "--out",
        ])
        .arg(out)
        .output()
        .unwrap();
    let text = std::fs::read_to_string(out.join("results.json")).unwrap_or_else(|_| {
        panic!(
            "no results.json; stderr: {}",
            String::from_utf8_lossy(&o.stderr)
        )
    });
    let results: Value = serde_json::from_str(&text).unwrap();
    results["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["id"].as_str().unwrap().to_owned(),
                (
                    t["score"].as_f64().unwrap_or(-1.0),
                    t["error"].clone(),
                    t["run_dir"].as_str().unwrap_or_default().to_owned(),
                ),
            )
        })
        .collect()
}

#[test]
fn system_getters_read_the_desktop() {
    let suite = tempfile::tempdir().unwrap();
    let s = suite.path();
    let size = |w: u32, h: u32| rule(json!({"expected": {"width": w, "height": h}}));

    task(
        s,
        "sizes",
        json!([launch(&["python3", "-c", SIZER])]),
        json!({"func": ["exact_match", "exact_match"], "conj": "and",
            "result": [{"type": "vm_screen_size"}, {"type": "vm_window_size", "app_class_name": "SIZER"}],
            "expected": [size(1024, 768), size(321, 234)]}),
    );
    task(
        s,
        "sizes-wrong",
        json!([launch(&["python3", "-c", SIZER])]),
        json!({"func": ["exact_match", "exact_match"], "conj": "or",
            "result": [{"type": "vm_screen_size"}, {"type": "vm_window_size", "app_class_name": "nosuchclass"}],
            "expected": [size(1280, 800), rule(json!({"expected": {"width": 321, "height": 234}}))]}),
    );
    task(
        s,
        "terminal",
        json!([launch(&[
            "xterm",
            "-e",
            "sh",
            "-c",
            "printf 'answer: %s\\n' 4711; exec sh"
        ])]),
        json!({"func": "check_include_exclude", "result": {"type": "vm_terminal_output"},
            "expected": rule(json!({"include": ["answer: 4711"], "exclude": []}))}),
    );
    task(
        s,
        "terminal-unfocused",
        json!([
            launch(&[
                "xterm",
                "-e",
                "sh",
                "-c",
                "printf 'answer: %s\\n' 4711; exec sh"
            ]),
            launch(&["python3", "-c", SIZER])
        ]),
        json!({"func": "exact_match", "result": {"type": "vm_terminal_output"},
            "expected": rule(json!({"expected": null}))}),
    );
    // Text bytes, so that compare_text_file (which reads UTF-8, as Python) can compare them.
    std::fs::write(s.join("wall.png"), "wallpaper 7: not really pixels\n").unwrap();
    task(
        s,
        "wallpaper",
        json!([
            {"type": "download", "parameters": {"files": [{"url": s.join("wall.png").to_str().unwrap(), "path": "/home/user/Pictures/wall.png"}]}},
            execute("gsettings set org.gnome.desktop.background picture-uri file:///home/user/Pictures/wall.png")
        ]),
        json!({"func": "compare_text_file", "result": {"type": "vm_wallpaper", "dest": "background.png"},
            "expected": {"type": "cloud_file", "path": s.join("wall.png").to_str().unwrap(), "dest": "gold.png"}}),
    );
    task(
        s,
        "wallpaper-unset",
        json!([]),
        json!({"func": "compare_text_file", "result": {"type": "vm_wallpaper", "dest": "background.png"},
            "expected": {"type": "cloud_file", "path": s.join("wall.png").to_str().unwrap(), "dest": "gold.png"}}),
    );
    let desktop =
        "[Desktop Entry]\nType=Application\nName=Clip Player\nExec=true %f\nMimeType=video/mp4;\n";
    std::fs::write(s.join("clipplayer.desktop"), desktop).unwrap();
    task(
        s,
        "video-player",
        json!([
            {"type": "download", "parameters": {"files": [{"url": s.join("clipplayer.desktop").to_str().unwrap(), "path": "/home/user/.local/share/applications/clipplayer.desktop"}]}},
            execute("xdg-mime default clipplayer.desktop video/mp4 video/x-matroska")
        ]),
        json!({"func": "exact_match", "result": {"type": "default_video_player"},
            "expected": rule(json!({"expected": "clipplayer.desktop\n"}))}),
    );
    task(
        s,
        "video-player-unset",
        json!([]),
        json!({"func": "exact_match", "result": {"type": "default_video_player"},
            "expected": rule(json!({"expected": "unknown"}))}),
    );
    std::fs::write(
        s.join("people.csv"),
        "Name,Age,Score,Note\nAda,36,1.5,first\nAlan,41,,last\n",
    )
    .unwrap();
    let lo = std::process::Command::new("soffice")
        .args(["--headless", "--convert-to", "xlsx", "--outdir"])
        .arg(s)
        .arg(s.join("people.csv"))
        .env("HOME", s.join("lo-home"))
        .output()
        .unwrap();
    assert!(
        s.join("people.xlsx").is_file(),
        "{}",
        String::from_utf8_lossy(&lo.stderr)
    );
    task(
        s,
        "last-row",
        json!([{"type": "download", "parameters": {"files": [{"url": s.join("people.xlsx").to_str().unwrap(), "path": "/home/user/Desktop/people.xlsx"}]}}]),
        json!({"func": "literal_match", "options": {"type": "list"},
            "result": {"type": "content_from_vm_file", "path": "/home/user/Desktop/people.xlsx", "file_type": "xlsx", "file_content": "last_row"},
            "expected": rule(json!(["Alan", "41", "nan", "last"]))}),
    );
    task(
        s,
        "vscode-command",
        json!([launch(&["python3", "-c", PALETTE])]),
        json!({"func": "compare_config",
            "result": {"type": "vscode_config", "vscode_extension_command": "OpenProject", "path": "/home/user/OpenProject.txt", "dest": "OpenProject.txt"},
            "expected": rule(json!({"expected": "OpenProject"}))}),
    );

    let out = tempfile::tempdir().unwrap();
    let got = eval(s, out.path());
    let score = |id: &str| {
        let (score, error, _) = &got[id];
        assert!(error.is_null(), "{id}: {error}");
        *score
    };
    assert_eq!(
        score("sizes"),
        1.0,
        "screen 1024x768 and the Tk window 321x234"
    );
    assert_eq!(
        score("sizes-wrong"),
        0.0,
        "another screen size, an absent class"
    );
    assert_eq!(score("terminal"), 1.0, "the focused xterm's text");
    assert_eq!(
        score("terminal-unfocused"),
        1.0,
        "no terminal focused: null"
    );
    assert_eq!(score("wallpaper"), 1.0, "the file gsettings names");
    assert_eq!(
        score("wallpaper-unset"),
        0.0,
        "the default names no file here"
    );
    // The run directory is named relative to the output folder.
    let unset = out
        .path()
        .join(&got["wallpaper-unset"].2)
        .join("cache/background.png");
    assert_eq!(
        std::fs::read(&unset).unwrap(),
        b"",
        "an empty file, as OSWorld writes"
    );
    assert_eq!(
        score("video-player"),
        1.0,
        "xdg-mime's answer, newline kept"
    );
    assert_eq!(score("video-player-unset"), 1.0, "no default: unknown");
    assert_eq!(score("last-row"), 1.0, "pandas' strings of the last row");
    assert_eq!(
        score("vscode-command"),
        1.0,
        "the palette command wrote its file"
    );
}
