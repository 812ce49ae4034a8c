/*!
 * switchboard-connect.js — open Switchboard's hosted connect page from any front end.
 *
 *   Switchboard.connect({
 *     sessionToken: "st_...",            // from POST /v1/connections/{connectorId}/{ownerId}/sessions
 *     baseUrl: "https://switchboard.example.com",   // defaults to where this script was loaded from
 *     mode: "popup",                      // or "redirect"
 *     redirectUrl: location.href,         // redirect mode: where to come back to
 *     onSuccess: function (connection) {},
 *     onError: function (error) {}        // {code, message}
 *   });  // also returns a Promise of {status, connection, error}
 *
 * Popup mode resolves from the page's postMessage, accepted only from baseUrl's origin and from
 * the popup it opened. Redirect mode comes back to redirectUrl with ?status=success|error,
 * connectorId, ownerId and error; read them with Switchboard.connectResult().
 */
(function (root) {
  "use strict";
  var MESSAGE_TYPE = "switchboard:connect";
  var scriptBase = (function () {
    var s = document.currentScript;
    try { return s && s.src ? new URL(s.src).origin : ""; } catch (e) { return ""; }
  })();

  function error(code, message) { return {code: code, message: message}; }

  function connect(options) {
    var opts = options || {};
    if (!opts.sessionToken) throw new Error("Switchboard.connect: sessionToken is required");
    var base = String(opts.baseUrl || scriptBase || window.location.origin).replace(/\/+$/, "");
    var baseOrigin = new URL(base, window.location.href).origin;
    var url = new URL(base + "/connect/" + encodeURIComponent(opts.sessionToken), window.location.href);
    var mode = opts.mode === "redirect" ? "redirect" : "popup";
    url.searchParams.set("mode", mode);

    if (mode === "redirect") {
      url.searchParams.set("redirectUrl", opts.redirectUrl || window.location.href);
      window.location.assign(url.toString());
      return new Promise(function () {});  // the page is leaving
    }

    url.searchParams.set("origin", window.location.origin);
    var width = 520, height = 720;
    var left = Math.max(0, (window.screenX || 0) + ((window.outerWidth || width) - width) / 2);
    var top = Math.max(0, (window.screenY || 0) + ((window.outerHeight || height) - height) / 2);
    var popup = window.open(url.toString(), "switchboard-connect",
      "popup=yes,width=" + width + ",height=" + height + ",left=" + left + ",top=" + top);

    return new Promise(function (resolve) {
      var done = false, timer = null;
      function settle(result) {
        if (done) return;
        done = true;
        window.removeEventListener("message", onMessage);
        if (timer) window.clearInterval(timer);
        if (result.status === "success") {
          if (opts.onSuccess) opts.onSuccess(result.connection);
        } else if (opts.onError) {
          opts.onError(result.error, result.connection);
        }
        resolve(result);  // resolve, never reject: callback users get no unhandled rejections
      }
      function onMessage(event) {
        // Trust only our page, in the window we opened.
        if (event.origin !== baseOrigin || event.source !== popup) return;
        var data = event.data;
        if (!data || data.type !== MESSAGE_TYPE) return;
        try { popup.close(); } catch (e) { /* already closed */ }
        settle({status: data.status === "success" ? "success" : "error", connection: data.connection || null,
                error: data.error || null});
      }
      if (!popup) {
        settle({status: "error", connection: null,
                error: error("SWITCHBOARD::CONNECT::POPUP_BLOCKED",
                             "The browser blocked the connect window; call Switchboard.connect from a click handler.")});
        return;
      }
      window.addEventListener("message", onMessage);
      timer = window.setInterval(function () {
        if (popup.closed) {
          // Give a message sent just before closing a moment to arrive.
          window.setTimeout(function () {
            settle({status: "error", connection: null,
                    error: error("SWITCHBOARD::CONNECT::CLOSED", "The connect window was closed before finishing.")});
          }, 300);
        }
      }, 500);
    });
  }

  function connectResult(href) {
    var params = new URL(href || window.location.href).searchParams;
    if (!params.get("status")) return null;
    return {status: params.get("status"), connectorId: params.get("connectorId"), ownerId: params.get("ownerId"),
            error: params.get("error")};
  }

  root.Switchboard = root.Switchboard || {};
  root.Switchboard.connect = connect;
  root.Switchboard.connectResult = connectResult;
})(window);
