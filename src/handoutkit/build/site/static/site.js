/* handoutkit library site: the print buttons of document pages, and the home page's search
   and filters. A classic script, as everything the site loads: on file:// (a shared folder)
   browsers block ES modules, fetch() and workers, but not <script src>. The home page loads
   nothing more until it is used: the catalog (_site/data/catalog.js) when the search box or a
   filter is first used, then the search library (_site/vendor/) and the text of each language
   (_site/data/text.<lang>.js), which MiniSearch indexes here, in the browser. */
(function () {
  "use strict";
  var script = document.currentScript;
  var base = script ? script.src.replace(/[^/]*$/, "") : "";
  // words too common to search for; everything else is stemmed per language, then folded
  // (accents and ñ dropped), so "depresion" finds "depresión" and "ninos" finds "niños"
  var STOP = {
    en: "a an and are as at be by for from has have in is it its of on or that the this to was were will with you your",
    es: "a al como con de del el en es esta este la las le lo los mas más o para pero por que se su sus un una y ya"
  };
  var FILTERS = ["topic", "audience", "kind", "language", "edition", "paper", "status"];
  var SHOWN = 200; // results listed at most; the filters narrow the rest
  var site = (window.HKSite = { ready: null, lastSearchMs: null, searches: 0 });

  function load(name) {
    return new Promise(function (resolve, reject) {
      var tag = document.createElement("script");
      tag.src = base + name;
      tag.onload = resolve;
      tag.onerror = function () { reject(new Error("cannot load " + name)); };
      document.head.appendChild(tag);
    });
  }
  function once(fn) {
    var result = null;
    return function () { return result || (result = fn()); };
  }
  function fold(text) { return text.normalize("NFD").replace(/[\u0300-\u036f]/g, ""); }

  // --------------------------------------------------------------- print buttons
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-hk-print]");
    if (button) window.print();
  });

  var form = document.getElementById("hk-search");
  if (!form) return;

  // --------------------------------------------------------------- the home page
  var box = document.getElementById("hk-q");
  var status = document.getElementById("hk-status");
  var section = document.getElementById("hk-results-section");
  var list = document.getElementById("hk-results");
  var selects = {};
  FILTERS.forEach(function (name) { selects[name] = document.getElementById("hk-f-" + name); });
  var indexes = {}; // language -> Promise of a MiniSearch index

  var catalog = once(function () {
    status.textContent = "Loading the list of documents…";
    return load("data/catalog.js").then(function () { return window.HKCatalog; });
  });
  var library = once(function () { return load("vendor/search-lib.min.js"); });

  function processor(language, indexing) {
    var stem = window.HKSearchLib.stemmers[language] || function (word) { return word; };
    var stop = new Set((STOP[language] || "").split(" "));
    var memo = new Map();
    return function (term) {
      var known = memo.get(term);
      if (known !== undefined) return known;
      var word = term.toLowerCase(), out = null;
      if (!stop.has(word)) {
        var stemmed = fold(stem(word));
        out = stemmed;
        if (indexing) { // the stemmer may leave an accentless form whole: index both
          var other = stem(fold(word));
          if (other !== stemmed) out = [stemmed, other];
        }
      }
      memo.set(term, out);
      return out;
    };
  }
  function index(language) {
    if (!indexes[language]) {
      indexes[language] = Promise.all([library(), load("data/text." + language + ".js")])
        .then(function () {
          var MiniSearch = window.HKSearchLib.MiniSearch;
          var search = new MiniSearch({
            idField: "i",
            fields: ["title", "text"],
            processTerm: processor(language, true),
            searchOptions: { processTerm: processor(language, false) }
          });
          var rows = window.HKSearchText[language].map(function (row) {
            return { i: row[0], title: row[1], text: row[2] };
          });
          return search.addAllAsync(rows, { chunkSize: 100 }).then(function () { return search; });
        });
    }
    return indexes[language];
  }
  function wanted() {
    var state = { q: box.value.trim() };
    FILTERS.forEach(function (name) { state[name] = selects[name].value; });
    return state;
  }
  function matches(doc, state) {
    return FILTERS.every(function (name) {
      return !state[name] || doc.v[name].indexOf(state[name]) >= 0;
    });
  }
  // the documents to show, best first: [{doc, score}]; a promise (the index may load first)
  function find(data, state) {
    if (!state.q) {
      return Promise.resolve(data.docs.filter(function (doc) { return matches(doc, state); }));
    }
    var languages = state.language ? [state.language] : data.languages;
    status.textContent = "Preparing the search…";
    return Promise.all(languages.map(index)).then(function (found) {
      var started = performance.now();
      var hits = [];
      found.forEach(function (search) {
        search.search(state.q, {
          boost: { title: 3 },
          prefix: function (term) { return term.length > 2; },
          combineWith: "AND",
          filter: function (result) { return matches(data.docs[result.id], state); }
        }).forEach(function (hit) { hits.push(hit); });
      });
      hits.sort(function (a, b) { return b.score - a.score; });
      site.lastSearchMs = performance.now() - started;
      return hits.map(function (hit) { return data.docs[hit.id]; });
    });
  }
  function element(tag, text, attributes) {
    var node = document.createElement(tag);
    if (text) node.textContent = text;
    Object.keys(attributes || {}).forEach(function (name) { node.setAttribute(name, attributes[name]); });
    return node;
  }
  function size(bytes) {
    return bytes >= 1048576 ? (bytes / 1048576).toFixed(1) + " MB"
      : Math.max(1, Math.round(bytes / 1024)) + " KB";
  }
  function item(data, doc, state) {
    var labels = data.labels;
    var li = element("li", "", { "class": "hk-result" });
    var heading = element("h3");
    var page = (state.edition && doc.e[state.edition]) || doc.u;
    heading.appendChild(element("a", doc.t, { href: page, lang: doc.v.language[0] }));
    li.appendChild(heading);
    var facts = [labels.kind[doc.v.kind[0]], labels.audience[doc.v.audience[0]],
      labels.language[doc.v.language[0]], labels.topic[doc.v.topic[0]]];
    var line = element("p", facts.join(" · "), { "class": "hk-facts" });
    if (doc.v.status[0] !== "approved") {
      line.appendChild(document.createTextNode(" · "));
      line.appendChild(element("span", labels.status[doc.v.status[0]], { "class": "hk-badge" }));
    }
    li.appendChild(line);
    var files = element("ul", "", { "class": "hk-files" });
    doc.f.forEach(function (file) {
      var name = file[0].charAt(0) === "." ? doc.p + file[0] : file[0];
      if ((state.edition && file[2] !== state.edition) || (state.paper && file[3] !== state.paper)) return;
      var what = [labels.format[file[1]] || file[1]];
      if (file[2]) what.push(labels.edition[file[2]] || file[2]);
      if (file[3]) what.push(labels.paper[file[3]] || file[3]);
      var entry = element("li");
      entry.appendChild(element("a", what.join(", "), { href: name }));
      var detail = (file[4] ? file[4] + " page" + (file[4] === 1 ? "" : "s") + ", " : "") + size(file[5]);
      entry.appendChild(document.createTextNode(" "));
      entry.appendChild(element("span", "(" + detail + ")", { "class": "hk-size" }));
      files.appendChild(entry);
    });
    if (files.childNodes.length) li.appendChild(files);
    return li;
  }
  function remember(state) {
    var params = new URLSearchParams();
    Object.keys(state).forEach(function (name) { if (state[name]) params.set(name, state[name]); });
    var hash = params.toString();
    try {
      history.replaceState(null, "", hash ? "#" + hash : location.pathname + location.search);
    } catch (error) { /* some browsers refuse it on file://: the page works the same */ }
  }
  var shownState = null;
  function update() {
    var state = wanted();
    var key = JSON.stringify(state);
    remember(state);
    var active = Object.keys(state).some(function (name) { return state[name]; });
    if (!active) {
      shownState = key;
      section.hidden = true;
      list.textContent = "";
      status.textContent = "";
      return Promise.resolve();
    }
    return catalog().then(function (data) {
      return find(data, state).then(function (docs) {
        if (JSON.stringify(wanted()) !== key) return; // the reader has typed on meanwhile
        shownState = key;
        var fragment = document.createDocumentFragment();
        docs.slice(0, SHOWN).forEach(function (doc) { fragment.appendChild(item(data, doc, state)); });
        list.textContent = "";
        list.appendChild(fragment);
        section.hidden = docs.length === 0;
        var count = docs.length === 1 ? "1 document" : docs.length + " documents";
        status.textContent = docs.length === 0 ? "No documents match."
          : docs.length > SHOWN ? count + " match; the first " + SHOWN + " are listed." : count + " match.";
        site.searches += 1;
      });
    }).catch(function (error) {
      status.textContent = "The search could not load (" + error.message + "): see all documents.";
    });
  }
  function warm() {
    catalog().then(function (data) {
      var language = selects.language.value;
      (language ? [language] : data.languages).forEach(index);
    });
  }
  box.addEventListener("focus", warm, { once: true });
  box.addEventListener("input", update);
  FILTERS.forEach(function (name) { selects[name].addEventListener("change", update); });
  form.addEventListener("submit", function (event) { event.preventDefault(); update(); });
  form.addEventListener("reset", function () { setTimeout(update, 0); });
  site.update = update;

  // a link to a search (#q=…&edition=…) opens with it
  var params = new URLSearchParams(location.hash.slice(1));
  var given = false;
  ["q"].concat(FILTERS).forEach(function (name) {
    var value = params.get(name);
    if (!value) return;
    if (name === "q") box.value = value;
    else if (selects[name].querySelector('option[value="' + CSS.escape(value) + '"]')) selects[name].value = value;
    else return;
    given = true;
  });
  site.ready = given ? update() : Promise.resolve();
})();
