// Small line icons drawn as inline SVG. Icons are decoration only: every one
// stands next to a text that says the same thing (aria-hidden).

const SVG = "http://www.w3.org/2000/svg";

// Each icon: a list of [element, attributes] on a 24x24 grid.
const SHAPES = {
  mic: [
    ["rect", { x: 9, y: 2, width: 6, height: 12, rx: 3 }],
    ["path", { d: "M5 10v1a7 7 0 0 0 14 0v-1" }],
    ["path", { d: "M12 18v4M8 22h8" }],
  ],
  camera: [
    ["rect", { x: 2, y: 6, width: 14, height: 12, rx: 2 }],
    ["path", { d: "M16 10.5 22 7v10l-6-3.5" }],
  ],
  hand: [
    [
      "path",
      {
        d:
          "M8 13V5.5a1.5 1.5 0 0 1 3 0V11M11 11V4a1.5 1.5 0 0 1 3 0v7M14 11V5.5a1.5 1.5 0 0 1 3 0V12" +
          "M17 12V9a1.5 1.5 0 0 1 3 0v5a8 8 0 0 1-8 8h-1a7 7 0 0 1-5.6-2.8L3 15.5a1.5 1.5 0 0 1 2.4-1.8L8 16",
      },
    ],
  ],
  record: [["circle", { cx: 12, cy: 12, r: 6, fill: "currentColor" }]],
  speaker: [
    ["path", { d: "M11 5 6 9H2v6h4l5 4z" }],
    ["path", { d: "M15.5 8.5a5 5 0 0 1 0 7M18.5 5.5a9 9 0 0 1 0 13" }],
  ],
  leave: [
    ["path", { d: "M9 21H5a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2h4" }],
    ["path", { d: "M16 17l5-5-5-5M21 12H9" }],
  ],
  check: [["path", { d: "M20 6 9 17l-5-5" }]],
  alert: [
    ["path", { d: "M12 3 2 21h20z" }],
    ["path", { d: "M12 10v5M12 18v.5" }],
  ],
  clock: [
    ["circle", { cx: 12, cy: 12, r: 9 }],
    ["path", { d: "M12 7v5l3 2" }],
  ],
  lock: [
    ["rect", { x: 4, y: 11, width: 16, height: 10, rx: 2 }],
    ["path", { d: "M8 11V7a4 4 0 0 1 8 0v4" }],
  ],
  wifi: [
    ["path", { d: "M2 9a15 15 0 0 1 20 0M5 12.5a10 10 0 0 1 14 0M8.5 16a5 5 0 0 1 7 0" }],
    ["circle", { cx: 12, cy: 19.5, r: 1, fill: "currentColor" }],
  ],
  user: [
    ["circle", { cx: 12, cy: 8, r: 4 }],
    ["path", { d: "M4 21a8 8 0 0 1 16 0" }],
  ],
  eye: [
    ["path", { d: "M2 12s3.5-7 10-7 10 7 10 7-3.5 7-10 7S2 12 2 12z" }],
    ["circle", { cx: 12, cy: 12, r: 3 }],
  ],
  captions: [
    ["rect", { x: 2, y: 5, width: 20, height: 14, rx: 2 }],
    ["path", { d: "M6 10h5M6 14h8M14 10h4" }],
  ],
  play: [["path", { d: "M7 4v16l13-8z", fill: "currentColor" }]],
  pause: [
    ["rect", { x: 6, y: 4, width: 4, height: 16, rx: 1, fill: "currentColor" }],
    ["rect", { x: 14, y: 4, width: 4, height: 16, rx: 1, fill: "currentColor" }],
  ],
  // Connection strength: three bars, as many filled as the connection is good.
  "signal-3": signalBars(3),
  "signal-2": signalBars(2),
  "signal-1": signalBars(1),
};

function signalBars(filled) {
  return [4, 10, 16].map((x, i) => {
    const fill = i < filled ? "currentColor" : "none";
    return ["rect", { x, y: 16 - i * 5, width: 4, height: 5 + i * 5, rx: 1, fill }];
  });
}

// "mic-off", "camera-off": the icon struck through.
const SLASH = ["path", { d: "M3 3l18 18", class: "icon-slash" }];

/** An `<svg>` element for `name` ("mic", "mic-off", "camera", ...), hidden from assistive tech. */
export function icon(name) {
  const off = name.endsWith("-off");
  const shapes = SHAPES[off ? name.slice(0, -4) : name] ?? SHAPES.alert;
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("focusable", "false");
  svg.setAttribute("class", `icon icon-${name}`);
  for (const [tag, attributes] of off ? [...shapes, SLASH] : shapes) {
    const node = document.createElementNS(SVG, tag);
    for (const [key, value] of Object.entries(attributes)) {
      node.setAttribute(key, String(value));
    }
    svg.append(node);
  }
  return svg;
}

/** Put `icon(name)` then `text` into `element`, replacing what was there. */
export function setIconText(element, name, text) {
  const label = document.createElement("span");
  label.className = "icon-label";
  label.textContent = text;
  element.replaceChildren(icon(name), label);
}

/** Fill every `[data-icon]` element under `root` with its icon (placed first). */
export function drawIcons(root = document) {
  for (const el of root.querySelectorAll("[data-icon]")) {
    if (!el.querySelector(":scope > svg.icon")) {
      el.prepend(icon(el.dataset.icon));
    }
  }
}
