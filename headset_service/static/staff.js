// zorgblik staff pages: keeps the live cells fresh (online, scene, time, session state) and, on a
// session page, the conversation prompts of the scene being watched. No build step; the pages
// work without this script, only not live.
(function () {
  "use strict";
  var EVERY_MS = 300;  // two members of staff on one session both see a change within a second, also on a busy server

  function each(selector, fn) { Array.prototype.forEach.call(document.querySelectorAll(selector), fn); }

  function applyFleet(data) {
    data.headsets.forEach(function (h) {
      each('[data-live-online="' + h.id + '"]', function (el) {
        el.textContent = h.online ? "online" : "offline";
        el.className = "dot " + (h.online ? "on" : "off");
      });
      each('[data-live-scene="' + h.id + '"]', function (el) { el.textContent = h.scene || "—"; });
      each('[data-live-time="' + h.id + '"]', function (el) { el.textContent = h.time || ""; });
      each('[data-live-sync="' + h.id + '"]', function (el) { el.textContent = h.sync || ""; });
    });
    Object.keys(data.sessions).forEach(function (id) {
      each('[data-session-state="' + id + '"]', function (el) { el.textContent = data.sessions[id]; });
    });
    Object.keys(data.session_states || {}).forEach(function (id) { applyControls(id, data.session_states[id]); });
  }

  // the command buttons follow the state another member of staff may have changed: no "Pauzeer"
  // on a paused session, none at all on a stopped one
  var ALLOWED = { pause: ["running"], resume: ["paused"] };
  function applyControls(id, state) {
    each('form[action="/sessies/' + id + '/commando"] [data-command]', function (button) {
      var allowed = ALLOWED[button.getAttribute("data-command")];
      button.closest("form").hidden = state === "stopped" || (allowed ? allowed.indexOf(state) < 0 : false);
    });
  }

  function applySession(data) {
    // the session's own state comes with this small answer too: a second member of staff sees a
    // pause within a second even when the fleet's answer is slow
    var page = document.querySelector("[data-session-page]");
    if (page && data.state) each('[data-session-state="' + page.getAttribute("data-session-page") + '"]',
                                 function (el) { el.textContent = data.state; });
    var list = document.getElementById("prompts");
    if (!list) return;
    document.getElementById("prompt-scene").textContent = data.scene || "";
    if (!data.scene) return;  // nothing reported yet: keep what the page showed
    list.innerHTML = "";
    (data.prompts.length ? data.prompts : ["Deze scène heeft geen gespreksvragen."]).forEach(function (text) {
      var li = document.createElement("li");
      li.textContent = text;
      list.appendChild(li);
    });
  }

  function poll(url, apply) {
    var started = Date.now();  // start to start: a slow answer does not stretch the round
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) { if (data) apply(data); })
      .catch(function () { /* offline for a moment: try again next round */ })
      .finally(function () {
        setTimeout(function () { poll(url, apply); }, Math.max(0, EVERY_MS - (Date.now() - started)));
      });
  }

  // the start form: head direction is never recorded in an interview, so the box follows the playlist
  var playlist = document.getElementById("playlist"), head = document.getElementById("head-direction");
  if (playlist && head) {
    var follow = function () {
      var option = playlist.options[playlist.selectedIndex];
      var interview = option && option.getAttribute("data-context") === "sollicitatie";
      head.checked = !interview;
      head.disabled = interview;
    };
    playlist.addEventListener("change", follow);
    follow();
  }

  if (document.querySelector("[data-live-online], [data-session-state]")) poll("/sessies/live.json", applyFleet);
  var page = document.querySelector("[data-session-page]");
  if (page) poll("/sessies/" + page.getAttribute("data-session-page") + "/live.json", applySession);
})();
