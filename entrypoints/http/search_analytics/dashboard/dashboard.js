// The search analytics dashboard. It asks once for an admin access token or API key, keeps it in
// this tab's sessionStorage only, and reads GET /api/v1/admin/search/analytics with it. Everything
// the API returns is put on the page with textContent: a query someone typed never becomes markup.
"use strict";

(function () {
  const REPORT = "/api/v1/admin/search/analytics";
  const TOKEN_KEY = "mg.search-dashboard.token";
  const LIMIT = 20;
  const CHART_HEIGHT = 260;
  const NUMBER = new Intl.NumberFormat("en");
  let chart = null;

  function byId(id) {
    return document.getElementById(id);
  }

  function say(text, failed) {
    const status = byId("status");
    status.textContent = text || "";
    status.className = failed ? "failed" : "";
  }

  function storedToken() {
    try {
      return window.sessionStorage.getItem(TOKEN_KEY);
    } catch (error) {
      return null;
    }
  }

  function askForToken(message) {
    window.sessionStorage.removeItem(TOKEN_KEY);
    byId("report").hidden = true;
    byId("token-form").hidden = false;
    const input = byId("token");
    input.value = "";
    byId("token-error").textContent = message || "";
    if (message) {
      input.setAttribute("aria-invalid", "true");
    } else {
      input.removeAttribute("aria-invalid");
    }
    input.focus();
  }

  function showReport() {
    byId("token-form").hidden = true;
    byId("report").hidden = false;
  }

  function problemText(status, body) {
    const text = body && (typeof body.detail === "string" && body.detail ? body.detail : body.title);
    return typeof text === "string" && text ? text : "The analytics could not be read (" + status + ").";
  }

  async function load() {
    const token = storedToken();
    if (!token) {
      askForToken("");
      return;
    }
    const query = new URLSearchParams({ window: byId("window").value, limit: String(LIMIT) });
    const platform = byId("platform").value.trim();
    if (platform) {
      query.set("platform", platform);
    }
    say("Loading…");
    let response;
    try {
      response = await fetch(REPORT + "?" + query.toString(), {
        headers: { Authorization: "Bearer " + token, Accept: "application/json, application/problem+json" },
        credentials: "omit",
        cache: "no-store",
        referrerPolicy: "no-referrer",
      });
    } catch (error) {
      say("The service could not be reached. Check your connection and press Refresh.", true);
      return;
    }
    let body = null;
    try {
      body = await response.json();
    } catch (error) {
      body = null;
    }
    if (response.status === 401) {
      say("");
      askForToken("The service did not accept this token or key (it may have expired). Enter it again.");
      return;
    }
    if (response.status === 403) {
      say("");
      askForToken("This token or key is not an administrator's. Enter an admin access token or API key.");
      return;
    }
    if (!response.ok || body === null) {
      say(problemText(response.status, body), true);
      return;
    }
    showReport();
    render(body);
    say("Updated at " + new Date().toLocaleTimeString() + ".");
  }

  function percent(rate) {
    return typeof rate === "number" ? (rate * 100).toFixed(1) + " %" : "–";
  }

  function milliseconds(value) {
    return typeof value === "number" ? value.toFixed(1) + " ms" : "–";
  }

  function count(value) {
    return typeof value === "number" ? NUMBER.format(value) : "–";
  }

  function position(value) {
    return typeof value === "number" ? value.toFixed(1) : "–";
  }

  function render(report) {
    const totals = report.totals || {};
    const latency = report.latency_ms || {};
    byId("card-searches").textContent = count(totals.searches);
    byId("card-viewers").textContent = count(totals.viewers);
    byId("card-zero").textContent = percent(totals.zero_result_rate);
    byId("card-ctr").textContent = percent(totals.click_through_rate);
    byId("card-p50").textContent = milliseconds(latency.p50);
    byId("card-p95").textContent = milliseconds(latency.p95);
    byId("card-p99").textContent = milliseconds(latency.p99);

    fillTable("popular", report.popular, [
      { text: (row) => row.query, className: "query" },
      { text: (row) => count(row.searches), className: "number" },
      { text: (row) => count(row.viewers), className: "number" },
      { text: (row) => percent(row.click_through_rate), className: "number" },
      { text: (row) => position(row.average_click_position), className: "number" },
    ]);
    fillTable("zero-results", report.zero_results, [
      { text: (row) => row.query, className: "query" },
      { text: (row) => (Array.isArray(row.closest_titles) && row.closest_titles.length ? row.closest_titles.join(", ") : "–") },
      { text: (row) => count(row.searches), className: "number" },
      { text: (row) => count(row.viewers), className: "number" },
    ]);
    fillTable("no-clicks", report.no_clicks, [
      { text: (row) => row.query, className: "query" },
      { text: (row) => count(row.searches), className: "number" },
      { text: (row) => count(row.viewers), className: "number" },
    ]);
    drawTrend(Array.isArray(report.trend) ? report.trend : []);
  }

  function fillTable(id, rows, columns) {
    const body = byId(id).tBodies[0];
    body.replaceChildren();
    if (!Array.isArray(rows) || rows.length === 0) {
      const cell = document.createElement("td");
      cell.colSpan = columns.length;
      cell.className = "empty";
      cell.textContent = "Nothing to show for this window yet.";
      const row = document.createElement("tr");
      row.appendChild(cell);
      body.appendChild(row);
      return;
    }
    for (const item of rows) {
      const row = document.createElement("tr");
      for (const column of columns) {
        const cell = document.createElement("td");
        cell.textContent = String(column.text(item));
        if (column.className) {
          cell.className = column.className;
        }
        row.appendChild(cell);
      }
      body.appendChild(row);
    }
  }

  function chartWidth(box) {
    return Math.max(240, Math.floor(box.clientWidth));
  }

  function drawTrend(trend) {
    const box = byId("trend-chart");
    if (chart) {
      chart.destroy();
      chart = null;
    }
    if (typeof window.uPlot !== "function") {
      box.textContent = "The chart library did not load.";
      return;
    }
    const ink = window.getComputedStyle(document.body).color;
    const data = [
      trend.map((point) => Date.parse(point.bucket_start) / 1000),
      trend.map((point) => point.searches),
      trend.map((point) => (typeof point.p95_ms === "number" ? point.p95_ms : null)),
    ];
    const axis = { stroke: ink, grid: { stroke: "rgba(127,127,127,0.25)" }, ticks: { stroke: "rgba(127,127,127,0.4)" } };
    const options = {
      width: chartWidth(box),
      height: CHART_HEIGHT,
      legend: { live: false },
      scales: {
        x: { time: true },
        searches: { range: (self, min, max) => [0, Math.max(1, Math.ceil(max * 1.1))] },
        ms: { range: (self, min, max) => [0, Math.max(1, max === null ? 1 : max * 1.1)] },
      },
      series: [
        {},
        { label: "Searches", scale: "searches", stroke: "#2f6fdf", fill: "rgba(47,111,223,0.15)", width: 2 },
        { label: "p95 (ms)", scale: "ms", stroke: "#d9480f", width: 2, points: { show: true } },
      ],
      axes: [
        Object.assign({}, axis),
        Object.assign({}, axis, { scale: "searches", size: 48 }),
        Object.assign({}, axis, { scale: "ms", side: 1, size: 48, grid: { show: false } }),
      ],
    };
    box.replaceChildren();
    chart = new window.uPlot(options, data, box);
  }

  function start() {
    byId("token-form").addEventListener("submit", (event) => {
      event.preventDefault();
      const value = byId("token").value.trim();
      if (!value) {
        byId("token-error").textContent = "Enter an admin access token or API key.";
        byId("token").setAttribute("aria-invalid", "true");
        return;
      }
      window.sessionStorage.setItem(TOKEN_KEY, value);
      showReport();
      load();
    });
    byId("filters").addEventListener("submit", (event) => {
      event.preventDefault();
      load();
    });
    byId("window").addEventListener("change", () => load());
    byId("forget").addEventListener("click", () => {
      if (chart) {
        chart.destroy();
        chart = null;
      }
      askForToken("");
      say("The token is forgotten.");
    });
    window.addEventListener("resize", () => {
      if (chart) {
        chart.setSize({ width: chartWidth(byId("trend-chart")), height: CHART_HEIGHT });
      }
    });
    if (storedToken()) {
      showReport();
      load();
    } else {
      askForToken("");
    }
  }

  start();
})();
