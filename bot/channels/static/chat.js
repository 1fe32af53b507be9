/*
 * Antragslotse full-page chat.
 *
 * Talks to the same-origin proxy (POST <config.webhook>) in the shape of Rasa's REST
 * channel and renders the answer into an append-only role="log" transcript.
 * Rules kept here (see shared/research/accessibility.md):
 * - every text comes from the page (#texts) or from the bot, never from this file;
 * - bot text is inserted as text (never as HTML), "\n" becomes a line break;
 * - focus moves only after a user action, and then to the message input;
 * - "sending" and errors go to the separate role="status" region.
 */
(function () {
  "use strict";

  var STORAGE_PREFIX = "antragslotse.chat.v1:";
  var SENDING_DELAY_MS = 400;
  var REQUEST_TIMEOUT_MS = 35000;
  var INPUT_MODES = {
    integer: "numeric",
    count: "numeric",
    postal_code: "numeric",
    money: "decimal",
    email: "email",
    phone: "tel"
  };
  var LANG_RE = /^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$/;
  var AUTOCOMPLETE_RE = /^[A-Za-z0-9 -]{1,100}$/;

  document.documentElement.classList.remove("no-js");

  var texts = readJson("texts");
  var config = readJson("config");
  var pageLang = config.lang;
  var pageDir = config.dir;

  var log = document.getElementById("log");
  var list = document.getElementById("messages");
  var statusRegion = document.getElementById("status");
  var progressLine = document.getElementById("progress");
  var form = document.getElementById("composer");
  var input = document.getElementById("message");
  var uploadBox = document.getElementById("upload");
  var uploadInput = document.getElementById("upload-file");
  var askedDocument = null;

  var storageKey = STORAGE_PREFIX + pageLang + ":" + (config.application || "");
  var conversation = loadConversation();
  var botLang = (conversation.state && validLang(conversation.state.lang)) || pageLang;
  var botDir = (conversation.state && validDir(conversation.state.dir)) || pageDir;
  var queue = Promise.resolve();
  var messageCounter = 0;

  // ---------------------------------------------------------------- helpers

  function readJson(id) {
    var element = document.getElementById(id);
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

  function newSender() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map
      .call(bytes, function (b) {
        return ("0" + b.toString(16)).slice(-2);
      })
      .join("");
  }

  function loadConversation() {
    try {
      var stored = JSON.parse(window.sessionStorage.getItem(storageKey) || "null");
      if (stored && typeof stored.sender === "string" && Array.isArray(stored.items)) {
        return stored;
      }
    } catch (e) {
      // Storage disabled or unreadable: the conversation then lives as long as the page.
    }
    return { sender: newSender(), items: [], state: null };
  }

  function saveConversation() {
    try {
      window.sessionStorage.setItem(storageKey, JSON.stringify(conversation));
    } catch (e) {
      // Storage full or disabled: nothing to do, the page still works.
    }
  }

  function forgetConversation() {
    try {
      window.sessionStorage.removeItem(storageKey);
    } catch (e) {
      // see saveConversation
    }
  }

  function setStatus(text, isError) {
    statusRegion.textContent = text || "";
    statusRegion.classList.toggle("is-error", Boolean(isError));
  }

  // -------------------------------------------------------------- rendering

  /* A <div> of paragraphs: blank lines separate paragraphs, "\n" breaks lines. */
  function textBlock(text) {
    var block = document.createElement("div");
    block.className = "message-text";
    String(text)
      .replace(/\r\n?/g, "\n")
      .split(/\n{2,}/)
      .forEach(function (paragraphText) {
        if (!paragraphText.trim()) {
          return;
        }
        var paragraph = document.createElement("p");
        paragraphText.split("\n").forEach(function (line, index) {
          if (index > 0) {
            paragraph.appendChild(document.createElement("br"));
          }
          paragraph.appendChild(document.createTextNode(line));
        });
        block.appendChild(paragraph);
      });
    return block;
  }

  function senderLabel(text) {
    var label = document.createElement("span");
    label.className = "visually-hidden";
    label.lang = pageLang;
    label.dir = pageDir;
    label.textContent = text + " ";
    return label;
  }

  function disableChoices() {
    var buttons = list.querySelectorAll(".choices button");
    for (var i = 0; i < buttons.length; i++) {
      buttons[i].disabled = true;
    }
  }

  function enableLastChoices() {
    var groups = list.querySelectorAll(".choices");
    if (!groups.length) {
      return;
    }
    var buttons = groups[groups.length - 1].querySelectorAll("button");
    for (var i = 0; i < buttons.length; i++) {
      buttons[i].disabled = false;
    }
  }

  function choiceGroup(buttons, labelId, lang, dir, active) {
    var group = document.createElement("div");
    group.className = "choices";
    group.setAttribute("role", "group");
    if (labelId) {
      group.setAttribute("aria-labelledby", labelId);
    } else {
      group.setAttribute("aria-label", texts.choices_label);
    }
    buttons.forEach(function (choice) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "choice";
      button.textContent = choice.title;
      button.disabled = !active;
      button.addEventListener("click", function () {
        send(choice.payload, { text: choice.title, lang: lang, dir: dir, fromButton: true });
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
    return buttons.filter(function (b) {
      return b && typeof b.title === "string" && b.title && typeof b.payload === "string" && b.payload;
    });
  }

  /* One transcript item from its stored record; `active` keeps its buttons usable. */
  function renderItem(item, active) {
    var li = document.createElement("li");
    messageCounter += 1;
    if (item.who === "user") {
      li.className = "message message-user";
      li.appendChild(senderLabel(texts.sender_user));
    } else {
      li.className = "message message-bot";
      li.appendChild(senderLabel(texts.sender_bot));
    }
    if (validLang(item.lang)) {
      li.lang = item.lang;
    }
    li.dir = item.who === "user" && !item.fromButton ? "auto" : validDir(item.dir) || "auto";

    var labelId = null;
    if (item.text) {
      var block = textBlock(item.text);
      labelId = "message-" + messageCounter;
      block.id = labelId;
      li.appendChild(block);
    }
    var buttons = usableButtons(item.buttons);
    if (buttons.length) {
      li.appendChild(choiceGroup(buttons, labelId, item.lang, item.dir, active));
    }
    if (item.notSent) {
      li.appendChild(notSentNote());
    }
    list.appendChild(li);
    return li;
  }

  function notSentNote() {
    var note = document.createElement("p");
    note.className = "not-sent";
    note.lang = pageLang;
    note.dir = pageDir;
    note.textContent = texts.not_sent;
    return note;
  }

  /* Bring new items into view, unless the reader has scrolled up to read older ones. */
  function reveal(firstNew, wasAtBottom) {
    if (!firstNew || !wasAtBottom) {
      return;
    }
    if (logScrolls()) {
      var target = firstNew.offsetTop - 8;
      log.scrollTop = Math.max(0, Math.min(target, log.scrollHeight - log.clientHeight));
      return;
    }
    var rect = firstNew.getBoundingClientRect();
    if (rect.top < 0 || rect.bottom > window.innerHeight) {
      firstNew.scrollIntoView({ block: "start" });
    }
  }

  function logScrolls() {
    var overflow = window.getComputedStyle(log).overflowY;
    return (overflow === "auto" || overflow === "scroll") && log.scrollHeight > log.clientHeight;
  }

  function atBottom() {
    if (logScrolls()) {
      return log.scrollHeight - log.scrollTop - log.clientHeight < 48;
    }
    return true;
  }

  function append(items, options) {
    var wasAtBottom = options.force || atBottom();
    var first = null;
    items.forEach(function (item) {
      var li = renderItem(item, options.active);
      first = first || li;
      if (options.store) {
        conversation.items.push(item);
      }
    });
    reveal(first, wasAtBottom);
    return first;
  }

  // ----------------------------------------------------------------- state

  function applyState(state) {
    if (!state) {
      return;
    }
    botLang = validLang(state.lang) || botLang;
    botDir = validDir(state.dir) || botDir;

    var hints = state.input && typeof state.input === "object" ? state.input : null;
    var autocomplete =
      hints && typeof hints.autocomplete === "string" && AUTOCOMPLETE_RE.test(hints.autocomplete)
        ? hints.autocomplete
        : "off";
    input.setAttribute("autocomplete", autocomplete);
    input.setAttribute("inputmode", (hints && INPUT_MODES[hints.type]) || "text");
    input.lang = botLang;
    askedDocument = hints && hints.type === "file" && typeof hints.document === "string"
      ? hints.document
      : null;
    uploadBox.hidden = !askedDocument;
    if (askedDocument && typeof hints.accept === "string") {
      uploadInput.setAttribute("accept", hints.accept);
    }

    var progress = state.progress;
    if (
      state.application &&
      progress &&
      typeof progress.answered === "number" &&
      typeof progress.total === "number" &&
      progress.total > 0
    ) {
      var asking = state.step === "ask" || state.step === "invalid" || state.step === "help";
      progressLine.textContent = asking
        ? format(texts.progress_question, {
            current: Math.min(progress.answered + 1, progress.total),
            total: progress.total
          })
        : format(texts.progress_answered, { answered: progress.answered, total: progress.total });
      progressLine.hidden = false;
      input.setAttribute("aria-describedby", "message-hint progress");
    } else {
      progressLine.textContent = "";
      progressLine.hidden = true;
      input.setAttribute("aria-describedby", "message-hint");
    }
  }

  /* Rasa's list of messages for one turn -> transcript records (+ the turn's state). */
  function turnItems(messages) {
    var state = null;
    messages.forEach(function (m) {
      if (m && m.custom && typeof m.custom === "object" && m.custom.contract !== undefined) {
        state = m.custom;
      }
    });
    var lang = (state && validLang(state.lang)) || botLang;
    var dir = (state && validDir(state.dir)) || botDir;
    var items = [];
    var hasButtons = false;
    messages.forEach(function (m) {
      if (!m || typeof m !== "object") {
        return;
      }
      var text = typeof m.text === "string" ? m.text : "";
      var buttons = usableButtons(m.buttons).map(function (b) {
        return { title: b.title, payload: b.payload };
      });
      if (!text.trim() && !buttons.length) {
        return; // custom state, images without alt text, ...: not a message to show
      }
      hasButtons = hasButtons || buttons.length > 0;
      items.push({ who: "bot", text: text, buttons: buttons, lang: lang, dir: dir });
    });
    // A client must be able to answer from the state alone (contract: `choices`).
    var choices = state && Array.isArray(state.choices) ? usableButtons(state.choices) : [];
    if (!hasButtons && choices.length) {
      var choiceButtons = choices.map(function (c) {
        return { title: c.title, payload: c.payload };
      });
      if (items.length) {
        items[items.length - 1].buttons = choiceButtons;
      } else {
        items.push({ who: "bot", text: "", buttons: choiceButtons, lang: lang, dir: dir });
      }
    }
    return { items: items, state: state };
  }

  // --------------------------------------------------------------- sending

  function post(message, metadata) {
    var body = { sender: conversation.sender, message: message };
    if (metadata) {
      body.metadata = metadata;
    }
    var controller = window.AbortController ? new AbortController() : null;
    var timer = controller
      ? window.setTimeout(function () {
          controller.abort();
        }, REQUEST_TIMEOUT_MS)
      : null;
    return window
      .fetch(config.webhook, {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify(body),
        credentials: "same-origin",
        signal: controller ? controller.signal : undefined
      })
      .then(
        function (answer) {
          window.clearTimeout(timer);
          if (answer.status === 400) {
            throw new Error("error_bad_request");
          }
          if (!answer.ok) {
            throw new Error("error_unavailable");
          }
          return answer.json().then(function (messages) {
            if (!Array.isArray(messages)) {
              throw new Error("error_unavailable");
            }
            return messages;
          });
        },
        function () {
          window.clearTimeout(timer);
          throw new Error("error_network");
        }
      );
  }

  /*
   * Send `message` (text or button payload). `shown` is what the transcript shows as
   * the user's message ({text, lang, dir, fromButton}); null for the silent "/start".
   * Turns are sent one after another, in the order the user gave them.
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
      userLi = append([userItem], { store: true, active: false, force: true });
      saveConversation();
    }
    setStatus("", false);
    queue = queue.then(function () {
      var sendingTimer = window.setTimeout(function () {
        setStatus(texts.sending, false);
      }, SENDING_DELAY_MS);
      return post(message, metadata).then(
        function (messages) {
          window.clearTimeout(sendingTimer);
          setStatus("", false);
          receive(messages);
        },
        function (error) {
          window.clearTimeout(sendingTimer);
          var key = texts[error.message] ? error.message : "error_unavailable";
          setStatus(texts[key], true);
          if (userItem) {
            var wasAtBottom = atBottom();
            userItem.notSent = true;
            userLi.appendChild(notSentNote());
            reveal(userLi, wasAtBottom);
            saveConversation();
          }
          enableLastChoices();
          if (shown && !shown.fromButton && !input.value) {
            input.value = shown.text; // give the typed text back, ready to send again
          }
        }
      );
    });
  }

  function receive(messages) {
    var turn = turnItems(messages);
    append(turn.items, { store: true, active: true, force: false });
    if (turn.state) {
      conversation.state = turn.state;
      applyState(turn.state);
    }
    if (turn.state && turn.state.step === "cancelled") {
      // The bot deleted what was entered; a reload starts a new conversation.
      forgetConversation();
    } else {
      saveConversation();
    }
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

  // ------------------------------------------------------------------ start

  /* A document question: the file goes to /chat/upload, then its id is the answer. */
  uploadInput.addEventListener("change", function () {
    var file = uploadInput.files && uploadInput.files[0];
    if (!file || !askedDocument) {
      return;
    }
    var data = new FormData();
    data.append("sender", conversation.sender);
    data.append("document", askedDocument);
    data.append("lang", botLang);
    data.append("file", file);
    setStatus(texts.uploading, false);
    fetch(config.uploadUrl, { method: "POST", body: data, credentials: "same-origin" }).then(
      function (answer) {
        return answer.json().then(function (body) {
          uploadInput.value = "";
          if (answer.status !== 201 || !body || typeof body.attachment_id !== "string") {
            setStatus((body && body.message) || texts.error_unavailable, true);
            return;
          }
          send('/inform{"value":"' + body.attachment_id + '"}', { text: file.name });
        });
      },
      function () {
        setStatus(texts.error_network, true);
      }
    );
  });

  if (conversation.items.length) {
    // A reload: show what was said and continue the same conversation.
    var lastBot = -1;
    conversation.items.forEach(function (item, index) {
      if (item.who === "bot" && item.buttons && item.buttons.length) {
        lastBot = index;
      }
    });
    var lastUser = -1;
    conversation.items.forEach(function (item, index) {
      if (item.who === "user" && !item.notSent) {
        lastUser = index;
      }
    });
    conversation.items.forEach(function (item, index) {
      renderItem(item, index === lastBot && lastBot > lastUser);
    });
    applyState(conversation.state);
    if (logScrolls()) {
      log.scrollTop = log.scrollHeight;
    }
  } else {
    var metadata = { language: pageLang };
    if (config.application) {
      metadata.application = config.application;
    }
    saveConversation();
    send("/start", null, metadata);
  }
})();
