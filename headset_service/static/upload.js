// zorgblik: footage upload from the browser over tus 1.0.0 (/api/uploads) with tus-js-client.
// The file goes in 8 MiB pieces; after a network error the client asks the server where it stands
// and goes on from there, and it remembers the upload (in this browser's localStorage, by file
// name, size and date) so that after a page reload the same file goes on where it was.
(function () {
  "use strict";
  var form = document.getElementById("upload-form");
  if (!form || !window.tus) return;
  var bar = document.getElementById("upload-progress");
  var status = document.getElementById("upload-status");

  function say(text) { status.textContent = text; }
  function wait(ms) { return new Promise(function (r) { setTimeout(r, ms); }); }

  // the one JSON error shape of the service, or the HTTP status when there is none
  function reason(error) {
    var response = error.originalResponse;
    if (!response) return "de verbinding blijft wegvallen; probeer het later opnieuw";
    try { return JSON.parse(response.getBody()).error.message; } catch (e) { return "HTTP " + response.getStatus(); }
  }

  function follow(url) {
    return fetch(url, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (u) {
      if (u.status === "done") return u;
      if (u.status === "failed") throw new Error(u.message || "de verwerking is mislukt");
      say("Ontvangen; de opname wordt gecontroleerd…");
      return wait(1000).then(function () { return follow(url); });
    });
  }

  function metadata(file) {
    var meta = { filename: file.name };
    ["category", "location", "team"].forEach(function (name) {
      var value = form.elements[name].value.trim();
      if (value) meta[name] = value;
    });
    return meta;
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var file = form.elements.file.files[0];
    if (!file) return;
    var button = form.querySelector("button[type=submit]");
    button.disabled = true;
    bar.hidden = false;
    bar.value = 0;
    var done = function () { button.disabled = false; };
    var upload = new tus.Upload(file, {
      endpoint: "/api/uploads",
      chunkSize: 8 * 1024 * 1024,
      retryDelays: [1000, 1500, 3000, 5000, 10000],
      metadata: metadata(file),
      removeFingerprintOnSuccess: true,
      onProgress: function (sent, total) {
        bar.value = total ? Math.floor(100 * sent / total) : 0;
        say("Bezig met uploaden: " + bar.value + "%");
      },
      onShouldRetry: function (error, attempt, options) {
        var code = error.originalResponse ? error.originalResponse.getStatus() : 0;
        if (code === 0 || code === 409 || code >= 500) { say("Verbinding weg; opnieuw proberen…"); return true; }
        return false;
      },
      onError: function (error) { say("Niet gelukt: " + reason(error)); done(); },
      onSuccess: function () {
        bar.value = 100;
        follow(upload.url).then(function (u) {
          say("Klaar: " + (u.message || file.name) + ". Leg nu vast wie er in beeld is.");
          if (u.footage_id) window.location.href = "/beeldmateriaal/" + u.footage_id + "?bericht=upload-klaar";
        }).catch(function (err) { say("Niet gelukt: " + err.message); }).finally(done);
      }
    });
    upload.findPreviousUploads().then(function (previous) {
      if (previous.length) {
        upload.resumeFromPreviousUpload(previous[0]);
        say("Deze upload was al begonnen; hij gaat verder waar hij was.");
      }
      upload.start();
    });
  });
})();
