// Set up event handlers
const reconnectModal = document.getElementById("components-reconnect-modal");
reconnectModal.addEventListener("components-reconnect-state-changed", handleReconnectStateChanged);

const retryButton = document.getElementById("components-reconnect-button");
retryButton.addEventListener("click", retry);

const resumeButton = document.getElementById("components-resume-button");
resumeButton.addEventListener("click", resume);

function handleReconnectStateChanged(event) {
    if (event.detail.state === "show") {
        reconnectModal.showModal();
    } else if (event.detail.state === "hide") {
        reconnectModal.close();
    } else if (event.detail.state === "failed") {
        // Blazor's own retries are spent. Never sit on a dead page (a wall screen has nobody to press Retry):
        // keep trying until the server answers, then rejoin or reload.
        recover();
    } else if (event.detail.state === "rejected") {
        location.reload();
    }
}

async function retry() {
    document.removeEventListener("visibilitychange", retryWhenDocumentBecomesVisible);

    try {
        // Reconnect will asynchronously return:
        // - true to mean success
        // - false to mean we reached the server, but it rejected the connection (e.g., unknown circuit ID)
        // - exception to mean we didn't reach the server (this can be sync or async)
        const successful = await Blazor.reconnect();
        if (!successful) {
            // We have been able to reach the server, but the circuit is no longer available.
            // We'll reload the page so the user can continue using the app as quickly as possible.
            const resumeSuccessful = await Blazor.resumeCircuit();
            if (!resumeSuccessful) {
                location.reload();
            } else {
                reconnectModal.close();
            }
        }
    } catch (err) {
        // We got an exception, server is currently unavailable
        document.addEventListener("visibilitychange", retryWhenDocumentBecomesVisible);
    }
}

async function resume() {
    try {
        const successful = await Blazor.resumeCircuit();
        if (!successful) {
            location.reload();
        }
    } catch {
        reconnectModal.classList.replace("components-reconnect-paused", "components-reconnect-resume-failed");
    }
}

async function retryWhenDocumentBecomesVisible() {
    if (document.visibilityState === "visible") {
        await retry();
    }
}

let recovering = false;

// Tries to rejoin the circuit every few seconds; a server that answers but cannot rejoin (restarted, circuit gone,
// the socket refused) gets a fresh page; a server that does not answer is waited for, never reloaded into an error page.
async function recover() {
    if (recovering) {
        return;
    }

    recovering = true;
    reconnectModal.dataset.recovering = "true";
    for (;;) {
        await new Promise(resolve => setTimeout(resolve, 2000));
        try {
            if (await Blazor.reconnect()) {
                recovering = false;
                delete reconnectModal.dataset.recovering;
                reconnectModal.close();
                return;
            }

            location.reload();
            return;
        } catch {
            if (await serverAnswers()) {
                location.reload();
                return;
            }
        }
    }
}

async function serverAnswers() {
    try {
        const response = await fetch("healthz", { cache: "no-store" });
        return response.ok;
    } catch {
        return false;
    }
}

// Also used when the first connection of a freshly loaded page fails (App.razor).
window.netopsRecover = async () => {
    for (;;) {
        await new Promise(resolve => setTimeout(resolve, 3000));
        if (await serverAnswers()) {
            location.reload();
            return;
        }
    }
};
