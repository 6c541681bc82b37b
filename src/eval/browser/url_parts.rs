//! What OSWorld's getters read off the active tab's URL, computed as its Python does:
//! `active_tab_url_parse` (`parse_qs` of the query), `url_dashPart` (`url.split("/")`),
//! `url_path_parse` (its Macy's product-path parser), and `compare_urls` (for
//! `chrome_close_tabs`).

use deskhand_tasks::metrics::Got;
use deskhand_tasks::sources::browser::{DashPart, UrlParse};
use serde_json::{Map, Value, json};

/// The parts of a URL as Python's `urlparse` splits them (params left in the path).
#[derive(Debug, PartialEq)]
struct Parts<'a> {
    scheme: &'a str,
    netloc: &'a str,
    path: &'a str,
    query: &'a str,
    fragment: &'a str,
}

fn split(url: &str) -> Parts<'_> {
    let (scheme, rest) = match url.split_once(':') {
        Some((s, r))
            if !s.is_empty()
                && s.starts_with(|c: char| c.is_ascii_alphabetic())
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c)) =>
        {
            (s, r)
        }
        _ => ("", url),
    };
    let (rest, fragment) = rest.split_once('#').unwrap_or((rest, ""));
    let (rest, query) = rest.split_once('?').unwrap_or((rest, ""));
    let (netloc, path) = match rest.strip_prefix("//") {
        Some(r) => match r.find('/') {
            Some(i) => (&r[..i], &r[i..]),
            None => (r, ""),
        },
        None => ("", rest),
    };
    Parts {
        scheme,
        netloc,
        path,
        query,
        fragment,
    }
}

