// The account pages: verify an email, choose a new password, approve a TV's code.
// Everything the page shows is set with textContent: nothing from the address bar or from an answer
// can become markup. Tokens live in variables only, gone with the page.
"use strict";

(function () {
  const API = "/api/v1";

  // Reads a value from the query string, then takes the query out of the address bar (and so out
  // of the history, of bookmarks, and of anything shown to someone looking over a shoulder).
  function takeFromAddress(name) {
    const value = new URLSearchParams(window.location.search).get(name);
    if (window.location.search) {
      window.history.replaceState(null, "", window.location.pathname);
    }
    return value;
  }

  async function post(path, body, accessToken) {
    const headers = { "Content-Type": "application/json", Accept: "application/json, application/problem+json" };
    if (accessToken) {
      headers.Authorization = "Bearer " + accessToken;
    }
    let response;
    try {
      response = await fetch(API + path, {
        method: "POST",
        headers: headers,
        body: JSON.stringify(body),
        credentials: "omit",
        cache: "no-store",
        referrerPolicy: "no-referrer",
      });
    } catch (error) {
      return { status: 0, body: { detail: "The service could not be reached. Check your connection and try again." } };
    }
    let parsed = {};
    if (response.status !== 204) {
      try {
        parsed = await response.json();
      } catch (error) {
        parsed = {};
      }
    }
    return { status: response.status, body: parsed };
  }

  function problemText(answer) {
    const body = answer.body || {};
    const text = typeof body.detail === "string" && body.detail ? body.detail : body.title;
    return typeof text === "string" && text ? text : "Something went wrong (" + answer.status + "). Please try again.";
  }

  function byId(id) {
    return document.getElementById(id);
  }

  function say(text, kind) {
    const status = byId("status");
    status.textContent = text;
    status.className = kind || "";
  }

  function fieldError(input, errorElement, text) {
    errorElement.textContent = text || "";
    if (text) {
      input.setAttribute("aria-invalid", "true");
    } else {
      input.removeAttribute("aria-invalid");
    }
  }

  function tokenFromLink() {
    const token = takeFromAddress("token");
    const input = byId("token");
    if (token) {
      input.value = token;
    } else {
      // No link token: the mail also carries the code itself, to paste here.
      byId("token-field").hidden = false;
    }
    return input;
  }

  async function busy(button, work) {
    button.disabled = true;
    try {
      await work();
    } finally {
      button.disabled = false;
    }
  }

  function verifyEmailPage() {
    const form = byId("verify-form");
    const token = tokenFromLink();
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (!token.value.trim()) {
        byId("token-field").hidden = false;
        say("Paste the code from the mail first.", "failed");
        token.focus();
        return;
      }
      busy(form.querySelector("button"), async function () {
        say("Verifying…");
        const answer = await post("/auth/verify-email", { token: token.value.trim() });
        if (answer.status === 200) {
          form.hidden = true;
          say("Your email is verified. You can close this page.", "ok");
        } else if (answer.status === 400 && (answer.body.type || "").endsWith("/invalid-account-token")) {
          say(
            problemText(answer) +
              ": this link was used already, has expired (links work for 24 hours) or was replaced by a newer one. " +
              "Sign in to the app and ask for a new verification link; it is mailed to you at once.",
            "failed"
          );
        } else {
          say(problemText(answer), "failed");
        }
      });
    });
  }

  function resetPasswordPage() {
    const form = byId("reset-form");
    const token = tokenFromLink();
    const password = byId("new-password");
    const confirm = byId("confirm-password");
    const passwordError = byId("password-error");
    const confirmError = byId("confirm-error");
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      fieldError(password, passwordError, "");
      fieldError(confirm, confirmError, "");
      say("");
      if (password.value.length < 8 || password.value.length > 128) {
        fieldError(password, passwordError, "Use 8 to 128 characters.");
        password.focus();
        return;
      }
      if (password.value !== confirm.value) {
        fieldError(confirm, confirmError, "The two passwords are not the same.");
        confirm.focus();
        return;
      }
      if (!token.value.trim()) {
        byId("token-field").hidden = false;
        say("Paste the code from the mail first.", "failed");
        token.focus();
        return;
      }
      busy(form.querySelector("button[type=submit]"), async function () {
        say("Changing your password…");
        const answer = await post("/auth/password/reset", { token: token.value.trim(), new_password: password.value });
        if (answer.status === 204) {
          form.hidden = true;
          password.value = "";
          confirm.value = "";
          say("Your password is changed; every device was signed out. Sign in again with the new password.", "ok");
        } else if (answer.status === 422) {
          say("");
          fieldError(password, passwordError, problemText(answer));
          password.focus();
        } else if (answer.status === 400 && (answer.body.type || "").endsWith("/invalid-account-token")) {
          say(
            problemText(answer) +
              ": this link was used already or has expired (links work for 1 hour). " +
              "Ask for a new one with “Forgot password” on the sign-in screen.",
            "failed"
          );
        } else {
          say(problemText(answer), "failed");
        }
      });
    });
  }

  function devicePage() {
    const code = byId("user-code");
    const codeError = byId("code-error");
    const signInForm = byId("sign-in-form");
    const signInError = byId("sign-in-error");
    const mfaForm = byId("mfa-form");
    const mfaCode = byId("mfa-code");
    const mfaError = byId("mfa-error");
    const decision = byId("decision");
    let session = null; // {access_token, refresh_token}: in memory only, gone with the page
    let mfaToken = null;

    const fromTv = takeFromAddress("user_code");
    if (fromTv) {
      code.value = fromTv;
    }

    function signedIn(tokens) {
      session = { access_token: tokens.access_token, refresh_token: tokens.refresh_token };
      mfaToken = null;
      signInForm.hidden = true;
      mfaForm.hidden = true;
      decision.hidden = false;
      say("");
      byId("approve").focus();
    }

    function signInAgain(text) {
      session = null;
      decision.hidden = true;
      mfaForm.hidden = true;
      signInForm.hidden = false;
      signInError.textContent = text;
    }

    signInForm.addEventListener("submit", function (event) {
      event.preventDefault();
      signInError.textContent = "";
      busy(signInForm.querySelector("button"), async function () {
        const answer = await post("/auth/login", { email: byId("email").value.trim(), password: byId("password").value });
        byId("password").value = "";
        if (answer.status === 200 && answer.body.mfa_required) {
          mfaToken = answer.body.mfa_token;
          signInForm.hidden = true;
          mfaForm.hidden = false;
          mfaCode.focus();
        } else if (answer.status === 200) {
          signedIn(answer.body);
        } else {
          signInError.textContent = problemText(answer);
        }
      });
    });

    mfaForm.addEventListener("submit", function (event) {
      event.preventDefault();
      fieldError(mfaCode, mfaError, "");
      busy(mfaForm.querySelector("button"), async function () {
        const answer = await post("/auth/mfa/challenge", { mfa_token: mfaToken, code: mfaCode.value.trim() });
        mfaCode.value = "";
        if (answer.status === 200) {
          signedIn(answer.body);
        } else if (answer.status === 401 && (answer.body.type || "").endsWith("/invalid-mfa-token")) {
          signInAgain(problemText(answer) + ". Sign in again.");
        } else {
          fieldError(mfaCode, mfaError, problemText(answer));
          mfaCode.focus();
        }
      });
    });

    async function decide(button, path, said) {
      fieldError(code, codeError, "");
      if (!code.value.trim()) {
        fieldError(code, codeError, "Type the code your TV shows.");
        code.focus();
        return;
      }
      await busy(button, async function () {
        const answer = await post(path, { user_code: code.value.trim() }, session.access_token);
        if (answer.status === 200) {
          decision.hidden = true;
          code.readOnly = true;
          say(said(answer.body.client_name), "ok");
          // This page's own session has done its job: end it rather than leave it in the account.
          const ended = session;
          session = null;
          await post("/auth/logout", { refresh_token: ended.refresh_token });
        } else if (answer.status === 401) {
          signInAgain(problemText(answer) + ". Sign in again.");
        } else if (answer.status === 400 || answer.status === 409) {
          fieldError(code, codeError, problemText(answer));
          code.focus();
        } else {
          say(problemText(answer), "failed");
        }
      });
    }

    function named(clientName) {
      return typeof clientName === "string" && clientName ? "“" + clientName + "”" : "Your TV";
    }

    byId("approve").addEventListener("click", function (event) {
      decide(event.currentTarget, "/auth/device/approve", function (clientName) {
        return "Approved: " + named(clientName) + " is signed in to your account. You can go back to your TV.";
      });
    });
    byId("deny").addEventListener("click", function (event) {
      decide(event.currentTarget, "/auth/device/deny", function (clientName) {
        return "Denied: " + named(clientName) + " will not be signed in.";
      });
    });
  }

  const pages = { "verify-email": verifyEmailPage, "reset-password": resetPasswordPage, device: devicePage };
  const page = pages[document.body.dataset.page];
  if (page) {
    page();
  }
})();
