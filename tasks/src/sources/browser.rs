//! The live browser, over the DevTools protocol: the open tabs, the active tab and the pages it shows (`chrome_open_tabs`, `active_tab_info`, …).
//!
//! Typed getters and setup steps of this kind; the evaluation side is in deskhand's `eval` module.
//! Fields are named as in OSWorld's task files. `goto_prefix` (the scheme OSWorld puts back in
//! front of the address bar's text) is accepted and not kept: deskhand reads the active tab's
//! URL itself, scheme included.

use crate::error::TaskError;
use serde::Deserialize;
use serde_json::{Map, Value};

/// A getter of this kind.
#[derive(Debug, Clone, PartialEq)]
pub enum BrowserGetter {
    /// `active_tab_info`: the active tab's page loaded afresh: `{title, url, content}`.
    ActiveTabInfo,
    /// `active_tab_url_parse`: query parameters of the active tab's URL.
    ActiveTabUrlParse(UrlParse),
    /// `active_tab_html_parse`: texts of elements of the active tab's page.
    ActiveTabHtmlParse(HtmlParse),
    /// `open_tabs_info`: every tab's `{title, url}`.
    OpenTabsInfo,
    /// `page_info`: a URL loaded in a new tab: `{title, url, content}`.
    PageInfo {
        /// The page.
        url: String,
    },
    /// `url_dashPart`: one `/`-separated part of the active tab's URL.
    UrlDashPart(DashPart),
    /// `url_path_parse`: facts of a shop's product-listing URL path (OSWorld's Macy's parser).
    UrlPathParse {
        /// `parse_keys`: the path's key-value fields to report.
        parse_keys: Vec<String>,
    },
    /// `pdf_from_url`: a URL printed to PDF, saved as `dest` in the cache.
    PdfFromUrl {
        /// `path`: the page's URL.
        url: String,
        /// The file name in the cache.
        dest: String,
    },
    /// `info_from_website`: texts and attributes read off a page, after clicks.
    InfoFromWebsite(WebsiteInfo),
    /// `gotoRecreationPage_and_get_html_content`: recreation.gov's campsite search for
    /// "Diamond", the first result's next available dates, one element's text.
    RecreationPage(RecreationPage),
}

/// `active_tab_url_parse`'s fields.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct UrlParse {
    /// The query parameters to report (a missing one is `""`).
    pub parse_keys: Vec<String>,
    /// Keys renamed in the result: `{original: new}`.
    #[serde(default)]
    pub replace: Map<String, Value>,
    /// Each value split on `,` into a list.
    #[serde(default, deserialize_with = "crate::truthy::truthy")]
    pub split_list: bool,
}

/// `active_tab_html_parse`'s fields: the `category` and the objects it reads (`class_singleObject`,
/// `xpathObject`, …, all of the getter's object, as written).
#[derive(Debug, Clone, PartialEq)]
pub struct HtmlParse {
    /// How elements are found.
    pub category: HtmlCategory,
    /// The getter's whole object.
    pub config: Value,
}

/// `active_tab_html_parse`'s `category`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum HtmlCategory {
    /// `class`: elements by class name (`class_singleObject`, `class_multiObject`,
    /// `class_multiObject_child`, `class_multiObject_only_child`, `class_multiObject_search_exist`).
    #[serde(rename = "class")]
    Class,
    /// `label`: the first element with a text (`labelObject`).
    #[serde(rename = "label")]
    Label,
    /// `xpath`: elements by XPath (`xpathObject`).
    #[serde(rename = "xpath")]
    Xpath,
    /// `input`: input values by XPath (`inputObject`).
    #[serde(rename = "input")]
    Input,
    /// `class&url`: class texts and words of the URL (`class_multiObject`,
    /// `class_multiObject_li`, `url_include_expected`, `url_include_expected_multichoice`).
    #[serde(rename = "class&url")]
    ClassAndUrl,
}

/// `url_dashPart`'s fields.
#[derive(Debug, Clone, PartialEq)]
pub struct DashPart {
    /// `partIndex`: which part, Python-style (negative counts from the end).
    pub index: i64,
    /// `needDeleteId`: cut the part at its `?`.
    pub delete_id: bool,
    /// `returnType`: `string`, or `json` with `key`.
    pub json_key: Option<String>,
}

/// `info_from_website`'s fields.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct WebsiteInfo {
    /// The page.
    pub url: String,
    /// What to read, in order.
    #[serde(default)]
    pub infos: Vec<WebsiteRead>,
    /// The value when reading fails (`None`: JSON null).
    #[serde(default)]
    pub backups: Option<Value>,
}

