// Progressive enhancement only: every page works without this file.
// Copy buttons for secrets shown once (API keys).
document.addEventListener("DOMContentLoaded", () => {
  for (const secret of document.querySelectorAll("code.secret")) {
    if (!navigator.clipboard) {
      continue;
    }
    const button = document.createElement("button");
    button.type = "button";
    button.className = "copy-button";
    button.textContent = "Copy";
    button.addEventListener("click", async () => {
      await navigator.clipboard.writeText(secret.textContent.trim());
      button.textContent = "Copied";
    });
    secret.after(button);
  }
});
