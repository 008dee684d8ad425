/* The search page: a small interface of our own over Pagefind's JavaScript API (pagefind.js), so
   that a reader's first search fetches Pagefind's engine, its metadata, and only the index chunks
   and result excerpts the query needs; never a ready-made interface or every filter file.

   The index may be split into several Pagefind bundles. pagefind/bundles.json lists their folders
   relative to pagefind/ ({"bundles": ["0/", "1/"]}); the first is loaded and the others are merged
   into it (mergeIndex).
   The filters (verdict, topic, speaker) are <select>s drawn when the site is built (the
   factcheck:search-filters marker); their values are the text Pagefind records for each filter.
   The query and the filters live in the address (?q=...&verdict=...&topic=...&speaker=...). */

const PAGE_SIZE = 10;
const DELAY_MS = 300;
const LABEL = "Words to search for, in claims, quotes, names and analysis:";
const FILTERS = ["verdict", "topic", "speaker"];

const mount = document.getElementById("fc-search");
if (mount) start(mount);

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text) node.textContent = text;
  return node;
}

/* Pagefind, with every bundle merged (null when there is none); rejects when a bundle cannot be loaded. */
async function loadPagefind(base) {
  const listing = await fetch(new URL("bundles.json", base), { cache: "no-cache" });
  if (!listing.ok) throw new Error("pagefind/bundles.json: HTTP " + listing.status);
  const bundles = (await listing.json()).bundles;
  if (!Array.isArray(bundles) || !bundles.every((b) => typeof b === "string" && b)) {
    throw new Error("pagefind/bundles.json does not list bundles");
  }
  if (!bundles.length) return null; // nothing published yet: every search finds nothing
  const folders = bundles.map((bundle) => {
    const folder = new URL(bundle.endsWith("/") ? bundle : bundle + "/", base);
    if (folder.origin !== window.location.origin) throw new Error("a search bundle on another host: " + bundle);
    return folder;
  });
  const pagefind = await import(new URL("pagefind.js", folders[0]).href);
  // Searching in this page rather than in a web worker: the worker script would be 40 KB more to
  // download before the first result, for a search that takes milliseconds.
  await pagefind.options({ noWorker: true });
  // An empty search loads nothing but waits for the bundle's metadata, and fails if it is missing.
  await pagefind.search("");
  await Promise.all(folders.slice(1).map((folder) => pagefind.mergeIndex(folder.pathname)));
  await pagefind.search("");
  return { search: pagefind.search, preload: pagefind.preload, bundleCount: folders.length };
}

/* Pagefind's search over every bundle, finding what one index of the whole site would find.
   When a bundle holds no word beginning with a query word, Pagefind matches instead the longest
   word of that bundle with which the query word begins ("an" for "anchorage"). One index of the
   whole site holds the word whenever any claim does, so this only happens for words no claim
   holds; across several bundles it would add unrelated claims from the bundles without the word.
   So each whole query word that some claim holds as such ("exact" search, which never falls back)
   narrows the results to the claims that hold it. Exact search finds nothing for a word of one
   character (a "5"), which no other word can stand in for, so there the word's own search does. */
async function searchAll(pagefind, term, filters) {
  const response = await pagefind.search(term || null, { filters: filters });
  if (!term || term.includes('"') || pagefind.bundleCount < 2) return response;
  let results = response.results;
  for (const word of new Set(term.split(/\s+/).filter(Boolean))) {
    let found = (await pagefind.search('"' + word + '"', { filters: filters })).results;
    if (!found.length && word.length === 1) found = (await pagefind.search(word, { filters: filters })).results;
    if (!found.length) continue; // a word being typed, or one no claim holds
    const holding = new Set(found.map((result) => result.id));
    results = results.filter((result) => holding.has(result.id));
  }
  return Object.assign({}, response, { results: results });
}

