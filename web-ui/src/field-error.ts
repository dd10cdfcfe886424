// The message under a form field that says what is wrong with it, tied to its control for
// screen readers (aria-invalid, aria-describedby) and outlined in red.

import { h } from "./dom";

export class FieldError {
  readonly el: HTMLElement;

  /** `testid` also becomes the message's id, which the control's aria-describedby names. */
  constructor(
    private readonly control: HTMLElement,
    testid: string,
  ) {
    this.el = h("span", { className: "field-error", testid, id: testid, role: "alert" });
    this.el.hidden = true;
    control.addEventListener("input", () => this.show(undefined));
  }

  /** Shows `message` (undefined: clears it). */
  show(message: string | undefined): void {
    this.el.textContent = message ?? "";
    this.el.hidden = message === undefined;
    this.control.classList.toggle("invalid", message !== undefined);
    if (message === undefined) {
      this.control.removeAttribute("aria-invalid");
      this.control.removeAttribute("aria-describedby");
    } else {
      this.control.setAttribute("aria-invalid", "true");
      this.control.setAttribute("aria-describedby", this.el.id);
    }
  }
}
