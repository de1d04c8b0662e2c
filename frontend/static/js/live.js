// Live updates (SPEC §4): one websocket per page, following what the page
// shows. A thread gets its new replies, edits and deletions, who is viewing
// it and who is typing; a list of threads gets its new threads and reply
// counts; on every page the header's notification count follows the
// reader's own topic. Pages work without this file, and it holds no text of
// its own: every word comes from the page, in the reader's language.

const MAX_DELAY = 30000; // reconnection back-off cap, in ms
const TYPING_EVERY = 3000; // at most one "typing" message per this many ms
const TYPING_SHOWN = 5000; // how long "… is typing" stays after the last one
const SIGNED_OUT = 4401; // close code: the session ended, do not come back
const BADGE_EVERY = 2000; // at most one count of unread notifications per this many ms
const PAUSED_AFTER = 3; // failed connections in a row before the page says live updates are paused

// Live is the connection; el (#live) names the page's topic, when it has one.
function Live(el) {
  const d = el ? el.dataset : {};
  this.topic = d.liveTopic;
  // seqs: the last seq seen per topic, starting from the page's own.
  this.seqs = new Map(this.topic ? [[this.topic, Number(d.liveSeq) || 0]] : []);
  this.lang = d.liveLang || document.documentElement.lang;
  this.zone = d.liveZone;
  this.months = (d.liveMonths || "").split("|");
  this.dateFormat = d.liveDate;
  this.dateTimeFormat = d.liveDatetime;
  this.kinds = { business: d.liveKindBusiness, member: d.liveKindMember, observer: d.liveKindObserver, secretariat: d.liveKindSecretariat };
  this.withheld = d.liveWithheld;
  this.withheldHint = d.liveWithheldHint;
  this.me = { name: d.liveMeName, org: d.liveMeOrg, kind: d.liveMeKind, moderator: "liveModerator" in d };
  this.plurals = new Intl.PluralRules(this.lang);
  this.numbers = new Intl.NumberFormat(this.lang);
  this.ws = null;
  this.connections = 0;
  this.badgeTimer = 0;
  this.badgeAsked = 0;
  this.attempt = 0;
  this.timer = 0;
  this.stopped = false;
  this.serverSeq = new Map();
  this.failures = 0; // connections in a row that failed or did not last
  this.asked = false; // whether the server said if this address may connect
  this.status = new LiveStatus(document.getElementById("live-status"));
  // The reader's own topic, followed from the seq the page was rendered
  // with, so that no notification between render and connect is missed.
  const bell = document.querySelector("[data-live-user-topic]");
  this.userTopic = bell ? bell.dataset.liveUserTopic : "";
  this.userSeq = bell ? Number(bell.dataset.liveUserSeq) || 0 : 0;
  // A page kept in the back-forward cache leaves its topics and comes back to them.
  window.addEventListener("pagehide", () => this.pause());
  window.addEventListener("pageshow", (event) => { if (event.persisted) this.connect(); });
}

Live.prototype.connect = function () {
  if (this.stopped || this.ws) return;
  clearTimeout(this.timer);
  const url = new URL("/ws", location.href);
  url.protocol = location.protocol === "https:" ? "wss:" : "ws:";
  let ws;
  try {
    ws = new WebSocket(url);
  } catch {
    this.retry();
    return;
  }
  this.ws = ws;
  let opened = 0;
  ws.addEventListener("open", () => {
    opened = Date.now();
    this.connections++;
    this.failures = 0;
    this.status.hide();
    if (this.userTopic) this.send({ type: "subscribe", topic: this.userTopic, since: this.userSeq });
    for (const [topic, since] of this.seqs) this.send({ type: "subscribe", topic, since });
  });
  ws.addEventListener("message", (event) => {
    for (const line of String(event.data).split("\n")) {
      if (!line.trim()) continue;
      let m;
      try {
        m = JSON.parse(line);
      } catch {
        continue;
      }
      this.receive(m);
    }
  });
  ws.addEventListener("close", (event) => {
    if (this.ws !== ws) return;
    this.ws = null;
    this.page.disconnected();
    if (event.code === SIGNED_OUT) {
      this.stopped = true;
      return;
    }
    // A connection that lived a while was healthy: start the back-off again.
    if (opened && Date.now() - opened > 10000) this.attempt = 0;
    this.failures++;
    // Only a page that never connected may be at a refused address; asking
    // on every drop would add a request per reader to each server restart.
    if (!opened && !this.connections) this.whyRefused();
    if (this.failures >= PAUSED_AFTER) this.status.paused();
    this.retry();
  });
};

