/* The web chat page: a guest session, POST /api/v1/chat, bubbles, numbered choices, links, the
   who-pays-what bar and the signature pad. No framework, no build step. Every string the person reads
   comes from the page's string tables (content/templates/web/strings.html.j2). */
(function () {
  "use strict";

  var app = document.getElementById("app");
  var log = document.getElementById("log");
  var form = document.getElementById("composer");
  var input = document.getElementById("input");
  var sendButton = document.getElementById("send");
  var counter = document.getElementById("counter");
  var regionSelect = document.getElementById("region");
  var langButton = document.getElementById("lang");

  var API = app.dataset.api || "/api/v1";
  var MAX_LENGTH = parseInt(app.dataset.maxLength, 10) || 1000;
  var MAX_BODY = parseInt(app.dataset.maxBody, 10) || 65536;
  var SESSION_KEY = "yibao.web.session";
  var LANG_KEY = "yibao.web.lang";
  var RETRY_DELAYS = [400, 1200, 2500];
  var POLL_MS = parseInt(app.dataset.pollMs, 10) || 3000;
  // A signature is a few KB; stay well inside the request limit and the endpoint's own image limit.
  var SIGNATURE_LIMIT = Math.min(MAX_BODY - 2048, 40 * 1024);
  var SVG_NS = "http://www.w3.org/2000/svg";

  var strings = readStrings();
  var state = {
    locale: storageGet(LANG_KEY) === "en" ? "en" : (document.documentElement.lang === "en" ? "en" : "zh_CN"),
    region: null,
    session: null,
    busy: false,
    pollTimer: null
  };

  /* ---- storage (private browsing may refuse it: the page still works for this visit) ---------------- */
  function storageGet(key) {
    try { return window.localStorage.getItem(key); } catch (e) { return null; }
  }
  function storageSet(key, value) {
    try {
      if (value === null) { window.localStorage.removeItem(key); } else { window.localStorage.setItem(key, value); }
    } catch (e) { /* not available: keep it in memory only */ }
  }
  function loadSession() {
    try {
      var saved = JSON.parse(storageGet(SESSION_KEY) || "null");
      if (saved && typeof saved.token === "string" && typeof saved.region === "string") { return saved; }
    } catch (e) { /* a damaged entry: start afresh */ }
    return null;
  }
  function saveSession(session) {
    state.session = session;
    storageSet(SESSION_KEY, session ? JSON.stringify(session) : null);
  }

  /* ---- strings --------------------------------------------------------------------------------------- */
  function readStrings() {
    var tables = {};
    document.querySelectorAll("[data-strings]").forEach(function (table) {
      var entries = {};
      table.querySelectorAll("[data-key]").forEach(function (item) { entries[item.dataset.key] = item.textContent; });
      tables[table.dataset.locale] = entries;
    });
    return tables;
  }
  function t(key) {
    var table = strings[state.locale] || {};
    var fallback = strings.zh_CN || {};
    return table[key] || fallback[key] || "";
  }
  function applyLocale() {
    document.documentElement.lang = state.locale === "en" ? "en" : "zh-CN";
    document.title = t("title");
    document.querySelectorAll("[data-i18n]").forEach(function (el) { el.textContent = t(el.dataset.i18n); });
    document.querySelectorAll("[data-i18n-placeholder]").forEach(function (el) {
      el.setAttribute("placeholder", t(el.dataset.i18nPlaceholder));
    });
    document.querySelectorAll("[data-i18n-title]").forEach(function (el) {
      el.setAttribute("title", t(el.dataset.i18nTitle));
    });
    document.querySelectorAll("[data-i18n-aria-label]").forEach(function (el) {
      el.setAttribute("aria-label", t(el.dataset.i18nAriaLabel));
    });
    Array.prototype.forEach.call(regionSelect.options, function (option) {
      option.textContent = state.locale === "en" ? option.dataset.titleEn : option.dataset.title;
    });
    // The toggle names the language it switches to, in that language.
    langButton.textContent = state.locale === "en" ? "中文" : "English";
    langButton.setAttribute("lang", state.locale === "en" ? "zh-CN" : "en");
  }

  /* ---- ids ------------------------------------------------------------------------------------------- */
  function newMessageId() {
    var bytes = new Uint8Array(12);
    window.crypto.getRandomValues(bytes);
    return "m" + Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  /* ---- HTTP ------------------------------------------------------------------------------------------ */
  function NetworkError() { this.name = "NetworkError"; }

  function postJson(path, body, token) {
    var headers = { "Content-Type": "application/json", "Accept": "application/json" };
    if (token) { headers.Authorization = "Bearer " + token; }
    return fetch(path, { method: "POST", headers: headers, body: JSON.stringify(body), credentials: "same-origin" })
      .catch(function () { throw new NetworkError(); })
      .then(function (response) {
        return response.json().catch(function () { return null; }).then(function (data) {
          return { status: response.status, data: data };
        });
      });
  }

  function getJson(path, token) {
    var headers = { "Accept": "application/json" };
    if (token) { headers.Authorization = "Bearer " + token; }
    return fetch(path, { headers: headers, credentials: "same-origin" })
      .catch(function () { throw new NetworkError(); })
      .then(function (response) {
        return response.json().catch(function () { return null; }).then(function (data) {
          return { status: response.status, data: data };
        });
      });
  }

  function wait(ms) { return new Promise(function (resolve) { setTimeout(resolve, ms); }); }

  function newSession() {
    return postJson(API + "/auth/guest", { region: state.region }).then(function (result) {
      if (result.status !== 200 || !result.data || !result.data.token) {
        var error = new Error("guest session refused");
        error.status = result.status;
        throw error;
      }
      saveSession({ token: result.data.token, region: result.data.region, user_key: result.data.user_key });
      return true;
    });
  }

  /* Sends one message to the engine and resolves with its reply. A network error, a busy claim (409) or a
     server error is retried with the SAME client_msg_id, so the engine answers it once. */
  function exchange(payload) {
    var body = { text: payload.text || "", client_msg_id: payload.id };
    if (payload.event) { body.event = payload.event; }
    var attempt = 0;
    var renewed = false;
    var warned = null;

    function once() {
      return postJson(API + "/chat", body, state.session && state.session.token).then(function (result) {
        if (result.status === 200 && result.data) { return result.data; }
        if (result.status === 401 && !renewed) {
          renewed = true;
          return newSession().then(function () { return afterNewSession(); }).then(once);
        }
        if (result.status === 409 || result.status >= 500) { return retry("server"); }
        var error = new Error("refused");
        error.kind = result.status === 422 ? "invalid" : "server";
        throw error;
      }, function (error) {
        if (error instanceof NetworkError) { return retry("network"); }
        throw error;
      });
    }
    function retry(kind) {
      if (attempt >= RETRY_DELAYS.length) {
        var error = new Error("gave up");
        error.kind = kind;
        throw error;
      }
      if (kind === "network" && !warned) { warned = addNotice(t("net_retrying"), "pending"); }
      return wait(RETRY_DELAYS[attempt++]).then(once);
    }
    return once().then(function (data) {
      if (warned) { warned.remove(); }
      return data;
    }, function (error) {
      if (warned) { warned.remove(); }
      throw error;
    });
  }

  // A new guest session speaks the locale the person chose before.
  function afterNewSession() {
    if (state.locale !== "en") { return Promise.resolve(); }
    return exchange({ text: "English", id: newMessageId() }).then(function () { /* not shown */ });
  }

  /* ---- the conversation ---------------------------------------------------------------------------- */
  // Messages go out one after another, in the order they were sent.
  var queue = Promise.resolve();
  function send(payload, options) {
    var next = queue.then(function () { return deliver(payload, options || {}); });
    queue = next.catch(function () { /* already shown */ });
    return next;
  }

  function deliver(payload, options) {
    setBusy(true);
    if (options.shown) { addUserBubble(options.shown); }
    var typing = addTyping();
    return exchange(payload).then(function (data) {
      typing.remove();
      if (options.onReply) { options.onReply(data); }
      renderReply(data);
      if (/^(cmd:human|handoff)/.test(data.intent || "")) { pollStaff(); }
      return data;
    }, function (error) {
      typing.remove();
      showFailure(error, payload, options);
      return null;
    }).then(function (data) {
      setBusy(false);
      return data;
    });
  }

  function sendText(text, shown, extra) {
    var payload = { text: text, id: newMessageId() };
    var options = { shown: shown || text };
    if (extra) { Object.keys(extra).forEach(function (key) { options[key] = extra[key]; }); }
    return send(payload, options);
  }

  function showFailure(error, payload, options) {
    var kind = error && error.kind;
    if (kind === "invalid") { addNotice(t("invalid"), "error"); return; }
    var notice = addNotice(kind === "network" ? t("net_failed") : t("server_failed"), "error");
    var button = document.createElement("button");
    button.type = "button";
    button.className = "retry";
    button.textContent = t("retry");
    button.addEventListener("click", function () {
      notice.remove();
      // The same id again: if the first copy did arrive, the engine answers it without doing it twice.
      send(payload, { onReply: options.onReply });
    });
    notice.appendChild(button);
  }

  function setBusy(busy) {
    state.busy = busy;
    sendButton.disabled = busy;
    app.classList.toggle("busy", busy);
  }

  function start() {
    var ready = state.session && state.session.region === state.region
      ? Promise.resolve()
      : newSession().then(afterNewSession);
    return ready.then(function () {
      var connecting = document.getElementById("connecting");
      if (connecting) { connecting.remove(); }
      return send({ event: "start", id: newMessageId() }).then(function (data) {
        pollStaff();  // a conversation handed to staff before this visit goes on here
        return data;
      });
    }, function () {
      var connecting = document.getElementById("connecting");
      if (connecting) { connecting.remove(); }
      var notice = addNotice(t("net_failed"), "error");
      var button = document.createElement("button");
      button.type = "button";
      button.className = "retry";
      button.textContent = t("retry");
      button.addEventListener("click", function () { notice.remove(); start(); });
      notice.appendChild(button);
    });
  }

  /* ---- staff answers (after 人工): polled while a person owns the chat ------------------------------ */
  function pollStaff() {
    window.clearTimeout(state.pollTimer);
    state.pollTimer = null;
    var session = state.session;
    if (!session) { return; }
    var after = session.after || 0;
    getJson(API + "/chat/updates?after=" + after, session.token).then(function (result) {
      if (session !== state.session) { return; }  // the region changed meanwhile: a new conversation
      if (result.status !== 200 || !result.data) { return; }
      var messages = Array.isArray(result.data.messages) ? result.data.messages : [];
      messages.forEach(function (message) {
        renderStaffMessage(message);
        after = Math.max(after, message.id || 0);
      });
      if (after !== (session.after || 0)) {
        session.after = after;
        saveSession(session);
      }
      if (result.data.status && result.data.status !== "bot") { schedulePoll(); }
    }, function () {
      if (session === state.session) { schedulePoll(); }  // offline for a moment: keep trying
    });
  }

  function schedulePoll() {
    window.clearTimeout(state.pollTimer);
    state.pollTimer = window.setTimeout(pollStaff, POLL_MS);
  }

  function renderStaffMessage(message) {
    var item = document.createElement("li");
    item.className = "msg bot staff";
    var who = document.createElement("p");
    who.className = "who";
    who.textContent = t("staff_label");
    item.appendChild(who);
    var p = document.createElement("p");
    p.className = "text";
    p.textContent = message.text || "";
    item.appendChild(p);
    log.appendChild(item);
    scrollToEnd();
    return item;
  }

  /* ---- rendering ------------------------------------------------------------------------------------- */
  function scrollToEnd() { log.scrollTop = log.scrollHeight; }

  function speaker(text) {
    var span = document.createElement("span");
    span.className = "visually-hidden";
    span.textContent = text;
    return span;
  }

  function addUserBubble(text) {
    var item = document.createElement("li");
    item.className = "msg me";
    item.appendChild(speaker(t("speaker_me")));
    var p = document.createElement("p");
    p.className = "text";
    p.textContent = text;
    item.appendChild(p);
    log.appendChild(item);
    scrollToEnd();
    return item;
  }

  function addNotice(text, kind) {
    var item = document.createElement("li");
    item.className = "notice " + (kind || "");
    if (kind === "error") { item.setAttribute("role", "alert"); }
    var span = document.createElement("span");
    span.textContent = text;
    item.appendChild(span);
    log.appendChild(item);
    scrollToEnd();
    return item;
  }

  function addTyping() {
    var item = document.createElement("li");
    item.className = "msg bot typing";
    item.setAttribute("aria-label", t("typing"));
    for (var i = 0; i < 3; i++) { item.appendChild(document.createElement("i")); }
    log.appendChild(item);
    scrollToEnd();
    return item;
  }

  // Only the newest reply's choices stay tappable: an older number may mean something else by now.
  function retireChoices() {
    log.querySelectorAll(".choices button").forEach(function (button) { button.disabled = true; });
  }

  function renderReply(reply) {
    if (!reply || !Array.isArray(reply.messages)) { return; }
    retireChoices();
    reply.messages.forEach(renderMessage);
  }

  function renderMessage(message) {
    var data = (message && message.data) || {};
    var item = document.createElement("li");
    item.className = "msg bot" + (message.kind === "notice" ? " notice-msg" : "");
    item.appendChild(speaker(t("speaker_bot")));
    if (message.text) {
      var p = document.createElement("p");
      p.className = "text";
      p.textContent = message.text;
      item.appendChild(p);
    }
    if (message.kind === "chart") {
      var chart = renderChart(data);
      if (chart) { item.appendChild(chart); item.classList.add("wide"); }
    }
    // Sign first, then the links and numbered offers that follow.
    var signature = signatureRequest(data);
    if (signature) {
      item.appendChild(renderSignaturePad(signature));
      item.classList.add("wide");
    }
    if (Array.isArray(message.links) && message.links.length) { item.appendChild(renderLinks(message.links)); }
    if (Array.isArray(message.choices) && message.choices.length) {
      var group = renderChoices(message.choices);
      item.appendChild(group);
      if (group.classList.contains("grid")) { item.classList.add("wide"); }
    }
    log.appendChild(item);
    scrollToEnd();
    return item;
  }

  function renderChoices(choices) {
    var group = document.createElement("div");
    group.className = "choices";
    group.setAttribute("role", "group");
    group.setAttribute("aria-label", t("choices_label"));
    // Many short labels sit two to a row; long ones get a row each.
    var short = choices.every(function (choice) { return String(choice.label).length <= 9; });
    if (short && choices.length >= 4) { group.classList.add("grid"); }
    choices.forEach(function (choice, index) {
      var number = String(index + 1);
      var button = document.createElement("button");
      button.type = "button";
      var badge = document.createElement("span");
      badge.className = "num";
      badge.setAttribute("aria-hidden", "true");
      badge.textContent = number;
      var label = document.createElement("span");
      label.className = "label";
      label.textContent = choice.label;
      button.appendChild(badge);
      button.appendChild(label);
      button.dataset.number = number;
      button.addEventListener("click", function () {
        if (!state.busy) { sendText(number, choice.label); }
      });
      group.appendChild(button);
    });
    return group;
  }

  function safeUrl(url) {
    if (typeof url !== "string") { return null; }
    if (url.charAt(0) === "/" && url.charAt(1) !== "/") { return url; }
    return /^https?:\/\//i.test(url) ? url : null;
  }

  function renderLinks(links) {
    var list = document.createElement("ul");
    list.className = "links";
    list.setAttribute("aria-label", t("links_label"));
    links.forEach(function (link) {
      var href = safeUrl(link.url);
      if (!href) { return; }
      var item = document.createElement("li");
      var a = document.createElement("a");
      a.href = href;
      a.textContent = link.title || href;
      a.target = "_blank";
      a.rel = "noopener noreferrer";
      item.appendChild(a);
      list.appendChild(item);
    });
    return list;
  }

  /* ---- who pays what -------------------------------------------------------------------------------- */
  // "23000.5" -> "¥23,000.50", exactly as the decimal string says (no floating point in what is shown).
  function money(value) {
    var text = String(value).trim();
    var match = /^(-?)(\d+)(?:\.(\d+))?$/.exec(text);
    if (!match) { return text; }
    var whole = match[2].replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    var cents = ((match[3] || "") + "00").slice(0, 2);
    return match[1] + "¥" + whole + "." + cents;
  }

  function renderChart(data) {
    if (data.fund_pays === undefined || data.person_pays === undefined) { return null; }
    var fund = parseFloat(data.fund_pays) || 0;
    var person = parseFloat(data.person_pays) || 0;
    var total = data.total !== undefined ? data.total : null;
    var sum = fund + person;
    var fundShare = sum > 0 ? Math.max(0, Math.min(100, (fund / sum) * 100)) : 0;
    var personShare = sum > 0 ? 100 - fundShare : 0;

    var figure = document.createElement("figure");
    figure.className = "chart";
    figure.setAttribute("role", "group");
    figure.setAttribute("aria-label", t("chart_label"));

    var svg = document.createElementNS(SVG_NS, "svg");
    svg.setAttribute("class", "bar-svg");
    svg.setAttribute("viewBox", "0 0 100 10");
    svg.setAttribute("preserveAspectRatio", "none");
    svg.setAttribute("aria-hidden", "true");
    svg.appendChild(rect("track", 0, 100));
    if (fundShare > 0) { svg.appendChild(rect("fund", 0, fundShare)); }
    if (personShare > 0) { svg.appendChild(rect("person", fundShare, personShare)); }
    figure.appendChild(svg);

    var legend = document.createElement("dl");
    legend.className = "legend";
    legend.appendChild(legendRow("fund", t("fund_pays"), money(data.fund_pays), fundShare));
    legend.appendChild(legendRow("person", t("person_pays"), money(data.person_pays), personShare));
    if (total !== null) { legend.appendChild(legendRow("total", t("total"), money(total), null)); }
    figure.appendChild(legend);
    return figure;
  }

  function rect(kind, x, width) {
    var r = document.createElementNS(SVG_NS, "rect");
    r.setAttribute("class", "seg " + kind);
    r.setAttribute("x", String(x));
    r.setAttribute("y", "0");
    r.setAttribute("width", String(width));
    r.setAttribute("height", "10");
    return r;
  }

  function legendRow(kind, label, amount, share) {
    var row = document.createElement("div");
    row.className = "row " + kind;
    var dt = document.createElement("dt");
    var swatch = document.createElement("i");
    swatch.className = "swatch " + kind;
    swatch.setAttribute("aria-hidden", "true");
    dt.appendChild(swatch);
    dt.appendChild(document.createTextNode(label));
    var dd = document.createElement("dd");
    dd.textContent = amount;
    if (share !== null) {
      var pct = document.createElement("span");
      pct.className = "pct";
      pct.textContent = " " + Math.round(share) + "%";
      dd.appendChild(pct);
    }
    row.appendChild(dt);
    row.appendChild(dd);
    return row;
  }

  /* ---- signature pad ------------------------------------------------------------------------------------
     Asked for by {"signature_request": {"post_url", "title"?, "confirm_text"?}} in a message's data. */
  function signatureRequest(data) {
    if (data.signature_request && typeof data.signature_request === "object" && data.signature_request.post_url) {
      return data.signature_request;
    }
    return null;
  }

  /* ---- signature pad (drawing) -------------------------------------------------------------------------------- */
  function sameOrigin(url) {
    try { return new URL(url, window.location.href).origin === window.location.origin; } catch (e) { return false; }
  }

  function renderSignaturePad(request) {
    var box = document.createElement("section");
    box.className = "signature";
    var heading = document.createElement("h2");
    heading.textContent = request.title || t("sig_title");
    var hint = document.createElement("p");
    hint.className = "hint";
    hint.id = "sig-hint-" + newMessageId();
    hint.textContent = t("sig_hint");
    var canvas = document.createElement("canvas");
    canvas.className = "pad";
    canvas.setAttribute("role", "img");
    canvas.setAttribute("aria-label", t("sig_canvas"));
    canvas.setAttribute("aria-describedby", hint.id);
    canvas.tabIndex = 0;
    var actions = document.createElement("div");
    actions.className = "actions";
    var clear = document.createElement("button");
    clear.type = "button";
    clear.className = "secondary";
    clear.textContent = t("sig_clear");
    var submit = document.createElement("button");
    submit.type = "button";
    submit.className = "primary";
    submit.textContent = t("sig_submit");
    var status = document.createElement("p");
    status.className = "status";
    status.setAttribute("role", "status");
    actions.appendChild(clear);
    actions.appendChild(submit);
    [heading, hint, canvas, actions, status].forEach(function (el) { box.appendChild(el); });

    var ctx = null;
    var strokes = 0;
    var drawing = false;
    var done = false;

    function setup() {
      var ratio = Math.min(window.devicePixelRatio || 1, 2);
      var width = canvas.clientWidth || 300;
      var height = canvas.clientHeight || 160;
      canvas.width = Math.round(width * ratio);
      canvas.height = Math.round(height * ratio);
      ctx = canvas.getContext("2d");
      ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
      ctx.lineCap = "round";
      ctx.lineJoin = "round";
      ctx.lineWidth = 2.5;
      ctx.strokeStyle = "#111";
      blank();
    }
    function blank() {
      ctx.save();
      ctx.setTransform(1, 0, 0, 1, 0, 0);
      ctx.fillStyle = "#fff";
      ctx.fillRect(0, 0, canvas.width, canvas.height);
      ctx.restore();
      strokes = 0;
    }
    function point(event) {
      var box = canvas.getBoundingClientRect();
      return { x: event.clientX - box.left, y: event.clientY - box.top };
    }
    canvas.addEventListener("pointerdown", function (event) {
      if (done) { return; }
      if (!ctx) { setup(); }
      event.preventDefault();
      canvas.setPointerCapture(event.pointerId);
      drawing = true;
      status.textContent = "";
      var p = point(event);
      ctx.beginPath();
      ctx.moveTo(p.x, p.y);
      ctx.lineTo(p.x + 0.01, p.y + 0.01);
      ctx.stroke();
    });
    canvas.addEventListener("pointermove", function (event) {
      if (!drawing) { return; }
      event.preventDefault();
      var p = point(event);
      ctx.lineTo(p.x, p.y);
      ctx.stroke();
    });
    function end() {
      if (drawing) { strokes += 1; }
      drawing = false;
    }
    canvas.addEventListener("pointerup", end);
    canvas.addEventListener("pointercancel", end);
    canvas.addEventListener("lostpointercapture", end);

    clear.addEventListener("click", function () {
      if (done) { return; }
      if (!ctx) { setup(); }
      blank();
      status.textContent = "";
    });

    submit.addEventListener("click", function () {
      if (done) { return; }
      if (!strokes) { status.textContent = t("sig_empty"); return; }
      if (!sameOrigin(request.post_url)) { status.textContent = t("sig_failed"); return; }
      var image = exportImage(canvas, SIGNATURE_LIMIT);
      clear.disabled = true;
      submit.disabled = true;
      status.textContent = t("sig_sending");
      postJson(request.post_url, { image: image }, state.session && state.session.token).then(function (result) {
        if (result.status === 409) {  // signed already (another tab, or a resend that did arrive)
          done = true;
          box.classList.add("done");
          status.textContent = t("sig_already");
          return;
        }
        if (result.status < 200 || result.status >= 300) { throw new Error("refused"); }
        done = true;
        box.classList.add("done");
        status.textContent = t("sig_done");
        if (request.confirm_text) { sendText(String(request.confirm_text)); }
      }).catch(function () {
        clear.disabled = false;
        submit.disabled = false;
        status.textContent = t("sig_failed");
      });
    });

    // Size the canvas once it is laid out (it needs its CSS width), and again when an empty pad is resized
    // (a phone turned sideways); a drawn signature is kept as it is.
    window.requestAnimationFrame(function () { if (!ctx) { setup(); } });
    window.addEventListener("resize", function () {
      if (!done && !strokes && !drawing && canvas.isConnected) { setup(); }
    });
    return box;
  }

  // A PNG small enough for the request size limit: scaled down step by step if need be.
  function exportImage(canvas, limit) {
    var scale = Math.min(1, 600 / canvas.width);
    var url = "";
    for (var i = 0; i < 6; i++) {
      var copy = document.createElement("canvas");
      copy.width = Math.max(1, Math.round(canvas.width * scale));
      copy.height = Math.max(1, Math.round(canvas.height * scale));
      var c = copy.getContext("2d");
      c.fillStyle = "#fff";
      c.fillRect(0, 0, copy.width, copy.height);
      c.drawImage(canvas, 0, 0, copy.width, copy.height);
      url = copy.toDataURL("image/png");
      if (url.length + 32 <= limit) { break; }
      scale *= 0.7;
    }
    return url;
  }

  /* ---- controls -------------------------------------------------------------------------------------- */
  function updateCounter() {
    var length = input.value.length;
    if (length >= MAX_LENGTH * 0.8) {
      counter.hidden = false;
      counter.textContent = length + "/" + MAX_LENGTH;
    } else {
      counter.hidden = true;
    }
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value.trim();
    if (!text) { addNotice(t("empty"), "error"); input.focus(); return; }
    if (state.busy) { return; }
    input.value = text.slice(0, MAX_LENGTH);
    sendText(input.value).then(function (data) {
      if (data) { input.value = ""; updateCounter(); }
    });
  });
  input.addEventListener("input", updateCounter);

  langButton.addEventListener("click", function () {
    if (state.busy) { return; }
    var target = state.locale === "en" ? "zh_CN" : "en";
    sendText(target === "en" ? "English" : "中文", null, {
      onReply: function () {
        state.locale = target;
        storageSet(LANG_KEY, target === "en" ? "en" : "zh_CN");
        applyLocale();
      }
    });
  });

  regionSelect.addEventListener("change", function () {
    var region = regionSelect.value;
    if (state.busy || region === state.region) { regionSelect.value = state.region; return; }
    state.region = region;
    window.clearTimeout(state.pollTimer);
    saveSession(null);
    var option = regionSelect.options[regionSelect.selectedIndex];
    addNotice(t("region_switched") + (state.locale === "en" ? option.dataset.titleEn : option.dataset.title), "");
    start();
  });

  /* ---- boot ------------------------------------------------------------------------------------------ */
  state.session = loadSession();
  var known = Array.prototype.some.call(regionSelect.options, function (o) {
    return state.session && o.value === state.session.region;
  });
  state.region = known ? state.session.region : (app.dataset.defaultRegion || regionSelect.value);
  regionSelect.value = state.region;
  input.setAttribute("maxlength", String(MAX_LENGTH));
  applyLocale();

  // For other scripts and the page tests: render a reply the way the chat does.
  window.yibaoChat = { renderReply: renderReply, renderMessage: renderMessage, sendText: sendText };

  start();
})();
