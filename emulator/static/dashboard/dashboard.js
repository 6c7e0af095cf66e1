/* lms-emulator dashboard: vanilla JS over the admin API (/_emulator/...), nothing else. */
"use strict";
(function () {
  const API = "/_emulator";
  const TOKEN_KEY = "lmsEmulatorAdminToken";
  const JOURNAL_LIMIT = 200;
  const state = { tenant: null, vendors: [], lastSeq: 0, paused: false, polling: false, expanded: new Set(), locked: false };
  const $ = (id) => document.getElementById(id);

  // -- helpers -------------------------------------------------------------------------------------
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === "class") node.className = v;
      else if (k === "text") node.textContent = v;
      else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
      else node.setAttribute(k, v === true ? "" : v);
    }
    for (const c of children.flat(Infinity)) {
      if (c === null || c === undefined || c === false) continue;
      node.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return node;
  }

  // The card whose control started the current action: its own feedback line repeats the outcome, so it shows
  // next to the control (the page's status line, the one screen readers hear, may be scrolled out of view).
  let origin = null;

  function say(message, isError) {
    const s = $("status");
    s.textContent = message;
    s.classList.toggle("error", !!isError);
    for (const line of document.querySelectorAll(".card > .feedback")) line.remove();
    if (origin && message) origin.append(el("p", { class: "feedback" + (isError ? " error" : ""), "aria-hidden": "true" }, message));
  }

  // Times as the wire shows them: milliseconds (the admin API's clock has microseconds).
  function wireTime(text) { return typeof text === "string" ? text.replace(/(\.\d{3})\d+/, "$1") : text; }

  class AuthRequired extends Error {}

  async function api(method, path, body) {
    const headers = { Accept: "application/json" };
    const token = sessionStorage.getItem(TOKEN_KEY);
    if (token) headers.Authorization = "Bearer " + token;
    const init = { method, headers, cache: "no-store" };
    if (body !== undefined) {
      headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    const resp = await fetch(API + path, init);
    if (resp.status === 401) {
      showToken(token ? "The admin token was refused." : null);
      throw new AuthRequired("admin token required");
    }
    if (!resp.ok) {
      let message = resp.status + " " + resp.statusText;
      try {
        const j = await resp.json();
        message = (j.message || j.error || message) + " (" + resp.status + ")";
      } catch (_) { /* not JSON */ }
      throw new Error(message);
    }
    return resp.status === 204 ? null : resp.json();
  }

  // Run an action from a button or form; errors go to the status line.
  async function act(label, fn) {
    const active = document.activeElement;
    origin = active && active !== document.body && active.closest ? active.closest(".card") : null;
    try {
      const result = await fn();
      if (label) say(label);
      return result;
    } catch (err) {
      if (!(err instanceof AuthRequired)) say(err.message, true);
      return undefined;
    }
  }

  async function copy(text, what) {
    try {
      await navigator.clipboard.writeText(text);
    } catch (_) { // not a secure context: the old way
      const area = el("textarea", { class: "sr-only", "aria-hidden": "true" });
      area.value = text;
      document.body.append(area);
      area.select();
      document.execCommand("copy");
      area.remove();
    }
    say("Copied " + what + ".");
  }

  // -- admin token -------------------------------------------------------------------------------
  // The button shows only once the emulator has asked for a token (a 401) or one is kept in this tab.
  if (sessionStorage.getItem(TOKEN_KEY)) $("token-button").hidden = false;

  function showToken(message) {
    state.locked = true;
    $("token-button").hidden = false;
    $("token-panel").hidden = false;
    if (message) say(message, true);
    if (document.activeElement !== $("token-input")) $("token-input").focus();
  }

  $("token-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    sessionStorage.setItem(TOKEN_KEY, $("token-input").value.trim());
    $("token-input").value = "";
    $("token-panel").hidden = true;
    state.locked = false;
    say("Token saved for this tab.");
    start();
  });
  $("token-forget").addEventListener("click", () => {
    sessionStorage.removeItem(TOKEN_KEY);
    say("Token forgotten.");
  });
  $("token-button").addEventListener("click", () => {
    $("token-panel").hidden = !$("token-panel").hidden;
    if (!$("token-panel").hidden) $("token-input").focus();
  });

  // -- tenants -----------------------------------------------------------------------------------
  async function loadTenants() {
    const { tenants } = await api("GET", "/tenants");
    const wanted = decodeURIComponent((location.hash.match(/tenant=([^&]+)/) || [])[1] || "");
    const ids = tenants.map((t) => t.id);
    if (!state.tenant || !ids.includes(state.tenant)) {
      state.tenant = ids.includes(wanted) ? wanted : ids.includes("default") ? "default" : ids[0] || null;
      resetJournal();
    }
    const rows = $("tenant-rows");
    rows.replaceChildren(...tenants.map((t) => {
      const current = t.id === state.tenant;
      return el("tr", { class: current ? "current" : null, "data-tenant": t.id },
        el("th", { scope: "row", "aria-current": current ? "true" : null }, t.id),
        el("td", { class: "num" }, t.seed ?? "—"),
        el("td", {}, t.fixture || "—"),
        el("td", { class: "actions" },
          current ? null : el("button", { type: "button", class: "secondary", onclick: () => selectTenant(t.id),
            "aria-label": "Show tenant " + t.id }, "Show"),
          el("button", { type: "button", class: "secondary", onclick: () => resetTenant(t.id),
            "aria-label": "Reset tenant " + t.id }, "Reset"),
          el("button", { type: "button", class: "danger", onclick: () => deleteTenant(t.id),
            "aria-label": "Delete tenant " + t.id }, "Delete")));
    }));
    if (!tenants.length) rows.append(el("tr", {}, el("td", { colspan: 4, class: "muted" }, "No tenants. Create one below.")));
    for (const node of document.querySelectorAll("[data-tenant-name]")) node.textContent = state.tenant ? "· " + state.tenant : "";
  }

  async function selectTenant(id) {
    state.tenant = id;
    history.replaceState(null, "", "#tenant=" + encodeURIComponent(id));
    resetJournal();
    await act(null, async () => { await loadTenants(); await loadTenant(true); await loadFaults(); await pollJournal(); });
  }

  async function resetTenant(id) {
    if (!confirm("Reset tenant '" + id + "'? Its data is rebuilt from its seed and fixture (issued tokens stop working); the clock, journal and fault rules stay.")) return;
    await act("Tenant '" + id + "' reset.", async () => {
      await api("POST", "/tenants/" + encodeURIComponent(id) + "/reset");
      if (id === state.tenant) { resetJournal(); await loadTenant(true); await loadFaults(); }
      await loadTenants();
    });
  }

  async function deleteTenant(id) {
    if (!confirm("Delete tenant '" + id + "'? This cannot be undone.")) return;
    await act("Tenant '" + id + "' deleted.", async () => {
      await api("DELETE", "/tenants/" + encodeURIComponent(id));
      if (id === state.tenant) state.tenant = null;
      await loadTenants();
      await loadTenant(true);
      await loadFaults();
    });
  }

  $("create-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    const body = {};
    if ($("create-id").value.trim()) body.id = $("create-id").value.trim();
    if ($("create-seed").value !== "") body.seed = Number($("create-seed").value);
    act(null, async () => {
      const info = await api("POST", "/tenants", body);
      ev.target.reset();
      await selectTenant(info.id);
      say("Tenant '" + info.id + "' created.");
    });
  });

  // -- one tenant: credentials, counts, clock ------------------------------------------------------
  function credentialList(obj, prefix) {
    const items = [];
    for (const [key, value] of Object.entries(obj)) {
      const name = prefix ? prefix + "." + key : key;
      if (value !== null && typeof value === "object") items.push(...credentialList(value, name));
      else items.push([name, value === null ? "" : String(value)]);
    }
    return items;
  }

  function credentialBlock(vendor, creds) {
    const main = {}, extra = {};
    for (const [k, v] of Object.entries(creds)) (Array.isArray(v) ? extra : main)[k] = v;
    const dl = (obj) => el("dl", { class: "creds" }, credentialList(obj, "").map(([name, value]) => [
      el("dt", {}, name),
      el("dd", {}, el("code", {}, value),
        el("button", { type: "button", class: "copy", onclick: () => copy(value, vendor + " " + name),
          "aria-label": "Copy " + vendor + " " + name }, "Copy"))]));
    const block = [el("h3", {}, vendor), dl(main)];
    for (const [k, v] of Object.entries(extra)) {
      block.push(el("details", { class: "more" }, el("summary", {}, k + " (" + v.length + ")"), dl({ [k]: v })));
    }
    return block;
  }

  async function loadTenant(full) {
    if (!state.tenant) {
      $("credentials-body").replaceChildren(el("p", { class: "muted" }, "No tenant selected."));
      $("counts-body").replaceChildren();
      return;
    }
    const info = await api("GET", "/tenants/" + encodeURIComponent(state.tenant));
    const vendors = Object.keys(info.baseUrls || {});
    if (full) {
      $("credentials-body").replaceChildren(...vendors.flatMap((v) => {
        const [heading, ...rest] = info[v] ? credentialBlock(v, info[v]) : [el("h3", {}, v)];
        return [heading,
          el("p", { class: "row baseurl" }, el("span", { class: "muted" }, "Base URL"), el("code", {}, info.baseUrls[v]),
            el("button", { type: "button", class: "copy", onclick: () => copy(info.baseUrls[v], v + " base URL"),
              "aria-label": "Copy " + v + " base URL" }, "Copy")),
          ...rest];
      }));
    }
    renderCounts(info.counts || {});
    renderClock(info.clock);
    renderRateLimits(info.rateLimits || {});
  }

  function renderRateLimits(limits) {
    $("rate-limit-body").replaceChildren(...Object.entries(limits).map(([vendor, r]) => el("p", { class: "row" },
      el("strong", {}, vendor),
      el("span", { class: "badge" + (r.enabled ? " frozen" : "") }, r.enabled ? "on" : "off"),
      el("span", {}, r.requestsPerSecond + "/s, burst " + r.burst +
        (r.enabled ? " · " + r.tokens + " tokens left · " + r.admitted + " admitted · " + r.limited + " answered 429" : "")),
      el("button", { type: "button", class: r.enabled ? "secondary" : "",
        "aria-label": (r.enabled ? "Switch off " : "Switch on ") + vendor + " rate limit",
        onclick: () => act(vendor + " rate limit " + (r.enabled ? "off." : "on."), async () => renderRateLimits(
          await api("POST", "/tenants/" + encodeURIComponent(state.tenant) + "/rate-limit", { vendor, enabled: !r.enabled })))
      }, r.enabled ? "Switch off" : "Switch on"))));
  }

  function renderCounts(counts) {
    const vendors = Object.keys(counts);
    if (!vendors.length) { $("counts-body").replaceChildren(); return; }
    $("counts-body").replaceChildren(...vendors.map((v) => el("table", {},
      el("caption", { class: "sr-only" }, v + " entity counts"),
      el("thead", {}, el("tr", {}, el("th", { scope: "col" }, v), el("th", { scope: "col", class: "num" }, "Count"))),
      el("tbody", {}, Object.entries(counts[v]).map(([name, n]) =>
        el("tr", {}, el("th", { scope: "row" }, name), el("td", { class: "num" }, n)))))));
  }

  function renderClock(clock) {
    if (!clock) return;
    $("clock-now").textContent = wireTime(clock.now);
    const badge = $("clock-state");
    badge.textContent = clock.frozen ? "frozen" : clock.offsetSeconds ? "offset " + Number(clock.offsetSeconds.toFixed(3)) + " s" : "real time";
    badge.classList.toggle("frozen", !!clock.frozen);
  }

  function clockCall(path, body, label) {
    if (!state.tenant) return;
    act(label, async () => renderClock(await api("POST", "/tenants/" + encodeURIComponent(state.tenant) + "/clock/" + path, body)));
  }
  $("clock-freeze").addEventListener("click", () => clockCall("freeze", {}, "Clock frozen."));
  $("clock-unfreeze").addEventListener("click", () => clockCall("unfreeze", undefined, "Clock running."));
  $("advance-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    const d = $("advance-duration").value.trim();
    clockCall("advance", /^-?\d+(\.\d+)?$/.test(d) ? { seconds: Number(d) } : { duration: d }, "Clock advanced by " + d + ".");
  });

  // -- faults ------------------------------------------------------------------------------------
  function describeEffect(r) {
    const parts = [];
    if (r.drop) parts.push("drop");
    if (r.status) parts.push(String(r.status) + (r.rateLimit ? " retry " + r.rateLimit.retryAfter + "s" : ""));
    if (r.delayMs) parts.push("+" + r.delayMs + " ms");
    if (r.probability !== 1) parts.push("p=" + r.probability);
    if (r.count) parts.push("×" + r.count + " left");
    return parts.join(", ");
  }

  async function loadFaults() {
    const rows = $("fault-rows");
    if (!state.tenant) { rows.replaceChildren(); return; }
    const { faults } = await api("GET", "/tenants/" + encodeURIComponent(state.tenant) + "/faults");
    rows.replaceChildren(...faults.map((r) => el("tr", {},
      el("th", { scope: "row" }, r.id),
      el("td", { class: "mono" }, (r.method || "*") + " " + r.path + (r.vendor ? " (" + r.vendor + ")" : "")),
      el("td", {}, describeEffect(r)),
      el("td", { class: "num" }, r.hits),
      el("td", { class: "actions" }, el("button", { type: "button", class: "danger", "aria-label": "Remove fault " + r.id,
        onclick: () => act("Fault " + r.id + " removed.", async () => {
          await api("DELETE", "/tenants/" + encodeURIComponent(state.tenant) + "/faults/" + encodeURIComponent(r.id));
          await loadFaults();
        }) }, "Remove")))));
    if (!faults.length) rows.append(el("tr", {}, el("td", { colspan: 5, class: "muted" }, "No fault rules: every call behaves.")));
  }

  $("fault-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    if (!state.tenant) return;
    const f = ev.target.elements;
    const rule = { path: f.path.value.trim() };
    if (f.vendor.value) rule.vendor = f.vendor.value;
    if (f.method.value) rule.method = f.method.value;
    if (f.drop.checked) rule.drop = true;
    else if (f.status.value !== "") rule.status = Number(f.status.value);
    if (f.delayMs.value !== "") rule.delayMs = Number(f.delayMs.value);
    if (f.count.value !== "") rule.count = Number(f.count.value);
    if (f.probability.value !== "" && Number(f.probability.value) !== 1) rule.probability = Number(f.probability.value);
    act(null, async () => {
      const added = await api("POST", "/tenants/" + encodeURIComponent(state.tenant) + "/faults", rule);
      say("Fault " + added.id + " armed: " + (added.method || "*") + " " + added.path + " → " + describeEffect(added) + ".");
      await loadFaults();
    });
  });

  // -- journal -----------------------------------------------------------------------------------
  function resetJournal() {
    state.lastSeq = 0;
    state.expanded.clear();
    $("journal-rows").replaceChildren();
    $("journal-summary").textContent = "Waiting for requests…";
  }

  function pretty(text) {
    if (text === null || text === undefined || text === "") return "(empty)";
    try { return JSON.stringify(JSON.parse(text), null, 2); } catch (_) { return text; }
  }

  function statusClass(s) { return s === null || s === undefined ? "sx" : "s" + String(s)[0]; }

  function detailRow(e, id) {
    const headers = Object.entries(e.headers || {}).map(([k, v]) => k + ": " + v).join("\n");
    return el("tr", { class: "detail", id },
      el("td", { colspan: 6 },
        el("p", {}, el("strong", {}, e.method + " " + e.path + (e.query ? "?" + e.query : "")),
          " · " + wireTime(e.time) + (e.tenant ? " · tenant " + e.tenant : "") + (e.fault ? " · fault " + JSON.stringify(e.fault) : "") +
            (e.rateLimited ? " · rate-limited" : "")),
        el("h3", {}, "Request headers (secrets masked)"), el("pre", {}, headers || "(none)"),
        el("h3", {}, "Request body"), el("pre", {}, pretty(e.body)),
        el("h3", {}, "Response " + (e.status ?? "(connection dropped)")), el("pre", {}, pretty(e.responseBody))));
  }

  function journalRow(e, fresh) {
    const detailId = "j-detail-" + e.seq;
    const open = state.expanded.has(e.seq);
    const toggle = el("button", { type: "button", class: "link", "aria-expanded": open ? "true" : "false", "aria-controls": detailId,
      "aria-label": "Details of request " + e.seq + ", " + e.method + " " + e.path }, open ? "Hide" : "Details");
    const row = el("tr", { class: fresh ? "new" : null, "data-seq": e.seq },
      el("td", { class: "num" }, e.seq),
      el("td", { class: "m" }, e.method),
      el("td", { class: "path" }, e.path + (e.query ? "?" + e.query : ""), e.fault ? el("span", { class: "fault-tag" }, "fault") : null),
      el("td", { class: statusClass(e.status) }, e.status ?? (e.dropped ? "dropped" : "—")),
      el("td", { class: "num" }, typeof e.durationMs === "number" ? e.durationMs.toFixed(1) : ""),
      el("td", {}, toggle));
    const frag = [row];
    if (open) frag.push(detailRow(e, detailId));
    toggle.addEventListener("click", () => {
      const shown = document.getElementById(detailId);
      if (shown) {
        shown.remove();
        state.expanded.delete(e.seq);
        toggle.setAttribute("aria-expanded", "false");
        toggle.textContent = "Details";
      } else {
        row.after(detailRow(e, detailId));
        state.expanded.add(e.seq);
        toggle.setAttribute("aria-expanded", "true");
        toggle.textContent = "Hide";
      }
    });
    return frag;
  }

  async function pollJournal() {
    if (!state.tenant || state.paused || state.polling || state.locked) return;
    state.polling = true;
    try {
      const { entries } = await api("GET", "/tenants/" + encodeURIComponent(state.tenant) + "/journal?limit=" + JOURNAL_LIMIT);
      const newest = entries.length ? entries[entries.length - 1].seq : 0;
      if (newest < state.lastSeq) resetJournal(); // the journal was cleared or the tenant reset
      const fresh = entries.filter((e) => e.seq > state.lastSeq);
      if (fresh.length) {
        const first = state.lastSeq === 0;
        const rows = $("journal-rows");
        rows.prepend(...fresh.reverse().flatMap((e) => journalRow(e, !first)));
        for (const r of [...rows.querySelectorAll("tr[data-seq]")].slice(JOURNAL_LIMIT)) {
          const next = r.nextElementSibling;
          if (next && next.classList.contains("detail")) next.remove();
          r.remove();
        }
        state.lastSeq = newest;
        const last = entries[entries.length - 1];
        $("journal-summary").textContent = entries.length + " request" + (entries.length === 1 ? "" : "s") +
          " shown; latest " + last.method + " " + last.path + " → " + (last.status ?? "dropped") + ".";
        if (!first) { loadTenant(false).catch(() => {}); loadFaults().catch(() => {}); }
      } else if (!entries.length) {
        $("journal-summary").textContent = "No requests yet. Call a vendor API and it shows up here.";
      }
    } catch (err) {
      if (!(err instanceof AuthRequired)) say("Journal: " + err.message, true);
    } finally {
      state.polling = false;
    }
  }

  $("journal-pause").addEventListener("click", (ev) => {
    state.paused = !state.paused;
    ev.target.setAttribute("aria-pressed", String(state.paused));
    ev.target.textContent = state.paused ? "Resume" : "Pause";
    say(state.paused ? "Journal paused." : "Journal live.");
  });
  $("journal-clear").addEventListener("click", () => {
    if (!state.tenant) return;
    act("Journal cleared.", async () => {
      await api("DELETE", "/tenants/" + encodeURIComponent(state.tenant) + "/journal");
      resetJournal();
    });
  });

  // The journal as HAR 1.2 (GET .../journal.har): fetched with the admin token, saved through a blob link.
  async function downloadHar() {
    if (!state.tenant) return;
    const headers = {};
    const token = sessionStorage.getItem(TOKEN_KEY);
    if (token) headers.Authorization = "Bearer " + token;
    const resp = await fetch(API + "/tenants/" + encodeURIComponent(state.tenant) + "/journal.har", { headers, cache: "no-store" });
    if (resp.status === 401) { showToken(token ? "The admin token was refused." : null); throw new AuthRequired("admin token required"); }
    if (!resp.ok) throw new Error("HAR download failed (" + resp.status + ")");
    const url = URL.createObjectURL(await resp.blob());
    const link = el("a", { href: url, download: "lms-emulator-" + state.tenant + "-journal.har", hidden: true });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
  }
  $("journal-har").addEventListener("click", () => act("Journal downloaded as HAR.", downloadHar));

  // -- start -------------------------------------------------------------------------------------
  async function start() {
    await act(null, async () => {
      const index = await api("GET", "/");
      state.vendors = index.vendors || [];
      $("openapi-links").replaceChildren(...state.vendors.map((v) =>
        el("li", {}, el("a", { href: "/" + v + "/openapi.json" }, v))));
      $("fault-vendor").replaceChildren(el("option", { value: "" }, "any"), ...state.vendors.map((v) => el("option", { value: v }, v)));
      await loadTenants();
      await loadTenant(true);
      await loadFaults();
      await pollJournal();
    });
  }

  setInterval(() => { if (!document.hidden) pollJournal(); }, 1000);
  start();
})();