// whyRefused asks the server whether this page's address may connect at
// all: a browser cannot read why an upgrade failed, and an address the
// server does not accept (127.0.0.1 for localhost, a LAN address) would
// otherwise look like a network fault that retrying might cure.
Live.prototype.whyRefused = async function () {
  if (this.asked || this.asking) return;
  this.asking = true;
  try {
    const response = await fetch(`/ws/check?origin=${encodeURIComponent(location.origin)}`, {
      credentials: "same-origin", headers: { Accept: "application/json" },
    });
    if (!response.ok) return;
    const body = await response.json();
    this.asked = true;
    if (body.allowed === false) {
      this.stopped = true;
      clearTimeout(this.timer);
      this.status.refused(String(body.site || ""));
    }
  } catch {
    // The server is out of reach: the back-off goes on.
  } finally {
    this.asking = false;
  }
};

// retry reconnects after an exponential back-off with jitter, so that the
// clients of a restarted server do not all come back at the same instant.
Live.prototype.retry = function () {
  if (this.stopped) return;
  const ceiling = Math.min(MAX_DELAY, 1000 * 2 ** this.attempt);
  this.attempt++;
  const delay = ceiling / 2 + Math.random() * (ceiling / 2);
  this.timer = setTimeout(() => this.connect(), delay);
};

Live.prototype.pause = function () {
  clearTimeout(this.timer);
  const ws = this.ws;
  this.ws = null;
  if (ws) ws.close(1000);
  this.page.disconnected();
};

Live.prototype.stop = function () {
  this.stopped = true;
  this.pause();
};

Live.prototype.send = function (message) {
  if (this.ws && this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(message));
};

Live.prototype.receive = function (m) {
  if (!m || typeof m.type !== "string") return;
  if (typeof m.topic === "string" && m.topic.startsWith("user:")) {
    // The reader's own topic, which every connection follows. Notification
    // events carry the unread count; when too many were missed to replay,
    // the count is asked for.
    if (m.seq) {
      if (m.seq <= this.userSeq) return; // already counted
      this.userSeq = m.seq;
    }
    if ((m.type === "notification" || m.type === "notification.read") && m.data && typeof m.data.unread === "number") {
      this.showUnread(m.data.unread);
    } else if (m.type === "reset") {
      this.countUnread();
    }
    return;
  }
  if (!this.seqs.has(m.topic)) return;
  switch (m.type) {
    case "subscribed":
      this.serverSeq.set(m.topic, m.seq || 0);
      return;
    case "error":
      // Not allowed (any more) to follow what the page shows: nothing to wait for.
      if (m.code === "forbidden") this.stop();
      else if (this.ws) this.ws.close(1000);
      return;
    case "reset":
      // Too much was missed to replay: take the page as the server has it now.
      this.seqs.set(m.topic, this.serverSeq.get(m.topic) || 0);
      this.page.reset();
      return;
  }
  if (m.seq) {
    if (m.seq <= this.seqs.get(m.topic)) return; // already shown
    this.seqs.set(m.topic, m.seq);
  }
  this.page.event(m);
};

// refetch loads the page again and swaps in the parts named by selectors,
// leaving the rest (a reply being written, the scroll position) alone.
Live.prototype.refetch = async function (selectors) {
  try {
    const response = await fetch(location.href, { credentials: "same-origin", headers: { Accept: "text/html" } });
    if (!response.ok) throw new Error(String(response.status));
    const doc = new DOMParser().parseFromString(await response.text(), "text/html");
    for (const sel of selectors) {
      const now = document.querySelector(sel);
      const fresh = doc.querySelector(sel);
      if (now && fresh) now.replaceWith(document.importNode(fresh, true));
    }
    const seq = Number(doc.getElementById("live")?.dataset.liveSeq);
    if (seq > (this.seqs.get(this.topic) || 0)) this.seqs.set(this.topic, seq);
  } catch {
    location.reload();
  }
};

