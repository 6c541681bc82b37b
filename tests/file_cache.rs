//! The file cache against a loopback HTTP server, never the internet: a redirect is followed
//! and the file cached (a second fetch sends nothing); a 404 fails at once naming the URL; a body
//! cut off mid-way is resumed with a `Range` request; a server that goes silent is tried again;
//! offline, an uncached URL is refused by name; a mirror serves its prefix from a folder.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use deskhand::files::{FileCache, FileError, Mirror, Source, digest};
use std::time::Duration;
use support::http_server::{MockServer, Reply};

/// A body long enough to be cut in two.
fn body() -> String {
    (0..2000).map(|i| format!("line {i}\n")).collect()
}

fn cache(root: &std::path::Path) -> FileCache {
    FileCache {
        base_delay: Duration::from_millis(10),
        read_timeout: Duration::from_millis(400),
        ..FileCache::new(root)
    }
}

fn reply(status: u16, headers: &[(&str, &str)], body: &str) -> Reply {
    Reply {
        status,
        headers: headers
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
        body: body.to_owned(),
        cut_at: None,
    }
}

fn sha256_hex(bytes: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("f");
    std::fs::write(&p, bytes).unwrap();
    digest(&p).unwrap().0
}

#[tokio::test]
async fn a_redirect_is_followed_and_the_file_is_cached_once() {
    let root = tempfile::tempdir().unwrap();
    let server = MockServer::start(Box::new(|req, _, problems| match req.path.as_str() {
        "/old/report.xlsx" => reply(302, &[("location", "/new/report.xlsx")], ""),
        "/new/report.xlsx" => reply(200, &[], &body()),
        other => {
            problems.push(format!("unexpected path {other}"));
            reply(404, &[], "")
        }
    }));
    let url = format!("{}/old/report.xlsx", server.url);
    let c = cache(root.path());
    let mut seen = Vec::new();
    let got = c
        .fetch(&url, &mut |done, total| seen.push((done, total)))
        .await
        .unwrap();
    assert_eq!(got.source, Source::Network);
    assert_eq!(std::fs::read_to_string(&got.path).unwrap(), body());
    assert_eq!(got.sha256, sha256_hex(body().as_bytes()));
    assert_eq!(got.bytes, body().len() as u64);
    assert_eq!(got.path, c.path_of(&url));
    let last = *seen.last().unwrap();
    assert_eq!(last, (body().len() as u64, Some(body().len() as u64)));
    assert_eq!(server.count(), 2);

    let again = c.fetch(&url, &mut |_, _| {}).await.unwrap();
    assert_eq!(again.source, Source::Cache);
    assert_eq!(again.sha256, got.sha256);
    assert_eq!(server.count(), 2, "a cached file was fetched again");
    assert_eq!(server.problems(), Vec::<String>::new());
}

#[tokio::test]
async fn a_404_fails_at_once_naming_the_url() {
    let root = tempfile::tempdir().unwrap();
    let server = MockServer::start(Box::new(|_, _, _| reply(404, &[], "not here")));
    let url = format!("{}/gone.docx", server.url);
    let err = cache(root.path())
        .fetch(&url, &mut |_, _| {})
        .await
        .unwrap_err();
    assert!(
        matches!(err, FileError::Refused { status: 404, .. }),
        "{err}"
    );
    assert_eq!(
        err.to_string(),
        format!("{url}: the server answered HTTP 404")
    );
    assert_eq!(server.count(), 1, "a 404 was retried");
    assert!(!cache(root.path()).path_of(&url).exists());
}

#[tokio::test]
async fn a_body_cut_off_mid_way_is_resumed_with_a_range_request() {
    let root = tempfile::tempdir().unwrap();
    let whole = body();
    let half = whole.len() / 2;
    let server = MockServer::start(Box::new(move |req, i, problems| {
        if i == 0 {
            let mut r = reply(200, &[], &whole);
            r.cut_at = Some(half);
            return r;
        }
        let want = format!("bytes={half}-");
        if req.headers.get("range") != Some(&want) {
            problems.push(format!("range {:?}, not {want}", req.headers.get("range")));
        }
        let range = format!("bytes {half}-{}/{}", whole.len() - 1, whole.len());
        reply(206, &[("content-range", &range)], &whole[half..])
    }));
    let url = format!("{}/big.pptx", server.url);
    let got = cache(root.path())
        .fetch(&url, &mut |_, _| {})
        .await
        .unwrap();
    assert_eq!(server.problems(), Vec::<String>::new());
    assert_eq!(server.count(), 2);
    assert_eq!(std::fs::read_to_string(&got.path).unwrap(), body());
    assert_eq!(got.sha256, sha256_hex(body().as_bytes()));
}

#[tokio::test]
async fn a_silent_server_is_tried_again() {
    let root = tempfile::tempdir().unwrap();
    let server = MockServer::start(Box::new(|_, i, _| {
        if i == 0 {
            // A server that says nothing for longer than the client's 400 ms read timeout.
            std::thread::sleep(Duration::from_millis(1500));
        }
        reply(200, &[], "slow but whole")
    }));
    let url = format!("{}/slow.txt", server.url);
    let got = cache(root.path())
        .fetch(&url, &mut |_, _| {})
        .await
        .unwrap();
    assert_eq!(
        std::fs::read_to_string(&got.path).unwrap(),
        "slow but whole"
    );
    assert!(server.count() >= 2);
}

#[tokio::test]
async fn offline_only_cached_urls_are_served() {
    let root = tempfile::tempdir().unwrap();
    let server = MockServer::start(Box::new(|_, _, _| reply(200, &[], "cached text")));
    let cached = format!("{}/a.txt", server.url);
    cache(root.path())
        .fetch(&cached, &mut |_, _| {})
        .await
        .unwrap();
    let offline = FileCache {
        offline: true,
        ..cache(root.path())
    };
    let got = offline.fetch(&cached, &mut |_, _| {}).await.unwrap();
    assert_eq!(got.source, Source::Cache);
    let missing = format!("{}/b.txt", server.url);
    let err = offline.fetch(&missing, &mut |_, _| {}).await.unwrap_err();
    assert!(matches!(err, FileError::Offline { .. }), "{err}");
    assert!(err.to_string().starts_with(&missing), "{err}");
    assert_eq!(server.count(), 1, "offline reached the network");
}

#[tokio::test]
async fn a_mirror_serves_its_prefix_from_a_folder() {
    let root = tempfile::tempdir().unwrap();
    let mirror_dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(mirror_dir.path().join("sub")).unwrap();
    std::fs::write(mirror_dir.path().join("sub/f.csv"), "a,b\n").unwrap();
    let server = MockServer::start(Box::new(|_, _, _| reply(200, &[], "from the network")));
    let prefix = format!("{}/datasets", server.url);
    let c = FileCache {
        mirrors: vec![
            format!("{prefix}={}", mirror_dir.path().display())
                .parse::<Mirror>()
                .unwrap(),
        ],
        offline: true,
        ..cache(root.path())
    };
    let got = c
        .fetch(&format!("{prefix}/sub/f.csv"), &mut |_, _| {})
        .await
        .unwrap();
    assert_eq!(got.source, Source::Mirror);
    assert_eq!(got.path, mirror_dir.path().join("sub/f.csv"));
    assert_eq!(got.sha256, sha256_hex(b"a,b\n"));
    let err = c
        .fetch(&format!("{prefix}/sub/none.csv"), &mut |_, _| {})
        .await
        .unwrap_err();
    assert!(matches!(err, FileError::NotMirrored { .. }), "{err}");
    assert_eq!(server.count(), 0, "a mirrored URL reached the network");
}
