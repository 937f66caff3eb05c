import { defineConfig } from "vitest/config";

// The build is loaded from tauri:// by the desktop shell; no dev server.
export default defineConfig({
  clearScreen: false,
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
    // Inline assets would need data: URLs, which the CSP does not allow.
    assetsInlineLimit: 0,
  },
  test: {
    environment: "jsdom",
    globals: true,
    // The contrast test reads the stylesheet as text (`?raw`).
    css: { include: [/style\.css/] },
  },
});