// countUnread sets the header's count of unread notifications ([data-live-count])
// from the server, counting one more when it cannot be asked.
Live.prototype.countUnread = function () {
  const count = document.querySelector("[data-live-count]");
  if (!count || this.badgeTimer) return;
  const wait = Math.max(0, this.badgeAsked + BADGE_EVERY - Date.now());
  this.badgeTimer = setTimeout(async () => {
    this.badgeAsked = Date.now();
    let n = (Number(count.textContent) || 0) + 1;
    try {
      const response = await fetch("/api/v1/notifications", { credentials: "same-origin", headers: { Accept: "application/json" } });
      const body = response.ok ? await response.json() : null;
      if (body && typeof body.unread === "number") n = body.unread;
    } catch {
      // keep the guess
    }
    this.badgeTimer = 0;
    this.showUnread(n);
  }, wait);
};

Live.prototype.showUnread = function (n) {
  const count = document.querySelector("[data-live-count]");
  if (!count) return;
  count.textContent = String(n);
  count.classList.toggle("is-zero", n === 0);
};

// plural picks the form of a message for n among data-plural-one,
// data-plural-other, … of el (data-{prefix}-one, … with another prefix),
// and puts value in it.
Live.prototype.plural = function (el, n, placeholder, value, prefix = "plural") {
  const key = (category) => prefix + category[0].toUpperCase() + category.slice(1);
  const forms = el.dataset;
  const text = forms[key(this.plurals.select(n))] ?? forms[key("other")] ?? "";
  return placeholder ? text.replace(placeholder, () => value) : text;
};

Live.prototype.number = function (n) {
  return this.numbers.format(n);
};

// date writes a moment as the server does: "{day} {month} {year}", and with
// the time of day when withTime is set.
Live.prototype.date = function (iso, zone, withTime) {
  const when = new Date(iso);
  let parts;
  try {
    parts = new Intl.DateTimeFormat("en-GB", {
      timeZone: zone || "UTC", year: "numeric", month: "numeric", day: "numeric",
      hour: "2-digit", minute: "2-digit", hourCycle: "h23",
    }).formatToParts(when);
  } catch {
    return "";
  }
  const p = Object.fromEntries(parts.map((x) => [x.type, x.value]));
  const date = (this.dateFormat || "")
    .replace("{day}", () => String(Number(p.day)))
    .replace("{month}", () => this.months[Number(p.month) - 1] || p.month)
    .replace("{year}", () => p.year);
  if (!withTime) return date;
  return (this.dateTimeFormat || "").replace("{date}", () => date).replace("{time}", () => `${p.hour}:${p.minute} ${zoneAbbrev(when, zone || "UTC")}`);
};

// zoneAbbrev names the zone's clock as the server does (Go's zone database):
// "CET" is British English's name, "EST" American English's; a zone with
// neither is written by its offset, "UTC-3".
function zoneAbbrev(when, zone) {
  for (const lang of ["en-GB", "en-US"]) {
    try {
      const name = new Intl.DateTimeFormat(lang, { timeZone: zone, timeZoneName: "short" })
        .formatToParts(when).find((x) => x.type === "timeZoneName");
      if (name && !/^(GMT|UTC)[+−-]/.test(name.value)) return name.value === "GMT" && zone !== "Europe/London" && zone !== "GMT" ? "UTC" : name.value;
      if (lang === "en-US" && name) return name.value.replace(/^GMT/, "UTC").replace("−", "-");
    } catch {
      return "";
    }
  }
  return "";
}

// who names an author or viewer as the reader may see them: the name (with
// the organisation when given), or only the kind of organisation.
Live.prototype.who = function (author, withOrg) {
  if (!author) return "";
  if (author.name) return withOrg && author.organisation ? `${author.name} · ${author.organisation}` : author.name;
  return this.kinds[author.organisation_kind] || "";
};

Live.prototype.isMe = function (author) {
  return Boolean(author && author.name && author.name === this.me.name && (!author.organisation || author.organisation === this.me.org));
};

