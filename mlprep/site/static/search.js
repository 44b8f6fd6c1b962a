/* Search with Pagefind's JS API. The index is built at build time, one per page language; Pagefind
   picks the one matching <html lang>. Browsers refuse to import modules from file://, so an
   offline copy opened from disk says so and points to the topic and level pages instead. */
(function () {
  "use strict";
  var form = document.getElementById("search-page-form");
  var input = document.getElementById("search-input");
  var status = document.getElementById("search-status");
  var list = document.getElementById("search-results");
  var root = new URL("../", document.baseURI);  // search.html lives in <root>/<locale>/
  var pagefindPromise = null;

  function load() {
    if (!pagefindPromise) {
      pagefindPromise = import(new URL("pagefind/pagefind.js", root).href).then(function (pf) {
        return pf.options({ baseUrl: root.pathname }).then(function () { return pf; });
      });
    }
    return pagefindPromise;
  }

  // Pagefind's excerpt is HTML with <mark> around matches. Keep only text and <mark>, built as
  // DOM nodes, so nothing from the index can become markup.
  function excerptNodes(html) {
    var doc = new DOMParser().parseFromString("<p>" + html + "</p>", "text/html");
    var out = document.createDocumentFragment();
    (function walk(node) {
      node.childNodes.forEach(function (child) {
        if (child.nodeType === Node.TEXT_NODE) {
          out.appendChild(document.createTextNode(child.textContent));
        } else if (child.nodeName === "MARK") {
          var mark = document.createElement("mark");
          mark.textContent = child.textContent;
          out.appendChild(mark);
        } else {
          walk(child);
        }
      });
    })(doc.body);
    return out;
  }

  function show(results) {
    list.textContent = "";
    results.forEach(function (r) {
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = r.url;
      a.textContent = (r.meta && r.meta.title) || r.url;
      var p = document.createElement("p");
      p.className = "excerpt";
      p.appendChild(excerptNodes(r.excerpt || ""));
      li.appendChild(a);
      li.appendChild(p);
      list.appendChild(li);
    });
  }

  function run(query) {
    if (!query.trim()) { status.textContent = ""; list.textContent = ""; return; }
    load().then(function (pf) {
      return pf.search(query);
    }).then(function (search) {
      var total = search.results.length;
      status.textContent = total ? form.dataset.msgResults.replace("{n}", total) : form.dataset.msgNone;
      return Promise.all(search.results.slice(0, 25).map(function (r) { return r.data(); }));
    }).then(show).catch(function () {
      status.textContent = form.dataset.msgServer;
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var q = input.value;
    history.replaceState(null, "", "?q=" + encodeURIComponent(q));
    run(q);
  });
  var initial = new URLSearchParams(location.search).get("q");
  if (initial) { input.value = initial; run(initial); }
})();
