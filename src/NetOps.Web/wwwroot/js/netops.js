// Small browser helpers the dashboard calls through JS interop once a page is interactive.
window.netops = {
    // Dragged node positions per view, kept in this browser (a wall screen and each desk keep their own).
    loadLayout: (view) => localStorage.getItem("netops.layout." + view),
    saveLayout: (view, json) => localStorage.setItem("netops.layout." + view, json),
    clearLayout: (view) => localStorage.removeItem("netops.layout." + view),
    // Who acknowledges or silences, until there are logins: the name typed last in this browser.
    operator: () => localStorage.getItem("netops.operator") || "",
    setOperator: (name) => localStorage.setItem("netops.operator", name),
    // Dark or light, remembered; applied before the first paint by the inline script in App.razor.
    theme: () => document.documentElement.dataset.theme || "dark",
    setTheme: (theme) => {
        document.documentElement.dataset.theme = theme;
        localStorage.setItem("netops.theme", theme);
        return theme;
    },
};
