//! URLs as OSWorld's chrome metrics see them: Python's `urllib.parse.urlparse` and
//! `urlunparse` (3.11), and `compare_urls` (`metrics/utils.py`), which drops `www.` and the
//! public suffix of the host (through `tldextract`, ICANN rules only) and the port, and a path
//! of just `/`.

/// Characters allowed in a scheme (`urllib.parse.scheme_chars`).
fn is_scheme_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')
}

/// Schemes whose URLs may carry `;params` (`urllib.parse.uses_params`).
const USES_PARAMS: &[&str] = &[
    "", "ftp", "hdl", "prospero", "http", "imap", "https", "shttp", "rtsp", "rtsps", "rtspu",
    "sip", "sips", "mms", "sftp", "tel",
];

/// Schemes written with `//` (`urllib.parse.uses_netloc`).
const USES_NETLOC: &[&str] = &[
    "",
    "ftp",
    "http",
    "gopher",
    "nntp",
    "telnet",
    "imap",
    "wais",
    "file",
    "mms",
    "https",
    "shttp",
    "snews",
    "prospero",
    "rtsp",
    "rtsps",
    "rtspu",
    "rsync",
    "svn",
    "svn+ssh",
    "sftp",
    "nfs",
    "git",
    "git+ssh",
    "ws",
    "wss",
    "itms-services",
];

/// A URL that Python's parser refuses (`ValueError: Invalid IPv6 URL`).
#[derive(Debug, Clone, PartialEq)]
pub(super) struct BadUrl;

/// `urlparse`'s six parts.
#[derive(Debug, Clone, PartialEq, Default)]
pub(super) struct Parsed {
    pub scheme: String,
    pub netloc: String,
    pub path: String,
    pub params: String,
    pub query: String,
    pub fragment: String,
}

/// `urllib.parse.urlparse(url)`.
pub(super) fn urlparse(url: &str) -> Result<Parsed, BadUrl> {
    let mut url: String = url
        .trim_start_matches(|c: char| c <= ' ')
        .chars()
        .filter(|c| !matches!(c, '\t' | '\r' | '\n'))
        .collect();
    let mut p = Parsed::default();
    if let Some(i) = url.find(':')
        && i > 0
        && url.starts_with(|c: char| c.is_ascii_alphabetic())
        && url[..i].chars().all(is_scheme_char)
    {
        p.scheme = url[..i].to_lowercase();
        url = url[i + 1..].to_owned();
    }
    if url.starts_with("//") {
        let rest = &url[2..];
        let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        p.netloc = rest[..end].to_owned();
        url = rest[end..].to_owned();
        if p.netloc.contains('[') != p.netloc.contains(']') {
            return Err(BadUrl);
        }
    }
    if let Some((before, fragment)) = url.split_once('#') {
        p.fragment = fragment.to_owned();
        url = before.to_owned();
    }
    if let Some((before, query)) = url.split_once('?') {
        p.query = query.to_owned();
        url = before.to_owned();
    }
    if USES_PARAMS.contains(&p.scheme.as_str()) && url.contains(';') {
        let from = url.rfind('/').unwrap_or(0);
        let at = if url.contains('/') {
            url[from..].find(';').map(|i| i + from)
        } else {
            url.find(';')
        };
        if let Some(i) = at {
            p.params = url[i + 1..].to_owned();
            url.truncate(i);
        }
    }
    p.path = url;
    Ok(p)
}

/// `urllib.parse.urlunparse(parts)`.
pub(super) fn urlunparse(p: &Parsed) -> String {
    let mut url = p.path.clone();
    if !p.params.is_empty() {
        url = format!("{url};{}", p.params);
    }
    if !p.netloc.is_empty()
        || (!p.scheme.is_empty()
            && USES_NETLOC.contains(&p.scheme.as_str())
            && !url.starts_with("//"))
    {
        if !url.is_empty() && !url.starts_with('/') {
            url.insert(0, '/');
        }
        url = format!("//{}{url}", p.netloc);
    }
    if !p.scheme.is_empty() {
        url = format!("{}:{url}", p.scheme);
    }
    if !p.query.is_empty() {
        url = format!("{url}?{}", p.query);
    }
    if !p.fragment.is_empty() {
        url = format!("{url}#{}", p.fragment);
    }
    url
}

