// active_tab_html_parse, run in the active tab's page: OSWorld's Playwright queries (getters/chrome.py,
// get_active_tab_html_parse), one for one. `config` is the getter's object; the result is the
// object OSWorld returns. A query that throws finds nothing, as OSWorld's "safely_" helpers do.
(config) => {
  const out = {};
  const all = (sel) => { try { return Array.from(document.querySelectorAll(sel)); } catch (e) { return []; } };
  const text = (el) => (el.textContent || '').trim();
  const texts = (sel) => all(sel).map(text);
  const directTexts = (sel) => {
    const lists = all(sel).map((el) => Array.from(el.childNodes)
      .filter((n) => n.nodeType === Node.TEXT_NODE)
      .map((n) => n.textContent.trim())
      .filter(Boolean));
    return lists.length ? lists[0] : [];
  };
  const liTexts = (sel) => all(sel + ' li.catAllProducts')
    .filter((el) => el.querySelector('span'))
    .map((el) => el.querySelector('span').innerText.trim());
  const h3Texts = (sel) => all(sel)
    .filter((el) => el.querySelector('h3'))
    .map((el) => text(el.querySelector('h3')));
  const xpath = (xp) => {
    try {
      const r = document.evaluate(xp, document, null, XPathResult.ORDERED_NODE_SNAPSHOT_TYPE, null);
      const a = [];
      for (let i = 0; i < r.snapshotLength; i++) a.push(r.snapshotItem(i));
      return a;
    } catch (e) { return []; }
  };
  // Python's list[index] for an index that fits (negative from the end); '' otherwise.
  const at = (list, order) => {
    const i = parseInt(order, 10);
    const j = i < 0 ? list.length + i : i;
    return list.length > i && j >= 0 && j < list.length ? list[j] : '';
  };
  const entries = (o) => Object.entries(o || {});
  // Playwright's unquoted `text=` locator: the smallest elements whose whitespace-collapsed
  // text holds the words, case-insensitively.
  const byText = (words) => {
    const norm = (s) => (s || '').replace(/\s+/g, ' ').trim().toLowerCase();
    const want = norm(words);
    const skip = new Set(['SCRIPT', 'STYLE', 'NOSCRIPT', 'HEAD', 'TITLE']);
    const hits = (el) => !skip.has(el.tagName) && norm(el.textContent).includes(want);
    const found = Array.from(document.body ? document.body.querySelectorAll('*') : [])
      .filter((el) => hits(el) && !Array.from(el.children).some(hits));
    return found.length ? found[0] : null;
  };
  const lower = (s) => String(s).toLowerCase();
  // class&url: which of `wanted` the texts name, and whether a text is none of them.
  const classAndUrl = (found, wanted) => {
    for (const key of wanted) {
      if (found.some((t) => lower(key) === lower(t))) out[lower(key)] = true;
    }
    for (const t of found) {
      if (wanted.every((item) => !lower(item).includes(lower(t)))) { out.is_other_exist = true; break; }
    }
    if (!('is_other_exist' in out)) out.is_other_exist = false;
  };
  const url = lower(location.href);
  switch (config.category) {
    case 'class':
      for (const [cls, orders] of entries(config.class_multiObject)) {
        const t = texts('.' + cls);
        for (const [order, key] of entries(orders)) out[key] = at(t, order);
      }
      for (const [cls, orders] of entries(config.class_multiObject_child)) {
        const t = directTexts('.' + cls);
        for (const [order, key] of entries(orders)) out[key] = at(t, order);
      }
      for (const [cls, orders] of entries(config.class_multiObject_only_child)) {
        const t = h3Texts('.' + cls);
        for (const [order, key] of entries(orders)) out[key] = at(t, order);
      }
      for (const [cls, wanted] of entries(config.class_multiObject_search_exist)) {
        const t = texts('.' + cls);
        for (const w of wanted) if (w !== 'is_other_exist') out[w] = t.includes(w);
        if (wanted.includes('is_other_exist')) {
          for (const x of t) if (!wanted.includes(x)) out.is_other_exist = true;
          if (!('is_other_exist' in out)) out.is_other_exist = false;
        }
      }
      for (const [cls, key] of entries(config.class_singleObject)) {
        const t = texts('.' + cls);
        out[key] = t.length ? t[0] : '';
      }
      break;
    case 'label':
      for (const [words, key] of entries(config.labelObject)) {
        const el = byText(words);
        out[key] = el ? text(el) : '';
      }
      break;
    case 'xpath':
      for (const [xp, key] of entries(config.xpathObject)) {
        let els = xpath(xp);
        if (!els.length) els = all(xp);
        out[key] = els.length ? text(els[0]) : '';
      }
      break;
    case 'input':
      for (const [xp, key] of entries(config.inputObject)) {
        const el = xpath(xp)[0];
        const ok = el && ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName);
        out[key] = ok && el.value ? el.value.trim() : '';
      }
      break;
    case 'class&url':
      for (const [cls, wanted] of entries(config.class_multiObject)) classAndUrl(texts('.' + cls), wanted);
      for (const [cls, wanted] of entries(config.class_multiObject_li)) classAndUrl(liTexts('.' + cls), wanted);
      for (const key of config.url_include_expected || []) {
        if (!(lower(key) in out)) out[lower(key)] = url.includes(lower(key));
      }
      for (const [key, value] of entries(config.url_include_expected_multichoice)) {
        if (!(lower(value) in out)) out[lower(value)] = url.includes(lower(key));
      }
      break;
  }
  return out;
}
