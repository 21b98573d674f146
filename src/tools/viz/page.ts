// The page shell. Everything it loads comes from the viz server itself; the Content Security
// Policy makes that a rule the browser enforces (no CDN, no fonts, no external sockets).
export const PAGE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  // The SVGs carry their own <style>, and the page sets inline transforms for pan/zoom.
  "style-src 'self' 'unsafe-inline'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

export function pageHtml(): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${PAGE_CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Parley statecharts</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/client/viz.css">
</head>
<body>
<header>
  <h1>Parley statecharts</h1>
  <span id="mode" class="badge"></span>
  <input id="search" type="search" placeholder="Search states, events, guards, actions, tags" autocomplete="off" spellcheck="false">
  <span id="search-count"></span>
</header>
<div id="app">
  <aside id="side">
    <section><h2>Machines</h2><ul id="machine-nav"></ul></section>
    <section id="live-section"><h2>Live calls</h2><div id="relay-status" class="muted">loading…</div>
      <label class="small"><input id="follow" type="checkbox" checked> follow the newest call</label><ul id="calls"></ul></section>
    <section id="diff-section" hidden><h2>Changes vs <code id="diff-ref"></code></h2><div id="diff-summary"></div></section>
    <section><h2>Properties</h2><div id="properties" class="muted">none</div></section>
  </aside>
  <main id="machines"><p class="muted">loading machines…</p></main>
</div>
<footer id="log-panel">
  <h2>Transition log <span id="log-count" class="muted"></span>
    <label class="small"><input id="all-events" type="checkbox"> include events that change nothing</label></h2>
  <div id="log-scroll"><table id="log"><thead><tr><th>time</th><th>call</th><th>machine</th><th>event</th><th>from → to</th></tr></thead><tbody></tbody></table></div>
</footer>
<script type="module" src="/client/main.js"></script>
</body>
</html>
`;
}
