// The learning-workplace profile in the headset: which panels a session shows around an
// organisation's scenes (welcome, the learner's expectations, guidance before its first scene; the
// closing questions after its last), and how a panel looks in VR. The panels themselves come made
// from the script by the service (scripts_vr/profile_view.py), in the sync manifest's "profiles".

/** How a panel looks in VR. Opaque, so the contrast does not depend on the scene behind it. */
export const PANEL_STYLE = {
  widthDeg: 64, // the panel's angular width
  canvasWidth: 1024, // px; the canvas is at most as high as wide (more text: more pages)
  margin: 48,
  titleFont: 46, titleLine: 58,
  headingFont: 38, headingLine: 50,
  font: 36, line: 46, // the body text
  background: "#0b2830",
  text: "#ffffff",
  heading: "#ffd27a",
};

/**
 * The visual angle, in degrees, of ``px`` canvas pixels of text on a panel of ``style`` at its
 * worst place (a corner of the tallest page, where the flat panel is seen most obliquely).
 */
export function textAngleDeg(px, style = PANEL_STYLE) {
  const hw = Math.tan((style.widthDeg * Math.PI) / 360), perPx = (2 * hw) / style.canvasWidth;
  const top = hw; // a square page: half height = half width (tangent units)
  const a = [hw, top - px * perPx, -1], b = [hw, top, -1];
  const dot = a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
  return (Math.acos(dot / (Math.hypot(...a) * Math.hypot(...b))) * 180) / Math.PI;
}

/** A script's profile pack in ``lang``, else its Dutch one. */
const packIn = (packs, lang) => packs[lang] || packs.nl;

/**
 * The panels to show before scene ``i`` (index in ``scenes``) and at the end (index n), as a Map.
 * ``bundles``: bundle key → the manifest's bundle entry ({script, scene}); ``profiles``: script
 * name → the manifest's profile packs, one per language (``lang``'s is used, else the Dutch one);
 * ``learner``: {route, level, year} (each may be null); ``context``: the session's context.
 */
export function panelsAround(scenes, bundles, profiles, learner, context, lang = "nl") {
  profiles = Object.fromEntries(Object.entries(profiles).map(([name, packs]) => [name, packIn(packs, lang)]));
  const at = new Map(), add = (i, panels) => at.set(i, [...(at.get(i) || []), ...panels]);
  const scriptOf = (i) => bundles[scenes[i]]?.script ?? null;
  const first = (s, i) => !scenes.slice(0, i).some((_, j) => scriptOf(j) === s);
  const last = (s, i) => !scenes.slice(i).some((_, j) => scriptOf(i + j) === s);
  for (let i = 0; i <= scenes.length; i++) {
    const ended = i > 0 ? scriptOf(i - 1) : null, starts = i < scenes.length ? scriptOf(i) : null;
    if (ended && profiles[ended] && last(ended, i)) {
      const played = scenes.filter((_, j) => scriptOf(j) === ended).map((key) => bundles[key].scene);
      add(i, [closingFor(profiles[ended], context, played.includes(undefined) ? null : played)]);
    }
    if (starts && profiles[starts] && first(starts, i)) add(i, welcomePanels(profiles[starts], learner));
  }
  return at;
}

/** The words a headset shows around panels in ``lang`` (every pack carries them; null: no profiles, so no panels). */
export function panelWords(profiles, lang = "nl") {
  const [packs] = Object.values(profiles || {});
  return packs ? packIn(packs, lang).words : null;
}

/** The closing panel: the prompts for ``context`` of the scenes played (null: every scene's), each once. */
export function closingFor(pack, context, sceneIds) {
  if (!sceneIds) return pack.closing[context] || pack.closing.intake;
  const prompts = sceneIds.flatMap((id) => (pack.prompts?.[id] || [])
    .filter((p) => !p.contexts || !context || p.contexts.includes(context)).map((p) => p.text));
  if (!prompts.length) return pack.closing_none;
  return { ...pack.closing_none, sections: [{ heading: null, items: [...new Set(prompts)] }] };
}

