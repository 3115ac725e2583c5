// Modal questions: "are you sure?" and "how?" (one short text), built on <dialog>
// so that focus is trapped, Escape cancels, and focus returns where it was.

import { t } from "./i18n.js";

function build({ title, body, confirm, danger }) {
  const dialog = document.createElement("dialog");
  dialog.className = "dialog";
  const id = `dialog-${Math.random().toString(36).slice(2)}`;
  dialog.setAttribute("aria-labelledby", `${id}-title`);
  dialog.dataset.testid = "dialog";
  dialog.setAttribute("data-testid", "dialog");

  const form = document.createElement("form");
  form.method = "dialog";
  const heading = document.createElement("h2");
  heading.id = `${id}-title`;
  heading.textContent = title;
  form.append(heading);
  if (body) {
    const text = document.createElement("p");
    text.textContent = body;
    form.append(text);
  }
  const actions = document.createElement("div");
  actions.className = "actions";
  const ok = document.createElement("button");
  ok.type = "submit";
  ok.value = "ok";
  ok.className = danger ? "button button-danger" : "button";
  ok.textContent = confirm;
  const cancel = document.createElement("button");
  cancel.type = "submit";
  cancel.value = "cancel";
  cancel.formNoValidate = true;
  cancel.className = "button button-secondary";
  cancel.textContent = t("dialog.cancel");
  actions.append(ok, cancel);
  form.append(actions);
  dialog.append(form);
  return { dialog, form, ok, id };
}

function run(dialog, { focus }) {
  const before = document.activeElement;
  document.body.append(dialog);
  dialog.showModal();
  focus?.focus();
  return new Promise((resolve) => {
    dialog.addEventListener(
      "close",
      () => {
        dialog.remove();
        if (before instanceof HTMLElement && before.isConnected) {
          before.focus();
        }
        resolve(dialog.returnValue);
      },
      { once: true },
    );
  });
}

/** Ask a yes/no question; resolves to true when confirmed. */
export async function confirmAction({ title, body, confirm, danger = false }) {
  const { dialog, ok } = build({ title, body, confirm, danger });
  return (await run(dialog, { focus: danger ? null : ok })) === "ok";
}

/**
 * Ask for one short text (`suggestions` offered in a list); resolves to the
 * trimmed text, or null when cancelled.
 */
export async function askText({ title, body, label, confirm, suggestions = [], maxLength = 200 }) {
  const { dialog, form, id } = build({ title, body, confirm });
  const field = document.createElement("div");
  field.className = "field";
  const labelEl = document.createElement("label");
  labelEl.htmlFor = `${id}-input`;
  labelEl.textContent = label;
  const input = document.createElement("input");
  input.id = `${id}-input`;
  input.type = "text";
  input.required = true;
  input.maxLength = maxLength;
  input.autocomplete = "off";
  if (suggestions.length) {
    const list = document.createElement("datalist");
    list.id = `${id}-list`;
    for (const suggestion of suggestions) {
      const option = document.createElement("option");
      option.value = suggestion;
      list.append(option);
    }
    input.setAttribute("list", list.id);
    field.append(list);
  }
  field.prepend(labelEl, input);
  form.querySelector(".actions").before(field);
  const answer = await run(dialog, { focus: input });
  return answer === "ok" && input.value.trim() ? input.value.trim() : null;
}
