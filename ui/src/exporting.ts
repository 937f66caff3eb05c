// "Export CSV…" on every list: the save dialog is the system's (opened by
// the shell), rows stream with progress on the button, and a second click
// cancels.
import { api, jobId, type ApiError, type ExportRequest } from "./api";
import { count, formatCount, showNotice, type ShowError } from "./dom";

const LABEL = "Export CSV…";

export function exportButton(button: HTMLButtonElement, request: () => ExportRequest, showError: ShowError): void {
  let job: string | null = null;
  button.textContent = LABEL;
  button.addEventListener("click", () => {
    if (job !== null) {
      void api.cancelJob(job);
      return;
    }
    void run();
  });

  async function run(): Promise<void> {
    const mine = jobId("export");
    job = mine;
    button.textContent = "Choosing a file… (click to cancel)";
    try {
      const done = await api.exportCsv(request(), mine, (p) => {
        button.textContent = `Cancel export (${formatCount(p.done)} rows written)`;
      });
      if (done) {
        showError(null);
        showNotice(`Saved ${count(done.rows, "row")} to ${done.path}`);
      }
    } catch (e) {
      showError(e as ApiError);
    } finally {
      job = null;
      button.textContent = LABEL;
    }
  }
}