// byline is the "byline" partial of the templates, built from an API author.
Live.prototype.byline = function (author) {
  const out = document.createDocumentFragment();
  const span = (cls, text) => {
    const s = document.createElement("span");
    s.className = cls;
    s.textContent = text;
    return s;
  };
  if (!author.name) {
    out.append(span("byline-anon", this.kinds[author.organisation_kind] || ""));
    return out;
  }
  const name = span("byline-name", "");
  if (author.handle) {
    const link = document.createElement("a");
    link.href = `/forum/people/${encodeURIComponent(author.handle)}`;
    link.textContent = author.name;
    name.append(link);
  } else name.textContent = author.name;
  out.append(name);
  if (author.organisation) out.append(" ", span("byline-org", `· ${author.organisation}`));
  if (author.hidden_from_others) {
    const badge = span("badge badge-muted", this.withheld);
    badge.title = this.withheldHint;
    out.append(" ", badge);
  }
  return out;
};

// LiveStatus is the discreet notice (#live-status, a live region) that the
// page no longer updates by itself, with the way out: reloading, or the
// site's own address when this one is refused.
function LiveStatus(el) {
  this.el = el;
  this.state = "";
}

LiveStatus.prototype.hide = function () {
  if (!this.el || !this.state) return;
  this.state = "";
  this.el.replaceChildren();
};

LiveStatus.prototype.show = function (state, ...parts) {
  if (!this.el || this.state === state) return;
  this.state = state;
  const box = document.createElement("p");
  box.className = `live-status-box live-status-${state}`;
  box.append(...parts);
  this.el.replaceChildren(box);
};

LiveStatus.prototype.paused = function () {
  if (!this.el || this.state === "refused") return;
  const text = document.createElement("span");
  text.textContent = this.el.dataset.paused;
  const reload = document.createElement("button");
  reload.type = "button";
  reload.className = "link-button";
  reload.textContent = this.el.dataset.reload;
  reload.addEventListener("click", () => location.reload());
  this.show("paused", text, reload);
};

LiveStatus.prototype.refused = function (site) {
  if (!this.el) return;
  const [before, after = ""] = (this.el.dataset.refused || "").split("{site}");
  const text = document.createElement("span");
  const link = document.createElement("a");
  // The same page at the site's own address.
  link.href = new URL(location.pathname + location.search + location.hash, site || location.origin).href;
  link.textContent = site;
  text.append(before, link, after);
  this.show("refused", text);
};

// ThreadPage keeps a thread's posts, viewers and typing line up to date.
function ThreadPage(live) {
  this.live = live;
  this.posts = document.querySelector("ol.posts");
  this.viewers = document.getElementById("live-viewers");
  this.typing = document.getElementById("live-typing");
  this.announce = document.getElementById("live-announce");
  this.pill = document.getElementById("live-pill");
  this.typers = new Map(); // who → timer
  this.unseen = []; // new posts the reader has not scrolled to yet
  if (this.typing) this.typing.hidden = false;

  this.observer = "IntersectionObserver" in window ? new IntersectionObserver((entries) => {
    for (const entry of entries) if (entry.isIntersecting) this.seen(entry.target);
  }, { threshold: 0.25 }) : null;

  this.pill?.addEventListener("click", () => {
    const first = this.unseen[0];
    if (!first) return;
    const smooth = !window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    first.tabIndex = -1;
    first.scrollIntoView({ behavior: smooth ? "smooth" : "auto", block: "start" });
    first.focus({ preventScroll: true });
  });

  const area = document.querySelector("#reply textarea");
  let sent = 0;
  area?.addEventListener("input", () => {
    const now = Date.now();
    if (now - sent < TYPING_EVERY) return;
    sent = now;
    live.send({ type: "typing", topic: live.topic });
  });
}

ThreadPage.prototype.event = function (m) {
  const data = m.data || {};
  switch (m.type) {
    case "post.created":
      this.added(data);
      return;
    case "post.updated":
      this.updated(data);
      return;
    case "post.deleted":
      this.deleted(data);
      return;
    case "presence":
      this.showViewers(data.viewers || []);
      return;
    case "typing":
      this.typed(data.author);
      return;
    case "thread.updated":
      // Status, lock, accepted answer: rare, so the page's own rendering
      // of them is fetched again rather than rebuilt here.
      this.live.refetch(["header.thread-header .doc-meta", "section.coverage", "section.history"]);
      return;
  }
};

