// The search page: queries this edition's Pagefind index (built with the site) in the browser.
// Pagefind loads only the pieces of the index a query needs. It folds Vietnamese tone and vowel
// marks (quang ninh finds Quảng Ninh) but not đ, which is a letter of its own: so a syllable
// typed with d is also looked up with đ, and the results are merged.

const box = document.getElementById("search");
const form = document.querySelector(".search-page-form");
const input = document.getElementById("search-query");
const status = document.getElementById("search-status");
const list = document.getElementById("search-results");
const more = document.getElementById("search-more");
const strings = JSON.parse(box.dataset.strings);
// Results are shown ten at a time: each one shown costs its page's fragment (~3 KB) to download.
const SHOWN = 10;
const SPELLINGS = 16;
let engine;
let current = { query: "", hits: [], queue: Promise.resolve() }; // the query shown, all its results

async function pagefind() {
  if (!engine) {
    engine = await import(new URL(box.dataset.pagefind, location.href).href);
    await engine.options({ baseUrl: new URL(box.dataset.root, location.href).pathname, excerptLength: 24 });
  }
  return engine;
}

// "dien luc" → "dien luc", "điên luc"… : each syllable starting with d also spelled with đ.
export function spellings(query) {
  let variants = [""];
  for (const part of query.split(/(\s+)/)) {
    const next = [];
    for (const variant of variants) {
      next.push(variant + part);
      const match = /^(["'(“]?)([dD])/.exec(part);
      if (match && next.length < SPELLINGS) {
        const letter = match[2] === "d" ? "đ" : "Đ";
        next.push(variant + match[1] + letter + part.slice(match[0].length));
      }
    }
    variants = next.slice(0, SPELLINGS);
  }
  return variants;
}

function text(template, values) {
  return template.replace(/\{(\w+)\}/g, (_, name) => values[name]);
}

// Pagefind's excerpt is escaped text with <mark> around the matches: only those marks are kept.
function excerpt(html) {
  const paragraph = document.createElement("p");
  paragraph.className = "summary";
  const parsed = new DOMParser().parseFromString(`<p>${html}</p>`, "text/html").body.firstChild;
  for (const node of parsed.childNodes) {
    if (node.nodeName === "MARK") {
      const mark = document.createElement("mark");
      mark.textContent = node.textContent;
      paragraph.append(mark);
    } else {
      paragraph.append(node.textContent);
    }
  }
  return paragraph;
}

function result(data) {
  const item = document.createElement("li");
  item.className = "search-result";
  const heading = document.createElement("h2");
  const link = document.createElement("a");
  link.href = data.url;
  link.textContent = data.meta.title || data.url;
  heading.append(link);
  item.append(heading);
  if (data.meta.date) {
    const meta = document.createElement("p");
    meta.className = "meta";
    meta.textContent = data.meta.date;
    item.append(meta);
  }
  item.append(excerpt(data.excerpt));
  return item;
}

// The next SHOWN results of the query shown; with focus, the first new result's link takes it.
// Queued, so that quick clicks append each ten once and in order.
function showMore(focus) {
  const state = current;
  state.queue = state.queue
    .catch(() => {})
    .then(async () => {
      const start = list.children.length;
      const page = await Promise.all(state.hits.slice(start, start + SHOWN).map((hit) => hit.data()));
      if (current !== state) return; // a newer query replaced this one meanwhile
      const items = page.map(result);
      list.append(...items);
      more.hidden = list.children.length >= state.hits.length;
      if (focus && items.length) items[0].querySelector("a").focus();
    });
  return state.queue;
}

async function search(query) {
  query = query.normalize("NFC").trim();
  const state = (current = { query, hits: [], queue: Promise.resolve() });
  list.replaceChildren();
  more.hidden = true;
  if (!query) {
    status.textContent = "";
    return;
  }
  status.textContent = strings.loading;
  try {
    const engine = await pagefind();
    const found = await Promise.all(spellings(query).map((spelling) => engine.search(spelling)));
    const best = new Map();
    for (const search of found) {
      for (const hit of search?.results ?? []) {
        if (!best.has(hit.id) || best.get(hit.id).score < hit.score) best.set(hit.id, hit);
      }
    }
    if (current !== state) return; // a newer query is on its way
    state.hits = [...best.values()].sort((a, b) => b.score - a.score);
    await showMore(false);
    if (current !== state) return;
    const count = state.hits.length;
    const message = count === 0 ? strings.none : count === 1 ? strings.one : strings.count;
    status.textContent = text(message, { count, query });
  } catch (error) {
    if (current !== state) return;
    status.textContent = strings.unavailable;
    console.error(error);
  }
}

more.addEventListener("click", () =>
  showMore(true).catch((error) => {
    status.textContent = strings.unavailable;
    console.error(error);
  }),
);

form.addEventListener("submit", (event) => {
  event.preventDefault();
  const url = new URL(location.href);
  url.searchParams.set("q", input.value);
  history.replaceState(null, "", url);
  search(input.value);
});

const initial = new URLSearchParams(location.search).get("q");
if (initial) {
  input.value = initial;
  search(initial);
}
