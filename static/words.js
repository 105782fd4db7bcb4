// The search index's reader in the browser (the index: microsite/publish/search.py). It answers the
// few calls the search page makes (options, search, and each result's data()), fetching only the
// pieces of the index a query needs: meta.json, then for each word one shard of each segment (the
// base, and the middle and the delta when there are edits since), then the fragment of each result
// shown.
//
// index format: 4 (microsite/publish/search.py's FORMAT: a build refuses a copy of this file
// made for another, whose search would find nothing)
//
// A page matches when it holds every word of the query. Words are matched by key: folded (lower
// case, marks removed, đ read as d) and, in English, stemmed (./porter.js, as the build stems).
// With exactDiacritics, a word must also be written in the page as it was typed.

import { stem } from "./porter.js";

const WORD = /[\p{L}\p{N}]+/gu;
const settings = { baseUrl: "/", index: "", language: "", excerptLength: 24, exactDiacritics: false };
let meta; // the promise of meta.json's data
let version; // the index's version, from meta.json: its files' URLs name it (a new index, new URLs)
const shards = new Map();
const fragments = new Map();

export async function options(values) {
  if (values.index !== undefined && values.index !== settings.index) {
    meta = undefined;
    version = undefined;
    shards.clear();
    fragments.clear();
  }
  Object.assign(settings, values);
}

function words(text) {
  return text.normalize("NFC").toLowerCase().match(WORD) ?? [];
}

export function fold(word) {
  return word.normalize("NFD").replace(/\p{M}/gu, "").normalize("NFC").replaceAll("đ", "d");
}

export function keyOf(word, language) {
  const folded = fold(word);
  return language === "en" ? stem(folded) : folded;
}

// FNV-1a (32 bits) of the key's UTF-8 bytes, modulo the shard count (a power of two): as the build.
export function shardOf(key, count) {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(key)) hash = Math.imul(hash ^ byte, 0x01000193) >>> 0;
  return hash & (count - 1);
}

// A file of the index; ``absent``: what it stands for when the server has none (else that is an
// error). A shard no key of the index falls in is not written (a large index has many: its shard
// count follows its size, not its vocabulary): a shard not found holds no word.
async function fetched(name, absent) {
  const response = await fetch(`${settings.index}${name}?v=${version}`);
  if (response.status === 404 && absent !== undefined) return absent;
  if (!response.ok) throw new Error(`${name}: ${response.status}`);
  return response.json();
}

async function loadMeta() {
  if (!meta) {
    meta = (async () => {
      const response = await fetch(`${settings.index}meta.json`, { cache: "no-cache" });
      if (!response.ok) throw new Error(`meta.json: ${response.status}`);
      const data = await response.json();
      for (const segment of data.segments) segment.overridden = new Set(segment.overridden);
      version = data.version;
      return data;
    })();
    meta.catch(() => (meta = undefined));
  }
  return meta;
}

function shard(segment, number) {
  const name = `${segment}/${number}.json`;
  if (!shards.has(name)) {
    const loading = fetched(name, {}).catch((error) => {
      shards.delete(name);
      throw error;
    });
    shards.set(name, loading);
  }
  return shards.get(name);
}

// Every page holding the key: {id, weight, positions, spelled(word)}; each segment's postings replace
// those of the segments before it for the pages they override.
async function postings(key) {
  const index = await loadMeta();
  const entries = await Promise.all(index.segments.map((segment) => shard(segment.name, shardOf(key, segment.shards))));
  const found = [];
  index.segments.forEach((segment, number) => {
    const entry = entries[number][key];
    if (!entry) return;
    const [spellings, ...rows] = entry;
    for (const [id, weight, mask, ...positions] of rows) {
      if (segment.overridden.has(id)) continue;
      const spelled = (word) => {
        const at = spellings.indexOf(word);
        return at >= 0 && (mask & (1 << Math.min(at, 30))) !== 0;
      };
      found.push({ id, weight, positions, spelled });
    }
  });
  return found;
}

export async function search(terms) {
  const typed = words(terms);
  if (!typed.length) return { results: [] };
  const index = await loadMeta();
  const lists = await Promise.all(
    typed.map(async (word) => {
      const rows = await postings(keyOf(word, settings.language));
      return settings.exactDiacritics ? rows.filter((row) => row.spelled(word)) : rows;
    }),
  );
  const pages = Math.max(index.pages ?? 1, ...lists.map((rows) => rows.length));
  let hits = null;
  for (const rows of lists) {
    const rarity = Math.log(1 + pages / Math.max(rows.length, 1));
    const next = new Map();
    for (const row of rows) {
      const before = hits === null ? { score: 0, positions: [], each: [] } : hits.get(row.id);
      if (!before) continue;
      next.set(row.id, {
        score: before.score + rarity * row.weight,
        positions: [...before.positions, ...row.positions],
        each: [...before.each, row.positions],
      });
    }
    hits = next;
  }
  const results = [...hits.entries()].map(([id, hit]) => ({
    id,
    score: hit.score,
    words: [...new Set(hit.positions)].sort((a, b) => a - b),
    terms: hit.each, // each word's positions, in the order typed
    data: () => data(id, typed),
  }));
  results.sort((a, b) => b.score - a.score || a.id - b.id);
  return { results };
}

function escape(text) {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

// The page's fragment: its address, title and date, its text, and an excerpt of excerptLength words
// around the first word of the query it holds, those words in <mark>.
async function data(id, typed) {
  const name = `p/${id}.json`;
  if (!fragments.has(name)) fragments.set(name, fetched(name));
  const page = await fragments.get(name);
  const keys = new Set(typed.map((word) => keyOf(word, settings.language)));
  const tokens = [...page.content.matchAll(WORD)];
  const matches = (token) => keys.has(keyOf(token[0].toLowerCase(), settings.language));
  const first = Math.max(0, tokens.findIndex(matches));
  const start = Math.max(0, Math.min(first - Math.floor(settings.excerptLength / 3), tokens.length - settings.excerptLength));
  const shown = tokens.slice(start, start + settings.excerptLength);
  let excerpt = "";
  shown.forEach((token, i) => {
    if (i > 0) excerpt += escape(page.content.slice(shown[i - 1].index + shown[i - 1][0].length, token.index).replace(/\s+/g, " "));
    excerpt += matches(token) ? `<mark>${escape(token[0])}</mark>` : escape(token[0]);
  });
  return {
    url: settings.baseUrl + page.url,
    meta: { title: page.title, date: page.date },
    content: page.content,
    excerpt,
  };
}