// lastPage: later posts are on this page (no "later messages" link).
ThreadPage.prototype.lastPage = function () {
  return !document.querySelector('.pager a[rel="next"]');
};

ThreadPage.prototype.element = function (id) {
  return document.getElementById(`post-${Number(id)}`);
};

// build makes a post's element from the page's <template id="live-post">.
ThreadPage.prototype.build = function (data) {
  const tpl = document.getElementById("live-post");
  if (!tpl || !data.author) return null;
  const li = tpl.content.firstElementChild.cloneNode(true);
  const id = String(Number(data.id));
  const quote = data.quote_post_id ? String(Number(data.quote_post_id)) : "";
  const mine = this.live.isMe(data.author);
  const keep = { change: mine || this.live.me.moderator, others: !mine, quote: Boolean(quote) };
  for (const el of [li, ...li.querySelectorAll("*")]) {
    const cond = el.getAttribute("data-live-if");
    if (cond !== null) {
      if (!keep[cond]) {
        el.remove();
        continue;
      }
      el.removeAttribute("data-live-if");
    }
    for (const attr of el.attributes) {
      if (attr.value.includes("{")) attr.value = attr.value.replaceAll("{id}", id).replaceAll("{quote}", quote);
    }
  }
  const initial = [...data.author.name?.trim() ?? ""][0];
  li.querySelector(".avatar").textContent = initial ? initial.toUpperCase() : "?";
  li.querySelector('[data-live="byline"]').replaceWith(this.live.byline(data.author));
  const time = li.querySelector("time");
  time.dateTime = String(data.created_at || "").replace(/\.\d+/, "");
  time.textContent = this.live.date(data.created_at, this.live.zone, true);
  if (data.edited_at) this.markEdited(li);
  li.querySelector(".post-body").innerHTML = data.html || ""; // sanitised by the server
  const count = li.querySelector(".useful .count");
  if (count) count.textContent = this.live.number(data.useful || 0);
  return li;
};

ThreadPage.prototype.added = function (data) {
  // A meeting's outcome, and a post's files (images inline by their preview,
  // the rest listed with type and size), are shown as the page renders them.
  if ((data.outcome || data.attachments?.length) && this.lastPage()) {
    this.live.refetch(["ol.posts"]);
    return;
  }
  if (this.element(data.id)) {
    this.updated(data);
    return;
  }
  if (!this.lastPage()) return;
  const li = this.build(data);
  if (!li) return;
  this.typers.delete(this.live.who(data.author, false));
  this.showTyping();
  li.classList.add("post-new");
  this.posts.append(li);
  const box = li.getBoundingClientRect();
  if (box.top < window.innerHeight && box.bottom > 0) {
    this.seen(li);
  } else {
    this.unseen.push(li);
    this.observer?.observe(li);
  }
  this.count(this.unseen.length || 1);
};

// seen starts the fading of a new post's highlight once the reader sees it,
// and moves their read position past it, as loading the page would have.
ThreadPage.prototype.seen = function (li) {
  this.observer?.unobserve(li);
  li.classList.add("post-seen");
  const i = this.unseen.indexOf(li);
  if (i >= 0) this.unseen.splice(i, 1);
  this.showPill();
  this.markRead(Number(li.id.replace("post-", "")));
};

// markRead tells the server, at most once a second, the newest post seen.
ThreadPage.prototype.markRead = function (postID) {
  if (!(postID > (this.readUpTo || 0))) return;
  this.readUpTo = postID;
  if (this.readTimer) return;
  this.readTimer = setTimeout(() => {
    this.readTimer = null;
    fetch(`/api/v1/threads/${this.live.topic.slice("thread:".length)}/read`, {
      method: "PUT",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify({ post_id: this.readUpTo }),
    }).catch(() => {}); // the next page load marks it anyway
  }, 1000);
};

// count tells screen readers how many new replies came, and shows the pill
// to readers scrolled away from them.
ThreadPage.prototype.count = function (n) {
  if (this.announce) this.announce.textContent = this.live.plural(this.announce, n, "{n}", this.live.number(n));
  this.showPill();
};

