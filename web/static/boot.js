// boot.js starts maillab: it puts the static page in the reader's language,
// downloads maillab.wasm with a progress bar, and runs it with Go's
// wasm_exec.js. If anything stops WebAssembly from starting it says what,
// in words a student can act on. Everything after that is done by the Go
// program (wasm/), which takes over the page.
"use strict";

(function () {
  const $ = (id) => document.getElementById(id);

  // Labels in both languages, written into the page by the server from
  // web/view's table (the one source of every label).
  let labels = {};
  try {
    labels = JSON.parse($("i18n").textContent || "{}");
  } catch (e) {
    labels = {};
  }

  // The language: the link's (#lang=…), then the reader's last choice,
  // then the browser's preference.
  function pickLang() {
    try {
      const fromURL = new URLSearchParams(location.hash.slice(1)).get("lang");
      if (fromURL) return normLang(fromURL);
    } catch (e) { /* a malformed fragment: ignore it */ }
    try {
      const saved = localStorage.getItem("maillab.lang");
      if (saved) return normLang(saved);
    } catch (e) { /* storage disabled: fine */ }
    const prefs = navigator.languages || [navigator.language || "en"];
    for (const p of prefs) {
      if (/^zh\b/i.test(p)) return "zh-CN";
      if (/^en\b/i.test(p)) return "en";
    }
    return "en";
  }
  function normLang(l) {
    return /^zh/i.test(l) ? "zh-CN" : "en";
  }

  let lang = pickLang();

  function t(key, vars) {
    const table = labels[lang] || labels.en || {};
    let s = table[key] || (labels.en && labels.en[key]) || key;
    for (const k in vars || {}) s = s.split("{" + k + "}").join(vars[k]);
    return s;
  }

  function translate() {
    document.documentElement.lang = lang;
    for (const el of document.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
    for (const el of document.querySelectorAll("[data-i18n-label]")) el.setAttribute("aria-label", t(el.dataset.i18nLabel));
    for (const el of document.querySelectorAll("[data-i18n-title]")) el.title = t(el.dataset.i18nTitle);
    const sel = $("lang");
    if (sel) sel.value = lang;
  }

  function onLangChange(ev) {
    lang = normLang(ev.target.value);
    try { localStorage.setItem("maillab.lang", lang); } catch (e) { /* ignore */ }
    translate();
  }

  function fail(key, vars) {
    $("boot-msg").textContent = t("boot.loading");
    $("boot-progress").hidden = true;
    $("boot-bytes").hidden = true;
    $("boot-error-text").textContent = t(key, vars);
    $("boot-error").hidden = false;
    $("boot").hidden = false;
    $("app").hidden = true;
  }

  function size(n) {
    if (n >= 1e6) return (n / 1e6).toFixed(1) + " MB";
    return Math.round(n / 1e3) + " kB";
  }

  // Download the wasm, counting bytes as they arrive, and compile it while
  // it arrives (streaming compilation) where the browser can. Content-Length
  // counts compressed bytes while the stream gives decoded ones, so the
  // server sends the decoded size in X-Decoded-Length. The result is a
  // Response to compile as it streams, or the bytes.
  async function download(url) {
    let resp;
    try {
      resp = await fetch(url, { credentials: "same-origin" });
    } catch (e) {
      throw { key: "boot.network", vars: { error: String(e && e.message || e) } };
    }
    if (resp.status === 404) throw { key: "boot.missing" };
    if (!resp.ok) throw { key: "boot.http", vars: { status: resp.status + " " + resp.statusText } };

    let total = Number(resp.headers.get("X-Decoded-Length")) || 0;
    if (!total && !resp.headers.get("Content-Encoding")) total = Number(resp.headers.get("Content-Length")) || 0;
    const bar = $("boot-progress");
    const bytes = $("boot-bytes");
    if (total) bar.max = total;
    let got = 0;
    const progress = (n) => {
      got += n;
      if (total) {
        bar.value = Math.min(got, total);
        bytes.textContent = t("boot.progress", { got: size(got), total: size(total) });
      } else {
        bytes.textContent = size(got);
      }
    };

    if (resp.body && typeof TransformStream === "function" && typeof WebAssembly.instantiateStreaming === "function") {
      const counted = resp.body.pipeThrough(new TransformStream({
        transform(chunk, out) { progress(chunk.length); out.enqueue(chunk); },
      }));
      return { response: new Response(counted, { headers: { "Content-Type": "application/wasm" } }) };
    }
    if (!resp.body || !resp.body.getReader) {
      // No streams (old browsers): no progress, but it still works.
      const buf = new Uint8Array(await resp.arrayBuffer());
      progress(buf.length);
      return { bytes: buf };
    }
    const reader = resp.body.getReader();
    const chunks = [];
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      progress(value.length);
    }
    const all = new Uint8Array(got);
    let off = 0;
    for (const c of chunks) {
      all.set(c, off);
      off += c.length;
    }
    return { bytes: all };
  }

  // firstDoc is the path of the lesson a link names (#lesson=…), in the
  // reader's language, if the index does not carry its document already
  // (it carries each language's first lesson); "" otherwise.
  function firstDoc(ix) {
    if (!ix || !Array.isArray(ix.lessons)) return "";
    let want = "";
    try {
      const q = new URLSearchParams(location.hash.slice(1));
      if (q.get("file")) return ""; // a lesson file of the reader's own
      want = q.get("lesson") || "";
    } catch (e) { /* a malformed fragment: the first lesson */ }
    const cl = lang === "zh-CN" ? "zh" : "en";
    const first = (ix.first || {})[cl];
    if (!want || (first && first.id === want)) return "";
    const e = ix.lessons.find((x) => x.lang === cl && x.id === want);
    return e ? "course/" + e.lang + "/" + e.id + ".json" : "";
  }

  async function start() {
    translate();
    const sel = $("lang");
    if (sel) sel.addEventListener("change", onLangChange);
    $("boot-retry").addEventListener("click", () => location.reload());

    if (typeof WebAssembly !== "object" || typeof WebAssembly.instantiate !== "function") {
      fail("boot.noWasm");
      return;
    }
    if (typeof Go !== "function") {
      fail("boot.noGo");
      return;
    }

    // The lessons are fetched while the wasm downloads; the Go program
    // takes the answer (maillabBoot.course) instead of asking again. A link
    // to a later lesson needs that lesson's document too: as soon as the
    // index confirms the lesson, it is fetched (maillabBoot.docs, by path)
    // while the wasm is still on its way.
    let course = null;
    const docs = {};
    try {
      course = fetch("course/index.json", { cache: "no-cache", credentials: "same-origin" });
      course.catch(() => {}); // the Go program reports a failure
      course.then((r) => (r.ok ? r.clone().json() : null)).then((ix) => {
        const path = firstDoc(ix);
        if (path) {
          docs[path] = fetch(path, { cache: "no-cache", credentials: "same-origin" });
          docs[path].catch(() => {}); // the Go program asks again
        }
      }).catch(() => {});
    } catch (e) {
      course = null;
    }

    let src;
    try {
      src = await download(document.documentElement.dataset.wasm || "maillab.wasm");
    } catch (e) {
      fail(e.key || "boot.compile", e.vars || { error: String(e) });
      return;
    }

    const go = new Go();
    let result;
    try {
      if (src.response) {
        result = await WebAssembly.instantiateStreaming(src.response, go.importObject);
      } else {
        $("boot-msg").textContent = t("boot.starting");
        result = await WebAssembly.instantiate(src.bytes, go.importObject);
      }
    } catch (e) {
      const msg = String(e && e.message || e);
      if (/content.security|CSP|unsafe-eval/i.test(msg)) fail("boot.csp");
      else if (e instanceof TypeError && /network|fetch/i.test(msg)) fail("boot.network", { error: msg });
      else fail("boot.compile", { error: msg });
      return;
    }

    // From here on the Go program owns the page, languages included.
    if (sel) sel.removeEventListener("change", onLangChange);
    globalThis.maillabBoot = { lang: lang, course: course, docs: docs };
    let exited;
    try {
      // run() executes main() up to its first wait before returning, so
      // the page has been rendered once this line is done.
      exited = go.run(result.instance);
    } catch (e) {
      fail("boot.compile", { error: String(e && e.message || e) });
      return;
    }
    $("boot").hidden = true;
    $("app").hidden = false;
    try {
      await exited;
    } catch (e) {
      fail("boot.compile", { error: String(e && e.message || e) });
      return;
    }
    // main() is meant to run for as long as the page is open.
    fail("boot.exited");
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
