// Drives the reconnect dialog (Components/Layout/ReconnectModal.razor), as the .NET 10 Blazor template does.
// blazor.web.js raises components-reconnect-state-changed on the element with this id and sets the state classes.
const reconnectModal = document.getElementById("components-reconnect-modal");
reconnectModal.addEventListener("components-reconnect-state-changed", handleReconnectStateChanged);
document.getElementById("components-reconnect-button").addEventListener("click", retry);
document.getElementById("components-resume-button").addEventListener("click", resume);

function handleReconnectStateChanged(event) {
  if (event.detail.state === "show") {
    reconnectModal.showModal();
  } else if (event.detail.state === "hide") {
    reconnectModal.close();
  } else if (event.detail.state === "failed") {
    document.addEventListener("visibilitychange", retryWhenDocumentBecomesVisible);
  } else if (event.detail.state === "rejected") {
    // The server no longer knows this page's session (restarted, or the circuit expired). Say so and leave the page
    // as it is, so what was typed can still be copied, instead of reloading it away.
    reconnectModal.classList.add("components-reconnect-rejected");
    if (!reconnectModal.open) {
      reconnectModal.showModal();
    }
  }
}

async function retry() {
  document.removeEventListener("visibilitychange", retryWhenDocumentBecomesVisible);
  try {
    // true: rejoined; false: the server answered but no longer has the circuit; throws: the server is unreachable.
    const successful = await Blazor.reconnect();
    if (!successful) {
      const resumed = await Blazor.resumeCircuit();
      if (!resumed) {
        location.reload();
      } else {
        reconnectModal.close();
      }
    }
  } catch {
    document.addEventListener("visibilitychange", retryWhenDocumentBecomesVisible);
  }
}

async function resume() {
  try {
    if (!(await Blazor.resumeCircuit())) {
      location.reload();
    }
  } catch {
    location.reload();
  }
}

async function retryWhenDocumentBecomesVisible() {
  if (document.visibilityState === "visible") {
    await retry();
  }
}
