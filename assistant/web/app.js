// The assistant's web page: plain DOM, no framework, no build step.
// Every piece of data goes into the page through textContent / createElement:
// questions and passages are untrusted text and must never be parsed as HTML.
"use strict";

(() => {
  const $ = (id) => document.getElementById(id);
  const els = {
    form: $("ask-form"), question: $("question"), ask: $("ask"), status: $("status"),
    error: $("error"), result: $("result"), asked: $("asked-question"),
    expansions: $("expansions"), expansionList: $("expansion-list"),
    refusal: $("refusal"), refusalText: $("refusal-text"),
    seeAlsoBlock: $("see-also-block"), seeAlso: $("see-also"),
    answerBlock: $("answer-block"), answer: $("answer"),
    sourcesBlock: $("sources-block"), sources: $("sources"),
    copy: $("copy"), copyStatus: $("copy-status"), latency: $("latency"),
    documents: $("documents"), documentsStatus: $("documents-status"),
    filterCount: $("filter-count"),
    generativeOption: $("generative-option"), generative: $("generative"),
    llmName: $("llm-name"), generation: $("generation"),
    generationText: $("generation-text"), removedBlock: $("removed-block"),
    removed: $("removed"),
  };
  let current = null; // the last Answer shown
  let inflight = null; // AbortController of the pending /ask

  // -- small DOM helpers -------------------------------------------------------------
  function el(tag, props = {}, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(props)) {
      if (key === "class") node.className = value;
      else if (key === "text") node.textContent = value;
      else if (key.startsWith("data-") || key.startsWith("aria-")) node.setAttribute(key, value);
      else node[key] = value;
    }
    for (const child of children) if (child != null) node.append(child);
    return node;
  }

  function show(node, visible) { node.hidden = !visible; }

  function pageLabel(page) { return page == null ? "" : `p. ${page}`; }

  function passageUrl(id) {
    // Citation ids contain "/": encode each segment, keep the slashes.
    return "passages/" + id.split("/").map(encodeURIComponent).join("/");
  }

  // -- API -------------------------------------------------------------------------------
  async function api(path, options = {}) {
    let response;
    try {
      response = await fetch(path, {
        headers: { "Accept": "application/json", "Content-Type": "application/json" },
        ...options,
      });
    } catch (err) {
      if (err.name === "AbortError") throw err;
      throw new Error("Le serveur ne répond pas. Vérifiez qu'il est lancé, puis réessayez.");
    }
    let body = null;
    try { body = await response.json(); } catch { body = null; }
    if (!response.ok) {
      const detail = body && typeof body.detail === "string" ? body.detail : null;
      throw new Error(detail || `Le serveur a renvoyé une erreur (${response.status}).`);
    }
    return body;
  }

  // -- states ----------------------------------------------------------------------------
  function setLoading(loading) {
    els.ask.disabled = loading;
    els.result.setAttribute("aria-busy", loading ? "true" : "false");
    els.form.classList.toggle("loading", loading);
    els.status.textContent = loading ? "Recherche dans les documents…" : "";
  }

  function showError(message) {
    els.error.textContent = message;
    show(els.error, true);
  }

  function clearError() {
    els.error.textContent = "";
    show(els.error, false);
  }

  // -- document filter -------------------------------------------------------------------
  async function loadDocuments() {
    try {
      const docs = await api("documents");
      els.documentsStatus.remove();
      for (const doc of docs) {
        const box = el("input", { type: "checkbox", name: "document", value: doc.id });
        const meta = [doc.kind, doc.territory, doc.period].filter(Boolean).join(" · ");
        els.documents.append(el("label", { class: "doc-option", title: doc.title },
          box,
          el("span", { class: "doc-title", text: doc.short_title || doc.title }),
          meta ? el("span", { class: "doc-meta muted", text: meta }) : null));
      }
    } catch (err) {
      els.documentsStatus.textContent =
        "Liste des documents indisponible : la question portera sur tous les documents.";
    }
  }

  function selectedDocuments() {
    return [...els.documents.querySelectorAll("input[name=document]:checked")]
      .map((box) => box.value);
  }

  function updateFilterCount() {
    const n = selectedDocuments().length;
    els.filterCount.textContent = n === 0 ? "(tous les documents)"
      : `(${n} document${n > 1 ? "s" : ""} sélectionné${n > 1 ? "s" : ""})`;
  }

  // -- rendering ---------------------------------------------------------------------------
  function renderAnswerText(answer) {
    // Turn "[n]" into links to source n; everything else stays text.
    const known = new Set(answer.citations.map((c) => c.n));
    const text = answer.answer;
    const parts = [];
    const marker = /\[(\d+)\]/g;
    let last = 0;
    let match;
    while ((match = marker.exec(text)) !== null) {
      const n = Number(match[1]);
      if (!known.has(n)) continue;
      parts.push(document.createTextNode(text.slice(last, match.index)));
      const link = el("a", {
        class: "citation-marker", href: `#source-${n}`, text: `[${n}]`,
        "aria-label": `Source ${n}`, "data-n": String(n),
      });
      link.addEventListener("click", (event) => {
        event.preventDefault();
        focusSource(n);
      });
      parts.push(link);
      last = match.index + match[0].length;
    }
    parts.push(document.createTextNode(text.slice(last)));
    els.answer.replaceChildren(...parts);
  }

  function focusSource(n) {
    const target = $(`source-${n}`);
    if (!target) return;
    for (const node of els.sources.querySelectorAll(".source.highlight")) {
      node.classList.remove("highlight");
    }
    target.classList.add("highlight");
    target.scrollIntoView({ behavior: "smooth", block: "center" });
    target.focus({ preventScroll: true });
  }

  function renderSource(item, { number, cls, id }) {
    const header = el("div", { class: "source-header" },
      number != null ? el("span", { class: "source-number", text: String(number) }) : null,
      el("span", { class: "source-document", text: item.document }));
    const where = [item.locator, pageLabel(item.page)].filter(Boolean).join(" — ");
    const context = el("div", { class: "context", hidden: true });
    const toggle = el("button", {
      type: "button", class: "context-toggle link", text: "Voir le contexte",
      "aria-expanded": "false",
    });
    toggle.addEventListener("click", () => toggleContext(item.id, toggle, context));
    const li = el("li", { class: cls, tabIndex: -1 },
      header,
      el("div", { class: "source-locator", text: where }),
      el("blockquote", { class: "source-quote", text: item.text }),
      toggle, context);
    if (id) li.id = id;
    li.dataset.citationId = item.id;
    return li;
  }

  async function toggleContext(citationId, toggle, box) {
    const open = toggle.getAttribute("aria-expanded") === "true";
    if (open) {
      toggle.setAttribute("aria-expanded", "false");
      toggle.textContent = "Voir le contexte";
      show(box, false);
      return;
    }
    toggle.setAttribute("aria-expanded", "true");
    toggle.textContent = "Masquer le contexte";
    show(box, true);
    if (box.dataset.loaded) return;
    box.replaceChildren(el("p", { class: "muted", text: "Chargement du contexte…" }));
    try {
      const ctx = await api(passageUrl(citationId));
      const block = (p, cls) => el("div", { class: `context-passage ${cls}` },
        el("div", { class: "context-locator muted", text: p.locator || "" }),
        el("p", { text: p.text }));
      box.replaceChildren(
        ...ctx.before.map((p) => block(p, "before")),
        block(ctx, "cited"),
        ...ctx.after.map((p) => block(p, "after")));
      if (!ctx.before.length && !ctx.after.length) {
        box.append(el("p", { class: "muted", text: "Aucun passage voisin dans ce document." }));
      }
      box.dataset.loaded = "1";
    } catch (err) {
      box.replaceChildren(el("p", { class: "context-error", text: err.message }));
    }
  }

  function renderExpansions(expansions) {
    els.expansionList.replaceChildren(...expansions.map((x) =>
      el("div", { class: "expansion" }, el("dt", { text: x.term }),
        el("dd", { text: x.expansion }))));
    show(els.expansions, expansions.length > 0);
  }

  const REFUSAL = "Les documents ne le disent pas";

  function refusalDetail(text) {
    // The heading already says it: keep only what the answer adds, e.g. drop
    // « Les documents ne le disent pas. » or « Les documents ne le précisent pas : ».
    const rest = text.trim().replace(/^les documents ne l[e'’]\s*\S+ pas\s*[.:;,\u2014-]*\s*/i, "");
    return rest.charAt(0).toUpperCase() + rest.slice(1);
  }

  function render(answer) {
    current = answer;
    els.asked.textContent = answer.question;
    renderExpansions(answer.expansions || []);
    show(els.refusal, answer.abstained);
    show(els.answerBlock, !answer.abstained);
    if (answer.abstained) {
      els.refusalText.textContent = refusalDetail(answer.answer);
      show(els.refusalText, els.refusalText.textContent !== "");
      els.seeAlso.replaceChildren(...answer.passages.map((p) =>
        renderSource(p, { cls: "see-also-item" })));
      show(els.seeAlsoBlock, answer.passages.length > 0);
      els.answer.replaceChildren();
    } else {
      renderAnswerText(answer);
    }
    els.sources.replaceChildren(...answer.citations.map((c) =>
      renderSource(c, { number: c.n, cls: "source", id: `source-${c.n}` })));
    show(els.sourcesBlock, answer.citations.length > 0);
    els.latency.textContent = `Réponse en ${Math.round(answer.latency_ms)} ms`;
    els.copyStatus.textContent = "";
    renderGeneration(answer.generation, []);
    show(els.result, true);
  }

  // -- generative mode --------------------------------------------------------------------
  async function loadModel() {
    try {
      const health = await api("healthz");
      if (!health.llm) return;
      els.llmName.textContent = `(${health.llm.model})`;
      show(els.generativeOption, true);
    } catch {
      // No model information: the page stays extractive.
    }
  }

  function renderGeneration(generation, removedSoFar) {
    const removed = generation ? generation.removed : removedSoFar;
    if (!generation && !removed.length) {
      show(els.generation, false);
      return;
    }
    let text = "Rédaction en cours : seules les phrases vérifiées s'affichent…";
    if (generation && generation.fallback) {
      text = `Mode génératif indisponible pour cette question (${generation.fallback})`;
    } else if (generation) {
      text = `Réponse rédigée par ${generation.model} (gabarit ${generation.prompt}) ; `
        + "chaque phrase a été vérifiée contre le passage qu'elle cite.";
    }
    els.generationText.textContent = text;
    els.removed.replaceChildren(...removed.map((r) =>
      el("li", {}, el("q", { text: r.sentence }), el("span", { class: "muted", text: ` — ${r.reason}` }))));
    show(els.removedBlock, removed.length > 0);
    show(els.generation, true);
  }

  async function streamAnswer(question, signal) {
    // POST /ask/stream: server-sent events, read from the fetch body (EventSource is GET-only).
    let response;
    try {
      response = await fetch("ask/stream", {
        method: "POST",
        headers: { "Accept": "text/event-stream", "Content-Type": "application/json" },
        body: JSON.stringify({ question, documents: selectedDocuments(), mode: "generative" }),
        signal,
      });
    } catch (err) {
      if (err.name === "AbortError") throw err;
      throw new Error("Le serveur ne répond pas. Vérifiez qu'il est lancé, puis réessayez.");
    }
    if (!response.ok) {
      let body = null;
      try { body = await response.json(); } catch { body = null; }
      const detail = body && typeof body.detail === "string" ? body.detail : null;
      throw new Error(detail || `Le serveur a renvoyé une erreur (${response.status}).`);
    }
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    const sentences = [];
    const removed = [];
    let citations = [];
    let buffer = "";
    let final = null;
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let cut;
      while ((cut = buffer.indexOf("\n\n")) >= 0) {
        const frame = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        const kind = (frame.match(/^event: (.*)$/m) || [])[1];
        const data = JSON.parse((frame.match(/^data: (.*)$/m) || [])[1] || "{}");
        if (kind === "sentence") {
          sentences.push(data.text);
          citations = data.citations;
        } else if (kind === "removed") {
          removed.push({ sentence: data.sentence, reason: data.reason });
        } else if (kind === "answer") {
          final = data.answer;
          continue;
        }
        render({ question, answer: sentences.join(" "), abstained: false, citations,
          passages: [], latency_ms: 0, expansions: [], generation: null });
        els.latency.textContent = "";
        renderGeneration(null, removed);
      }
    }
    if (!final) throw new Error("La réponse a été interrompue. Réessayez.");
    return final;
  }

  // -- copy ----------------------------------------------------------------------------------
  function plainText(answer) {
    const lines = [`Question : ${answer.question}`, ""];
    if (answer.abstained) {
      lines.push(`${REFUSAL}.`);
      if (refusalDetail(answer.answer)) lines.push(refusalDetail(answer.answer));
      if (answer.passages.length) {
        lines.push("", "Voir aussi :");
        for (const p of answer.passages) {
          lines.push(`- ${[p.document, p.locator, pageLabel(p.page)].filter(Boolean).join(", ")}`);
        }
      }
    } else {
      lines.push(`Réponse : ${answer.answer}`);
      const g = answer.generation;
      if (g && !g.fallback) {
        lines.push(`(Rédigée par ${g.model}, gabarit ${g.prompt} ; chaque phrase vérifiée contre sa source.)`);
      }
    }
    if (answer.citations.length) {
      lines.push("", "Sources :");
      for (const c of answer.citations) {
        const where = [c.document, c.locator, pageLabel(c.page)].filter(Boolean).join(", ");
        lines.push(`[${c.n}] ${where} — « ${c.text} »`);
      }
    }
    return lines.join("\n");
  }

  async function copyAnswer() {
    if (!current) return;
    const text = plainText(current);
    try {
      await navigator.clipboard.writeText(text);
    } catch {
      // Older browsers or non-secure origins: the hidden-textarea fallback.
      const area = el("textarea", { value: text, class: "visually-hidden" });
      document.body.append(area);
      area.select();
      const ok = document.execCommand("copy");
      area.remove();
      if (!ok) {
        els.copyStatus.textContent = "Copie impossible : sélectionnez le texte à la main.";
        return;
      }
    }
    els.copyStatus.textContent = "Copié dans le presse-papiers.";
  }

  // -- asking -------------------------------------------------------------------------------
  async function ask(question) {
    clearError();
    if (!question.trim()) {
      showError("Saisissez une question avant de l'envoyer.");
      els.question.focus();
      return;
    }
    if (inflight) inflight.abort();
    const controller = new AbortController();
    inflight = controller;
    setLoading(true);
    try {
      const answer = els.generative.checked
        ? await streamAnswer(question, controller.signal)
        : await api("ask", {
          method: "POST",
          body: JSON.stringify({ question, documents: selectedDocuments() }),
          signal: controller.signal,
        });
      render(answer);
      const url = new URL(window.location.href);
      url.searchParams.set("q", question);
      history.replaceState(null, "", url);
    } catch (err) {
      if (err.name === "AbortError") return; // superseded by a newer question
      show(els.result, false);
      showError(err.message);
    } finally {
      if (inflight === controller) {
        setLoading(false);
        inflight = null;
      }
    }
  }

  els.form.addEventListener("submit", (event) => {
    event.preventDefault();
    ask(els.question.value);
  });
  els.question.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      els.form.requestSubmit();
    }
  });
  els.documents.addEventListener("change", updateFilterCount);
  els.copy.addEventListener("click", copyAnswer);

  loadDocuments();
  loadModel();
  const initial = new URLSearchParams(window.location.search).get("q");
  if (initial) {
    els.question.value = initial;
    ask(initial);
  }
})();