ThreadPage.prototype.showPill = function () {
  if (!this.pill || !this.announce) return;
  const n = this.unseen.length;
  this.pill.hidden = n === 0;
  if (n) this.pill.textContent = this.live.plural(this.announce, n, "{n}", this.live.number(n));
};

// markEdited adds "· edited" after the post's time, as the page writes it.
ThreadPage.prototype.markEdited = function (li) {
  const tpl = document.getElementById("live-edited");
  const time = li.querySelector(".post-time");
  if (!tpl || !time || li.querySelector(".post-head .muted:not(.post-time)")) return;
  time.after(tpl.content.cloneNode(true));
};

ThreadPage.prototype.updated = function (data) {
  const li = this.element(data.id);
  if (!li) return;
  if (!data.author) {
    this.deleted(data);
    return;
  }
  // Files added or taken away by an edit: the page renders the post again.
  if (data.attachments?.length || li.querySelector(".attachments")) {
    this.live.refetch([`#post-${Number(data.id)}`]);
    return;
  }
  const body = li.querySelector(".post-body");
  if (!body) {
    // Back from removal: draw it anew.
    const fresh = this.build(data);
    if (fresh) {
      fresh.className = li.className.replace(/\bpost-removed\b/, "").trim();
      li.replaceWith(fresh);
    }
    return;
  }
  body.innerHTML = data.html || ""; // sanitised by the server
  const count = li.querySelector(".useful .count");
  if (count) count.textContent = this.live.number(data.useful || 0);
  if (data.edited_at) this.markEdited(li);
  if (!data.removed && li.classList.contains("post-removed")) {
    li.classList.remove("post-removed");
    li.querySelector(":scope > .badge-suspended")?.remove();
    li.querySelector('form[action$="/restore"]')?.remove();
  }
};

ThreadPage.prototype.deleted = function (data) {
  const li = this.element(data.id);
  if (!li) return;
  li.classList.add("post-removed");
  const id = String(Number(data.id));
  if (data.author && li.querySelector(".post-body")) {
    // Moderators still read it, marked as removed, with a way back.
    if (!li.querySelector(":scope > .badge-suspended")) {
      li.querySelector(".post-head")?.after(document.getElementById("live-removed-moderator").content.cloneNode(true));
    }
    const actions = li.querySelector(".post-actions");
    if (actions && !actions.querySelector('form[action$="/restore"]')) {
      actions.replaceChildren(document.getElementById("live-restore").content.cloneNode(true));
      const form = actions.querySelector("form");
      form.action = form.getAttribute("action").replace("{id}", id);
    }
    return;
  }
  li.replaceChildren(document.getElementById("live-removed").content.cloneNode(true));
  const i = this.unseen.indexOf(li);
  if (i >= 0) this.seen(li);
};

ThreadPage.prototype.showViewers = function (viewers) {
  if (!this.viewers) return;
  const others = [...viewers];
  // The list counts the reader too: leave them out, by name or else by kind.
  let me = others.findIndex((v) => this.live.isMe(v));
  if (me < 0) me = others.findIndex((v) => !v.name && v.organisation_kind === this.live.me.kind);
  if (me >= 0) others.splice(me, 1);
  if (!others.length) {
    this.viewers.hidden = true;
    return;
  }
  const shown = 6;
  let names = others.slice(0, shown).map((v) => this.live.who(v, true)).join(", ");
  if (others.length > shown) names += ` +${this.live.number(others.length - shown)}`;
  this.viewers.textContent = this.viewers.dataset.format.replace("{who}", () => names);
  this.viewers.hidden = false;
};

ThreadPage.prototype.typed = function (author) {
  const who = this.live.who(author, false);
  if (!who) return;
  clearTimeout(this.typers.get(who));
  this.typers.set(who, setTimeout(() => {
    this.typers.delete(who);
    this.showTyping();
  }, TYPING_SHOWN));
  this.showTyping();
};

ThreadPage.prototype.showTyping = function () {
  if (!this.typing) return;
  const names = [...this.typers.keys()];
  const text = names.length ? this.live.plural(this.typing, names.length, "{who}", names.join(", ")) : "";
  if (this.typing.textContent !== text) this.typing.textContent = text;
};

ThreadPage.prototype.disconnected = function () {
  if (this.viewers) this.viewers.hidden = true;
  for (const timer of this.typers.values()) clearTimeout(timer);
  this.typers.clear();
  this.showTyping();
};

