/* Connect page behaviour: hands the result to the opener (postMessage) or the redirect URL.
   The page works without this script; it only adds the hand-off and small comforts. */
(function () {
  "use strict";
  var configEl = document.getElementById("sb-config");
  var cfg = configEl ? JSON.parse(configEl.textContent) : {};

  function postToOpener(message) {
    // Only to a known origin, never "*": the message names the end user's connection.
    if (!message || !cfg.targetOrigin || !window.opener || window.opener.closed) return false;
    try {
      window.opener.postMessage(message, cfg.targetOrigin);
      return true;
    } catch (e) {
      return false;
    }
  }

  function redirectWith(message) {
    var url;
    try { url = new URL(cfg.redirectUrl); } catch (e) { return false; }
    if (url.protocol !== "http:" && url.protocol !== "https:") return false;
    url.searchParams.set("status", message.status);
    if (message.connection) {
      url.searchParams.set("connectorId", message.connection.connectorId);
      url.searchParams.set("ownerId", message.connection.ownerId);
    }
    if (message.error && message.error.code) url.searchParams.set("error", message.error.code);
    window.location.assign(url.toString());
    return true;
  }

  function finish(message) {
    if (cfg.mode !== "redirect" && postToOpener(message)) return true;
    if (cfg.redirectUrl && redirectWith(message)) return true;
    var note = document.getElementById("finish-note");
    if (note) note.textContent = "You can close this window now.";
    return false;
  }

  if (cfg.autoFinish && cfg.message) {
    if (cfg.mode === "redirect" && cfg.message.status === "success") {
      // Let the user see what was granted before leaving; the button goes at once.
      window.setTimeout(function () { finish(cfg.message); }, 2500);
    } else {
      finish(cfg.message);
    }
  }

  document.addEventListener("click", function (event) {
    var target = event.target.closest("[data-sb-finish], [data-sb-cancel], [data-sb-close], [data-sb-reveal]");
    if (!target) return;
    if (target.hasAttribute("data-sb-finish")) {
      // Browsers allow window.close() only for windows a script opened; elsewhere it is a no-op.
      if (finish(cfg.message) === false) window.close();
    } else if (target.hasAttribute("data-sb-cancel")) {
      finish({type: "switchboard:connect", status: "error", connection: null,
              error: {code: "SWITCHBOARD::CONNECT::CANCELLED", message: "The user cancelled."}});
      if (window.opener) window.close();
    } else if (target.hasAttribute("data-sb-close")) {
      window.close();
    } else if (target.hasAttribute("data-sb-reveal")) {
      var input = document.getElementById(target.getAttribute("data-sb-reveal"));
      var show = input.type === "password";
      input.type = show ? "text" : "password";
      target.textContent = show ? "Hide" : "Show";
      target.setAttribute("aria-pressed", show ? "true" : "false");
    }
  });

  var form = document.getElementById("key-form");
  if (form) {
    form.addEventListener("submit", function () {
      var button = document.getElementById("submit");
      var progress = document.getElementById("progress");
      if (button) button.disabled = true;
      if (progress) progress.textContent = "Checking the key…";
    });
    var first = form.querySelector("input:not([type=hidden])");
    if (first) first.focus();
  }
})();
