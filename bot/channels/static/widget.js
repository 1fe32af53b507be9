/*
 * Antragslotse chat widget for a city's own pages:
 *
 *   <script src="<service URL>/widget.js" defer
 *           data-lang="de" data-application="wohngeld" data-color="#005ca9"></script>
 *
 * Adds a launcher button (bottom corner) and a non-modal dialog with the chat page in
 * an iframe. Everything lives in a shadow root, so the host page's styles neither break
 * it nor are touched by it. The texts below are filled in by the service.
 */
(function () {
  "use strict";

  var TEXTS = /*TEXTS*/{};
  var HEX_RE = /^#?([0-9a-fA-F]{6})$/;
  var script = document.currentScript;
  if (!script || window.antragslotseWidget) {
    return;
  }
  var origin = new URL(script.src, window.location.href).origin;
  var options = script.dataset;

  function pickLanguage() {
    var wanted = [options.lang, document.documentElement.lang, "de"];
    for (var i = 0; i < wanted.length; i++) {
      var lang = (wanted[i] || "").toLowerCase();
      if (TEXTS[lang]) {
        return lang;
      }
      if (TEXTS[lang.split("-")[0]]) {
        return lang.split("-")[0];
      }
    }
    return Object.keys(TEXTS)[0];
  }

  function channel(value) {
    var c = value / 255;
    return c <= 0.04045 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
  }

  /* The brand colour, if white text on it keeps 4.5:1 (WCAG 1.4.3); else the default. */
  function usableColour(value) {
    var match = HEX_RE.exec(value || "");
    if (!match) {
      return null;
    }
    var hex = match[1];
    var rgb = [0, 2, 4].map(function (i) {
      return channel(parseInt(hex.slice(i, i + 2), 16));
    });
    var luminance = 0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2];
    return 1.05 / (luminance + 0.05) >= 4.5 ? hex.toLowerCase() : null;
  }

  var lang = pickLanguage();
  var colour = usableColour(options.color);

  var host = document.createElement("div");
  host.className = "antragslotse-widget";
  var shadow = host.attachShadow({ mode: "open" });

  var stylesheet = document.createElement("link");
  stylesheet.rel = "stylesheet";
  stylesheet.href = origin + "/static/widget.css";
  shadow.appendChild(stylesheet);

  var wrapper = document.createElement("div");
  wrapper.className = "widget";
  if (colour) {
    wrapper.style.setProperty("--accent", "#" + colour);
  }
  shadow.appendChild(wrapper);

  var panel = document.createElement("div");
  panel.className = "panel";
  panel.id = "antragslotse-panel";
  panel.setAttribute("role", "dialog");
  panel.setAttribute("aria-modal", "false");
  panel.setAttribute("aria-labelledby", "antragslotse-title");
  panel.hidden = true;

  var bar = document.createElement("div");
  bar.className = "bar";
  var title = document.createElement("h2");
  title.id = "antragslotse-title";
  var close = document.createElement("button");
  close.type = "button";
  close.className = "close";
  bar.appendChild(title);
  bar.appendChild(close);
  panel.appendChild(bar);

  var launcher = document.createElement("button");
  launcher.type = "button";
  launcher.className = "launcher";
  launcher.setAttribute("aria-expanded", "false");
  launcher.setAttribute("aria-controls", panel.id);

  wrapper.appendChild(launcher);
  wrapper.appendChild(panel);

  var frame = null;

  /* Label everything in `lang`; the chat asks for this when the citizen switches. */
  function label(newLang) {
    var texts = TEXTS[newLang];
    lang = newLang;
    wrapper.lang = lang;
    wrapper.dir = texts.dir;
    title.textContent = texts.widget_title;
    close.textContent = texts.close;
    launcher.textContent = texts.launcher;
    if (frame) {
      frame.title = texts.frame_title;
    }
  }

  function frameUrl() {
    var query = new URLSearchParams({ embed: "1", lang: lang });
    if (options.application) {
      query.set("application", options.application);
    }
    if (colour) {
      query.set("accent", colour);
    }
    return origin + "/chat?" + query.toString();
  }

  function focusChat() {
    frame.focus();
    frame.contentWindow.postMessage({ type: "antragslotse:focus" }, origin);
  }

  function open() {
    if (!frame) {
      frame = document.createElement("iframe");
      frame.title = TEXTS[lang].frame_title;
      frame.src = frameUrl();
      frame.addEventListener("load", focusChat);
      panel.appendChild(frame);
    } else {
      focusChat();
    }
    panel.hidden = false;
    launcher.setAttribute("aria-expanded", "true");
  }

  function hide() {
    panel.hidden = true;
    launcher.setAttribute("aria-expanded", "false");
    launcher.focus();
  }

  launcher.addEventListener("click", function () {
    if (panel.hidden) {
      open();
    } else {
      hide();
    }
  });
  close.addEventListener("click", hide);
  panel.addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
      hide();
    }
  });
  window.addEventListener("message", function (event) {
    var fromChat = frame && event.origin === origin && event.source === frame.contentWindow;
    if (fromChat && event.data && event.data.type === "antragslotse:close") {
      hide();
    } else if (fromChat && event.data && event.data.type === "antragslotse:lang" && TEXTS[event.data.lang]) {
      label(event.data.lang);
    }
  });

  label(lang);
  document.body.appendChild(host);
  window.antragslotseWidget = { open: open, close: hide };
})();