ThreadPage.prototype.reset = function () {
  this.unseen = [];
  this.showPill();
  this.live.refetch(["ol.posts", "nav.pager"]);
};

// ThreadList keeps a list of threads up to date: reply counts and last
// activity in place, and a notice of new threads that shows them.
function ThreadList(live) {
  this.live = live;
  this.list = document.querySelector(".thread-list");
  this.notice = document.getElementById("live-threads");
  this.fresh = new Set(); // ids of new threads not shown yet
  this.notice?.addEventListener("click", () => location.reload());
}

ThreadList.prototype.event = function (m) {
  const data = m.data || {};
  if (m.type === "thread.created") this.created(data);
  else if (m.type === "thread.updated") this.updated(data);
};

// belongs tells whether a new thread would be on this page of this tab.
ThreadList.prototype.belongs = function (data) {
  const d = this.notice?.dataset;
  if (!d || !("firstPage" in d)) return false;
  switch (d.tab) {
    case "latest":
      return true;
    case "unanswered":
    case "ours":
      return data.kind === "challenge";
    case "mine":
      return this.live.isMe(data.author);
  }
  return false;
};

ThreadList.prototype.created = function (data) {
  if (!this.belongs(data) || this.row(data.id)) return;
  this.fresh.add(data.id);
  const n = this.fresh.size;
  this.notice.textContent = this.live.plural(this.notice, n, "{n}", this.live.number(n));
  this.notice.hidden = false;
};

ThreadList.prototype.row = function (id) {
  return this.list?.querySelector(`[data-thread-id="${Number(id)}"]`);
};

ThreadList.prototype.updated = function (data) {
  const row = this.row(data.id);
  if (!row || typeof data.replies !== "number") return;
  const replies = row.querySelector('[data-live="replies"]');
  const strong = replies?.querySelector("strong");
  const word = replies?.querySelector("span");
  const before = strong ? strong.textContent : "";
  if (strong) strong.textContent = this.live.number(data.replies);
  if (word) word.textContent = this.live.plural(this.list, data.replies, "", "", "replies") || word.textContent;
  const last = row.querySelector('[data-live="last"]');
  if (last && data.last_post_at) last.textContent = this.live.date(data.last_post_at, "UTC", false);
  if (strong && strong.textContent === before) return;
  // Latest first, as the server orders them: a thread with a new reply moves up, below the pinned ones.
  const d = this.notice?.dataset;
  if (d && d.tab === "latest" && "firstPage" in d && !row.classList.contains("pinned")) {
    const top = this.list.querySelector(".thread-item:not(.pinned)");
    if (top && top !== row) this.list.insertBefore(row, top);
  }
  row.classList.remove("thread-item-updated");
  void row.offsetWidth; // restart the highlight
  row.classList.add("thread-item-updated");
};

ThreadList.prototype.disconnected = function () {};

ThreadList.prototype.reset = function () {
  location.reload();
};

// EventPage keeps a meeting's page up to date. Its topic's events say only
// that the programme or the agenda changed: the parts are fetched again as
// the server renders them for this reader, who may see less than others.
function EventPage(live) {
  this.live = live;
}
EventPage.prototype.event = function (m) {
  if (m.type === "event.changed") this.live.refetch(["div.doc-body", "#agenda-live", "#registration-live", "#registrations-live"]);
};
EventPage.prototype.disconnected = function () {};
EventPage.prototype.reset = function () {
  this.live.refetch(["div.doc-body", "#agenda-live", "#registration-live", "#registrations-live"]);
};

// Page is a page without a topic of its own: only the header follows.
function Page() {}
Page.prototype.event = function () {};
Page.prototype.disconnected = function () {};
Page.prototype.reset = function () {};

const config = document.getElementById("live");
if ((config || document.querySelector("[data-live-count]")) && "WebSocket" in window) {
  const live = new Live(config);
  if (!config) live.page = new Page();
  else if ((config.dataset.liveTopic || "").startsWith("event:")) live.page = new EventPage(live);
  else live.page = document.querySelector("ol.posts") ? new ThreadPage(live) : new ThreadList(live);
  live.connect();
}