/** The welcome panels of a profile pack, with the expectations for ``learner`` in second place. */
export function welcomePanels(pack, learner) {
  const l = learner || {};
  const key = `${l.route || ""}-${l.level || ""}-${l.year || ""}`;
  const expectations = pack.expectations[key] || pack.expectations[`${l.route || ""}-${l.level || ""}-`]
    || (l.route && l.level ? pack.expectations_missing : pack.expectations_unknown);
  return pack.before.map((p) => (p.kind === "expectations" ? expectations : p));
}

/** A panel as the lines one draws: [{text, kind: title|heading|item}]. */
function linesOf(panel) {
  const lines = [{ text: panel.title, kind: "title" }];
  for (const s of panel.sections) {
    if (s.heading) lines.push({ text: s.heading, kind: "heading" });
    for (const item of s.items) lines.push({ text: `• ${item}`, kind: "item" });
  }
  return lines;
}

/** The panel drawn on canvases (one per page), ``style`` sizes; the last line says how to go on. */
export function panelCanvases(panel, footer, style = PANEL_STYLE) {
  const W = style.canvasWidth, max = W, pages = [];
  const measure = document.createElement("canvas").getContext("2d");
  const fonts = { title: [`bold ${style.titleFont}px sans-serif`, style.titleLine, style.text],
                  heading: [`bold ${style.headingFont}px sans-serif`, style.headingLine, style.heading],
                  item: [`${style.font}px sans-serif`, style.line, style.text],
                  footer: [`italic ${style.font}px sans-serif`, style.line, style.heading] };
  const wrapped = [];
  for (const line of linesOf(panel)) {
    const [font, height] = fonts[line.kind];
    measure.font = font;
    let current = "";
    for (const word of line.text.split(" ")) {
      const next = current ? `${current} ${word}` : word;
      if (current && measure.measureText(next).width > W - 2 * style.margin) { wrapped.push({ ...line, text: current, height }); current = `  ${word}`; }
      else current = next;
    }
    wrapped.push({ ...line, text: current, height });
  }
  const footerLine = { text: footer, kind: "footer", height: Math.round(style.line * 1.5), gap: Math.round(style.line / 2) };
  let page = [], used = style.margin * 2 + footerLine.height;
  for (const line of wrapped) {
    if (page.length && used + line.height > max) { pages.push(page); page = []; used = style.margin * 2 + footerLine.height; }
    page.push(line); used += line.height;
  }
  pages.push(page);
  return pages.map((lines) => {
    const c = document.createElement("canvas");
    c.width = W;
    c.height = Math.max(Math.round(W / 3), style.margin * 2 + footerLine.height + lines.reduce((h, l) => h + l.height, 0));
    const g = c.getContext("2d");
    g.fillStyle = style.background;
    g.beginPath(); g.roundRect(0, 0, c.width, c.height, 28); g.fill();
    g.textBaseline = "top";
    let y = style.margin;
    for (const line of [...lines, footerLine]) {
      const [font, , colour] = fonts[line.kind];
      g.font = font; g.fillStyle = colour;
      g.fillText(line.text, style.margin, y + (line.gap || 0));
      y += line.height;
    }
    return c;
  });
}

/** The 2D panel: an HTML section over the canvas, its "Verder" button focused (Tab/Enter reach it). */
export function fillPanelElement(element, panel, nextLabel) {
  const title = document.createElement("h2");
  title.textContent = panel.title;
  const parts = [title];
  for (const s of panel.sections) {
    if (s.heading) { const h = document.createElement("h3"); h.textContent = s.heading; parts.push(h); }
    const ul = document.createElement("ul");
    for (const item of s.items) { const li = document.createElement("li"); li.textContent = item; ul.append(li); }
    parts.push(ul);
  }
  const button = document.createElement("button");
  button.type = "button"; button.className = "zb-panel-next"; button.textContent = nextLabel;
  parts.push(button);
  element.replaceChildren(...parts);
  element.dataset.kind = panel.kind;
  element.hidden = false;
  return button;
}
