// Porter's stemmer (M. F. Porter, 1980, as the Snowball project defines it: "porter"), written
// here from the algorithm's published description, for the search page: an English query word is
// stemmed in the browser as the build stemmed the pages' words (Python's snowballstemmer, the same
// algorithm). tests/publish/test_words.py checks the two agree on a large vocabulary.
//
// stem(word) takes a lower-case word and returns its stem.

const VOWEL = new Set("aeiouy");

function vowel(letter) {
  return VOWEL.has(letter);
}

// R1: the region after the first non-vowel that follows a vowel; R2: the same within R1.
function regions(word) {
  const after = (from) => {
    let i = from;
    while (i < word.length && !vowel(word[i])) i++;
    while (i < word.length && vowel(word[i])) i++;
    return Math.min(i + 1, word.length);
  };
  const r1 = after(0);
  return [r1, r1 >= word.length ? word.length : after(r1)];
}

// A short syllable at the end of `word`: non-vowel (not w, x or Y), vowel, non-vowel.
function shortEnd(word) {
  const n = word.length;
  if (n < 3) return false;
  const [a, b, c] = [word[n - 3], word[n - 2], word[n - 1]];
  return !vowel(a) && vowel(b) && !vowel(c) && c !== "w" && c !== "x" && c !== "Y";
}

function hasVowel(word, end) {
  for (let i = 0; i < end; i++) if (vowel(word[i])) return true;
  return false;
}

// The longest of `suffixes` that `word` ends with, or undefined.
function longest(word, suffixes) {
  let found;
  for (const suffix of suffixes) {
    if (word.endsWith(suffix) && (found === undefined || suffix.length > found.length)) found = suffix;
  }
  return found;
}

const STEP2 = {
  tional: "tion", enci: "ence", anci: "ance", abli: "able", entli: "ent", eli: "e", izer: "ize",
  ization: "ize", ational: "ate", ation: "ate", ator: "ate", alli: "al", alism: "al", aliti: "al",
  fulness: "ful", ousli: "ous", ousness: "ous", iveness: "ive", iviti: "ive", biliti: "ble",
};
const STEP3 = { alize: "al", icate: "ic", iciti: "ic", ical: "ic", ative: "", ful: "", ness: "" };
const STEP4 = [
  "al", "ance", "ence", "er", "ic", "able", "ible", "ant", "ement", "ment", "ent", "ou", "ism",
  "ate", "iti", "ous", "ive", "ize", "ion",
];
const DOUBLES = new Set(["bb", "dd", "ff", "gg", "mm", "nn", "pp", "rr", "tt"]);

export function stem(input) {
  let word = input;
  // y at the start, or after a vowel, is a consonant: Y while the steps run.
  let marked = false;
  const letters = [...word];
  for (let i = 0; i < letters.length; i++) {
    if (letters[i] === "y" && (i === 0 || vowel(letters[i - 1]))) {
      letters[i] = "Y";
      marked = true;
    }
  }
  word = letters.join("");
  let [r1, r2] = regions(word);

  // Step 1a
  let suffix = longest(word, ["sses", "ies", "ss", "s"]);
  if (suffix === "sses") word = word.slice(0, -2);
  else if (suffix === "ies") word = word.slice(0, -2);
  else if (suffix === "s") word = word.slice(0, -1);

  // Step 1b
  suffix = longest(word, ["eed", "ed", "ing"]);
  if (suffix === "eed") {
    if (word.length - 3 >= r1) word = word.slice(0, -1);
  } else if (suffix && hasVowel(word, word.length - suffix.length)) {
    word = word.slice(0, -suffix.length);
    const end = word.slice(-2);
    if (end === "at" || end === "bl" || end === "iz") word += "e";
    else if (DOUBLES.has(end)) word = word.slice(0, -1);
    else if (word.length === r1 && shortEnd(word)) word += "e";
  }

  // Step 1c
  const last = word[word.length - 1];
  if ((last === "y" || last === "Y") && hasVowel(word, word.length - 1)) word = word.slice(0, -1) + "i";

  // Steps 2 and 3: in R1
  for (const table of [STEP2, STEP3]) {
    suffix = longest(word, Object.keys(table));
    if (suffix && word.length - suffix.length >= r1) word = word.slice(0, -suffix.length) + table[suffix];
  }

  // Step 4: in R2
  suffix = longest(word, STEP4);
  if (suffix && word.length - suffix.length >= r2) {
    const before = word[word.length - suffix.length - 1];
    if (suffix !== "ion" || before === "s" || before === "t") word = word.slice(0, -suffix.length);
  }

  // Step 5a
  if (word.endsWith("e")) {
    const at = word.length - 1;
    if (at >= r2 || (at >= r1 && !shortEnd(word.slice(0, at)))) word = word.slice(0, at);
  }
  // Step 5b
  if (word.endsWith("ll") && word.length - 1 >= r2) word = word.slice(0, -1);

  return marked ? word.replaceAll("Y", "y") : word;
}