/// One read of `info_from_website`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum WebsiteRead {
    /// The element's rendered text.
    InnerText {
        /// A CSS selector.
        selector: String,
    },
    /// One attribute of the element.
    Attribute {
        /// A CSS selector.
        selector: String,
        /// The attribute.
        attribute: String,
    },
    /// Click every selector but the last, each in turn; the last one's rendered text.
    ClickAndInnerText {
        /// CSS selectors.
        selector: Vec<String>,
    },
    /// Click every selector but the last, each in turn; one attribute of the last one.
    ClickAndAttribute {
        /// CSS selectors.
        selector: Vec<String>,
        /// The attribute.
        attribute: String,
    },
}

/// `gotoRecreationPage_and_get_html_content`'s fields.
#[derive(Debug, Clone, PartialEq)]
pub struct RecreationPage {
    /// `class`: the class of the element to read (`selector` must be `class`).
    pub class: String,
    /// `order`: which of the class's elements (the first when absent).
    pub order: Option<usize>,
}

#[derive(Deserialize)]
struct UrlField {
    url: String,
}

#[derive(Deserialize)]
struct PathParseFields {
    parse_keys: Vec<String>,
}

#[derive(Deserialize)]
struct PdfFields {
    path: String,
    dest: String,
}

#[derive(Deserialize)]
struct CategoryField {
    category: HtmlCategory,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct DashFields {
    part_index: Value,
    #[serde(default, deserialize_with = "crate::truthy::truthy")]
    need_delete_id: bool,
    return_type: ReturnType,
    #[serde(default)]
    key: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "lowercase")]
enum ReturnType {
    String,
    Json,
}

#[derive(Deserialize)]
struct RecreationFields {
    selector: ClassSelector,
    class: String,
    #[serde(default)]
    order: Option<Value>,
}

#[derive(Deserialize)]
#[serde(rename_all = "lowercase")]
enum ClassSelector {
    Class,
}

