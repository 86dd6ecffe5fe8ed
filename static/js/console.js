// The console's progressive enhancements. Every action also works without this file: links
// have real hrefs and forms real actions. Nothing here is inline or evaluated, so the pages'
// Content-Security-Policy allows only scripts served by the console itself.
//
// Shared patterns (see README "Console UI patterns"):
//   dialogs      a link with hx-get, hx-target="#modal-body", hx-swap="innerHTML" opens #modal
//   busy states  any htmx request marks its element (and the submit button) busy and disabled
//   toasts       Django messages arrive in the HX-Trigger event "showMessages" (or in the page)
//   live widgets elements with hx-trigger="<event> from:body" refresh themselves on events
//   inline edits details.inline-edit closes with Cancel or Escape and forgets what was typed
//   filters      form[data-sync-url] controls always show what the URL says
//   bulk         form[data-bulk]: row checkboxes, "all on this page", the selected count
//   confirm      input[data-confirm-text]: its button works once the text is typed exactly
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  const TOAST_SECONDS = 8;
  const FOCUSABLE =
    "a[href], button:not([disabled]), input:not([disabled]):not([type=hidden]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex='-1'])";

  function onReady(callback) {
    if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", callback);
    } else {
      callback();
    }
  }

  // --- Toasts -----------------------------------------------------------------------------

  function toastRegion() {
    let region = document.getElementById("toasts");
    if (!region) {
      region = document.createElement("div");
      region.id = "toasts";
      region.className = "toasts";
      region.setAttribute("aria-live", "polite");
      document.body.appendChild(region);
    }
    return region;
  }

  function armToast(toast) {
    const close = toast.querySelector("[data-dismiss]");
    if (close) close.addEventListener("click", () => toast.remove());
    // Errors stay until dismissed; the others go after a while, but not while being read.
    if (toast.classList.contains("toast-error")) return;
    let timer = null;
    const start = () => {
      timer = window.setTimeout(() => toast.remove(), TOAST_SECONDS * 1000);
    };
    const stop = () => window.clearTimeout(timer);
    toast.addEventListener("mouseenter", stop);
    toast.addEventListener("mouseleave", start);
    toast.addEventListener("focusin", stop);
    toast.addEventListener("focusout", start);
    start();
  }

  function showToast(message, level) {
    const tag = level === "error" ? "error" : level || "info";
    const toast = document.createElement("div");
    toast.className = `toast toast-${tag}`;
    toast.setAttribute("role", tag === "error" ? "alert" : "status");
    const text = document.createElement("p");
    text.textContent = message;
    const close = document.createElement("button");
    close.type = "button";
    close.className = "toast-close";
    close.setAttribute("data-dismiss", "");
    close.setAttribute("aria-label", "Dismiss");
    close.textContent = "×";
    toast.append(text, close);
    toastRegion().appendChild(toast);
    armToast(toast);
    return toast;
  }

  document.addEventListener("showMessages", (event) => {
    for (const item of event.detail?.messages || []) showToast(item.message, item.level);
  });

  // A request that answers with an error the page does not swap in still says what happened.
  const FAILURES = {
    403: "Your role on this account does not allow this.",
    404: "This is no longer here. Reload the page to see what is.",
    410: "This is no longer available.",
  };
  document.addEventListener("htmx:responseError", (event) => {
    const status = event.detail.xhr?.status;
    showToast(FAILURES[status] || `Something went wrong (error ${status}). Try again.`, "error");
  });
  document.addEventListener("htmx:sendError", () => {
    showToast("The console could not be reached. Check your connection and try again.", "error");
  });

  // --- Busy states ------------------------------------------------------------------------
  // The element that sent a request, and the button that submitted it, are busy until the
  // answer arrives: disabled (no second click sends it again) and marked for assistive
  // technology; the region it updates is aria-busy too.

  const busy = new WeakMap();

  document.addEventListener("htmx:beforeRequest", (event) => {
    const elt = event.detail.elt;
    const config = event.detail.requestConfig || {};
    const submitter = config.triggeringEvent?.submitter;
    const marked = [];
    const disabled = [];
    if (submitter) {
      marked.push(submitter);
    } else if (elt.matches("a, button")) {
      marked.push(elt);
    }
    if (elt instanceof HTMLFormElement && config.triggeringEvent?.type === "submit") {
      for (const button of elt.querySelectorAll("button:not([type=button]), input[type=submit]")) {
        if (!button.disabled) disabled.push(button);
      }
    }
    for (const element of marked) {
      element.setAttribute("aria-busy", "true");
      element.classList.add("is-busy");
      if (element.matches("button, input") && !element.disabled) disabled.push(element);
      if (element.matches("a")) element.setAttribute("aria-disabled", "true");
    }
    for (const element of disabled) element.disabled = true;
    const target = event.detail.target;
    if (target && target !== document.body) target.setAttribute("aria-busy", "true");
    busy.set(event.detail.xhr, { marked, disabled, target });
  });

  document.addEventListener("htmx:afterRequest", (event) => {
    const state = busy.get(event.detail.xhr);
    if (!state) return;
    busy.delete(event.detail.xhr);
    for (const element of state.marked) {
      element.removeAttribute("aria-busy");
      element.removeAttribute("aria-disabled");
      element.classList.remove("is-busy");
    }
    for (const element of state.disabled) element.disabled = false;
    state.target?.removeAttribute("aria-busy");
  });

  // --- Dialogs ------------------------------------------------------------------------------
  // One <dialog id="modal"> per page. showModal() makes the rest of the page inert, so focus
  // stays in the dialog; when it closes, focus goes back to what opened it (or, when an action
  // replaced that, to its successor with the same id, else to the page's heading).

  let opener = null;

  function modal() {
    return document.getElementById("modal");
  }

  function focusInto(container) {
    const first =
      container.querySelector("[autofocus]") ||
      container.querySelector("[data-initial-focus]") ||
      container.querySelector(FOCUSABLE);
    first?.focus();
  }

  function openModal(from) {
    const dialog = modal();
    if (!dialog) return;
    if (!dialog.open) {
      opener = from || document.activeElement;
      dialog.showModal();
    }
    focusInto(dialog);
  }

  function returnFocus() {
    let target = opener;
    if (target && !target.isConnected && target.id) target = document.getElementById(target.id);
    if (!target || !target.isConnected) target = document.querySelector("#main h1");
    opener = null;
    if (target) {
      if (!target.matches(FOCUSABLE)) target.setAttribute("tabindex", "-1");
      target.focus();
    }
  }

  onReady(() => {
    modal()?.addEventListener("close", () => {
      document.getElementById("modal-body").replaceChildren();
      returnFocus();
    });
  });

  document.addEventListener("htmx:afterSwap", (event) => {
    const target = event.detail?.target;
    if (target?.id === "modal-body") openModal(event.detail.requestConfig?.elt);
  });

  // A successful action sent from inside the dialog closes it (its answer went elsewhere, or
  // replaced the dialog's content with a result to read: then it stays, data-keep-dialog).
  document.addEventListener("htmx:afterRequest", (event) => {
    const elt = event.detail?.elt;
    const dialog = elt?.closest?.("dialog");
    if (!dialog || !dialog.open || !event.detail.successful) return;
    if (event.detail.xhr.status >= 400) return;
    if (event.detail.target?.id === "modal-body" || elt.closest("[data-keep-dialog]")) return;
    dialog.close();
  });

  // --- Clicks: copy, reveal, dialog close, inline editors, drop-downs --------------------------

  function copyText(button, text) {
    navigator.clipboard?.writeText(text).then(() => {
      const label = button.textContent;
      button.textContent = "Copied";
      window.setTimeout(() => {
        button.textContent = label;
      }, 1500);
    });
  }

  document.addEventListener("click", (event) => {
    const copy = event.target.closest("[data-copy], [data-copy-from]");
    if (copy) {
      const from = copy.getAttribute("data-copy-from");
      const text = from
        ? document.getElementById(from)?.getAttribute("data-secret")
        : copy.getAttribute("data-copy");
      if (text) copyText(copy, text);
      return;
    }
    const reveal = event.target.closest("[data-reveal]");
    if (reveal) {
      const secret = document.getElementById(reveal.getAttribute("data-reveal"));
      const shown = secret.getAttribute("data-shown") === "true";
      secret.textContent = shown ? "•".repeat(32) : secret.getAttribute("data-secret");
      secret.setAttribute("data-shown", String(!shown));
      reveal.textContent = shown ? "Show" : "Hide";
      reveal.setAttribute("aria-pressed", String(!shown));
      for (const extra of document.querySelectorAll(`[data-shown-with="${secret.id}"]`)) {
        extra.hidden = shown;
      }
      return;
    }
    const closeDialog = event.target.closest("[data-close-dialog]");
    const dialog = closeDialog?.closest("dialog");
    if (dialog) {
      event.preventDefault();
      dialog.close();
      return;
    }
    const cancel = event.target.closest("[data-cancel-edit]");
    if (cancel) {
      event.preventDefault();
      closeEditor(cancel.closest("details"));
      return;
    }
    // Clicking outside an open drop-down (account switcher, your login) closes it.
    for (const dropdown of document.querySelectorAll("details[data-dropdown][open]")) {
      if (!dropdown.contains(event.target)) dropdown.open = false;
    }
  });

  // --- Inline editors -----------------------------------------------------------------------

  function closeEditor(editor) {
    if (!editor) return;
    editor.open = false;
    const form = editor.querySelector("form");
    if (form) {
      form.reset();
      for (const input of form.querySelectorAll("[data-saved-value]")) {
        input.value = input.getAttribute("data-saved-value");
      }
      for (const error of form.querySelectorAll(".field-error")) error.remove();
      for (const field of form.querySelectorAll(".field-invalid")) {
        field.classList.remove("field-invalid");
      }
      for (const input of form.querySelectorAll("[aria-invalid]")) {
        input.removeAttribute("aria-invalid");
      }
    }
    editor.querySelector("summary")?.focus();
  }

  // An editor that opens puts the cursor in its first field.
  document.addEventListener(
    "toggle",
    (event) => {
      const details = event.target;
      if (!(details instanceof HTMLDetailsElement)) return;
      if (details.matches(".inline-edit") && details.open) {
        details.querySelector("input:not([type=hidden]), select")?.focus();
      }
      if (details.id === "switcher" && details.open) loadSwitcher(details);
    },
    true,
  );

  // --- Keyboard -----------------------------------------------------------------------------

  document.addEventListener("keydown", (event) => {
    // Tab wraps around inside an open dialog (showModal() alone lets it leave to the browser).
    if (event.key === "Tab") {
      const dialog = modal();
      if (!dialog?.open) return;
      const stops = [...dialog.querySelectorAll(FOCUSABLE)].filter((el) => el.offsetParent !== null);
      if (!stops.length) return;
      const first = stops[0];
      const last = stops[stops.length - 1];
      if (event.shiftKey && (document.activeElement === first || !dialog.contains(document.activeElement))) {
        event.preventDefault();
        last.focus();
      } else if (!event.shiftKey && (document.activeElement === last || !dialog.contains(document.activeElement))) {
        event.preventDefault();
        first.focus();
      }
      return;
    }
    if (event.key === "Escape") {
      const editor = event.target.closest?.("details.inline-edit[open]");
      if (editor) {
        event.preventDefault();
        closeEditor(editor);
        return;
      }
      const dropdown = event.target.closest?.("details[data-dropdown][open]");
      if (dropdown) {
        dropdown.open = false;
        dropdown.querySelector("summary")?.focus();
      }
      return;
    }
    // Up and down move through the switcher's filter and accounts.
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      const panel = event.target.closest?.("#switcher[open]");
      if (!panel) return;
      const stops = [
        panel.querySelector("#switcher-filter"),
        ...panel.querySelectorAll("#switcher-results a, .switcher-footer a"),
      ].filter(Boolean);
      const index = stops.indexOf(document.activeElement);
      if (index < 0) return;
      event.preventDefault();
      const next = event.key === "ArrowDown" ? index + 1 : index - 1;
      stops[Math.max(0, Math.min(stops.length - 1, next))].focus();
    }
  });

  // --- The account switcher -----------------------------------------------------------------
  // Loaded when first opened, and again after anything about accounts changed (a rename, a new
  // subaccount): it never lists what was true before.

  function loadSwitcher(switcher) {
    if (switcher.dataset.loaded === "true" && switcher.dataset.stale !== "true") {
      switcher.querySelector("#switcher-filter")?.focus();
      return;
    }
    switcher.dataset.loaded = "true";
    switcher.dataset.stale = "false";
    window.htmx?.trigger(switcher, "loadSwitcher");
  }

  document.addEventListener("accountChanged", () => {
    const switcher = document.getElementById("switcher");
    if (!switcher) return;
    switcher.dataset.stale = "true";
    if (switcher.open) loadSwitcher(switcher);
  });

  // The switcher's filter takes focus when its panel arrives.
  document.addEventListener("htmx:afterSettle", (event) => {
    const filter = event.detail?.target?.querySelector?.("[data-autofocus]");
    if (filter && filter.closest("details[open]")) filter.focus();
  });

  // --- Filters that match the URL -----------------------------------------------------------
  // A filter form outside the results it updates (search as you type) shows exactly what the
  // URL asks for, after each pushed URL ("Clear filters" included).

  function syncFilters() {
    const params = new URLSearchParams(window.location.search);
    for (const form of document.querySelectorAll("form[data-sync-url]")) {
      for (const control of form.elements) {
        if (!control.name || control.type === "hidden" || control.type === "submit") continue;
        const value = params.get(control.name) ?? "";
        if (control.type === "checkbox" || control.type === "radio") {
          control.checked = params.getAll(control.name).includes(control.value);
        } else if (control.value !== value && document.activeElement !== control) {
          // (Not the box being typed in: the URL of an earlier keystroke must not undo the next.)
          control.value = value;
        }
      }
    }
  }
  document.addEventListener("htmx:pushedIntoHistory", syncFilters);
  document.addEventListener("htmx:replacedInHistory", syncFilters);
  window.addEventListener("pageshow", syncFilters);

  // --- Bulk selection -----------------------------------------------------------------------

  function bulkForms() {
    return document.querySelectorAll("form[data-bulk]");
  }

  function updateBulk(form) {
    const boxes = [...document.querySelectorAll(`input[form="${form.id}"][name=sid]`)];
    const chosen = boxes.filter((box) => box.checked).length;
    const all = form.querySelector("[data-bulk-all]");
    const everything = all?.checked;
    const count = form.querySelector("[data-bulk-count]");
    if (count) {
      // The template writes the total as text: "1,204", or "50+" for an uncounted search.
      const total = all ? all.getAttribute("data-total") : String(chosen);
      count.textContent = everything
        ? `All ${total} that match selected`
        : chosen
          ? `${chosen} selected`
          : "None selected";
    }
    for (const button of form.querySelectorAll("[data-bulk-action]")) {
      button.disabled = !(chosen || everything);
    }
    for (const box of boxes) box.disabled = Boolean(everything);
    const page = document.querySelector(`[data-bulk-page="${form.id}"]`);
    if (page) {
      page.checked = chosen > 0 && chosen === boxes.length;
      page.indeterminate = chosen > 0 && chosen < boxes.length;
      page.disabled = Boolean(everything) || boxes.length === 0;
    }
  }

  document.addEventListener("change", (event) => {
    const pageBox = event.target.closest?.("[data-bulk-page]");
    if (pageBox) {
      const form = document.getElementById(pageBox.getAttribute("data-bulk-page"));
      for (const box of document.querySelectorAll(`input[form="${form.id}"][name=sid]`)) {
        box.checked = pageBox.checked;
      }
      updateBulk(form);
      return;
    }
    const owner = event.target.form || event.target.closest?.("form[data-bulk]");
    if (owner?.matches?.("form[data-bulk]")) updateBulk(owner);
  });

  function refreshAll() {
    for (const form of bulkForms()) updateBulk(form);
    for (const input of document.querySelectorAll("input[data-confirm-text]")) checkTyped(input);
  }
  onReady(refreshAll);
  document.addEventListener("htmx:afterSettle", refreshAll);

  // --- Typed confirmations ------------------------------------------------------------------

  function checkTyped(input) {
    const button = document.getElementById(input.getAttribute("data-confirm-button"));
    if (button) button.disabled = input.value.trim() !== input.getAttribute("data-confirm-text");
  }
  document.addEventListener("input", (event) => {
    if (event.target.matches?.("input[data-confirm-text]")) checkTyped(event.target);
  });

  onReady(() => {
    for (const toast of document.querySelectorAll("#toasts .toast")) armToast(toast);
  });
})();
