// The search page: queries this edition's search index (made with the site) in the browser, through
// ./words.js, which loads only the pieces of the index a query needs. Words are matched folded
// (quang ninh finds Quảng Ninh, dien finds điện) and, in English, stemmed.
//
// Quoted phrases ("sân bay", “Vân Đồn”) are matched here: the index finds the pages holding every
// word; each page's text is then read and kept only if it has the phrase's words next to each
// other, marks folded, punctuation between them ignored. Pages that have what was typed, marks and
// all, come first: "Vân Đồn" before vấn đề or vận động.

const box = document.getElementById("search");
const form = document.querySelector(".search-page-form");
const input = document.getElementById("search-query");
const status = document.getElementById("search-status");
const list = document.getElementById("search-results");
const more = document.getElementById("search-more");
const strings = JSON.parse(box.dataset.strings);
// Results are shown ten at a time: each one shown costs its page's fragment (~3 KB) to download.
const SHOWN = 10;
// A phrase is checked against each candidate page's text (its fragment, ~3 KB). Beyond this many
// candidates the index's word positions decide (each word of the phrase one position after the
// one before it), and only the pages shown are downloaded: a common phrase in a large archive
// costs its words' shards and ten fragments, not thousands of fragments a browser will not fetch
// at once.
const CHECKED = 100;
const WORD = /[\p{L}\p{N}]+/gu;
let lock = Promise.resolve(); // one search at a time: the exact-marks search switches an option
let engine;
let current = { query: "", hits: [], queue: Promise.resolve() }; // the query shown, all its results

async function index() {
  if (!engine) {
    engine = await import(new URL(box.dataset.engine, location.href).href);
    await engine.options({
      baseUrl: new URL(box.dataset.root, location.href).pathname,
      index: new URL(box.dataset.index, location.href).href,
      language: box.dataset.language,
      excerptLength: 24,
    });
  }
  return engine;
}

// The words of a text as a reader types them: NFC, lower case, split at anything not a letter or digit.
export function words(text) {
  return text.normalize("NFC").toLocaleLowerCase("vi").match(WORD) ?? [];
}

// A query's quoted phrases (straight or curly quotes; an unclosed quote runs to the end) and its
// other words.
export function parse(query) {
  const phrases = [];
  const rest = query.replace(/["“”]([^"“”]*)["“”]?/g, (_, phrase) => {
    const found = words(phrase);
    if (found.length) phrases.push(found);
    return " ";
  });
  return { phrases, words: words(rest) };
}

function fold(word) {
  return word.normalize("NFD").replace(/\p{M}/gu, "").normalize("NFC");
}

// Whether a word of the page is the word typed: exactly, or with its marks folded (and a d typed
// for the page's đ, as Vietnamese is often typed without đ).
function same(typed, found, exact) {
  if (exact || typed === found) return typed === found;
  const [a, b] = [fold(typed), fold(found)];
  return a.length === b.length && [...a].every((letter, i) => letter === b[i] || (letter === "d" && b[i] === "đ"));
}

// Whether the page's words hold the phrase's, one after the other.
export function holds(tokens, phrase, exact = false) {
  for (let start = 0; start + phrase.length <= tokens.length; start++) {
    if (phrase.every((word, i) => same(word, tokens[start + i], exact))) return true;
  }
  return false;
}

// Whether the index's positions of the query's words (``hit.terms``, in the order typed) hold the
// words from ``start`` to ``start + length`` one after the other. The index matches words by key
// (marks folded, đ read as d; in English, stemmed): a little looser than reading the page's text.
export function positioned(hit, start, length) {
  const lists = (hit.terms ?? []).slice(start, start + length);
  if (lists.length < length) return true; // (not told: the page's text decides)
  const after = lists.slice(1).map((positions) => new Set(positions));
  return lists[0].some((first) => after.every((positions, i) => positions.has(first + i + 1)));
}

function locked(task) {
  const run = lock.then(task, task);
  lock = run.catch(() => {});
  return run;
}

// Every page holding all the words (marks folded, đ read as d).
function candidates(engine, terms) {
  return locked(async () => (await engine.search(terms))?.results ?? []);
}

// The pages holding the words with the marks as typed.
function exactly(engine, terms) {
  return locked(async () => {
    await engine.options({ exactDiacritics: true });
    try {
      return new Set(((await engine.search(terms))?.results ?? []).map((hit) => hit.id));
    } finally {
      await engine.options({ exactDiacritics: false });
    }
  });
}

// The results for a query, best first: pages with what was typed, marks and all, then the others,
// each by the index's score. Quoted phrases must be in the page's text as phrases.
async function find(engine, query) {
  const { phrases, words: loose } = parse(query);
  const terms = [...phrases.flat(), ...loose].join(" ");
  if (!terms) return [];
  let hits = await candidates(engine, terms);
  let exact;
  if (phrases.length && hits.length > CHECKED) {
    // (what was typed, marks and all, comes first as the index's spellings tell: no text is read)
    const starts = phrases.map((_, k) => phrases.slice(0, k).reduce((sum, phrase) => sum + phrase.length, 0));
    hits = hits.filter((hit) => phrases.every((phrase, k) => positioned(hit, starts[k], phrase.length)));
    exact = /[^\p{ASCII}]/u.test(terms) ? await exactly(engine, terms) : undefined;
  } else if (phrases.length) {
    const checked = await Promise.all(
      hits.map(async (hit) => {
        const tokens = words((await hit.data()).content ?? "");
        return { hit, tokens, found: phrases.every((phrase) => holds(tokens, phrase)) };
      }),
    );
    hits = checked.filter((page) => page.found).map((page) => page.hit);
    const typed = (tokens) => phrases.every((phrase) => holds(tokens, phrase, true));
    exact = new Set(checked.filter((page) => page.found && typed(page.tokens)).map((page) => page.hit.id));
    if (loose.length && /[^\p{ASCII}]/u.test(loose.join(""))) {
      const marked = await exactly(engine, loose.join(" "));
      exact = new Set([...exact].filter((id) => marked.has(id)));
    }
  } else if (/[^\p{ASCII}]/u.test(terms)) {
    exact = await exactly(engine, terms);
  }
  const rank = (hit) => (exact?.has(hit.id) ? 1 : 0);
  return hits.sort((a, b) => rank(b) - rank(a) || b.score - a.score);
}

function text(template, values) {
  return template.replace(/\{(\w+)\}/g, (_, name) => values[name]);
}

// The index's excerpt is escaped text with <mark> around the matches: only those marks are kept.
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
// While any is on its way, the list is aria-busy (assistive technology waits for it to settle).
let pending = 0;
function showMore(focus) {
  const state = current;
  pending += 1;
  list.setAttribute("aria-busy", "true");
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
    })
    .finally(() => {
      pending -= 1;
      if (pending === 0) list.removeAttribute("aria-busy");
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
    const hits = await find(await index(), query);
    if (current !== state) return; // a newer query is on its way
    state.hits = hits;
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