/// Python's `unquote`: `%XX` decoded, invalid UTF-8 replaced.
fn unquote(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && i + 2 < b.len()
            && let Some(v) = s
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `active_tab_url_parse`: each of `parse_keys` from the query (`parse_qs`: `+` and `%XX`
/// decoded, blank values dropped, the first value of a key), `""` when missing; keys renamed by
/// `replace`; values split on `,` with `split_list`.
pub fn query_params(url: &str, p: &UrlParse) -> Value {
    let query = split(url).query;
    let mut first: Map<String, Value> = Map::new();
    for (k, v) in url::form_urlencoded::parse(query.as_bytes()) {
        if !v.is_empty() && !first.contains_key(k.as_ref()) {
            first.insert(k.into_owned(), json!(v.into_owned()));
        }
    }
    let mut out = Map::new();
    for key in &p.parse_keys {
        out.insert(
            key.clone(),
            first.get(key).cloned().unwrap_or_else(|| json!("")),
        );
    }
    for (from, to) in &p.replace {
        if let (Some(v), Some(to)) = (out.remove(from), to.as_str()) {
            out.insert(to.to_owned(), v);
        }
    }
    if p.split_list {
        for v in out.values_mut() {
            let parts: Vec<Value> = v
                .as_str()
                .unwrap_or_default()
                .split(',')
                .map(|s| json!(s))
                .collect();
            *v = Value::Array(parts);
        }
    }
    Value::Object(out)
}

/// `url_dashPart`: the `/`-separated part at `index` (Python indexing), cut at `?` with
/// `needDeleteId`; text, or `{key: part}`. `None` when the index is out of range.
pub fn dash_part(url: &str, d: &DashPart) -> Option<Got> {
    let parts: Vec<&str> = url.split('/').collect();
    let len = i64::try_from(parts.len()).ok()?;
    let i = if d.index < 0 { d.index + len } else { d.index };
    let part = *parts.get(usize::try_from(i).ok()?)?;
    let part = if d.delete_id {
        part.split('?').next().unwrap_or_default()
    } else {
        part
    };
    Some(match &d.json_key {
        None => Got::Text(part.to_owned()),
        Some(key) => Got::Json(json!({ key: part })),
    })
}

const PRICE: &str = "Price_discount_range";
const FIFTY: &str = "50_PERCENT_ off & more";

/// `url_path_parse` (OSWorld's `get_macys_product_url_parse`): `mens_clothing`, `shirts` and
/// `short_sleeve` (true, or null), and each of `parse_keys` found in the path's first pair of
/// comma-separated key and value segments (`Price_discount_range` as whether only 50% off is
/// chosen).
pub fn product_path(url: &str, parse_keys: &[String]) -> Value {
    let path = unquote(split(url).path);
    let mut result = Map::new();
    let flag = |b: bool| if b { json!(true) } else { Value::Null };
    result.insert("mens_clothing".into(), flag(path.contains("mens-clothing")));
    let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
    let mut kv = Map::new();
    let mut shirts = path.contains("shirts");
    let mut short = path.contains("short-sleeve");
    for pair in parts.windows(2) {
        if pair[0].contains(',') && pair[1].contains(',') {
            for (k, v) in pair[0].split(',').zip(pair[1].split(',')) {
                let (k, v) = (k.trim(), v.trim());
                let value = if v.is_empty() {
                    Value::Null
                } else if k == PRICE {
                    json!(v.split('|').map(str::trim).collect::<Vec<_>>())
                } else {
                    json!(v)
                };
                kv.insert(k.to_owned(), value);
                if k == "Product_department" && ["shirts", "Shirts", "Shirt"].contains(&v) {
                    shirts = true;
                }
                if k == "Sleeve_length" && ["short-sleeve", "Short Sleeve"].contains(&v) {
                    short = true;
                }
            }
            break;
        }
    }
    for field in ["Men_regular_size_t", PRICE] {
        kv.entry(field).or_insert(Value::Null);
    }
    result.insert("shirts".into(), flag(shirts));
    result.insert("short_sleeve".into(), flag(short));
    for key in parse_keys {
        let Some(v) = kv.get(key) else { continue };
        let v = if key == PRICE {
            let has = |s: &str| v.as_array().is_some_and(|a| a.iter().any(|x| x == s));
            if has(FIFTY) && !has("30_PERCENT_ off & more") && !has("20_PERCENT_ off & more") {
                json!(FIFTY)
            } else {
                json!("not_50_PERCENT_ off & more")
            }
        } else {
            v.clone()
        };
        result.insert(key.clone(), v);
    }
    Value::Object(result)
}

/// Suffixes of two labels, for the few country domains OSWorld's tasks name.
const TWO_LABEL_SUFFIXES: &[&str] = &[
    "co.uk", "org.uk", "ac.uk", "com.au", "com.sg", "co.jp", "com.cn", "co.in", "com.br", "com.hk",
    "co.kr", "com.tw",
];

/// OSWorld's `compare_urls` normalisation: `http://` when there is no scheme, the host without
/// a lone `www` and without its public suffix, `/` as an empty path; query and fragment kept.
fn normalize(url: &str) -> String {
    let with_scheme;
    let url = if split(url).scheme.is_empty() || !url.contains("://") {
        with_scheme = format!("http://{url}");
        &with_scheme
    } else {
        url
    };
    let p = split(url);
    let host = p.netloc.rsplit('@').next().unwrap_or_default();
    let host = host
        .split(':')
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    let labels: Vec<&str> = host.split('.').collect();
    let ip = host.parse::<std::net::Ipv4Addr>().is_ok();
    let suffix_len = if ip || labels.len() < 2 {
        0
    } else if labels.len() > 2
        && TWO_LABEL_SUFFIXES.contains(&labels[labels.len() - 2..].join(".").as_str())
    {
        2
    } else {
        1
    };
    let mut kept = labels[..labels.len() - suffix_len].to_vec();
    if kept.len() == 2 && kept[0] == "www" {
        kept.remove(0);
    }
    let path = if p.path == "/" { "" } else { p.path };
    let mut out = format!(
        "{}://{}{}",
        p.scheme.to_ascii_lowercase(),
        kept.join("."),
        path
    );
    if !p.query.is_empty() {
        out.push('?');
        out.push_str(p.query);
    }
    if !p.fragment.is_empty() {
        out.push('#');
        out.push_str(p.fragment);
    }
    out
}

/// Whether two URLs are the same for OSWorld's `compare_urls`.
pub fn same_url(a: &str, b: &str) -> bool {
    normalize(a) == normalize(b)
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    #[test]
    fn query_parameters_as_parse_qs_reads_them() {
        let p = UrlParse {
            parse_keys: vec!["q".into(), "missing".into(), "blank".into(), "time".into()],
            replace: serde_json::from_value(json!({"time": "when"})).unwrap_or_default(),
            split_list: false,
        };
        let got = query_params(
            "https://www.x.test/s?q=red+shoes%21&blank=&q=second&time=2024-01-05#top",
            &p,
        );
        assert_eq!(
            got,
            json!({"q": "red shoes!", "missing": "", "blank": "", "when": "2024-01-05"})
        );
        let p = UrlParse {
            parse_keys: vec!["modelList".into()],
            replace: Map::new(),
            split_list: true,
        };
        assert_eq!(
            query_params("https://x.test/?modelList=a%2Cb,c", &p),
            json!({"modelList": ["a", "b", "c"]})
        );
    }

    #[test]
    fn dash_parts_index_as_python_does() {
        let d = |index, delete_id, key: Option<&str>| DashPart {
            index,
            delete_id,
            json_key: key.map(str::to_owned),
        };
        let url = "https://www.x.test/events/2024-01-05?id=7";
        assert_eq!(
            dash_part(url, &d(-1, true, Some("time"))),
            Some(Got::Json(json!({"time": "2024-01-05"})))
        );
        assert_eq!(
            dash_part(url, &d(-1, false, None)),
            Some(Got::Text("2024-01-05?id=7".into()))
        );
        assert_eq!(
            dash_part(url, &d(2, false, None)),
            Some(Got::Text("www.x.test".into()))
        );
        assert_eq!(dash_part(url, &d(5, false, None)), None);
        assert_eq!(dash_part(url, &d(-6, false, None)), None);
    }

    #[test]
    fn product_paths_as_osworld_parses_them() {
        let keys: Vec<String> = [
            "mens_clothing",
            "shirts",
            "Men_regular_size_t",
            "Price_discount_range",
            "short_sleeve",
        ]
        .map(String::from)
        .to_vec();
        let url = "https://www.macys.com/shop/mens-clothing/mens-dress-shirts/Men_regular_size_t,Price_discount_range,Sleeve_length/M,50_PERCENT_%20off%20%26%20more,Short%20Sleeve?id=20635";
        assert_eq!(
            product_path(url, &keys),
            json!({"mens_clothing": true, "shirts": true, "Men_regular_size_t": "M",
                   "Price_discount_range": "50_PERCENT_ off & more", "short_sleeve": true})
        );
        assert_eq!(
            product_path("https://www.macys.com/shop/womens", &keys),
            json!({"mens_clothing": null, "shirts": null, "short_sleeve": null,
                   "Men_regular_size_t": null, "Price_discount_range": "not_50_PERCENT_ off & more"})
        );
    }

    #[test]
    fn urls_compare_as_compare_urls_does() {
        assert!(same_url(
            "https://www.tripadvisor.com",
            "https://tripadvisor.com/"
        ));
        assert!(same_url(
            "https://www.tripadvisor.com/",
            "https://www.tripadvisor.co.uk"
        ));
        assert!(same_url("tripadvisor.com", "http://www.tripadvisor.com/"));
        assert!(!same_url(
            "https://www.tripadvisor.com",
            "http://www.tripadvisor.com"
        ));
        assert!(!same_url(
            "http://a.deskhand.test/x",
            "http://a.deskhand.test/y"
        ));
        assert!(same_url(
            "http://a.deskhand.test:8080/x?q=1",
            "http://a.deskhand.test/x?q=1"
        ));
        assert!(!same_url("http://a.test/x?q=1", "http://a.test/x?q=2"));
    }
}