function start(mount) {
  const base = new URL(mount.getAttribute("data-bundle") || "../pagefind/", document.baseURI);
  const ready = loadPagefind(base);
  // The search as this page runs it, for tests that compare it with one index of the whole site.
  window.factcheckSearch = (term, filters) => ready.then((pagefind) =>
    pagefind ? searchAll(pagefind, term, filters || {}) : { results: [] });

  let form = document.getElementById("fc-search-filters");
  if (!form) {
    form = element("form");
    form.id = "fc-search-filters";
  }
  form.classList.add("fc-search__form");
  form.setAttribute("role", "search");
  form.setAttribute("aria-label", "Fact-checks");

  const query = element("div", "fc-search__query");
  const input = element("input");
  input.type = "search";
  input.id = "fc-search-input";
  input.name = "q";
  input.autocomplete = "off";
  input.spellcheck = false;
  const label = element("label", "", LABEL);
  label.htmlFor = input.id;
  const row = element("div", "fc-search__row");
  const submit = element("button", "fc-search__button", "Search");
  submit.type = "submit";
  row.append(input, submit);
  query.append(label, row);
  form.prepend(query);

  const status = element("p", "fc-search__status");
  status.id = "fc-search-status";
  status.setAttribute("role", "status");
  const list = element("ol", "fc-results");
  list.id = "fc-search-results";
  list.setAttribute("aria-label", "Search results");
  const more = element("button", "fc-search__button fc-search__more", "Show more results");
  more.type = "button";
  more.hidden = true;
  mount.append(form, status, list, more);
  form.hidden = false;

  const selects = {};
  for (const name of FILTERS) {
    const select = form.querySelector('select[data-fc-filter="' + name + '"]');
    if (select) selects[name] = select;
  }
  const badges = {};
  const template = form.querySelector("template#fc-search-badges");
  if (template) {
    for (const badge of template.content.querySelectorAll(".fc-badge")) {
      const text = badge.querySelector(".fc-badge__label");
      if (text) badges[text.textContent] = badge;
    }
  }

  let generation = 0;
  let timer = 0;
  let shown = null; // {results, count, what}: the search on screen

  function unavailable(error) {
    console.warn("factcheck search:", error);
    mount.hidden = true;
    const note = document.getElementById("fc-search-unavailable");
    if (note) note.hidden = false;
  }
  ready.catch(unavailable);

  function wanted() {
    const filters = {};
    for (const name of Object.keys(selects)) {
      if (selects[name].value) filters[name] = selects[name].value;
    }
    return { term: input.value.trim(), filters: filters };
  }

  function describe(term, filters) {
    const parts = term ? ["\u201c" + term + "\u201d"] : [];
    for (const name of FILTERS) {
      if (filters[name]) parts.push(name + " " + filters[name]);
    }
    return parts.join(", ");
  }

  function remember(term, filters) {
    const params = new URLSearchParams();
    if (term) params.set("q", term);
    for (const name of FILTERS) {
      if (filters[name]) params.set(name, filters[name]);
    }
    const search = params.toString();
    const address = window.location.pathname + (search ? "?" + search : "") + window.location.hash;
    if (address !== window.location.pathname + window.location.search + window.location.hash) {
      window.history.replaceState(window.history.state, "", address);
    }
  }

  function summary() {
    const total = shown.results.length;
    if (!total) return "No results for " + shown.what + ".";
    let text = total + (total === 1 ? " result" : " results") + " for " + shown.what;
    if (shown.count < total) text += ", showing the first " + shown.count;
    return text + ".";
  }

  function badge(label) {
    if (badges[label]) return badges[label].cloneNode(true);
    return element("span", "fc-result__verdict-label", label);
  }

  /* Pagefind's excerpt is text with <mark> around the words found; keep exactly that. */
  function excerpt(html) {
    const parsed = document.createElement("template");
    parsed.innerHTML = html || "";
    const paragraph = element("p", "fc-result__excerpt");
    for (const node of parsed.content.childNodes) {
      paragraph.append(node.nodeName === "MARK" ? element("mark", "", node.textContent)
                                                 : document.createTextNode(node.textContent));
    }
    return paragraph;
  }

  function item(data) {
    const meta = data.meta || {};
    const entry = element("li", "fc-result");
    const link = element("a", "fc-result__link", meta.title || data.url);
    link.href = /^(https?:\/\/|\/)/.test(data.url) ? data.url : "#";
    entry.append(link);
    const about = element("p", "fc-result__meta");
    if (meta.verdict) {
      const verdict = element("span", "fc-result__verdict", "Verdict: ");
      verdict.append(badge(meta.verdict));
      about.append(verdict);
    }
    if (meta.speaker) {
      if (meta.verdict) about.append(" \u00b7 ");
      about.append(element("span", "fc-result__speaker", "Claim by " + meta.speaker));
    }
    if (about.childNodes.length) entry.append(about);
    entry.append(excerpt(data.excerpt));
    return entry;
  }

  /* The next page of results of `state`, drawn (each result's data is fetched only now). */
  async function nextEntries(state) {
    const next = state.results.slice(state.count, state.count + PAGE_SIZE);
    const data = await Promise.all(next.map((result) => result.data()));
    return data.map(item);
  }

  function show(state, entries, replace) {
    if (replace) list.replaceChildren(...entries);
    else list.append(...entries);
    state.count += entries.length;
    shown = state;
    more.hidden = state.count >= state.results.length;
    status.textContent = summary();
  }

  function clear() {
    shown = null;
    list.replaceChildren();
    more.hidden = true;
    status.textContent = "";
  }

  async function run() {
    window.clearTimeout(timer);
    const current = ++generation;
    const { term, filters } = wanted();
    remember(term, filters);
    if (!term && !Object.keys(filters).length) {
      clear();
      return;
    }
    let pagefind;
    try {
      pagefind = await ready;
    } catch (error) {
      return; // the page says that search is unavailable
    }
    try {
      // A null term lists every page that matches the filters.
      const response = pagefind ? await searchAll(pagefind, term, filters) : { results: [] };
      if (current !== generation) return;
      const state = { results: response.results, count: 0, what: describe(term, filters) };
      const entries = await nextEntries(state);
      if (current === generation) show(state, entries, true);
    } catch (error) {
      if (current !== generation) return;
      console.warn("factcheck search:", error);
      clear();
      status.textContent = "The search failed. Please try again.";
    }
  }

  async function showMore() {
    const current = generation;
    const state = shown;
    const entries = await nextEntries(state);
    if (current !== generation || state !== shown) return;
    show(state, entries, false);
    if (entries.length) entries[0].querySelector("a").focus();
  }

  input.addEventListener("input", () => {
    window.clearTimeout(timer);
    timer = window.setTimeout(run, DELAY_MS);
    const term = input.value.trim();
    if (term) ready.then((pagefind) => pagefind && pagefind.preload(term, { filters: wanted().filters })).catch(() => {});
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    run();
  });
  for (const name of Object.keys(selects)) selects[name].addEventListener("change", run);
  let loadingMore = false;
  more.addEventListener("click", () => {
    if (!shown || loadingMore) return;
    loadingMore = true;
    showMore().catch((error) => console.warn("factcheck search:", error)).finally(() => { loadingMore = false; });
  });

  const params = new URLSearchParams(window.location.search);
  input.value = params.get("q") || "";
  for (const name of Object.keys(selects)) {
    const value = params.get(name) || "";
    selects[name].value = value;
    if (selects[name].value !== value) selects[name].value = "";
  }
  if (input.value.trim() || Object.keys(wanted().filters).length) run();
}
