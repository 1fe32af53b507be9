/*
 * Antragslotse web chat (full page, and inside the widget's frame).
 *
 * Talks to Rasa over socket.io (bot/channels/webchat.py): `user_uttered` out, one
 * `bot_uttered` per bot message in, `session_warning` when the time limit nears.
 * Rules kept here (see shared/research/accessibility.md):
 * - every text comes from the page (#texts) or from the bot, never from this file;
 * - bot and user text is inserted as text (never as HTML);
 * - the role="log" transcript is only appended to; status lines go to role="status";
 * - focus moves only after a user action, never because a message arrived.
 */
(function () {
  "use strict";

  var STORAGE_KEY = "antragslotse.chat.v2:";
  var TEXT_SIZE_KEY = "antragslotse.textsize";
  var TEXT_SIZES = [100, 125, 150, 175, 200];
  var TYPING_DELAY_MS = 400;
  var ACK_TIMEOUT_MS = 45000;
  var INPUTS = {
    integer: { inputmode: "numeric" },
    count: { inputmode: "numeric" },
    postal_code: { inputmode: "numeric" },
    money: { inputmode: "decimal" },
    email: { type: "email", inputmode: "email" },
    phone: { type: "tel", inputmode: "tel" },
    iban: { autocapitalize: "characters" }
  };
  var LANG_RE = /^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$/;
  var AUTOCOMPLETE_RE = /^[A-Za-z0-9 -]{1,100}$/;
  var LATIN_RUN = /[A-Za-zÄÖÜäöüß](?:[A-Za-zÄÖÜäöüß0-9§.,:\/ -]*[A-Za-zÄÖÜäöüß0-9])?/g;

  var root = document.documentElement;
  root.classList.remove("no-js");
  var byId = document.getElementById.bind(document);

  var allTexts = readJson("texts");
  var config = readJson("config");
  var texts = allTexts[config.lang] || {};

  var log = byId("log");
  var list = byId("messages");
  var statusRegion = byId("status");
  var alertRegion = byId("session-alert");
  var progressLine = byId("progress");
  var newMessages = byId("new-messages");
  var form = byId("composer");
  var input = byId("message");
  var uploadBox = byId("upload");
  var uploadInput = byId("upload-file");
  var languageToggle = byId("language-toggle");
  var languageList = byId("language-list");
  var receipt = byId("receipt");

  var conversation = loadConversation();
  var botLang = config.lang;
  var botDir = config.dir;
  var askedDocument = null;
  var messageCounter = 0;
  var typingTimer = null;
  var firstUnread = null;
  var anchoredAtBottom = true;
  var wasConnected = false;
  var unanswered = []; // turns sent whose answer has not come yet
  var askWhereWeAre = false;

  // ---------------------------------------------------------------- helpers

  function readJson(id) {
    var element = byId(id);
    return JSON.parse(element ? element.textContent : "{}");
  }

  function format(template, params) {
    return String(template).replace(/%\{(\w+)\}/g, function (match, name) {
      return Object.prototype.hasOwnProperty.call(params, name) ? String(params[name]) : match;
    });
  }

  function validLang(value) {
    return typeof value === "string" && LANG_RE.test(value) ? value : null;
  }

  function validDir(value) {
    return value === "ltr" || value === "rtl" ? value : null;
  }

  function el(tag, className, text) {
    var element = document.createElement(tag);
    if (className) {
      element.className = className;
    }
    if (text !== undefined) {
      element.textContent = text;
    }
    return element;
  }

  function storage(kind) {
    try {
      return window[kind];
    } catch (e) {
      return null; // storage disabled: the conversation then lives as long as the page
    }
  }

  function loadConversation() {
    var store = storage("sessionStorage");
    try {
      var stored = JSON.parse((store && store.getItem(STORAGE_KEY + (config.application || ""))) || "null");
      if (stored && typeof stored.sender === "string" && typeof stored.token === "string" && Array.isArray(stored.items)) {
        return stored;
      }
    } catch (e) {
      // unreadable: start afresh
    }
    // The server issues the conversation id and its token (session_request below).
    return { sender: null, token: null, items: [], state: null, receipt: null };
  }

  function saveConversation() {
    var store = storage("sessionStorage");
    try {
      if (store) {
        store.setItem(STORAGE_KEY + (config.application || ""), JSON.stringify(conversation));
      }
    } catch (e) {
      // storage full: the page still works
    }
  }

  function forgetConversation() {
    var store = storage("sessionStorage");
    if (store) {
      store.removeItem(STORAGE_KEY + (config.application || ""));
    }
  }

  function setStatus(text, isError) {
    statusRegion.textContent = text || "";
    statusRegion.classList.toggle("is-error", Boolean(isError));
  }

  // ------------------------------------------------------- page language

  /* The citizen switched language in the chat: the page follows, focus stays put. */
  function applyPageLanguage(lang, dir) {
    if (!allTexts[lang] || lang === config.lang) {
      return;
    }
    config.lang = lang;
    config.dir = dir;
    texts = allTexts[lang];
    root.lang = lang;
    root.dir = dir;
    Array.prototype.forEach.call(document.querySelectorAll("[data-text]"), function (node) {
      node.textContent = texts[node.getAttribute("data-text")];
    });
    Array.prototype.forEach.call(document.querySelectorAll("[data-text-label]"), function (node) {
      node.setAttribute("aria-label", texts[node.getAttribute("data-text-label")]);
    });
    Array.prototype.forEach.call(languageList.querySelectorAll("button"), function (button) {
      button.setAttribute("aria-pressed", String(button.getAttribute("data-language") === lang));
    });
    if (conversation.state) {
      applyState(conversation.state);
    }
    if (config.embed && window.parent !== window) {
      window.parent.postMessage({ type: "antragslotse:lang", lang: lang }, "*"); // the launcher follows
    }
  }

  // -------------------------------------------------------------- rendering

  /*
   * One line of text. In right-to-left messages each run of Latin script (the German
   * terms the texts keep, "Wohngeld", "SGB X") is isolated in <bdi lang="de" dir="ltr">,
   * so it neither reorders the sentence around it nor is read with an Arabic voice.
   */
  function appendLine(parent, line, dir) {
    if (dir !== "rtl") {
      parent.appendChild(document.createTextNode(line));
      return;
    }
    var last = 0;
    line.replace(LATIN_RUN, function (run, offset) {
      parent.appendChild(document.createTextNode(line.slice(last, offset)));
      var isolated = el("bdi", null, run);
      isolated.lang = "de";
      isolated.dir = "ltr";
      parent.appendChild(isolated);
      last = offset + run.length;
      return run;
    });
    parent.appendChild(document.createTextNode(line.slice(last)));
  }

  /* Paragraphs of plain text: blank lines separate paragraphs, "\n" breaks lines. */
  function textBlock(text, dir) {
    var block = el("div", "message-text");
    String(text)
      .replace(/\r\n?/g, "\n")
      .split(/\n{2,}/)
      .forEach(function (paragraphText) {
        if (!paragraphText.trim()) {
          return;
        }
        var paragraph = el("p");
        paragraphText.split("\n").forEach(function (line, index) {
          if (index > 0) {
            paragraph.appendChild(el("br"));
          }
          appendLine(paragraph, line, dir);
        });
        block.appendChild(paragraph);
      });
    return block;
  }

  /* The summary as headings per section and a list of label/value pairs. */
  function summaryBlock(sections, dir) {
    var block = el("div", "summary");
    sections.forEach(function (section) {
      block.appendChild(el("h2", "summary-section", section.title));
      var pairs = el("dl");
      section.items.forEach(function (item) {
        pairs.appendChild(el("dt", null, item.label));
        var value = el("dd");
        value.appendChild(textBlock(item.value, dir));
        pairs.appendChild(value);
      });
      block.appendChild(pairs);
    });
    return block;
  }

  function validSummary(summary) {
    if (!summary || !Array.isArray(summary.sections)) {
      return null;
    }
    var sections = summary.sections.filter(function (s) {
      return s && typeof s.title === "string" && Array.isArray(s.items);
    });
    return {
      before: typeof summary.before === "string" ? summary.before : "",
      after: typeof summary.after === "string" ? summary.after : "",
      sections: sections.map(function (s) {
        return {
          title: s.title,
          items: s.items
            .filter(function (i) {
              return i && typeof i.label === "string" && typeof i.value === "string";
            })
            .map(function (i) {
              return { label: i.label, value: i.value };
            })
        };
      })
    };
  }

  function senderLabel(who) {
    var label = el("span", "visually-hidden", texts[who === "user" ? "sender_user" : "sender_bot"] + " ");
    label.lang = config.lang;
    return label;
  }

  function setChoicesEnabled(group, enabled) {
    Array.prototype.forEach.call(group.querySelectorAll("button"), function (button) {
      if (!enabled && button === document.activeElement) {
        input.focus(); // a disabled button would drop the focus to the page body
      }
      button.disabled = !enabled;
    });
  }

  function disableChoices() {
    Array.prototype.forEach.call(list.querySelectorAll(".choices"), function (group) {
      setChoicesEnabled(group, false);
    });
  }

  function choiceGroup(buttons, labelId, item, active) {
    var group = el("div", "choices");
    group.setAttribute("role", "group");
    if (labelId) {
      group.setAttribute("aria-labelledby", labelId);
    } else {
      group.setAttribute("aria-label", texts.choices_label);
    }
    buttons.forEach(function (choice) {
      var button = el("button", "choice", choice.title);
      button.type = "button";
      button.disabled = !active;
      button.addEventListener("click", function () {
        send(choice.payload, { text: choice.title, lang: item.lang, dir: item.dir, fromButton: true });
        input.focus();
      });
      group.appendChild(button);
    });
    return group;
  }

  function usableButtons(buttons) {
    if (!Array.isArray(buttons)) {
      return [];
    }
    return buttons
      .filter(function (b) {
        return b && typeof b.title === "string" && b.title && typeof b.payload === "string" && b.payload;
      })
      .map(function (b) {
        return { title: b.title, payload: b.payload };
      });
  }

  /* One transcript entry from its stored record; `active` keeps its buttons usable. */
  function renderItem(item, active) {
    var li = el("li", "message message-" + (item.who === "user" ? "user" : "bot"));
    messageCounter += 1;
    li.appendChild(senderLabel(item.who));
    if (validLang(item.lang)) {
      li.lang = item.lang;
    }
    li.dir = item.who === "user" && !item.fromButton ? "auto" : validDir(item.dir) || "auto";

    var labelId = "message-" + messageCounter;
    var summary = item.summary ? validSummary(item.summary) : null;
    var dir = li.dir;
    var block = textBlock(summary ? summary.before : item.text, dir);
    block.id = labelId;
    li.appendChild(block);
    if (summary) {
      li.appendChild(summaryBlock(summary.sections, dir));
      li.appendChild(textBlock(summary.after, dir));
    }
    var buttons = usableButtons(item.buttons);
    if (buttons.length) {
      li.appendChild(choiceGroup(buttons, item.text ? labelId : null, item, active));
    }
    if (item.notSent) {
      li.appendChild(notSentNote());
    }
    list.appendChild(li);
    return li;
  }

  function notSentNote() {
    var note = el("p", "not-sent", texts.not_sent);
    note.lang = config.lang;
    return note;
  }

  function logScrolls() {
    var overflow = window.getComputedStyle(log).overflowY;
    return (overflow === "auto" || overflow === "scroll") && log.scrollHeight > log.clientHeight;
  }

  function atBottom() {
    if (logScrolls()) {
      return log.scrollHeight - log.scrollTop - log.clientHeight < 48;
    }
    return window.innerHeight + window.scrollY >= document.documentElement.scrollHeight - 48;
  }

  /* Bring a new entry into view, unless the reader has scrolled up to read older ones. */
  function reveal(entry, wasAtBottom) {
    if (!wasAtBottom) {
      firstUnread = firstUnread || entry;
      newMessages.hidden = false;
      return;
    }
    if (logScrolls()) {
      log.scrollTop = Math.max(0, Math.min(entry.offsetTop - 8, log.scrollHeight - log.clientHeight));
    } else {
      var rect = entry.getBoundingClientRect();
      if (rect.bottom > window.innerHeight) {
        entry.scrollIntoView({ block: "nearest" });
      }
    }
  }

  function append(item, active, force) {
    var wasAtBottom = force || atBottom();
    var li = renderItem(item, active);
    conversation.items.push(item);
    reveal(li, wasAtBottom);
    return li;
  }

  newMessages.addEventListener("click", function () {
    if (firstUnread) {
      firstUnread.scrollIntoView({ block: "start" });
    }
    firstUnread = null;
    newMessages.hidden = true;
    log.focus();
  });

  function followScrolling() {
    anchoredAtBottom = atBottom();
    if (!newMessages.hidden && anchoredAtBottom) {
      firstUnread = null;
      newMessages.hidden = true;
    }
  }

  log.addEventListener("scroll", followScrolling);
  window.addEventListener("scroll", followScrolling);
  // A warning, the progress line or the file field can shrink the transcript: a reader
  // who was at its end stays at its end.
  if (window.ResizeObserver) {
    new window.ResizeObserver(function () {
      if (anchoredAtBottom && logScrolls()) {
        log.scrollTop = log.scrollHeight;
      }
    }).observe(log);
  }

  // ----------------------------------------------------------------- state

  function applyInputHints(hints) {
    var kind = hints && typeof hints.type === "string" ? hints.type : "text";
    var spec = INPUTS[kind] || {};
    input.type = spec.type || "text";
    input.setAttribute("inputmode", spec.inputmode || "text");
    input.spellcheck = kind === "text";
    if (spec.autocapitalize) {
      input.setAttribute("autocapitalize", spec.autocapitalize);
    } else {
      input.removeAttribute("autocapitalize");
    }
    var autocomplete = hints && typeof hints.autocomplete === "string" && AUTOCOMPLETE_RE.test(hints.autocomplete)
      ? hints.autocomplete
      : "off";
    input.setAttribute("autocomplete", autocomplete);
    input.lang = botLang;
    askedDocument = kind === "file" && typeof hints.document === "string" ? hints.document : null;
    uploadBox.hidden = !askedDocument;
    if (askedDocument && typeof hints.accept === "string") {
      uploadInput.setAttribute("accept", hints.accept);
    }
  }

  function applyProgress(state) {
    var progress = state.progress;
    var known = state.application && progress && typeof progress.answered === "number" &&
      typeof progress.total === "number" && progress.total > 0;
    if (!known) {
      progressLine.textContent = "";
      progressLine.hidden = true;
      input.setAttribute("aria-describedby", "message-hint");
      return;
    }
    var asking = state.step === "ask" || state.step === "invalid" || state.step === "help";
    progressLine.textContent = asking
      ? format(texts.progress_question, {
          current: Math.min(progress.answered + 1, progress.total),
          total: progress.total
        })
      : format(texts.progress_answered, { answered: progress.answered, total: progress.total });
    progressLine.hidden = false;
    input.setAttribute("aria-describedby", "message-hint progress");
  }

  function applyState(state) {
    botLang = validLang(state.lang) || botLang;
    botDir = validDir(state.dir) || botDir;
    applyInputHints(state.input && typeof state.input === "object" ? state.input : null);
    applyProgress(state);
    input.setAttribute("aria-invalid", String(state.step === "invalid"));
  }

  // --------------------------------------------------------------- receipt

  function receiptContent(doc, data) {
    var fragment = doc.createElement("div");
    var reference = doc.createElement("p");
    reference.className = "receipt-reference";
    reference.textContent = format(texts.receipt_reference, { reference: data.reference });
    fragment.appendChild(reference);
    data.sections.forEach(function (section) {
      var heading = doc.createElement("h3");
      heading.textContent = section.title;
      fragment.appendChild(heading);
      var pairs = doc.createElement("dl");
      section.items.forEach(function (item) {
        var term = doc.createElement("dt");
        term.textContent = item.label;
        var value = doc.createElement("dd");
        value.textContent = item.value;
        pairs.appendChild(term);
        pairs.appendChild(value);
      });
      fragment.appendChild(pairs);
    });
    return fragment;
  }

  function showReceipt(data) {
    var body = byId("receipt-body");
    body.textContent = "";
    body.lang = data.lang;
    body.dir = data.dir;
    body.appendChild(receiptContent(document, data));
    receipt.hidden = false;
  }

  function downloadReceipt() {
    var data = conversation.receipt;
    var doc = document.implementation.createHTMLDocument(texts.receipt_heading);
    doc.documentElement.lang = data.lang;
    doc.documentElement.dir = data.dir;
    var meta = doc.createElement("meta");
    meta.setAttribute("charset", "utf-8");
    doc.head.insertBefore(meta, doc.head.firstChild);
    var heading = doc.createElement("h1");
    heading.textContent = texts.receipt_heading;
    doc.body.appendChild(heading);
    doc.body.appendChild(receiptContent(doc, data));
    var blob = new Blob(["<!DOCTYPE html>\n" + doc.documentElement.outerHTML], { type: "text/html" });
    var link = document.createElement("a");
    link.href = URL.createObjectURL(blob);
    link.download = data.reference.replace(/[^A-Za-z0-9-]/g, "_") + ".html";
    document.body.appendChild(link);
    link.click();
    link.remove();
    window.setTimeout(function () {
      URL.revokeObjectURL(link.href);
    }, 10000);
  }

  byId("receipt-download").addEventListener("click", downloadReceipt);
  byId("receipt-print").addEventListener("click", function () {
    window.print();
  });

  // ------------------------------------------------------------- receiving

  function botItem(message) {
    var state = message.custom && typeof message.custom === "object" ? message.custom : null;
    var lang = (state && validLang(state.lang)) || botLang;
    var dir = (state && validDir(state.dir)) || botDir;
    var buttons = usableButtons(message.buttons);
    if (!buttons.length && state && Array.isArray(state.choices)) {
      buttons = usableButtons(state.choices); // a client must be able to answer from the state
    }
    var item = {
      who: "bot",
      text: typeof message.text === "string" ? message.text : "",
      buttons: buttons,
      lang: lang,
      dir: dir
    };
    if (state && state.summary) {
      item.summary = validSummary(state.summary);
    }
    return { item: item, state: state };
  }

  function receive(message) {
    if (!message || typeof message !== "object") {
      return;
    }
    unanswered.forEach(function (turn) {
      turn.answered = true;
    });
    window.clearTimeout(typingTimer);
    setStatus("", false);
    alertRegion.textContent = "";
    var turn = botItem(message);
    if (turn.item.text.trim() || turn.item.buttons.length) {
      disableChoices();
      append(turn.item, true, false);
    }
    var state = turn.state;
    if (state && state.contract !== undefined) {
      conversation.state = state;
      applyState(state);
      applyPageLanguage(botLang, botDir);
      if (turn.item.summary) {
        conversation.lastSummary = turn.item.summary.sections;
      }
      if (state.step === "submitted" && typeof state.reference === "string") {
        conversation.receipt = {
          reference: state.reference,
          sections: conversation.lastSummary || [],
          lang: botLang,
          dir: botDir
        };
        showReceipt(conversation.receipt);
      }
      if (state.step === "cancelled") {
        forgetConversation(); // the bot deleted what was entered; a reload starts afresh
        return;
      }
      if (state.step === "paused") {
        // A shared screen: only the message with the code stays, nothing is kept for a
        // reload, and the draft can be reached again only with the code.
        while (list.children.length > 1) {
          list.removeChild(list.firstChild);
        }
        forgetConversation();
        conversation = { sender: null, token: null, items: [], state: null, receipt: null };
        return;
      }
    }
    saveConversation();
  }

  function warnSession(warning) {
    if (!warning || typeof warning.text !== "string") {
      return;
    }
    alertRegion.textContent = "";
    var box = el("div", "session-warning");
    box.lang = validLang(warning.lang) || botLang;
    box.dir = validDir(warning.dir) || botDir;
    box.appendChild(el("p", null, warning.text));
    var extend = el("button", "tool", warning.extend);
    extend.type = "button";
    extend.addEventListener("click", function () {
      var hadFocus = document.activeElement === extend;
      socket.emit("session_extend", {}, function () {
        alertRegion.textContent = "";
        setStatus(warning.extended, false);
        if (hadFocus) {
          input.focus(); // the button the user pressed is gone
        }
      });
    });
    box.appendChild(extend);
    alertRegion.appendChild(box);
  }

  // --------------------------------------------------------------- sending

  /*
   * Send `message` (text or button payload). `shown` is what the transcript shows as
   * the user's message ({text, lang, dir, fromButton}); null for the silent "/start".
   * socket.io keeps what is sent while the connection is down and sends it on reconnect;
   * the server acknowledges each message once it is answered.
   */
  function send(message, shown, metadata) {
    var userItem = null;
    var userLi = null;
    if (shown) {
      userItem = {
        who: "user",
        text: shown.text,
        lang: validLang(shown.lang) || botLang,
        dir: validDir(shown.dir) || null,
        fromButton: Boolean(shown.fromButton)
      };
      disableChoices();
      userLi = append(userItem, false, true);
      saveConversation();
    }
    setStatus("", false);
    alertRegion.textContent = "";
    typingTimer = window.setTimeout(function () {
      setStatus(texts.typing, false);
    }, TYPING_DELAY_MS);
    var data = { message: message };
    if (metadata) {
      data.metadata = metadata;
    }
    var turn = { answered: false };
    unanswered.push(turn);
    socket.timeout(ACK_TIMEOUT_MS).emit("user_uttered", data, function (error, answer) {
      unanswered.splice(unanswered.indexOf(turn), 1);
      window.clearTimeout(typingTimer);
      if (turn.answered || (!error && answer && answer.ok)) {
        if (statusRegion.textContent === texts.typing) {
          setStatus("", false);
        }
        return; // the bot's answer came (its acknowledgement may be lost with the connection)
      }
      if (error && !socket.connected) {
        // Sent, then the connection dropped: whether the bot got it is unknown, so once
        // the connection is back the bot repeats where the dialogue stands.
        askWhereWeAre = true;
        return;
      }
      var key = answer && answer.error === "bad_request" ? "error_bad_request" : "error_unavailable";
      setStatus(answer && typeof answer.message === "string" ? answer.message : texts[key], true);
      if (userItem) {
        userItem.notSent = true;
        userLi.appendChild(notSentNote());
        saveConversation();
        var groups = list.querySelectorAll(".choices");
        if (groups.length) {
          setChoicesEnabled(groups[groups.length - 1], true);
        }
        if (!shown.fromButton && !input.value) {
          input.value = shown.text; // give the typed text back, ready to send again
        }
      }
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value.trim();
    if (!text) {
      setStatus(texts.empty_message, true);
      input.focus();
      return;
    }
    input.value = "";
    send(text, { text: text, lang: botLang });
    input.focus();
  });

  /* A document question: the file goes to the upload URL, then its id is the answer. */
  uploadInput.addEventListener("change", function () {
    var file = uploadInput.files && uploadInput.files[0];
    if (!file || !askedDocument) {
      return;
    }
    var body = new FormData();
    body.append("sender", conversation.sender);
    body.append("token", conversation.token);
    body.append("document", askedDocument);
    body.append("lang", botLang);
    body.append("file", file);
    setStatus(texts.uploading, false);
    // The language also in the URL: a refusal before the body is read (too large) is localized too.
    var uploadUrl = config.uploadUrl + "?lang=" + encodeURIComponent(botLang);
    window.fetch(uploadUrl, { method: "POST", body: body, credentials: "same-origin" }).then(
      function (answer) {
        return answer.json().then(function (result) {
          uploadInput.value = "";
          if (answer.status !== 201 || !result || typeof result.attachment_id !== "string") {
            setStatus((result && result.message) || texts.error_unavailable, true);
            return;
          }
          send('/inform{"value":"' + result.attachment_id + '"}', { text: file.name });
          setStatus(format(texts.upload_done, { name: file.name }), false);
          input.focus(); // the file field goes away with the next question
        });
      },
      function () {
        setStatus(texts.error_network, true);
      }
    );
  });

  // ----------------------------------------------------------------- tools

  Array.prototype.forEach.call(document.querySelectorAll("[data-payload]"), function (button) {
    button.addEventListener("click", function () {
      send(button.getAttribute("data-payload"), { text: button.textContent, lang: config.lang });
    });
  });

  function closeLanguages(returnFocus) {
    languageList.hidden = true;
    languageToggle.setAttribute("aria-expanded", "false");
    if (returnFocus) {
      languageToggle.focus();
    }
  }

  languageToggle.addEventListener("click", function () {
    var open = languageList.hidden;
    languageList.hidden = !open;
    languageToggle.setAttribute("aria-expanded", String(open));
  });

  Array.prototype.forEach.call(languageList.querySelectorAll("button"), function (button) {
    button.addEventListener("click", function () {
      var lang = button.getAttribute("data-language");
      closeLanguages(true);
      send('/choose_language{"language":"' + lang + '"}', {
        text: button.textContent,
        lang: lang,
        dir: button.dir,
        fromButton: true
      });
    });
  });

  function setTextSize(percent, announce) {
    root.style.fontSize = percent === 100 ? "" : percent + "%";
    var store = storage("localStorage");
    if (store) {
      store.setItem(TEXT_SIZE_KEY, String(percent));
    }
    byId("text-smaller").disabled = percent === TEXT_SIZES[0];
    byId("text-larger").disabled = percent === TEXT_SIZES[TEXT_SIZES.length - 1];
    if (announce) {
      setStatus(format(texts.text_size_status, { percent: percent }), false);
    }
  }

  function currentTextSize() {
    var store = storage("localStorage");
    var stored = Number(store && store.getItem(TEXT_SIZE_KEY));
    return TEXT_SIZES.indexOf(stored) >= 0 ? stored : 100;
  }

  function stepTextSize(step) {
    var index = TEXT_SIZES.indexOf(currentTextSize()) + step;
    var size = TEXT_SIZES[Math.max(0, Math.min(TEXT_SIZES.length - 1, index))];
    setTextSize(size, true);
    // A disabled button loses focus; keep it on the other one.
    var other = byId(step > 0 ? "text-smaller" : "text-larger");
    if (document.activeElement && document.activeElement.disabled) {
      other.focus();
    }
  }

  byId("text-smaller").addEventListener("click", function () {
    stepTextSize(-1);
  });
  byId("text-larger").addEventListener("click", function () {
    stepTextSize(1);
  });

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") {
      return;
    }
    if (!languageList.hidden) {
      closeLanguages(true);
    } else if (config.embed && window.parent !== window) {
      window.parent.postMessage({ type: "antragslotse:close" }, "*");
    }
  });

  window.addEventListener("message", function (event) {
    if (config.embed && event.source === window.parent && event.data && event.data.type === "antragslotse:focus") {
      input.focus(); // the citizen just opened the widget
    }
  });

  if (config.accent) {
    // The service accepted it only with white text at 4.5:1, so it also reads on white.
    root.style.setProperty("--accent", config.accent);
    root.style.setProperty("--user-background", config.accent);
    if (!window.matchMedia("(prefers-color-scheme: dark)").matches) {
      root.style.setProperty("--accent-text", config.accent);
    }
  }

  // ------------------------------------------------------------ connection

  var socket = window.io(config.socketUrl, {
    path: "/socket.io",
    // Only the token the server issued for this tab's conversation lets the socket rejoin it.
    auth: function (reply) {
      reply({ session_id: conversation.sender, token: conversation.token });
    },
    reconnectionDelayMax: 5000
  });

  socket.on("connect", function () {
    socket.emit("session_request", { session_id: conversation.sender, token: conversation.token }, confirmed);
  });

  /* The server confirmed this tab's conversation, or gave it a new one. */
  function confirmed(session) {
    if (!session || typeof session.session_id !== "string" || typeof session.token !== "string") {
      return;
    }
    if (conversation.sender && session.session_id !== conversation.sender) {
      startAfresh(); // the old conversation cannot be reached any more
    }
    conversation.sender = session.session_id;
    conversation.token = session.token;
    saveConversation();
    if (wasConnected) {
      if (askWhereWeAre) {
        askWhereWeAre = false;
        send("/repeat", null);
      }
      setStatus(texts.connected, false);
    } else if (!conversation.items.length) {
      var metadata = { language: config.lang };
      if (config.application) {
        metadata.application = config.application;
      }
      send("/start", null, metadata);
    }
    wasConnected = true;
  }

  function startAfresh() {
    conversation.items = [];
    conversation.state = null;
    conversation.receipt = null;
    while (list.firstChild) {
      list.removeChild(list.firstChild);
    }
    wasConnected = false;
  }

  socket.on("disconnect", function (reason) {
    if (reason !== "io client disconnect") {
      setStatus(texts.reconnecting, true);
    }
  });

  socket.on("connect_error", function () {
    setStatus(wasConnected ? texts.reconnecting : texts.connecting, wasConnected);
  });

  socket.on("bot_uttered", receive);
  socket.on("session_warning", warnSession);

  // For the tests and for people debugging the page: the live connection.
  window.antragslotse = { socket: socket };

  // ------------------------------------------------------------------ start

  setTextSize(currentTextSize(), false);
  if (conversation.items.length) {
    // A reload: show what was said and continue the same conversation.
    var lastButtons = -1;
    conversation.items.forEach(function (item, index) {
      if (item.who === "user" && !item.notSent) {
        lastButtons = -1;
      } else if (item.who === "bot" && item.buttons && item.buttons.length) {
        lastButtons = index;
      }
    });
    conversation.items.forEach(function (item, index) {
      renderItem(item, index === lastButtons);
    });
    if (conversation.state) {
      applyState(conversation.state);
      applyPageLanguage(botLang, botDir);
    }
    if (conversation.receipt) {
      showReceipt(conversation.receipt);
    }
    if (logScrolls()) {
      log.scrollTop = log.scrollHeight;
    }
  } else {
    setStatus(texts.connecting, false);
  }
})();
