// The dashboard page: polls {base}/api/state every second and draws it; a clicked route's charts come from
// {base}/api/routes/{id}. Everything from the server is put on the page as text (textContent), never as HTML, so a
// route template such as /<script> shows as itself.
"use strict";
(function () {
  const base = document.body.dataset.base;
  const pollMs = 1000;
  const detailMs = 2000;
  const columns = ["method", "template", "rate", "errorRatio", "p50", "p95", "p99", "inFlight", "bytesPerSecond", "requests"];
  const palette = ["#2f5fd0", "#c62828", "#1a7f37", "#b26a00", "#7b3fbf", "#00838f", "#6d4c41", "#ad1457"];
  const state = { data: null, sortKey: null, sortDesc: false, selected: null, charts: {}, detailTimer: null };

  const $ = (id) => document.getElementById(id);
  const el = (tag, props, ...children) => {
    const node = document.createElement(tag);
    Object.assign(node, props || {});
    for (const child of children) {
      node.append(child instanceof Node ? child : String(child));
    }
    return node;
  };

  const dash = "—";
  const fixed = (v, digits) => (v === null || v === undefined ? dash : v.toFixed(digits));
  const format = {
    rate: (v) => fixed(v, v !== null && v < 10 ? 2 : 1),
    errorRatio: (v) => (v === null || v === undefined ? dash : (v * 100).toFixed(v > 0 && v < 0.01 ? 2 : 1) + "%"),
    ms: (v) => (v === null || v === undefined ? dash : v < 1 ? v.toFixed(3) : v < 100 ? v.toFixed(2) : v.toFixed(0)),
    bytes: (v) => {
      if (v === null || v === undefined) return dash;
      if (v >= 1048576) return (v / 1048576).toFixed(1) + " MB";
      if (v >= 1024) return (v / 1024).toFixed(1) + " KB";
      return v.toFixed(0) + " B";
    },
    count: (v) => (v === null || v === undefined ? dash : String(v)),
  };
  const formatters = {
    rate: format.rate, errorRatio: format.errorRatio, p50: format.ms, p95: format.ms, p99: format.ms,
    inFlight: format.count, bytesPerSecond: format.bytes, requests: format.count,
  };
  const time = (ms) => (ms ? new Date(ms).toLocaleTimeString() : "never");
  const clock = (seconds) => new Date(seconds * 1000).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit" });

  function renderApp(app) {
    $("app-name").textContent = app.application;
    document.title = app.application + " · Instrumentation";
    const tags = $("app-tags");
    tags.replaceChildren();
    for (const [name, value] of [["service", app.service], ["cluster", app.cluster], ["shard", app.shard], ["source", app.source], ["version", app.version]]) {
      tags.append(el("div", {}, el("dt", { textContent: name }), el("dd", { textContent: value })));
    }
  }

  function renderSinks(sinks, tracing) {
    const cards = sinks.map((sink) => {
      const lines = [];
      if (sink.name === "prometheus") {
        lines.push(sink.state === "off" ? "disabled" : "last scrape: " + time(sink.lastSuccess));
      } else if (sink.state !== "off") {
        lines.push("last send: " + time(sink.lastSuccess));
        lines.push("buffered: " + sink.buffered + " · delivered: " + sink.delivered + " · failed sends: " + sink.failures);
        const dropped = Object.entries(sink.dropped).filter(([, n]) => n > 0).map(([why, n]) => n + " " + why.replace("_", " "));
        lines.push("dropped: " + (dropped.length ? dropped.join(", ") : "none"));
      } else {
        lines.push("not configured");
      }
      return card(sink.name, sink.state, sink.state, lines);
    });
    const tracingState = !tracing.enabled ? "off" : tracing.exporting ? "connected" : "waiting";
    const tracingLabel = !tracing.enabled ? "off" : tracing.exporting ? "exporting" : "context only";
    cards.push(card("tracing", tracingState, tracingLabel, tracing.enabled
      ? ["kept: " + tracing.kept + " · sampled out: " + tracing.sampledOut + " · dropped: " + tracing.dropped]
      : ["disabled"]));
    $("sinks").replaceChildren(...cards);
  }

  function card(name, css, label, lines) {
    const node = el("article", { className: "sink " + css }, el("h3", {}, name, el("span", { className: "state", textContent: label })));
    node.dataset.sink = name;
    node.dataset.state = css;
    for (const line of lines) node.append(el("p", { textContent: line }));
    return node;
  }

  function row(route, extraClass) {
    const tr = el("tr", { className: extraClass });
    tr.dataset.method = route.method;
    tr.dataset.template = route.template;
    if (route.id !== null && route.id !== undefined) tr.dataset.routeId = route.id;
    tr.append(el("td", { className: "method" }, route.method));
    const name = el("td", { className: "route" }, route.template);
    if (!route.instrumented) {
      name.append(el("span", { className: "diag", title: "Build-time diagnostic that reports this endpoint", textContent: route.diagnostic || "" }));
      tr.title = "Not instrumented: mark it with [Instrumented] or .Instrumented() (" + route.diagnostic + ")";
    } else if (route.handler) {
      name.title = route.handler;
    }
    tr.append(name);
    for (const key of columns.slice(2)) {
      const td = el("td", { className: "num " + key }, route.instrumented ? formatters[key](route[key]) : dash);
      if (key === "errorRatio" && route.errorRatio > 0) td.classList.add("errors");
      tr.append(td);
    }
    if (route.id !== null && route.id !== undefined && route.id === state.selected) tr.classList.add("selected");
    return tr;
  }

  function compare(a, b) {
    const key = state.sortKey;
    if (!key) return a.template.localeCompare(b.template) || a.method.localeCompare(b.method);
    const x = a[key], y = b[key];
    const empty = (v) => v === null || v === undefined;
    if (empty(x) || empty(y)) return empty(x) === empty(y) ? 0 : empty(x) ? 1 : -1;
    const order = typeof x === "string" ? x.localeCompare(y) : x - y;
    return state.sortDesc ? -order : order;
  }

  function renderRoutes() {
    const data = state.data;
    if (!data) return;
    const totals = [row(data.totals, "totals")];
    if (data.unmatched) totals.push(row(Object.assign({}, data.unmatched, { template: "unmatched (404, 405)" }), "unmatched route-row"));
    $("totals").replaceChildren(...totals);

    const filter = $("filter").value.trim().toLowerCase();
    const visible = data.routes.filter((r) => !filter
      || [r.template, r.method, r.kind, r.group, r.handler, r.entity].some((f) => (f || "").toLowerCase().includes(filter)));
    const kinds = [...new Set(visible.map((r) => r.kind))].sort();
    const rows = [];
    for (const kind of kinds) {
      const group = el("tr", { className: "group" }, el("td", { colSpan: columns.length, textContent: kind }));
      group.dataset.kind = kind;
      rows.push(group);
      const ofKind = visible.filter((r) => r.kind === kind);
      for (const name of [...new Set(ofKind.map((r) => r.group))].sort()) {
        const sub = el("tr", { className: "subgroup" }, el("td", { colSpan: columns.length, textContent: name }));
        sub.dataset.group = name;
        rows.push(sub);
        for (const route of ofKind.filter((r) => r.group === name).sort(compare)) {
          rows.push(row(route, route.instrumented ? "route-row" : "off"));
        }
      }
    }
    if (!rows.length) rows.push(el("tr", {}, el("td", { colSpan: columns.length, textContent: "No route matches the filter." })));
    $("rows").replaceChildren(...rows);
    $("window").textContent = data.rateWindowSeconds > 0
      ? "rates over the last " + Math.round(data.rateWindowSeconds) + " s, latency over the last " + Math.round(data.latencyWindowSeconds) + " s"
      : "collecting the first samples…";
    for (const th of document.querySelectorAll("th[data-key]")) {
      th.classList.toggle("sorted-asc", th.dataset.key === state.sortKey && !state.sortDesc);
      th.classList.toggle("sorted-desc", th.dataset.key === state.sortKey && state.sortDesc);
    }
  }

  async function poll() {
    try {
      const response = await fetch(base + "/api/state", { cache: "no-store", credentials: "same-origin" });
      if (!response.ok) throw new Error("HTTP " + response.status);
      state.data = await response.json();
      renderApp(state.data.app);
      renderSinks(state.data.sinks, state.data.tracing);
      renderRoutes();
      $("status").textContent = "updated " + new Date(state.data.time).toLocaleTimeString();
      $("status").classList.remove("stale");
    } catch (error) {
      $("status").textContent = "cannot reach the application (" + error.message + "); retrying";
      $("status").classList.add("stale");
    } finally {
      setTimeout(poll, pollMs);
    }
  }

  function chart(name, title, series, data, valueFormat) {
    const host = $(name);
    const width = Math.max(280, host.clientWidth || 600);
    const signature = series.map((s) => s.label).join("|");
    const existing = state.charts[name];
    if (existing && existing.signature === signature) {
      existing.plot.setData(data);
      existing.plot.setSize({ width: width, height: 220 });
      return;
    }
    if (existing) existing.plot.destroy();
    const plot = new uPlot({
      title: title,
      width: width,
      height: 220,
      scales: { x: { time: true } },
      axes: [
        { space: 70, incrs: [1, 2, 5, 10, 15, 30, 60, 120, 300, 600], values: (u, ticks) => ticks.map(clock) },
        { values: (u, ticks) => ticks.map(valueFormat), size: 60 },
      ],
      series: [{}].concat(series.map((s, i) => ({
        label: s.label, stroke: palette[i % palette.length], width: 1.5, spanGaps: false,
        value: (u, v) => (v === null || v === undefined ? dash : valueFormat(v)),
      }))),
    }, data, host);
    state.charts[name] = { plot: plot, signature: signature };
  }

  async function loadDetail() {
    if (state.selected === null) return;
    try {
      const response = await fetch(base + "/api/routes/" + encodeURIComponent(state.selected) + "?minutes=15", { cache: "no-store", credentials: "same-origin" });
      if (!response.ok) throw new Error("HTTP " + response.status);
      const history = await response.json();
      $("detail-title").textContent = history.method + " " + history.template + " · last 15 minutes";
      chart("chart-latency", "Latency (ms)", [{ label: "p50" }, { label: "p95" }, { label: "p99" }],
        [history.times, history.p50, history.p95, history.p99], format.ms);
      const statuses = Object.keys(history.rates).sort();
      chart("chart-rate", "Requests per second by status", statuses.map((s) => ({ label: s })),
        [history.times].concat(statuses.map((s) => history.rates[s])), (v) => (v === null ? dash : v.toFixed(2)));
      chart("chart-latency-status", "p95 latency by status (ms)", statuses.map((s) => ({ label: s })),
        [history.times].concat(statuses.map((s) => history.p95ByStatus[s])), format.ms);
    } catch (error) {
      $("detail-title").textContent = "Cannot load the route's history (" + error.message + ")";
    }
  }

  function select(id) {
    state.selected = id;
    clearInterval(state.detailTimer);
    $("detail").hidden = id === null;
    if (id === null) return;
    renderRoutes();
    loadDetail();
    state.detailTimer = setInterval(loadDetail, detailMs);
    $("detail").scrollIntoView({ behavior: "smooth", block: "nearest" });
  }

  document.querySelector("thead").addEventListener("click", (event) => {
    const th = event.target.closest("th[data-key]");
    if (!th) return;
    if (state.sortKey === th.dataset.key) state.sortDesc = !state.sortDesc;
    else { state.sortKey = th.dataset.key; state.sortDesc = !["method", "template"].includes(th.dataset.key); }
    renderRoutes();
  });
  for (const body of ["rows", "totals"]) {
    $(body).addEventListener("click", (event) => {
      const tr = event.target.closest("tr[data-route-id]");
      if (tr) select(Number(tr.dataset.routeId));
    });
  }
  $("filter").addEventListener("input", renderRoutes);
  $("detail-close").addEventListener("click", () => select(null));
  window.addEventListener("resize", () => { if (state.selected !== null) loadDetail(); });
  poll();
})();
