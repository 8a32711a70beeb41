// zorgblik: footage upload from the browser over tus 1.0.0 (/api/uploads). Sends the file in 8 MiB
// pieces; after a network error it asks the server where it stands (HEAD) and goes on from there.
(function () {
  "use strict";
  var CHUNK = 8 * 1024 * 1024;
  var RETRIES = 5;
  var form = document.getElementById("upload-form");
  if (!form) return;
  var bar = document.getElementById("upload-progress");
  var status = document.getElementById("upload-status");

  function say(text) { status.textContent = text; }
  function b64(text) { return btoa(unescape(encodeURIComponent(text))); }
  function wait(ms) { return new Promise(function (r) { setTimeout(r, ms); }); }
  function tus(method, url, headers, body) {
    headers["Tus-Resumable"] = "1.0.0";
    return fetch(url, { method: method, headers: headers, body: body, credentials: "same-origin" });
  }
  function failure(response) {
    return response.json().then(function (b) { return b.error.message; }, function () { return "HTTP " + response.status; });
  }

  function create(file) {
    var meta = ["filename " + b64(file.name)];
    ["category", "location", "team"].forEach(function (name) {
      var value = form.elements[name].value.trim();
      if (value) meta.push(name + " " + b64(value));
    });
    return tus("POST", "/api/uploads", { "Upload-Length": String(file.size), "Upload-Metadata": meta.join(",") })
      .then(function (r) {
        if (r.status !== 201) return failure(r).then(function (m) { throw new Error(m); });
        return r.headers.get("Location");
      });
  }

  function offsetOf(url) {
    return tus("HEAD", url, {}).then(function (r) {
      if (!r.ok) throw new Error("de upload is niet meer te hervatten (HTTP " + r.status + ")");
      return parseInt(r.headers.get("Upload-Offset"), 10);
    });
  }

  function send(url, file, offset, tries) {
    if (offset >= file.size) return Promise.resolve();
    bar.value = Math.floor(100 * offset / file.size);
    say("Bezig met uploaden: " + bar.value + "%");
    return tus("PATCH", url, { "Content-Type": "application/offset+octet-stream", "Upload-Offset": String(offset) },
               file.slice(offset, offset + CHUNK))
      .then(function (r) {
        if (r.status === 204) return send(url, file, parseInt(r.headers.get("Upload-Offset"), 10), RETRIES);
        if (r.status === 409 || r.status >= 500) throw new Error("retry");
        return failure(r).then(function (m) { throw new Error(m); });
      })
      .catch(function (err) {
        if (err.message !== "retry" && !(err instanceof TypeError)) throw err;  // TypeError: the network
        if (tries <= 0) throw new Error("de verbinding blijft wegvallen; probeer het later opnieuw");
        say("Verbinding weg; opnieuw proberen…");
        return wait(1500).then(function () { return offsetOf(url); })
          .then(function (at) { return send(url, file, at, tries - 1); });
      });
  }

  function follow(url) {
    return fetch(url, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (u) {
      if (u.status === "done") return u;
      if (u.status === "failed") throw new Error(u.message || "de verwerking is mislukt");
      say("Ontvangen; de opname wordt gecontroleerd…");
      return wait(1000).then(function () { return follow(url); });
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var file = form.elements.file.files[0];
    if (!file) return;
    var button = form.querySelector("button[type=submit]");
    button.disabled = true;
    bar.hidden = false;
    bar.value = 0;
    var url;
    create(file)
      .then(function (location) { url = location; return send(url, file, 0, RETRIES); })
      .then(function () { bar.value = 100; return follow(url); })
      .then(function (u) {
        say("Klaar: " + (u.message || file.name) + ". Leg nu vast wie er in beeld is.");
        if (u.footage_id) window.location.href = "/beeldmateriaal/" + u.footage_id + "?bericht=upload-klaar";
      })
      .catch(function (err) { say("Niet gelukt: " + err.message); })
      .finally(function () { button.disabled = false; });
  });
})();