/// Python's `int(v)` of a JSON number or a string of digits.
fn int_of(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn field_error(kind: &str, message: &str) -> TaskError {
    TaskError::GetterFields {
        kind: kind.to_owned(),
        source: serde::de::Error::custom(message),
    }
}

/// The getter `kind` (its whole object `raw`) if it is of this kind; `None` when it is not.
pub(crate) fn parse_getter(kind: &str, raw: &Value) -> Option<Result<BrowserGetter, TaskError>> {
    use crate::getter::typed;
    Some(match kind {
        "active_tab_info" => Ok(BrowserGetter::ActiveTabInfo),
        "open_tabs_info" => Ok(BrowserGetter::OpenTabsInfo),
        "active_tab_url_parse" => typed(kind, raw).map(BrowserGetter::ActiveTabUrlParse),
        "active_tab_html_parse" => typed::<CategoryField>(kind, raw).map(|c| {
            BrowserGetter::ActiveTabHtmlParse(HtmlParse {
                category: c.category,
                config: raw.clone(),
            })
        }),
        "page_info" => typed::<UrlField>(kind, raw).map(|u| BrowserGetter::PageInfo { url: u.url }),
        "url_path_parse" => {
            typed::<PathParseFields>(kind, raw).map(|p| BrowserGetter::UrlPathParse {
                parse_keys: p.parse_keys,
            })
        }
        "pdf_from_url" => typed::<PdfFields>(kind, raw).map(|p| BrowserGetter::PdfFromUrl {
            url: p.path,
            dest: p.dest,
        }),
        "info_from_website" => typed(kind, raw).map(BrowserGetter::InfoFromWebsite),
        "url_dashPart" => typed::<DashFields>(kind, raw).and_then(|d| {
            let index = int_of(&d.part_index)
                .ok_or_else(|| field_error(kind, "partIndex is not an integer"))?;
            let json_key = match d.return_type {
                ReturnType::String => None,
                ReturnType::Json => Some(
                    d.key
                        .ok_or_else(|| field_error(kind, "returnType json needs a key"))?,
                ),
            };
            Ok(BrowserGetter::UrlDashPart(DashPart {
                index,
                delete_id: d.need_delete_id,
                json_key,
            }))
        }),
        "gotoRecreationPage_and_get_html_content" => {
            typed::<RecreationFields>(kind, raw).and_then(|r| {
                let ClassSelector::Class = r.selector;
                let order = match &r.order {
                    None => None,
                    Some(v) => Some(
                        int_of(v)
                            .and_then(|i| usize::try_from(i).ok())
                            .ok_or_else(|| field_error(kind, "order is not an index"))?,
                    ),
                };
                Ok(BrowserGetter::RecreationPage(RecreationPage {
                    class: r.class,
                    order,
                }))
            })
        }
        _ => return None,
    })
}

/// A setup step of this kind.
#[derive(Debug, Clone, PartialEq)]
pub enum BrowserStep {
    /// `chrome_open_tabs`: each URL in a new tab, loaded; the tab the browser had is closed.
    OpenTabs {
        /// `urls_to_open`.
        urls: Vec<String>,
    },
    /// `chrome_close_tabs`: for each URL, the first tab showing it is closed.
    CloseTabs {
        /// `urls_to_close`.
        urls: Vec<String>,
    },
}

#[derive(Deserialize)]
struct OpenParams {
    urls_to_open: Vec<String>,
}

#[derive(Deserialize)]
struct CloseParams {
    urls_to_close: Vec<String>,
}

/// The setup step `kind` (with its `parameters`) if it is of this kind; `None` when it is not.
pub(crate) fn parse_step(kind: &str, parameters: &Value) -> Option<Result<BrowserStep, TaskError>> {
    use crate::step::typed;
    Some(match kind {
        "chrome_open_tabs" => {
            typed::<OpenParams>(kind, parameters).map(|p| BrowserStep::OpenTabs {
                urls: p.urls_to_open,
            })
        }
        "chrome_close_tabs" => {
            typed::<CloseParams>(kind, parameters).map(|p| BrowserStep::CloseTabs {
                urls: p.urls_to_close,
            })
        }
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_corpus_shapes_parse() {
        let g = parse_getter(
            "url_dashPart",
            &json!({"type": "url_dashPart", "goto_prefix": "https://www.", "partIndex": -2,
                    "needDeleteId": false, "returnType": "json", "key": "time"}),
        );
        assert_eq!(
            g.map(Result::ok),
            Some(Some(BrowserGetter::UrlDashPart(DashPart {
                index: -2,
                delete_id: false,
                json_key: Some("time".into())
            })))
        );
        let g = parse_getter(
            "gotoRecreationPage_and_get_html_content",
            &json!({"selector": "class", "class": "camp-sortable-column-header", "order": "2"}),
        );
        assert_eq!(
            g.map(Result::ok),
            Some(Some(BrowserGetter::RecreationPage(RecreationPage {
                class: "camp-sortable-column-header".into(),
                order: Some(2)
            })))
        );
        let g = parse_getter(
            "info_from_website",
            &json!({"url": "https://a.test/", "infos": [
                {"action": "inner_text", "selector": "#x"},
                {"action": "click_and_attribute", "selector": ["a", "b"], "attribute": "href"}]}),
        );
        let Some(Ok(BrowserGetter::InfoFromWebsite(w))) = g else {
            panic!("{g:?}");
        };
        assert_eq!(w.infos.len(), 2);
        assert_eq!(w.backups, None);
        let g = parse_getter(
            "active_tab_html_parse",
            &json!({"category": "class&url", "class_multiObject": {"a": ["b"]}}),
        );
        assert!(matches!(
            g,
            Some(Ok(BrowserGetter::ActiveTabHtmlParse(HtmlParse {
                category: HtmlCategory::ClassAndUrl,
                ..
            })))
        ));
        let s = parse_step(
            "chrome_open_tabs",
            &json!({"urls_to_open": ["http://a.test/"]}),
        );
        assert_eq!(
            s.map(Result::ok),
            Some(Some(BrowserStep::OpenTabs {
                urls: vec!["http://a.test/".into()]
            }))
        );
        assert!(parse_getter("vm_file", &json!({})).is_none());
    }

    #[test]
    fn wrong_fields_are_errors() {
        for (kind, raw) in [
            (
                "url_dashPart",
                json!({"partIndex": "x", "returnType": "string"}),
            ),
            (
                "url_dashPart",
                json!({"partIndex": 1, "returnType": "json"}),
            ),
            ("active_tab_html_parse", json!({"category": "css"})),
            ("page_info", json!({})),
        ] {
            assert!(
                matches!(parse_getter(kind, &raw), Some(Err(_))),
                "{kind} {raw}"
            );
        }
        assert!(matches!(
            parse_step("chrome_close_tabs", &json!({})),
            Some(Err(_))
        ));
    }
}