/// `tldextract.extract(netloc)`'s `(subdomain, domain)`: the host without user, port and
/// trailing dots, split at the longest ICANN public suffix (private suffixes such as
/// `github.io` do not count); an IPv4 or bracketed IPv6 address is all domain.
pub(super) fn subdomain_and_domain(netloc: &str) -> (String, String) {
    let after_user = netloc.rsplit_once('@').map_or(netloc, |(_, h)| h);
    let host = if after_user.starts_with('[')
        && let Some(end) = after_user.find(']')
    {
        after_user[..=end].to_owned()
    } else {
        after_user
            .split(':')
            .next()
            .unwrap_or_default()
            .trim()
            .trim_end_matches(['.', '\u{3002}', '\u{ff0e}', '\u{ff61}'])
            .to_owned()
    };
    let host: String = host
        .chars()
        .map(|c| match c {
            '\u{3002}' | '\u{ff0e}' | '\u{ff61}' => '.',
            c => c,
        })
        .collect();
    if host.len() >= 4 && host.starts_with('[') && host.ends_with(']') {
        return (String::new(), host);
    }
    let labels: Vec<&str> = host.split('.').collect();
    let n = labels.len();
    let suffix_index = (0..n)
        .find(|&i| {
            let candidate = labels[i..].join(".");
            psl::suffix(candidate.as_bytes()).is_some_and(|s| {
                s.as_bytes() == candidate.as_bytes() && s.typ() == Some(psl::Type::Icann)
            })
        })
        .unwrap_or(n);
    if suffix_index == n && n == 4 && looks_like_ipv4(&host) {
        return (String::new(), host);
    }
    let domain = if suffix_index > 0 {
        labels[suffix_index - 1].to_owned()
    } else {
        String::new()
    };
    let subdomain = if suffix_index >= 2 {
        labels[..suffix_index - 1].join(".")
    } else {
        String::new()
    };
    (subdomain, domain)
}

fn looks_like_ipv4(s: &str) -> bool {
    s.split('.').all(|part| {
        !part.is_empty()
            && part.len() <= 3
            && part.chars().all(|c| c.is_ascii_digit())
            && part.parse::<u16>().is_ok_and(|v| v <= 255)
    })
}

/// `compare_urls(url1, url2)` (with `full=True`) on two strings.
pub(super) fn compare_urls(a: &str, b: &str) -> Result<bool, BadUrl> {
    Ok(normalize(a)? == normalize(b)?)
}

/// `compare_urls`' `normalize_url`.
fn normalize(url: &str) -> Result<String, BadUrl> {
    let has_scheme = {
        let mut chars = url.chars();
        chars.next().is_some_and(|c| c.is_ascii_alphabetic()) && {
            let rest: &str = chars.as_str();
            let end = rest
                .find(|c: char| !is_scheme_char(c))
                .unwrap_or(rest.len());
            rest[end..].starts_with("://")
        }
    };
    let url = if has_scheme {
        url.to_owned()
    } else {
        format!("http://{url}")
    };
    let p = urlparse(&url)?;
    let (subdomain, domain) = subdomain_and_domain(&p.netloc.to_lowercase());
    let netloc = if subdomain.is_empty() || subdomain == "www" {
        domain
    } else {
        format!("{subdomain}.{domain}")
    };
    let path = if p.path == "/" { String::new() } else { p.path };
    Ok(urlunparse(&Parsed {
        scheme: p.scheme.to_lowercase(),
        netloc,
        path,
        ..p
    }))
}

/// `urlunparse(urlparse(url)._replace(query=""))` (`is_expected_active_tab_approximate`).
pub(super) fn strip_query(url: &str) -> Result<String, BadUrl> {
    let p = urlparse(url)?;
    Ok(urlunparse(&Parsed {
        query: String::new(),
        ..p
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urlparse_round_trips_as_python() {
        let p = urlparse("HTTPS://www.A.com:8080/p/a;x?q=1#f").unwrap_or_default();
        assert_eq!(p.scheme, "https");
        assert_eq!(p.netloc, "www.A.com:8080");
        assert_eq!(p.path, "/p/a");
        assert_eq!(p.params, "x");
        assert_eq!(p.query, "q=1");
        assert_eq!(p.fragment, "f");
        assert_eq!(urlunparse(&p), "https://www.A.com:8080/p/a;x?q=1#f");
        assert_eq!(
            urlunparse(&urlparse("chrome://settings/").unwrap_or_default()),
            "chrome://settings/"
        );
        assert_eq!(urlparse("http://[::1").err(), Some(BadUrl));
    }

    #[test]
    fn domains_as_tldextract() {
        let sd = |s: &str| subdomain_and_domain(s);
        assert_eq!(sd("www.bbc.co.uk"), ("www".into(), "bbc".into()));
        assert_eq!(
            sd("jalammar.github.io"),
            ("jalammar".into(), "github".into())
        );
        assert_eq!(sd(".amazon.com"), ("".into(), "amazon".into()));
        assert_eq!(sd("127.0.0.1:8000"), ("".into(), "127.0.0.1".into()));
        assert_eq!(
            sd("www.site.deskhand.test"),
            ("www.site.deskhand".into(), "test".into())
        );
        assert_eq!(sd("user@localhost:80"), ("".into(), "localhost".into()));
    }

    #[test]
    fn compare_urls_as_osworld() {
        let c = |a: &str, b: &str| compare_urls(a, b).unwrap_or(false);
        assert!(c("https://www.airbnb.com/", "https://airbnb.com.sg"));
        assert!(c(
            "https://www.lonelyplanet.com",
            "https://www.lonelyplanet.com/"
        ));
        assert!(c("github.com", "http://github.com/"));
        assert!(!c("github.com", "https://github.com/"));
        assert!(!c("https://a.com/x?q=1", "https://a.com/x?q=2"));
        assert!(c("https://a.com:443/x", "https://a.com/x"));
        assert!(!c(
            "https://docs.python.org/3/",
            "https://docs.python.org/3"
        ));
    }
}
