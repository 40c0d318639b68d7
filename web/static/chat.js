/*
 * Customer web chat. Plain browser JavaScript, no build step.
 *
 * Session: the web service issues a signed token (POST /api/session), kept in localStorage so a
 * reload continues the conversation; the history comes from GET /api/history. The socket
 * (Rasa's webchat channel) binds to the conversation only through `session_request` with that
 * token. All bot text is inserted with textContent, never as HTML.
 */
(function () {
  "use strict";

  var TOKEN_KEY = "trend-anz-renewals-chat-token";
  var REPLY_TIMEOUT_MS = 45000;
  var config = window.WEB_CHAT_CONFIG;

  var els = {
    status: document.getElementById("connection"),
    queue: document.getElementById("queue-banner"),
    intro: document.getElementById("intro"),
    body: document.querySelector(".chat__body"),
    log: document.getElementById("messages"),
    conversation: document.getElementById("conversation"),
    typing: document.getElementById("typing"),
    agentTyping: document.getElementById("agent-typing"),
    agentTypingText: document.getElementById("agent-typing-text"),
    form: document.getElementById("composer"),
    input: document.getElementById("message-input"),
    restart: document.getElementById("new-conversation"),
    confirmRestart: document.getElementById("confirm-restart"),
    confirmCase: document.getElementById("confirm-restart-case"),
    download: document.getElementById("download-transcript"),
    emailCopy: document.getElementById("email-copy"),
    emailCopyInput: document.getElementById("email-copy-input"),
    emailCopyStatus: document.getElementById("email-copy-status"),
    answerEmail: document.getElementById("answer-email"),
    answerEmailInput: document.getElementById("answer-email-input"),
    answerEmailStatus: document.getElementById("answer-email-status"),
    announcer: document.getElementById("announcer"),
  };

  var socket = null;
  var token = null;
  var confirmed = false;
  var pending = []; // messages typed before the socket joined the conversation
  var replyTimer = null;
  var refusals = 0; // session_error answers since the last session_confirm

  // --- status and typing ---------------------------------------------------------------------

  function setStatus(state, text) {
    els.status.dataset.state = state;
    els.status.textContent = text;
  }

  function setTyping(on) {
    els.typing.hidden = !on;
    clearTimeout(replyTimer);
    if (on) {
      replyTimer = setTimeout(function () {
        els.typing.hidden = true;
        addNotice("The assistant hasn't answered. Please check your connection and try again.");
      }, REPLY_TIMEOUT_MS);
      scrollToEnd();
    }
  }

  function scrollToEnd() {
    els.body.scrollTop = els.body.scrollHeight;
  }

  // --- rendering -----------------------------------------------------------------------------

  var URL_PATTERN = /(https?:\/\/[^\s<>"')]+[^\s<>"').,;:!?])/;

  function appendInline(parent, text) {
    // Plain text, with http(s) links made clickable; everything through textContent.
    var parts = text.split(URL_PATTERN);
    parts.forEach(function (part, index) {
      if (!part) return;
      if (index % 2 === 1) {
        var link = document.createElement("a");
        link.href = part;
        link.textContent = part;
        link.rel = "noopener noreferrer";
        link.target = "_blank";
        parent.appendChild(link);
      } else {
        parent.appendChild(document.createTextNode(part));
      }
    });
  }

  // Line breaks stay line breaks, "- " lines become a bulleted list, "1. " lines a numbered one.
  function renderText(container, text) {
    var paragraph = null;
    var list = null;
    var listType = null;
    String(text).split("\n").forEach(function (line) {
      var bullet = /^\s*[-•*]\s+(.*)$/.exec(line);
      var numbered = /^\s*(\d+)[.)]\s+(.*)$/.exec(line);
      if (bullet || numbered) {
        var type = bullet ? "ul" : "ol";
        if (listType !== type) {
          list = document.createElement(type);
          if (numbered && numbered[1] !== "1") list.start = Number(numbered[1]);
          container.appendChild(list);
          listType = type;
        }
        var item = document.createElement("li");
        appendInline(item, bullet ? bullet[1] : numbered[2]);
        list.appendChild(item);
        paragraph = null;
      } else if (!line.trim()) {
        paragraph = null;
        list = null;
        listType = null;
      } else {
        list = null;
        listType = null;
        if (paragraph) {
          paragraph.appendChild(document.createElement("br"));
        } else {
          paragraph = document.createElement("p");
          container.appendChild(paragraph);
        }
        appendInline(paragraph, line);
      }
    });
  }

  function initials(name) {
    return name
      .split(/\s+/)
      .filter(Boolean)
      .slice(0, 2)
      .map(function (part) { return part.charAt(0).toUpperCase(); })
      .join("");
  }

  // A person from the support team: their name and initials above their words, styled apart from the
  // assistant's, and read out as theirs.
  function agentHeader(item, name) {
    var header = document.createElement("div");
    header.className = "agent";
    header.setAttribute("aria-hidden", "true");
    var avatar = document.createElement("span");
    avatar.className = "agent__avatar";
    avatar.textContent = initials(name);
    var label = document.createElement("span");
    label.className = "agent__name";
    label.textContent = name + " · support team";
    header.appendChild(avatar);
    header.appendChild(label);
    item.appendChild(header);
  }

  // When each message was sent, in the customer's own time zone: "2:05 pm", with the day when it was not
  // today. A run of messages from the same sender in the same minute shows it once, under the first.
  var TIME_FORMAT = new Intl.DateTimeFormat(undefined, { hour: "numeric", minute: "2-digit" });
  var DAY_FORMAT = new Intl.DateTimeFormat(undefined, { weekday: "short", day: "numeric", month: "short" });
  var lastStamp = null;

  function stamp(item, sender, at) {
    var moment = at ? new Date(at) : new Date();
    if (isNaN(moment.getTime())) return;
    var minute = sender + " " + Math.floor(moment.getTime() / 60000);
    if (minute === lastStamp) return;
    lastStamp = minute;
    var time = document.createElement("time");
    time.className = "message__time";
    time.dateTime = moment.toISOString();
    var today = new Date().toDateString() === moment.toDateString();
    time.textContent = (today ? "" : DAY_FORMAT.format(moment) + ", ") + TIME_FORMAT.format(moment);
    item.appendChild(time);
  }

  // What the page shows, for the copy a customer can save before starting a new chat.
  var transcript = [];

  function addMessage(sender, text, quickReplies, agent, at) {
    els.intro.hidden = true;
    var who = sender === "user" ? "You" : sender === "bot" ? "Assistant" : sender === "agent" ? agent : "Notice";
    transcript.push({ who: who, at: at ? new Date(at) : new Date(), text: text || "" });
    var item = document.createElement("li");
    item.className = "message message--" + sender;
    if (sender === "agent") agentHeader(item, agent);
    var bubble = document.createElement("div");
    bubble.className = "bubble";
    var label = document.createElement("span");
    label.className = "visually-hidden";
    label.textContent =
      sender === "user" ? "You said: "
      : sender === "bot" ? "Assistant: "
      : sender === "agent" ? agent + " from the support team: "
      : "Notice: ";
    bubble.appendChild(label);
    renderText(bubble, text || "");
    item.appendChild(bubble);
    stamp(item, sender, at);
    if (quickReplies && quickReplies.length) {
      item.appendChild(renderQuickReplies(quickReplies));
    }
    els.log.appendChild(item);
    scrollToEnd();
    return item;
  }

  function addNotice(text, at) {
    return addMessage("notice", text, [], null, at);
  }

  function renderQuickReplies(replies) {
    var group = document.createElement("div");
    group.className = "quick-replies";
    group.setAttribute("role", "group");
    group.setAttribute("aria-label", "Suggested replies");
    replies.forEach(function (reply) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "quick-reply";
      button.textContent = reply.title;
      button.addEventListener("click", function () {
        send(reply.payload || reply.title, reply.title);
      });
      group.appendChild(button);
    });
    return group;
  }

  function removeQuickReplies() {
    // The rating's buttons stay: it can still be answered after the customer carries on.
    Array.prototype.forEach.call(els.log.querySelectorAll(".message:not(.rating) > .quick-replies"), function (group) {
      group.remove();
    });
  }

  function quickRepliesOf(message) {
    return message.quick_replies || message.buttons || [];
  }

  function showBotMessage(message) {
    if (!message || (typeof message.text !== "string" && !quickRepliesOf(message).length)) return;
    if (message.agent) {
      showAgentTyping(null); // their words are in
      addMessage("agent", message.text || "", [], String(message.agent));
      if (!withPerson) setWithPerson(true);
    } else {
      addMessage("bot", message.text || "", quickRepliesOf(message));
      if (withPerson) setWithPerson(false); // the assistant is back
    }
  }

  // --- typing, with a person ----------------------------------------------------------------

  var TYPING_POLL_MS = 2000;
  var TYPING_REPORT_MS = 3000;
  var withPerson = false; // a person from the support team is in (or about to join) the chat
  var typingPoll = null;
  var lastTypingReport = 0;

  // While a person is in the chat: "<name> is typing…" when they are, and the customer's own typing
  // reported to them (at most every 3 seconds).
  function setWithPerson(on) {
    withPerson = on;
    clearTimeout(typingPoll);
    if (on) pollAgentTyping();
    else showAgentTyping(null);
  }

  function showAgentTyping(name) {
    els.agentTyping.hidden = !name;
    els.agentTypingText.textContent = name ? name + " is typing…" : "";
    if (name) scrollToEnd();
  }

  function pollAgentTyping() {
    clearTimeout(typingPoll);
    if (!withPerson || !token) return;
    fetch("/api/typing", { headers: { Accept: "application/json", "X-Chat-Session": token } })
      .then(function (response) {
        if (!response.ok) throw new Error("typing " + response.status);
        return response.json();
      })
      .then(function (body) { showAgentTyping(body && body.agent); })
      .catch(function () { showAgentTyping(null); })
      .finally(function () {
        if (withPerson) typingPoll = setTimeout(pollAgentTyping, TYPING_POLL_MS);
      });
  }

  els.input.addEventListener("input", function () {
    var waiting = withPerson || !els.queue.hidden;
    var now = Date.now();
    if (!waiting || !token || !els.input.value.trim() || now - lastTypingReport < TYPING_REPORT_MS) return;
    lastTypingReport = now;
    fetch("/api/typing", { method: "POST", headers: { Accept: "application/json", "X-Chat-Session": token } })
      .catch(function () {});
  });

  // --- queue banner --------------------------------------------------------------------------

  var QUEUE_REFRESH_MS = 20000;
  var queueTimer = null;

  // While the chat waits for a person: the place in the queue and when to expect a reply, read again
  // after every turn and every 20 seconds until a person joins or the chat goes back to the assistant.
  function refreshQueue() {
    clearTimeout(queueTimer);
    if (!token) return;
    fetch("/api/queue", { headers: { Accept: "application/json", "X-Chat-Session": token } })
      .then(function (response) {
        if (!response.ok) throw new Error("queue " + response.status);
        return response.json();
      })
      .then(function (standing) {
        var waiting = Boolean(standing && standing.waiting);
        if (!waiting) {
          els.queue.hidden = true;
          els.queue.textContent = "";
          els.answerEmail.hidden = true;
          return;
        }
        if (els.queue.textContent !== standing.text) els.queue.textContent = standing.text;
        els.queue.hidden = false;
        // Out of hours nobody answers here soon: offer the reply by email, until an address is given.
        els.answerEmail.hidden = standing.open_now || Boolean(standing.emailing_to);
        queueTimer = setTimeout(refreshQueue, QUEUE_REFRESH_MS);
      })
      .catch(function () {
        // Keep what is shown; try again later.
        if (!els.queue.hidden) queueTimer = setTimeout(refreshQueue, QUEUE_REFRESH_MS);
      });
  }

  // --- emails the customer asks for ------------------------------------------------------------

  // POST {email} to `url`; the answer's message (or a plain one) is shown in `status`.
  function submitEmail(url, input, status, done) {
    var address = input.value.trim();
    status.dataset.state = "";
    if (!address) {
      status.dataset.state = "error";
      status.textContent = "Please type an email address first.";
      input.focus();
      return;
    }
    status.textContent = "Sending…";
    fetch(url, {
      method: "POST",
      headers: { Accept: "application/json", "Content-Type": "application/json", "X-Chat-Session": token },
      body: JSON.stringify({ email: address })
    })
      .then(function (response) {
        return response.json().then(function (body) { return { ok: response.ok, body: body || {} }; },
          function () { return { ok: response.ok, body: {} }; });
      })
      .then(function (answer) {
        if (answer.ok) {
          done(address);
          return;
        }
        status.dataset.state = "error";
        status.textContent = answer.body.message || "That couldn't be sent just now. Please try again in a minute.";
        input.focus();
      }, function () {
        status.dataset.state = "error";
        status.textContent = "That couldn't be sent just now. Please try again in a minute.";
      });
  }

  els.emailCopy.addEventListener("submit", function (event) {
    event.preventDefault();
    submitEmail("/api/email-transcript", els.emailCopyInput, els.emailCopyStatus, function (address) {
      els.emailCopyStatus.textContent = "A copy of this chat is on its way to " + address + ".";
    });
  });

  els.answerEmail.addEventListener("submit", function (event) {
    event.preventDefault();
    submitEmail("/api/answer-by-email", els.answerEmailInput, els.answerEmailStatus, function (address) {
      els.answerEmailInput.value = "";
      els.answerEmailStatus.textContent = "";
      addNotice("Thanks. The support team's reply will also be emailed to " + address + ". You can leave this page.");
      refreshQueue();
    });
  });

  // --- end-of-chat rating --------------------------------------------------------------------

  var rated = false; // this conversation's rating was stored: don't ask again

  // "Did this solve your problem?" after a goodbye, answered with two buttons; the answer is stored
  // (POST /api/rating) and can be changed by answering again until a new chat starts.
  function askForRating() {
    if (rated || els.log.querySelector(".rating")) return;
    var item = document.createElement("li");
    item.className = "message message--notice rating";
    var question = document.createElement("p");
    question.className = "rating__question";
    question.id = "rating-question";
    question.textContent = "Did this solve your problem?";
    var group = document.createElement("div");
    group.className = "quick-replies";
    group.setAttribute("role", "group");
    group.setAttribute("aria-labelledby", "rating-question");
    [["Yes", true], ["No", false]].forEach(function (choice) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "quick-reply";
      button.textContent = choice[0];
      button.addEventListener("click", function () {
        rate(item, group, choice[1]);
      });
      group.appendChild(button);
    });
    item.appendChild(question);
    item.appendChild(group);
    els.log.appendChild(item);
    scrollToEnd();
  }

  function rate(item, group, solved) {
    Array.prototype.forEach.call(group.querySelectorAll("button"), function (b) { b.disabled = true; });
    fetch("/api/rating", {
      method: "POST",
      headers: { Accept: "application/json", "Content-Type": "application/json", "X-Chat-Session": token },
      body: JSON.stringify({ solved: solved }),
    })
      .then(function (response) {
        if (!response.ok) throw new Error("rating " + response.status);
        rated = true;
        var thanks = document.createElement("p");
        thanks.setAttribute("role", "status");
        thanks.textContent = solved
          ? "Thanks for letting us know."
          : "Thanks for letting us know. If you still need help, type your question or say \"talk to a person\".";
        item.replaceChildren(thanks);
      })
      .catch(function () {
        Array.prototype.forEach.call(group.querySelectorAll("button"), function (b) { b.disabled = false; });
        addNotice("Your answer couldn't be saved just now. Please try again in a minute.");
      });
  }

  // --- session and history -------------------------------------------------------------------

  function storedToken() {
    try {
      return window.localStorage.getItem(TOKEN_KEY);
    } catch (error) {
      return null;
    }
  }

  function storeToken(value) {
    try {
      if (value) window.localStorage.setItem(TOKEN_KEY, value);
      else window.localStorage.removeItem(TOKEN_KEY);
    } catch (error) {
      /* private mode: the conversation just won't survive a reload */
    }
  }

  function newToken() {
    return fetch("/api/session", { method: "POST", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) {
          var error = new Error("session " + response.status);
          error.status = response.status;
          throw error;
        }
        return response.json();
      })
      .then(function (body) {
        storeToken(body.token);
        return body.token;
      });
  }

  // Resolves to the restored messages, or null when the token is no longer valid.
  function loadHistory(value) {
    return fetch("/api/history", { headers: { Accept: "application/json", "X-Chat-Session": value } })
      .then(function (response) {
        if (response.status === 401) return null;
        if (!response.ok) throw new Error("history " + response.status);
        return response.json().then(function (body) {
          rated = typeof body.solved === "boolean";
          return body.messages || [];
        });
      });
  }

  function restore(messages) {
    // Restored messages are not news: keep screen readers from reading them all out.
    els.conversation.setAttribute("aria-live", "off");
    messages.forEach(function (message, index) {
      var last = index === messages.length - 1;
      if (message.sender === "user") addMessage("user", message.text, [], null, message.at);
      else if (message.sender === "agent") addMessage("agent", message.text, [], message.agent, message.at);
      else if (message.sender === "notice") addNotice(message.text, message.at);
      else addMessage("bot", message.text, last ? quickRepliesOf(message) : [], null, message.at);
    });
    var lastMessage = messages[messages.length - 1];
    if (lastMessage && lastMessage.asks_rating) askForRating();
    var lastSpoken = messages.filter(function (m) { return m.sender !== "user"; }).pop();
    if (lastSpoken && (lastSpoken.sender === "agent" || lastSpoken.sender === "notice")) setWithPerson(true);
    setTimeout(function () {
      els.conversation.setAttribute("aria-live", "polite");
    }, 0);
    if (messages.length) {
      els.announcer.textContent = "Your earlier conversation has been restored.";
    }
  }

  // A renewal notice's "Check my renewal" link: /#renewal=<token>. The token is taken out of the address
  // bar at once (a reload or a shared screen never repeats it) and opens a new conversation about that licence.
  function noticeLink() {
    var match = /^#renewal=([A-Za-z0-9._-]{1,200})$/.exec(window.location.hash || "");
    if (!match) return null;
    window.history.replaceState(null, "", window.location.pathname + window.location.search);
    return match[1];
  }

  function openNoticeLink(link) {
    setTyping(true);
    return fetch("/api/renewal-link", {
      method: "POST",
      headers: { Accept: "application/json", "Content-Type": "application/json", "X-Chat-Session": token },
      body: JSON.stringify({ link: link }),
    })
      .then(function (response) {
        if (!response.ok) throw new Error("renewal link " + response.status);
        return response.json();
      })
      .then(function (body) {
        setTyping(false);
        (body.messages || []).forEach(function (message, index, all) {
          addMessage("bot", message.text, index === all.length - 1 ? quickRepliesOf(message) : []);
        });
      })
      .catch(function () {
        setTyping(false);
        addNotice("Your renewal link couldn't be opened just now. You can still ask me about your licence here.");
      });
  }

  function startSession() {
    return openSession().then(function (value) {
      refreshQueue(); // a reload while waiting for a person shows the banner again
      if (withPerson) pollAgentTyping(); // restored with a person in the chat
      return value;
    });
  }

  function openSession() {
    var link = noticeLink();
    if (link) {
      storeToken(null);
      return newToken().then(function (value) {
        token = value;
        return openNoticeLink(link).then(function () {
          return value;
        });
      });
    }
    var existing = storedToken();
    var ready = existing
      ? loadHistory(existing).then(function (messages) {
          if (messages === null) return newToken();
          restore(messages);
          return existing;
        })
      : newToken();
    return ready.then(function (value) {
      token = value;
    });
  }

  // --- socket --------------------------------------------------------------------------------

  function requestSession() {
    confirmed = false;
    socket.emit("session_request", { token: token });
  }

  function connect() {
    socket = window.io(config.socketUrl, { path: config.socketPath, transports: ["websocket", "polling"] });
    socket.on("connect", requestSession);
    socket.on("session_confirm", function () {
      confirmed = true;
      refusals = 0;
      setStatus("connected", "Connected");
      scrollToEnd();
      while (pending.length) socket.emit("user_uttered", { message: pending.shift() });
    });
    socket.on("session_error", function (data) {
      if (!data || data.error !== "invalid_session_token") {
        requestSession(); // this socket lost its binding (e.g. the server restarted): bind again
        return;
      }
      // The token was refused (e.g. the server's secret changed): start a new conversation, once.
      refusals += 1;
      if (refusals > 1) {
        failed();
        return;
      }
      storeToken(null);
      newToken().then(function (value) {
        token = value;
        addNotice("Your previous conversation could not be continued, so a new one has started.");
        requestSession();
      }, failed);
    });
    socket.on("bot_uttered", showBotMessage);
    socket.on("rating_request", askForRating);
    // The channel's own notices (e.g. a message typed while waiting for a person was added to the case).
    socket.on("chat_notice", function (data) {
      if (data && typeof data.text === "string") {
        setTyping(false);
        addNotice(data.text);
        if (data.kind === "joined") setWithPerson(true);
        refreshQueue(); // e.g. a person joined: the chat no longer waits in the queue
      }
    });
    socket.on("bot_typing", function (data) {
      var typing = Boolean(data && data.typing);
      setTyping(typing);
      if (!typing) refreshQueue(); // the turn is over: a hand-off may have started or ended
    });
    socket.on("message_error", function () {
      setTyping(false);
      addNotice("That message was too long. Please shorten it and try again.");
    });
    socket.on("disconnect", function () {
      confirmed = false;
      setStatus("connecting", "Connection lost. Reconnecting…");
    });
    socket.on("connect_error", function () {
      setStatus("error", "Can't reach the assistant right now. Retrying…");
    });
  }

  function failed() {
    setStatus("error", "The chat couldn't start. Please reload the page to try again.");
  }

  // --- sending -------------------------------------------------------------------------------

  function send(payload, shownText) {
    var text = (payload || "").trim();
    if (!text) return;
    removeQuickReplies();
    addMessage("user", shownText || text);
    setTyping(true);
    if (confirmed) socket.emit("user_uttered", { message: text });
    else pending.push(text);
    els.input.focus();
  }

  els.form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = els.input.value;
    if (!text.trim()) {
      els.input.focus();
      return;
    }
    els.input.value = "";
    send(text);
  });

  // --- new chat ------------------------------------------------------------------------------

  var CASE_REFERENCE = /RN-\d{4}-\d{6}/g;

  function saveTranscript() {
    var lines = ["Trend Micro licensing and renewals assistant: your chat", ""];
    transcript.forEach(function (entry) {
      lines.push("[" + entry.at.toLocaleString() + "] " + entry.who + ":");
      lines.push(entry.text, "");
    });
    var link = document.createElement("a");
    link.href = URL.createObjectURL(new Blob([lines.join("\n")], { type: "text/plain;charset=utf-8" }));
    link.download = "trend-micro-renewals-chat-" + new Date().toISOString().slice(0, 10) + ".txt";
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(function () { URL.revokeObjectURL(link.href); }, 0);
  }

  // "New chat" asks first: the conversation, and any case reference in it, can't be brought back.
  els.restart.addEventListener("click", function () {
    if (!transcript.length || typeof els.confirmRestart.showModal !== "function") {
      restart();
      return;
    }
    var references = transcript.map(function (entry) { return entry.text; }).join(" ").match(CASE_REFERENCE);
    var unique = references ? references.filter(function (ref, i) { return references.indexOf(ref) === i; }) : [];
    els.confirmCase.hidden = !unique.length;
    els.confirmCase.textContent = unique.length
      ? (unique.length === 1 ? "Your case " + unique[0] + " stays open" : "Your cases " + unique.join(" and ") + " stay open") +
        ". Keep the reference to quote if you get in touch."
      : "";
    els.emailCopyStatus.textContent = "";
    els.confirmRestart.returnValue = "";
    els.confirmRestart.showModal();
  });
  els.download.addEventListener("click", saveTranscript);
  els.confirmRestart.addEventListener("close", function () {
    if (els.confirmRestart.returnValue === "restart") restart();
    else els.input.focus();
  });

  function restart() {
    storeToken(null);
    els.log.textContent = "";
    transcript = [];
    lastStamp = null;
    rated = false;
    setWithPerson(false);
    clearTimeout(queueTimer);
    els.queue.hidden = true;
    els.queue.textContent = "";
    els.answerEmail.hidden = true;
    els.intro.hidden = false;
    setTyping(false);
    pending = [];
    newToken().then(function (value) {
      token = value;
      els.announcer.textContent = "A new conversation has started.";
      if (socket && socket.connected) requestSession();
      els.input.focus();
    }, failed);
  }

  // The assistant may still be starting (e.g. right after `make run`): retry for a while.
  function start(attempt) {
    startSession().then(function () {
      connect();
      els.input.focus(); // ready to type: no click needed first
    }, function (error) {
      if (error && error.status === 429) {
        // Too many new chats from this address: retrying now would only be refused again.
        setStatus("error", "Too many new chats have been started from your network in the last hour. Please try again later.");
        return;
      }
      if (attempt >= 20) {
        failed();
        return;
      }
      setStatus("connecting", "Waiting for the assistant to start…");
      setTimeout(function () {
        start(attempt + 1);
      }, 3000);
    });
  }

  if (!config || typeof window.io !== "function") {
    failed();
    return;
  }
  start(1);
})();
