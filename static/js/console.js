// Small progressive enhancements; every action also works without this file.
document.documentElement.classList.add("js");
document.addEventListener("click", (event) => {
  const copy = event.target.closest("[data-copy]");
  if (copy) {
    const text = copy.getAttribute("data-copy");
    navigator.clipboard?.writeText(text).then(() => {
      const label = copy.textContent;
      copy.textContent = "Copied";
      setTimeout(() => { copy.textContent = label; }, 1500);
    });
    return;
  }
  const closeDialog = event.target.closest("[data-close-dialog]");
  const dialog = closeDialog?.closest("dialog");
  if (dialog) {
    event.preventDefault();
    dialog.close();
    return;
  }
  // Clicking outside an open drop-down (account switcher, your login) closes it.
  for (const dropdown of document.querySelectorAll("details[data-dropdown][open]")) {
    if (!dropdown.contains(event.target)) dropdown.open = false;
  }
});

// Escape closes an open drop-down and gives focus back to its button.
document.addEventListener("keydown", (event) => {
  if (event.key !== "Escape") return;
  const dropdown = event.target.closest?.("details[data-dropdown][open]");
  if (dropdown) {
    dropdown.open = false;
    dropdown.querySelector("summary")?.focus();
  }
});

// A confirmation loaded into the modal opens it; a successful action inside closes it.
document.addEventListener("htmx:afterSwap", (event) => {
  if (event.detail.target.id === "modal-body") {
    document.getElementById("modal")?.showModal();
  }
});
document.addEventListener("htmx:afterRequest", (event) => {
  const dialog = event.detail.elt.closest?.("dialog");
  if (dialog && event.detail.successful && event.detail.xhr.status < 400) {
    dialog.close();
  }
});
// Focus the switcher's filter when it opens.
document.addEventListener("htmx:afterSettle", (event) => {
  const filter = event.detail.target.querySelector?.("[data-autofocus]");
  if (filter) filter.focus();
});
